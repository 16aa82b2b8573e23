import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closed, creds, metric, startTestPlatform, type TestPlatform, until } from './helpers.ts';

const telemetryRows = 'SELECT count(*)::int AS n FROM telemetry WHERE device_id = $1';

describe.each(['postgres', 'embedded'] as const)('MQTT ingest on %s', (database) => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform(database);
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('acknowledges QoS 1 only once the readings are committed', async () => {
    const d = await p.device();
    const client = await p.connect(creds(d));
    await client.publishAsync(`devices/${d.id}/telemetry`, JSON.stringify({ temp: 21.5, on: true, mode: 'eco' }), {
      qos: 1,
    });
    // No waiting: the PUBACK itself says "stored".
    expect(await p.count(telemetryRows, [d.id])).toBe(3);
    const latest = await p.db.sql.query(
      'SELECT metric, value, value_bool, value_text FROM telemetry_latest WHERE device_id = $1 ORDER BY metric',
      [d.id],
    );
    expect(latest).toEqual([
      { metric: 'mode', value: null, value_bool: null, value_text: 'eco' },
      { metric: 'on', value: null, value_bool: true, value_text: null },
      { metric: 'temp', value: 21.5, value_bool: null, value_text: null },
    ]);
    // A message whose first (or only) reading is a boolean, false included.
    await client.publishAsync(`devices/${d.id}/telemetry`, JSON.stringify({ on: false, temp: 22 }), { qos: 1 });
    await client.publishAsync(`devices/${d.id}/telemetry`, JSON.stringify({ door: true }), { qos: 1 });
    const bools = await p.db.sql.query(
      "SELECT metric, value_bool FROM telemetry WHERE device_id = $1 AND metric IN ('on', 'door') ORDER BY time",
      [d.id],
    );
    expect(bools).toEqual([
      { metric: 'on', value_bool: true },
      { metric: 'on', value_bool: false },
      { metric: 'door', value_bool: true },
    ]);
    await client.endAsync();
  });

  it('stores batches and SenML, and QoS 0 best effort', async () => {
    const d = await p.device();
    const client = await p.connect(creds(d));
    const now = Date.now();
    await client.publishAsync(
      `devices/${d.id}/telemetry`,
      JSON.stringify([
        { ts: now - 2000, t: 1 },
        { ts: now - 1000, t: 2 },
      ]),
      { qos: 1 },
    );
    await client.publishAsync(
      `devices/${d.id}/telemetry`,
      JSON.stringify([{ bn: 'urn:dev:x:', n: 'rssi', v: -70, bt: now / 1000 }]),
      { qos: 1 },
    );
    await client.publishAsync(`devices/${d.id}/telemetry`, JSON.stringify({ q0: 1 }), { qos: 0 });
    await until(async () => (await p.count(telemetryRows, [d.id])) === 4, 'QoS 0 row');
    await client.endAsync();
  });

  it('marks the device online while connected, offline after', async () => {
    const d = await p.device();
    const online = async () =>
      (await p.db.sql.query<{ online: boolean }>('SELECT online FROM devices WHERE id = $1', [d.id]))[0]?.online;
    const client = await p.connect(creds(d));
    await until(async () => (await online()) === true, 'online');
    await client.endAsync();
    await until(async () => (await online()) === false, 'offline');
    const [row] = await p.db.sql.query<{ last_seen: Date | null }>('SELECT last_seen FROM devices WHERE id = $1', [
      d.id,
    ]);
    expect(row?.last_seen).toBeTruthy();
  });

  it('refuses bad credentials with the right CONNACK code', async () => {
    const d = await p.device();
    const other = await p.device();
    const code = (opts: Parameters<TestPlatform['connect']>[0]) =>
      p.connect(opts).then(
        (c) => {
          c.end(true);
          return 0;
        },
        (err: { code?: number }) => err.code,
      );
    expect(await code({ ...creds(d), password: 'wrong' })).toBe(4);
    expect(await code({ clientId: d.id, username: d.id })).toBe(4);
    expect(await code({ ...creds(d), clientId: other.id })).toBe(2); // no takeover of another session
    expect(await code({ clientId: 'not-a-uuid', username: 'not-a-uuid', password: 'x' })).toBe(4);
    await p.db.sql.query('UPDATE devices SET disabled_at = now() WHERE id = $1', [other.id]);
    expect(await code(creds(other))).toBe(5);
    expect(await metric(p, 'mqtt_rejects_total{reason="bad_credentials"}')).toBeGreaterThanOrEqual(3);
  });
});

describe('MQTT rules and limits', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform('postgres', { MQTT_MAX_PACKET_BYTES: '4096', MQTT_MAX_PAYLOAD_BYTES: '1024' });
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('lets a device subscribe only under its own prefix', async () => {
    const d = await p.device();
    const other = await p.device();
    const client = await p.connect(creds(d));
    const own = await client.subscribeAsync(`devices/${d.id}/#`);
    expect(own.map((g) => g.qos)).toEqual([0]);
    // mqtt.js rejects when any filter is refused; the SUBACK it carries has the per-filter codes.
    const refused = await client.subscribeAsync(['#', '+/x', '$SYS/#', `devices/${other.id}/#`]).catch((e) => e.packet);
    expect(refused.granted).toEqual([128, 128, 128, 128]);
    expect(client.connected).toBe(true);
    expect(await metric(p, 'mqtt_rejects_total{reason="subscription_not_allowed"}')).toBe(4);
    await client.endAsync();
  });

  it("closes the connection of a device that publishes on another device's topic", async () => {
    const d = await p.device();
    const victim = await p.device();
    const client = await p.connect(creds(d));
    const gone = closed(client);
    client.publish(`devices/${victim.id}/telemetry`, JSON.stringify({ t: 1 }), { qos: 1 });
    await gone;
    expect(await p.count(telemetryRows, [victim.id])).toBe(0);
    expect(await metric(p, 'mqtt_rejects_total{reason="topic_not_allowed"}')).toBe(1);
  });

  it('acknowledges and drops each class of bad payload, counted by reason, and keeps good data', async () => {
    const d = await p.device();
    const client = await p.connect(creds(d));
    const topic = `devices/${d.id}/telemetry`;
    const bad: [string, string][] = [
      ['temp=21', 'unknown_encoding'],
      ['{"temp":', 'malformed_json'],
      ['[1,2]', 'invalid_shape'],
      ['{"temp":{"c":1}}', 'invalid_value'],
      ['{"temp":1e999}', 'invalid_value'],
      ['{"bad name":1}', 'invalid_metric'],
      [`{"ts":${Date.now() + 86_400_000},"t":1}`, 'future_timestamp'],
      [`{"ts":"soon","t":1}`, 'invalid_timestamp'],
      [JSON.stringify({ s: 'x'.repeat(2000) }), 'payload_too_large'],
      // No readings at all: acknowledged at once (nothing to commit would never be acknowledged).
      ['[]', 'invalid_shape'],
      ['[{"n":"temp"}]', 'invalid_shape'],
    ];
    for (const [payload] of bad) await client.publishAsync(topic, payload, { qos: 1 });
    await client.publishAsync(topic, JSON.stringify({ good: 1 }), { qos: 1 });
    expect(await p.count(telemetryRows, [d.id])).toBe(1);
    for (const reason of new Set(bad.map(([, r]) => r))) {
      expect(await metric(p, `mqtt_rejects_total{reason="${reason}"}`), reason).toBeGreaterThan(0);
    }
    expect(client.connected).toBe(true);
    await client.endAsync();
  });

  it('closes a connection whose packet is over the size limit before reading it', async () => {
    const d = await p.device();
    const client = await p.connect(creds(d));
    const gone = closed(client);
    client.publish(`devices/${d.id}/telemetry`, Buffer.alloc(10_000, 0x20), { qos: 1 });
    await gone;
    expect(await metric(p, 'mqtt_rejects_total{reason="packet_too_large"}')).toBe(1);
  });

  it('refuses topics deeper than the limit', async () => {
    const d = await p.device();
    const client = await p.connect(creds(d));
    const gone = closed(client);
    client.publish(`devices/${d.id}/a/b/c/d/e/f/g/h`, 'x', { qos: 1 });
    await gone;
    expect(await metric(p, 'mqtt_rejects_total{reason="topic_too_deep"}')).toBe(1);
  });

  it('refuses a keepalive above the limit or none at all', async () => {
    const d = await p.device();
    const err = await p.connect({ ...creds(d), keepalive: 0 }).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
  });
});

describe('MQTT rate limits and backpressure', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform('postgres', {
      MQTT_CONNECT_RATE_PER_S: '1',
      MQTT_CONNECT_BURST: '3',
      MQTT_MESSAGES_PER_S: '50',
      MQTT_MESSAGES_BURST: '5',
      MQTT_MAX_SUBSCRIPTIONS: '2',
      WRITER_HIGH_WATER_ROWS: '30',
      WRITER_EAGER: 'false',
      WRITER_BATCH_MS: '20',
    });
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('slows a device over its message rate without losing anything, and backs off when the queue is full', async () => {
    const d = await p.device();
    const client = await p.connect(creds(d));
    let maxDepth = 0;
    const sampler = setInterval(() => {
      maxDepth = Math.max(maxDepth, p.writer.depth);
    }, 1);
    const sends = Array.from({ length: 40 }, (_, i) =>
      client.publishAsync(`devices/${d.id}/telemetry`, JSON.stringify({ ts: Date.now() - 10_000 + i, a: i, b: i }), {
        qos: 0,
      }),
    );
    await Promise.all(sends);
    await until(async () => (await p.count(telemetryRows, [d.id])) === 80, 'all 80 readings');
    clearInterval(sampler);
    // Reading stops at the high-water mark: the queue never held much more than it.
    expect(maxDepth).toBeLessThanOrEqual(30 + 2 * 40);
    expect(client.connected).toBe(true);
    await client.endAsync();
  });

  it('limits subscriptions per client', async () => {
    const d = await p.device();
    const client = await p.connect(creds(d));
    await client.subscribeAsync([`devices/${d.id}/a`, `devices/${d.id}/b`]);
    const third = await client.subscribeAsync(`devices/${d.id}/c`).catch((e) => e.packet);
    expect(third.granted).toEqual([128]);
    expect(await metric(p, 'mqtt_rejects_total{reason="too_many_subscriptions"}')).toBe(1);
    await client.endAsync();
  });

  it('refuses connection storms from one address with CONNACK 3', async () => {
    const d = await p.device();
    const codes: (number | undefined)[] = [];
    for (let i = 0; i < 6; i++) {
      codes.push(
        await p.connect(creds(d)).then(
          (c) => {
            c.end(true);
            return 0;
          },
          (err: { code?: number }) => err.code,
        ),
      );
    }
    expect(codes).toContain(3);
    expect(await metric(p, 'mqtt_rejects_total{reason="connect_rate"}')).toBeGreaterThan(0);
  });
});

describe('telemetry survives the database going away', () => {
  it('holds QoS 1 acks during an outage, then stores every reading exactly once', async () => {
    const { proxyToTestServer } = await import('@iotp/db/testing');
    const proxy = await proxyToTestServer();
    const p = await startTestPlatform('postgres', { WRITER_BATCH_MS: '5' }, { databaseUrl: (u) => proxy.url(u) });
    try {
      const d = await p.device();
      const client = await p.connect(creds(d));
      const topic = `devices/${d.id}/telemetry`;
      const base = Date.now() - 60_000;
      const send = (i: number) => client.publishAsync(topic, JSON.stringify({ ts: base + i, n: i }), { qos: 1 });
      for (let i = 0; i < 20; i++) await send(i);

      await proxy.cut();
      let acked = 0;
      const during = Array.from({ length: 30 }, (_, i) => send(20 + i).then(() => acked++));
      await new Promise((r) => setTimeout(r, 300));
      expect(acked).toBe(0); // nothing acknowledged that is not stored

      await proxy.restore();
      await Promise.all(during);
      for (let i = 50; i < 60; i++) await send(i);
      expect(await p.count(telemetryRows, [d.id])).toBe(60);
      expect(await p.count('SELECT count(DISTINCT time)::int AS n FROM telemetry WHERE device_id = $1', [d.id])).toBe(
        60,
      );
      await client.endAsync();
    } finally {
      await p.stop();
      await proxy.close();
    }
  });

  it('keeps QoS 0 readings accepted during an outage on disk, across a restart, until stored', async () => {
    const { proxyToTestServer, tempDir } = await import('@iotp/db/testing');
    const proxy = await proxyToTestServer();
    const dataDir = await tempDir();
    let dbUrl = '';
    const first = await startTestPlatform(
      'postgres',
      { DATA_DIR: dataDir.path, SHUTDOWN_TIMEOUT_MS: '500' },
      {
        databaseUrl: (u) => {
          dbUrl = u;
          return proxy.url(u);
        },
      },
    );
    const d = await first.device();
    const client = await first.connect(creds(d));
    await proxy.cut();
    for (let i = 0; i < 50; i++) client.publish(`devices/${d.id}/telemetry`, JSON.stringify({ n: i }), { qos: 0 });
    await until(async () => (await metric(first, 'telemetry_spilled_rows_total')) === 50, 'readings spilled');
    client.end(true);
    await first.close();
    await proxy.restore();

    // A new process on the same data directory replays the spill.
    const { loadConfig } = await import('@iotp/cloud/config');
    const { startPlatform } = await import('@iotp/cloud/platform');
    const { logger } = await import('./helpers.ts');
    const second = await startPlatform(
      loadConfig({
        DATABASE_URL: dbUrl,
        DATA_DIR: dataDir.path,
        MQTT_PORT: '0',
        HTTP_PORT: '0',
        MQTT_HOST: '127.0.0.1',
      }),
      logger,
    );
    const stored = async () =>
      Number((await second.db.sql.query<{ n: number }>(telemetryRows.replace('$1', `'${d.id}'`)))[0]?.n);
    await until(async () => (await stored()) === 50, 'spill replayed');
    await second.close();
    await first.stop().catch(() => undefined);
    await proxy.close();
    await dataDir.remove();
  });

  it('flushes accepted QoS 0 readings on shutdown', async () => {
    const p = await startTestPlatform('postgres', {
      WRITER_EAGER: 'false',
      WRITER_BATCH_MS: '60000',
      WRITER_BATCH_ROWS: '100000',
    });
    const d = await p.device();
    const client = await p.connect(creds(d));
    for (let i = 0; i < 100; i++) client.publish(`devices/${d.id}/telemetry`, JSON.stringify({ n: i }), { qos: 0 });
    await until(async () => (await metric(p, 'telemetry_messages_total{qos="0"}')) === 100, 'messages accepted');
    expect(await p.count(telemetryRows, [d.id])).toBe(0); // still queued: the batch age is a minute
    await p.writer.close();
    expect(await p.count(telemetryRows, [d.id])).toBe(100);
    await p.stop();
  });
});
