import { UUID_SOURCE } from './uuid.ts';

/**
 * A device's topics: each lies below its own prefix `devices/{id}/`, the only place the broker lets
 * it publish or subscribe. Suffixes are the topics below that prefix.
 */
export const SUFFIX = {
  /** Device -> platform: readings, stored by the broker. */
  telemetry: 'telemetry',
  /** Device -> platform: the state it runs with (`TwinReported`). */
  twinReported: 'twin/reported',
  /** Platform -> device, retained: the state it should run with (`TwinDesired`). */
  twinDesired: 'twin/desired',
  /** Platform -> device: one command each (`Command`). */
  commands: 'commands',
  /** Platform -> device: an update to install, or the cancel of one (`OtaJobMessage`). */
  otaJob: 'ota/job',
  /** Device -> platform: how its update goes (`OtaStatusReport`). */
  otaStatus: 'ota/status',
  /** Device -> platform: send my open jobs again (with fresh download URLs). */
  otaRequest: 'ota/request',
} as const;

/** Device -> platform: the answer to one command (`CommandResponse`). */
export const commandResponseSuffix = (commandId: string) => `commands/${commandId}/response`;

/** `devices/{id}/`: a device's own prefix. */
export const devicePrefix = (deviceId: string) => `devices/${deviceId}/`;

/** A device's topic, e.g. `deviceTopic(id, SUFFIX.telemetry)` is `devices/{id}/telemetry`. */
export const deviceTopic = (deviceId: string, suffix: string) => `${devicePrefix(deviceId)}${suffix}`;

/** What a device topic is: one of `SUFFIX`, or a command response with its command's id. */
export type DeviceSuffix = { kind: keyof typeof SUFFIX } | { kind: 'commandResponse'; commandId: string };

const BY_SUFFIX = new Map<string, DeviceSuffix>(
  Object.entries(SUFFIX).map(([kind, suffix]) => [suffix, { kind } as DeviceSuffix]),
);
/** Command ids are UUIDs the platform hands out, spelt as it spells them; any other id names no command. */
const COMMAND_RESPONSE = new RegExp(`^commands/(${UUID_SOURCE})/response$`);

/**
 * What a topic below a device's prefix is, or undefined for one the protocol does not define.
 * @example parseDeviceSuffix('commands/3f2c…/response') // { kind: 'commandResponse', commandId: '3f2c…' }
 */
export function parseDeviceSuffix(suffix: string): DeviceSuffix | undefined {
  const known = BY_SUFFIX.get(suffix);
  if (known) return known;
  const match = COMMAND_RESPONSE.exec(suffix);
  return match ? { kind: 'commandResponse', commandId: match[1]! } : undefined;
}

/**
 * A whole topic: whose it is and what it is, or undefined outside `devices/{id}/` or the protocol.
 * @example parseDeviceTopic('devices/d1/twin/reported') // { deviceId: 'd1', kind: 'twinReported' }
 */
export function parseDeviceTopic(topic: string): (DeviceSuffix & { deviceId: string }) | undefined {
  const [root, deviceId] = topic.split('/', 2);
  if (root !== 'devices' || !deviceId) return undefined;
  const parsed = parseDeviceSuffix(topic.slice(devicePrefix(deviceId).length));
  return parsed && { ...parsed, deviceId };
}

/**
 * Whether a topic filter covers a topic (MQTT 3.1.1 §4.7): `+` matches one level, a trailing `#`
 * any number of levels, its parent included (§4.7.1.2: `sport/#` matches `sport`). Both may be
 * suffixes below a device's prefix.
 */
export function filterCovers(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return i === f.length - 1;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}
