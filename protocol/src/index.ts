export {
  canonical,
  FileName,
  keyId,
  Manifest,
  Signature,
  SignedManifest,
  signatureProblem,
} from './manifest.ts';
export { OTA_STATES, OtaCancel, OtaJob, OtaJobMessage, type OtaState, OtaStatusReport } from './ota.ts';
export { MetricName, MetricValue, SenmlPack, Telemetry, TelemetryBatch, TelemetryObject } from './telemetry.ts';
export {
  commandResponseSuffix,
  type DeviceSuffix,
  devicePrefix,
  deviceTopic,
  filterCovers,
  parseDeviceSuffix,
  parseDeviceTopic,
  SUFFIX,
} from './topics.ts';
export { Command, CommandResponse, JsonObject, TwinDesired, TwinReported } from './twin.ts';
export { CANONICAL_UUID, isCanonicalUuid, isUuid, UUID, UUID_SOURCE, Uuid } from './uuid.ts';
