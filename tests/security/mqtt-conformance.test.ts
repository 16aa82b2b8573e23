import mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metric, startTestPlatform, type TestPlatform } from '../helpers.ts';
import { RawMqtt } from './mqtt-raw.ts';

const rows = 'SELECT count(*)::int AS n FROM telemetry WHERE device_id = $1';

/** MQTT 3.1.1 protocol violations close the connection [MQTT-4.8.0-1], each counted and logged. */
describe('MQTT conformance from outside', () => {
  let p: TestPlatform;
  const rejects = (reason: string) => metric(p, `mqtt_rejects_total{reason="${reason}"}`);
  const login = async (d: { id: string; secret: string }, extra: object = {}) =>
    RawMqtt.login(p.mqttPort, { clientId: d.id, username: d.id, password: Buffer.from(d.secret), ...extra });

  beforeAll(async () => {
    p = await startTestPlatform('postgres');
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('closes the connection on a Will with QoS 3, without a CONNACK [MQTT-3.1.2-14]', async () => {
    const d = await p.device();
    const c = await RawMqtt.open(p.mqttPort);
    const will = { topic: `devices/${d.id}/status`, payload: Buffer.from('gone'), qos: 2 as const, retain: false };
    const connect = mqttPacket.generate({
      cmd: 'connect',
      protocolVersion: 4,
      clientId: d.id,
      username: d.id,
      password: Buffer.from(d.secret),
      keepalive: 60,
      clean: true,
      will,
    });
    // Will QoS is bits 3-4 of the connect flags, which follow "MQTT" and the protocol level.
    connect[connect.indexOf('MQTT\x04') + 5]! |= 0x18;
    c.send(connect);
    await expect(c.next('connack')).rejects.toThrow(/closed/);
    expect(await rejects('will_qos_invalid')).toBe(1);
    // A Will with a valid QoS is fine.
    const ok = await login(d, { will });
    expect(ok.code).toBe(0);
    await ok.c.drop();
  });

  it('refuses a keepalive of 0 or above the limit with CONNACK 2, never the undefined 6', async () => {
    const d = await p.device();
    for (const keepalive of [0, 1201, 65535]) {
      const { c, code } = await login(d, { keepalive });
      expect(code, `keepalive ${keepalive}`).toBe(2);
      await c.closed;
    }
    expect(await rejects('keepalive_too_long')).toBe(3);
    const { c, code } = await login(d, { keepalive: 1200 });
    expect(code).toBe(0);
    await c.drop();
  });

  it('closes the connection on a PUBLISH topic holding U+0000 [MQTT-1.5.3-2], storing nothing', async () => {
    const d = await p.device();
    const { c } = await login(d);
    c.send({
      cmd: 'publish',
      topic: `devices/${d.id}/telemetry\u0000`,
      payload: Buffer.from('{"t":1}'),
      qos: 1,
      messageId: 1,
      dup: false,
      retain: false,
    });
    await expect(c.next('puback')).rejects.toThrow(/closed/);
    expect(await rejects('invalid_utf8')).toBe(1);
    expect(await p.count(rows, [d.id])).toBe(0);
  });

  it('closes the connection on a PUBLISH topic of ill-formed UTF-8 [MQTT-1.5.3-1]', async () => {
    const d = await p.device();
    const before = await rejects('invalid_utf8');
    // 0xC3 0x28: a lead byte without its continuation; 0xED 0xA0 0x80: a UTF-16 surrogate (U+D800).
    for (const bad of [Buffer.from([0xc3, 0x28]), Buffer.from([0xed, 0xa0, 0x80])]) {
      const { c } = await login(d);
      const placeholder = 'Z'.repeat(bad.length);
      const packet = mqttPacket.generate({
        cmd: 'publish',
        topic: `devices/${d.id}/telemetry${placeholder}`,
        payload: Buffer.from('{"t":1}'),
        qos: 1,
        messageId: 1,
        dup: false,
        retain: false,
      });
      bad.copy(packet, packet.indexOf(placeholder));
      c.send(packet);
      await expect(c.next('puback')).rejects.toThrow(/closed/);
    }
    expect(await rejects('invalid_utf8')).toBe(before + 2);
    expect(await p.count(rows, [d.id])).toBe(0);
  });

  it('closes the connection on a client id or a subscription filter holding U+0000', async () => {
    const d = await p.device();
    const before = await rejects('invalid_utf8');
    const c = await RawMqtt.open(p.mqttPort);
    c.send({ cmd: 'connect', protocolVersion: 4, clientId: `${d.id}\u0000`, keepalive: 60, clean: true });
    await expect(c.next('connack')).rejects.toThrow(/closed/);
    const s = await login(d);
    s.c.send({ cmd: 'subscribe', messageId: 2, subscriptions: [{ topic: `devices/${d.id}/\u0000#`, qos: 0 }] });
    await expect(s.c.next('suback')).rejects.toThrow(/closed/);
    expect(await rejects('invalid_utf8')).toBe(before + 2);
  });

  it('accepts a well-formed U+FFFD in a topic: only ill-formed bytes are refused', async () => {
    const d = await p.device();
    const { c } = await login(d);
    c.send({
      cmd: 'publish',
      topic: `devices/${d.id}/notes/\uFFFD`,
      payload: Buffer.from('x'),
      qos: 1,
      messageId: 3,
      dup: false,
      retain: false,
    });
    expect((await c.next('puback')).cmd).toBe('puback');
    expect(await c.alive()).toBe(true);
    await c.drop();
  });
});
