import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { closed, creds, metric, startTestPlatform, type TestPlatform, until } from './helpers.ts';

/** MQTT over WebSocket on the HTTP port, for browsers and apps: the same devices, rules and storage. */
describe('MQTT over WebSocket', () => {
  let p: TestPlatform;
  const url = () => `ws://127.0.0.1:${p.httpPort}/mqtt`;
  const connect = (d: { id: string; secret: string }, protocolVersion: 4 | 3 = 4) =>
    mqtt.connectAsync(url(), { ...creds(d), reconnectPeriod: 0, connectTimeout: 5000, protocolVersion });

  beforeAll(async () => {
    p = await startTestPlatform('postgres', { MQTT_MAX_PACKET_BYTES: '65536' });
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('stores QoS 1 telemetry before the PUBACK and delivers commands, beside the API on the same port', async () => {
    const d = await p.device('ws');
    const client = await connect(d);
    await client.publishAsync(`devices/${d.id}/telemetry`, JSON.stringify({ temp: 21.5 }), { qos: 1 });
    expect(await p.count('SELECT count(*) AS n FROM telemetry WHERE device_id = $1', [d.id])).toBe(1);

    await client.subscribeAsync(`devices/${d.id}/commands`, { qos: 1 });
    const got = new Promise<string>((resolve) => client.once('message', (_t, payload) => resolve(payload.toString())));
    await p.broker.publishToDevice(d.id, 'commands', '{"name":"ping"}');
    expect(await got).toBe('{"name":"ping"}');

    // The device's connection history has the client's address, as over TCP.
    await until(
      async () =>
        (await p.count("SELECT count(*) AS n FROM device_connections WHERE device_id = $1 AND address = '127.0.0.1'", [
          d.id,
        ])) === 1,
      'the connection recorded with its address',
    );
    expect((await fetch(`http://127.0.0.1:${p.httpPort}/healthz`)).status).toBe(200);
    await client.endAsync();
  });

  it('refuses wrong credentials and topics outside the device, as plain MQTT does', async () => {
    const d = await p.device('ws-rules');
    await expect(connect({ id: d.id, secret: 'wrong' })).rejects.toThrow(/Bad username or password|Not authorized/);
    const client = await connect(d);
    // SUBACK 0x80 for the filter [MQTT-3.9.3-2], which mqtt.js turns into an error; the connection stays.
    await expect(client.subscribeAsync('devices/+/telemetry', { qos: 1 })).rejects.toThrow(/Unspecified error/);
    expect(client.connected).toBe(true);
    await client.endAsync();
  });

  it('answers an upgrade of another path with 404, and a client that offers another subprotocol is refused', async () => {
    const other = new WebSocket(`ws://127.0.0.1:${p.httpPort}/v1/other`);
    const status = await new Promise<number>((resolve) =>
      other.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(status).toBe(404);
    const wrong = new WebSocket(url(), 'chat');
    await expect(new Promise((resolve, reject) => wrong.once('open', resolve).once('error', reject))).rejects.toThrow();
  });

  it('closes a connection whose message is bigger than the limit, counted, and keeps the others', async () => {
    const d = await p.device('ws-big');
    const other = await p.device('ws-other');
    const bystander = await connect(other);
    const before = await metric(p, 'mqtt_rejects_total{reason="packet_too_large"}');
    const client = await connect(d);
    const gone = closed(client);
    client.publish(`devices/${d.id}/telemetry`, Buffer.alloc(200_000, 1), { qos: 1 });
    await gone;
    expect(await metric(p, 'mqtt_rejects_total{reason="packet_too_large"}')).toBeGreaterThan(before);
    await bystander.publishAsync(`devices/${other.id}/telemetry`, JSON.stringify({ ok: 1 }), { qos: 1 });
    await bystander.endAsync();
  });

  it('drops WebSocket devices on shutdown, and serves them again after a restart', async () => {
    const held = await p.device('ws-held');
    const connected = await connect(held);
    const dropped = closed(connected);
    p = await p.restart();
    await dropped;
    const d = await p.device('ws-after');
    const client = await connect(d);
    await client.publishAsync(`devices/${d.id}/telemetry`, JSON.stringify({ temp: 1 }), { qos: 1 });
    expect(await p.count('SELECT count(*) AS n FROM telemetry WHERE device_id = $1', [d.id])).toBe(1);
    await client.endAsync();
  });
});
