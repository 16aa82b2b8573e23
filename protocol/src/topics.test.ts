import { describe, expect, it } from 'vitest';
import {
  commandResponseSuffix,
  deviceTopic,
  filterCovers,
  parseDeviceSuffix,
  parseDeviceTopic,
  SUFFIX,
} from './index.ts';

const COMMAND = '0b6a3c1e-5d7f-4b8e-9a1c-2d3e4f5a6b7c';

describe('device topics', () => {
  it('builds the topics devices and the platform use', () => {
    expect(deviceTopic('d1', SUFFIX.telemetry)).toBe('devices/d1/telemetry');
    expect(deviceTopic('d1', SUFFIX.twinReported)).toBe('devices/d1/twin/reported');
    expect(deviceTopic('d1', SUFFIX.otaJob)).toBe('devices/d1/ota/job');
    expect(deviceTopic('d1', commandResponseSuffix(COMMAND))).toBe(`devices/d1/commands/${COMMAND}/response`);
  });

  it('parses every suffix it builds', () => {
    for (const [kind, suffix] of Object.entries(SUFFIX)) expect(parseDeviceSuffix(suffix)).toEqual({ kind });
    expect(parseDeviceSuffix(commandResponseSuffix(COMMAND))).toEqual({ kind: 'commandResponse', commandId: COMMAND });
  });

  it.each([
    '',
    'twin',
    'twin/reported/x',
    'ota/#',
    'commands/1/response',
    `commands/${COMMAND}`,
    `commands/${COMMAND}/response/x`,
    `commands/${COMMAND.toUpperCase()}/response`,
    'a/b/c/d/e/f/g/h',
  ])('knows no suffix %j', (suffix) => {
    expect(parseDeviceSuffix(suffix)).toBeUndefined();
  });

  it('parses whole topics with their device', () => {
    expect(parseDeviceTopic('devices/d1/ota/status')).toEqual({ deviceId: 'd1', kind: 'otaStatus' });
    expect(parseDeviceTopic(`devices/d1/commands/${COMMAND}/response`)).toEqual({
      deviceId: 'd1',
      kind: 'commandResponse',
      commandId: COMMAND,
    });
    for (const topic of ['devices/d1', 'devices//telemetry', 'things/d1/telemetry', 'devices/d1/nope'])
      expect(parseDeviceTopic(topic)).toBeUndefined();
  });

  it('matches filters as MQTT does (3.1.1 §4.7)', () => {
    for (const filter of ['ota/job', 'ota/+', 'ota/#', '+/job', '+/+', '#', '+/#'])
      expect(filterCovers(filter, SUFFIX.otaJob), filter).toBe(true);
    for (const filter of ['ota', 'ota/status', '+', 'ota/job/+', 'twin/#', '+/+/+'])
      expect(filterCovers(filter, SUFFIX.otaJob), filter).toBe(false);
    // A trailing # also matches its parent level.
    expect(filterCovers('commands/#', SUFFIX.commands)).toBe(true);
    expect(filterCovers('+', SUFFIX.commands)).toBe(true);
    expect(filterCovers('commands/+', SUFFIX.commands)).toBe(false);
  });
});
