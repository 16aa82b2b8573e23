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
