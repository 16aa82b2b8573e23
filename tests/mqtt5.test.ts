import { once } from 'node:events';
import { connect } from 'node:net';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import mqttPacket, { type IConnectPacket, type IDisconnectPacket, type Packet } from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closed, creds, metric, startTestPlatform, type TestPlatform, until } from './helpers.ts';

const v5 = (d: { id: string; secret: string }, o: IClientOptions = {}): IClientOptions => ({
  ...creds(d),
  protocolVersion: 5,
  ...o,
});
/** The reason code of a refusal mqtt.js reports (CONNACK, PUBACK, SUBACK). */
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 0,
    (err: { code?: number }) => err.code,
  );
/** The DISCONNECT a server sends an MQTT 5 client before closing. */
const disconnectOf = (client: MqttClient) =>
  new Promise<IDisconnectPacket>((resolve) => client.once('disconnect', resolve));

/** A device that writes MQTT 5 packets as given (mqtt.js would refuse to send some of them). */
async function rawV5(port: number) {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  const got: Packet[] = [];
  const parser = mqttPacket.parser({ protocolVersion: 5 });
  parser.on('packet', (p: Packet) => got.push(p));
  socket.on('data', (d) => parser.parse(d));
  return {
    got,
    send: (p: Packet) => socket.write(mqttPacket.generate(p, { protocolVersion: 5 })),
    closed: once(socket, 'close'),
  };
}

const connectOf = (d: { id: string; secret: string }, keepalive: number): IConnectPacket => ({
  cmd: 'connect',
  protocolId: 'MQTT',
  protocolVersion: 5,
  clean: true,
  keepalive,
  clientId: d.id,
  username: d.id,
  password: Buffer.from(d.secret),
});

describe('MQTT 5 beside 3.1.1: reason codes and limits', () => {
  let p: TestPlatform;
  const topic = (d: { id: string }) => `devices/${d.id}/telemetry`;
  beforeAll(async () => {
    p = await startTestPlatform('postgres', { MQTT_KEEPALIVE_MAX_S: '60', MQTT_TOPIC_ALIAS_MAX: '4' });
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('refuses a connection with the MQTT 5 reason code, a 3.1.1 device with its return code', async () => {
    const d = await p.device();
    expect(await codeOf(p.connect(v5({ ...d, secret: 'wrong' })))).toBe(0x86);
    expect(await codeOf(p.connect({ ...creds({ ...d, secret: 'wrong' }) }))).toBe(4);
    expect(await codeOf(p.connect(v5(d, { clientId: `${d.id}x` })))).toBe(0x85);
    expect(await codeOf(p.connect({ ...creds(d), clientId: `${d.id}x` }))).toBe(2);
    const off = await p.device();
    await p.db.sql.query('UPDATE devices SET disabled_at = now() WHERE id = $1', [off.id]);
    expect(await codeOf(p.connect(v5(off)))).toBe(0x87);
    // More devices than the plan allows: quota exceeded, where 3.1.1 can only say "not authorized".
    const [org] = await p.db.sql.query<{ id: string }>("INSERT INTO organizations (name) VALUES ('full') RETURNING id");
    await p.db.sql.query(`INSERT INTO billing_accounts (org_id, limit_overrides) VALUES ($1, '{"devices": 1}')`, [
      org!.id,
    ]);
    await p.devices.create({ orgId: org!.id, name: 'first' });
    const extra = await p.devices.create({ orgId: org!.id, name: 'extra' });
    expect(await codeOf(p.connect(v5(extra)))).toBe(0x97);
    expect(await codeOf(p.connect(creds(extra)))).toBe(5);
  });

  it('acknowledges a bad telemetry message with its reason code, a 3.1.1 device with PUBACK 0 and a drop', async () => {
    const d5 = await p.device();
    const d4 = await p.device();
    const c5 = await p.connect(v5(d5));
    const c4 = await p.connect(creds(d4));
    expect(await codeOf(c5.publishAsync(topic(d5), 'not json', { qos: 1 }))).toBe(0x99);
    expect(await codeOf(c5.publishAsync(topic(d5), '{"bad metric!": 1}', { qos: 1 }))).toBe(0x99);
    // Payload too large (0x95) is no PUBACK reason code: 0x83 implementation specific, with a reason string.
    expect(await codeOf(c5.publishAsync(topic(d5), JSON.stringify({ big: 'x'.repeat(70_000) }), { qos: 1 }))).toBe(
      0x83,
    );
    expect(await codeOf(c4.publishAsync(topic(d4), 'not json', { qos: 1 }))).toBe(0);
    // Good messages of both are stored, and both stay connected.
    await c5.publishAsync(topic(d5), '{"t": 1}', { qos: 1 });
    await c4.publishAsync(topic(d4), '{"t": 1}', { qos: 1 });
    expect(await p.count('SELECT count(*)::int AS n FROM telemetry WHERE device_id = ANY($1)', [[d5.id, d4.id]])).toBe(
      2,
    );
    expect(c5.connected && c4.connected).toBe(true);
    expect(await metric(p, 'mqtt_rejects_total{reason="payload_too_large"}')).toBe(1);
  });

  it("answers PUBACK 0x97 past the organization's daily quota", async () => {
    const [org] = await p.db.sql.query<{ id: string }>("INSERT INTO organizations (name) VALUES ('q') RETURNING id");
    await p.db.sql.query(
      `INSERT INTO billing_accounts (org_id, limit_overrides) VALUES ($1, '{"messages_per_day": 2}')`,
      [org!.id],
    );
    const d = await p.devices.create({ orgId: org!.id, name: 'q1' });
    const c = await p.connect(v5(d));
    const codes: number[] = [];
    await until(async () => {
      codes.push((await codeOf(c.publishAsync(topic(d), '{"x": 1}', { qos: 1 }))) ?? -1);
      return codes.includes(0x97);
    }, 'quota enforced');
    expect(c.connected).toBe(true);
  });

  it('closes with DISCONNECT and no PUBACK when a reading cannot be stored, so the device sends it again', async () => {
    const d = await p.device();
    // mqtt.js reconnects, and sends again what was not acknowledged.
    const c = await p.connect(v5(d, { reconnectPeriod: 200 }));
    // The one boundary swapped: the database is up, the writer says it could not commit.
    const write = p.writer.write;
    p.writer.write = (() => Promise.reject(new Error('database down'))) as unknown as typeof write;
    let acked = false;
    try {
      const bye = disconnectOf(c);
      void c.publishAsync(topic(d), '{"t": 1}', { qos: 1 }).then(() => {
        acked = true;
      });
      expect((await bye).reasonCode).toBe(0x80);
      await closed(c);
      expect(acked).toBe(false);
    } finally {
      p.writer.write = write;
    }
    await until(() => acked, 'the resent reading acknowledged');
    expect(await p.count('SELECT count(*)::int AS n FROM telemetry WHERE device_id = $1', [d.id])).toBe(1);
    c.end(true);
  });

  it('refuses a filter outside the namespace with SUBACK 0x87, 0x80 for 3.1.1', async () => {
    const d5 = await p.device();
    const d4 = await p.device();
    const c5 = await p.connect(v5(d5));
    const c4 = await p.connect(creds(d4));
    const granted = (c: MqttClient, filter: string) =>
      c.subscribeAsync(filter, { qos: 1 }).then(
        (g) => g.map((s) => s.qos),
        (e: { packet?: { granted?: number[] } }) => e.packet?.granted,
      );
    expect(await granted(c5, '#')).toEqual([0x87]);
    expect(await granted(c4, '#')).toEqual([128]);
    expect(c5.connected && c4.connected).toBe(true);
  });

  it('gives an MQTT 5 client the server keepalive instead of refusing it; 3.1.1 gets CONNACK 2', async () => {
    const d = await p.device();
    for (const keepalive of [0, 3600]) {
      const raw = await rawV5(p.mqttPort);
      raw.send(connectOf(d, keepalive));
      await until(() => raw.got.length > 0, 'CONNACK');
      expect(raw.got[0]).toMatchObject({
        cmd: 'connack',
        reasonCode: 0,
        // The whole packet: MQTT_MAX_PACKET_BYTES of Remaining Length and the fixed header's 4 bytes.
        properties: {
          serverKeepAlive: 60,
          topicAliasMaximum: 4,
          maximumPacketSize: 256 * 1024 + 4,
          receiveMaximum: 1000,
        },
      });
      raw.send({ cmd: 'disconnect' });
      await raw.closed;
    }
    expect(await codeOf(p.connect({ ...creds(d), keepalive: 0 }))).toBe(2);
  });

  it('takes topic aliases up to the limit; above it, DISCONNECT 0x94', async () => {
    const d = await p.device();
    const c = await p.connect(v5(d));
    await c.publishAsync(topic(d), '{"a": 1}', { qos: 1, properties: { topicAlias: 4 } });
    await c.publishAsync('', '{"a": 2}', { qos: 1, properties: { topicAlias: 4 } });
    expect(await p.count('SELECT count(*)::int AS n FROM telemetry WHERE device_id = $1', [d.id])).toBe(2);
    await c.endAsync();

    const raw = await rawV5(p.mqttPort);
    raw.send(connectOf(d, 30));
    await until(() => raw.got.length > 0, 'CONNACK');
    raw.send({
      cmd: 'publish',
      topic: topic(d),
      payload: Buffer.from('{"a": 3}'),
      qos: 1,
      messageId: 1,
      dup: false,
      retain: false,
      properties: { topicAlias: 5 },
    });
    await raw.closed;
    expect(raw.got.at(-1)).toMatchObject({ cmd: 'disconnect', reasonCode: 0x94 });
  });
  it('closes an oversized packet with DISCONNECT 0x95, counted once, as on 3.1.1', async () => {
    const d = await p.device();
    const before = await metric(p, 'mqtt_rejects_total{reason="packet_too_large"}');
    const raw = await rawV5(p.mqttPort);
    raw.send(connectOf(d, 30));
    await until(() => raw.got.length > 0, 'CONNACK');
    const payload = Buffer.alloc(300 * 1024, 0x20);
    raw.send({
      cmd: 'publish',
      topic: `devices/${d.id}/telemetry`,
      payload,
      qos: 1,
      messageId: 1,
      dup: false,
      retain: false,
    });
    await raw.closed;
    expect(raw.got.at(-1)).toMatchObject({ cmd: 'disconnect', reasonCode: 0x95 });
    expect(await metric(p, 'mqtt_rejects_total{reason="packet_too_large"}')).toBe(before + 1);
  });

  it('speaks MQTT 5 over WebSocket too', async () => {
    const d = await p.device();
    const ws = await mqtt.connectAsync(`ws://127.0.0.1:${p.httpPort}/mqtt`, { ...v5(d), reconnectPeriod: 0 });
    try {
      expect(await codeOf(ws.publishAsync(topic(d), 'not json', { qos: 1 }))).toBe(0x99);
      await ws.publishAsync(topic(d), '{"t": 1}', { qos: 1 });
      expect(await p.count('SELECT count(*)::int AS n FROM telemetry WHERE device_id = $1', [d.id])).toBe(1);
    } finally {
      ws.end(true);
    }
  });
});

describe('MQTT 5 rate limits', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform('postgres', {
      MQTT_CONNECT_RATE_PER_S: '1',
      MQTT_CONNECT_BURST: '2',
      MQTT_MESSAGES_PER_S: '1',
      MQTT_MESSAGES_BURST: '1',
    });
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('disconnects a device too far behind its message rate with DISCONNECT 0x96', async () => {
    const d = await p.device();
    const c = await p.connect(v5(d));
    const bye = disconnectOf(c);
    // 1 a second, burst 1: the 12th message would wait 11 s, past the 10 s the broker slows a device.
    for (let i = 0; i < 13; i++) c.publish(`devices/${d.id}/telemetry`, `{"i": ${i}}`, { qos: 1 }, () => undefined);
    expect((await bye).reasonCode).toBe(0x96);
    await closed(c);
  });

  it('refuses a connection storm with CONNACK 0x9F', async () => {
    const d = await p.device();
    const codes: (number | undefined)[] = [];
    for (let i = 0; i < 5; i++)
      codes.push(
        await p.connect(v5(d)).then(
          (c) => {
            c.end(true);
            return 0;
          },
          (err: { code?: number }) => err.code,
        ),
      );
    expect(codes).toContain(0x9f);
  });
});
