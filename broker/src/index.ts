export { BatchWriter, type BatchWriterOptions, WriterClosed } from './batch-writer.ts';
export { type Broker, type BrokerLimits, type BrokerOptions, createBroker, DEFAULT_LIMITS } from './broker.ts';
export { type BrokerEnv, brokerEnv, brokerLimits } from './config.ts';
export { DeviceStore, hashDeviceSecret, newDeviceSecret } from './device-store.ts';
export { ConfigError, count, flag, parseEnv, port } from './env.ts';
export { type BrokerMetrics, createBrokerMetrics } from './metrics.ts';
export { REASONS, type Reason, Rejection } from './reasons.ts';
export { Spill } from './spill.ts';
export { nowMicros, parseTelemetry, type Readings } from './telemetry-parser.ts';
