export { APP_USERNAME, type AppAccess, type OrgDevices, SUBSCRIBE_SCOPE } from './app-clients.ts';
export { BatchWriter, type BatchWriterOptions, WriterClosed } from './batch-writer.ts';
export { type Broker, type BrokerOptions, createBroker, type DeviceEvents, type PublishProperties } from './broker.ts';
export { BrokerNodes } from './broker-nodes.ts';
export { type BrokerEnv, brokerEnv, brokerLimits } from './config.ts';
export {
  type CertificateCheck,
  DeviceCertificates,
  type DeviceCertificatesOptions,
  normalizeSerial,
} from './device-certificates.ts';
export {
  type BillingAccount,
  type CredentialCheck,
  type DeviceIdentity,
  DeviceStore,
  hashDeviceSecret,
  newDeviceSecret,
} from './device-store.ts';
export { ConfigError, count, flag, parseEnv, port } from './env.ts';
export { type BrokerLimits, DEFAULT_LIMITS } from './limits.ts';
export { type BrokerMetrics, createBrokerMetrics } from './metrics.ts';
export type { ProxyProtocolOptions } from './proxy-protocol.ts';
export { type PlanAdmission, type QuotaPlan, Quotas } from './quotas.ts';
export { REASONS, type Reason, Rejection } from './reasons.ts';
export { connectSharedSessions, type SharedSessions } from './shared-sessions.ts';
export { Spill } from './spill.ts';
export { checkTelemetry, type ReadingsListener, type TelemetrySink } from './store-telemetry.ts';
export { nowMicros, parseTelemetry, type Readings } from './telemetry-parser.ts';
export { NO_DEVICE, NO_USER, type Usage, UsageMeter } from './usage-meter.ts';
export type { WebSocketOptions } from './websocket.ts';
