// The one UUID check lives in the device protocol, shared with the broker; the HTTP layer uses it
// for path parameters (`Uuid`), the organization guard (`isUuid`) and the audit trail (`UUID_SOURCE`).
export { isUuid, UUID_SOURCE, Uuid } from '@iotp/protocol';
