import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import mqtt from 'mqtt';
import type { IPublishPacket } from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creds, startTestPlatform, type TestPlatform, until } from '../helpers.ts';
import { RawMqtt } from './mqtt-raw.ts';

const rows = 'SELECT count(*)::int AS n FROM telemetry WHERE device_id = $1';

/**
 * "A reading is never stored twice", for readings without a `ts` too: a resend of a QoS 1 or 2
 * PUBLISH whose acknowledgement was lost gets the first copy's receive time.
 */
describe('telemetry resends from outside', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform('postgres');
  });
  afterAll(async () => {
    await p?.stop();
  });

  const login = async (d: { id: string; secret: string }, clean = false) => {
    const { c, code } = await RawMqtt.login(p.mqttPort, {
      clientId: d.id,
      username: d.id,
      password: Buffer.from(d.secret),
      clean,
    });
    expect(code).toBe(0);
    return c;
  };
  const publish = (d: { id: string }, messageId: number, payload: string, qos: 1 | 2, dup = false) =>
    ({
      cmd: 'publish',
      topic: `devices/${d.id}/telemetry`,
      payload: Buffer.from(payload),
      qos,
      messageId,
      dup,
      retain: false,
    }) satisfies IPublishPacket;

  it('stores a QoS 1 reading once when it is resent with DUP after a lost PUBACK', async () => {
    const d = await p.device();
    const first = await login(d);
    first.send(publish(d, 7, '{"temp":21.5}', 1));
    await first.next('puback');
    await first.drop(); // the PUBACK never reached the device
    const second = await login(d);
    second.send(publish(d, 7, '{"temp":21.5}', 1, true));
    await second.next('puback');
    // A resend on the same connection (a client's retry timer) too.
    second.send(publish(d, 7, '{"temp":21.5}', 1, true));
    await second.next('puback');
    expect(await p.count(rows, [d.id])).toBe(1);
    await second.drop();
  });

  it('stores a QoS 2 reading once when resent before PUBREL, on the same connection or a new one', async () => {
    const d = await p.device();
    const c = await login(d);
    c.send(publish(d, 9, '[{"a":1},{"a":2}]', 2));
    await c.next('pubrec');
    // Aedes authorizes a resent QoS 2 PUBLISH again before it finds it in its store.
    c.send(publish(d, 9, '[{"a":1},{"a":2}]', 2, true));
    await c.next('pubrec');
    await c.drop();
    const again = await login(d);
    again.send(publish(d, 9, '[{"a":1},{"a":2}]', 2, true));
    await again.next('pubrec');
    again.send({ cmd: 'pubrel', messageId: 9 });
    await again.next('pubcomp');
    expect(await p.count(rows, [d.id])).toBe(2);
    await again.drop();
  });

  it('stores readings of SenML relative times once when resent', async () => {
    const d = await p.device();
    const payload = JSON.stringify([{ n: 'rssi', v: -70, t: -5 }]);
    const c = await login(d);
    c.send(publish(d, 4, payload, 1));
    await c.next('puback');
    await c.drop();
    const again = await login(d);
    again.send(publish(d, 4, payload, 1, true));
    await again.next('puback');
    expect(await p.count(rows, [d.id])).toBe(1);
    await again.drop();
  });

  it('stores a new message that reuses a packet id, even with the same payload', async () => {
    const d = await p.device();
    const c = await login(d);
    // Same connection, no DUP: the device had the PUBACK and reused the id [MQTT-2.3.1-2].
    for (let i = 0; i < 2; i++) {
      c.send(publish(d, 1, '{"on":true}', 1));
      await c.next('puback');
    }
    expect(await p.count(rows, [d.id])).toBe(2);
    // A clean DISCONNECT means every PUBACK arrived: the next connection's id 1 is new as well.
    c.send({ cmd: 'disconnect' });
    await c.closed;
    const next = await login(d);
    next.send(publish(d, 1, '{"on":true}', 1));
    await next.next('puback');
    // Another payload under a remembered id is a new message, DUP or not.
    await next.drop();
    const third = await login(d);
    third.send(publish(d, 1, '{"on":false}', 1, true));
    await third.next('puback');
    expect(await p.count(rows, [d.id])).toBe(4);
    await third.drop();
  });

  it('stores a reading of mqtt.js once when a lost PUBACK makes it resend on reconnecting', async () => {
    const d = await p.device();
    const proxy = await startProxy(p.mqttPort);
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${proxy.port}`, {
      ...creds(d),
      protocolVersion: 4,
      clean: false,
      reconnectPeriod: 100,
    });
    try {
      proxy.blackHole = true; // nothing from the broker reaches the device any more
      const published = client.publishAsync(`devices/${d.id}/telemetry`, '{"temp":19}', { qos: 1 });
      await until(async () => (await p.count(rows, [d.id])) === 1, 'the first copy stored');
      proxy.blackHole = false;
      proxy.cut(); // mqtt.js reconnects and resends the unacknowledged PUBLISH, without DUP
      await published;
      expect(await p.count(rows, [d.id])).toBe(1);
    } finally {
      await client.endAsync(true);
      await proxy.close();
    }
  });
});

/** A TCP proxy to the broker that can swallow what the broker sends, and cut every connection. */
async function startProxy(target: number) {
  const sockets = new Set<Socket>();
  const state = { blackHole: false };
  const server: Server = createServer((downstream) => {
    const upstream = tcpConnect(target, '127.0.0.1');
    for (const s of [downstream, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        downstream.destroy();
        upstream.destroy();
      });
    }
    downstream.pipe(upstream);
    upstream.on('data', (chunk) => {
      if (!state.blackHole) downstream.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    set blackHole(on: boolean) {
      state.blackHole = on;
    },
    cut() {
      for (const s of sockets) s.destroy();
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
