import { DeviceStore } from '@iotp/broker';
import { type Database, openDatabase } from '@iotp/db';
import { createTestDatabase, startTcpProxy, TEST_SERVER_URL, tempDir } from '@iotp/db/testing';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creds, logger, until } from './helpers.ts';
import { startProcess } from './process.ts';

/**
 * A device that keeps `window` QoS 1 readings in flight, each with its own device timestamp, and
 * remembers which ones were acknowledged. The client reconnects and resends unacknowledged ones.
 */
function loadDevice(mqttPort: number, d: { id: string; secret: string }, window = 10) {
  const client: MqttClient = mqtt.connect(`mqtt://127.0.0.1:${mqttPort}`, {
    ...creds(d),
    protocolVersion: 4,
    clean: false,
    reconnectPeriod: 100,
    connectTimeout: 5000,
  });
  client.on('error', () => undefined); // refused CONNACKs while the database is away; it retries
  const base = Date.now() - 3_600_000;
  const acked = new Set<number>();
  let sent = 0;
  let stopped = false;
  const inFlight = new Set<Promise<unknown>>();
  const send = () => {
    if (stopped) return;
    const seq = sent++;
    const p = client
      .publishAsync(`devices/${d.id}/telemetry`, JSON.stringify({ ts: base + seq, v: seq }), { qos: 1 })
      .then(() => acked.add(seq))
      .finally(() => {
        inFlight.delete(p);
        send();
      });
    inFlight.add(p);
  };
  client.once('connect', () => {
    for (let i = 0; i < window; i++) send();
  });
  return {
    id: d.id,
    acked,
    base,
    /** Stops sending new readings; resolves when every one sent so far is acknowledged. */
    async drain() {
      stopped = true;
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
    end: () => client.endAsync(true),
  };
}

describe('telemetry ingest under database faults (PostgreSQL through a faulty link)', () => {
  let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let db: Database;
  let devices: DeviceStore;
  let orgId: string;
  let dir: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const server = new URL(TEST_SERVER_URL);
    proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
    // The test's own connection goes straight to the server; the platform's through the proxy.
    db = await openDatabase({ url: testDb.url, dataDir: '/unused', poolSize: 2, logger });
    devices = new DeviceStore(db.orm);
    [{ id: orgId }] = (await db.sql.query<{ id: string }>(
      "INSERT INTO organizations (name) VALUES ('faults') RETURNING id",
    )) as [{ id: string }];
    dir = await tempDir();
  });
  afterAll(async () => {
    await db?.close();
    await proxy?.close();
    await testDb?.drop();
    await dir?.remove();
  });

  /** Rows stored per acknowledged reading of a device: every one must be exactly 1. */
  async function storedCounts(deviceId: string, base: number, acked: Set<number>) {
    const rows = await db.sql.query<{ seq: number; n: number }>(
      `SELECT (extract(epoch FROM time) * 1000)::int8 - $2::int8 AS seq, count(*)::int AS n
       FROM telemetry WHERE device_id = $1 AND metric = 'v' GROUP BY time`,
      [deviceId, base],
    );
    const stored = new Map(rows.map((r) => [Number(r.seq), r.n]));
    const counts = new Map<number, number>();
    for (const seq of acked) counts.set(stored.get(seq) ?? 0, (counts.get(stored.get(seq) ?? 0) ?? 0) + 1);
    return Object.fromEntries(counts);
  }

  it('stays up through 50 connection resets under QoS 1 load, and stores every acknowledged reading once', async () => {
    const platform = startProcess({
      DATABASE_URL: proxy.url(testDb.url),
      DATA_DIR: `${dir.path}/resets`,
      MQTT_HOST: '127.0.0.1',
      HTTP_HOST: '127.0.0.1',
    });
    const { mqttPort } = await platform.ready;
    const load = await Promise.all(
      Array.from({ length: 4 }, async () => loadDevice(mqttPort, await devices.create({ orgId, name: 'load' }))),
    );
    const acked = () => load.reduce((n, l) => n + l.acked.size, 0);
    try {
      for (let cut = 0; cut < 50; cut++) {
        // Each reset lands while readings flow: wait for progress since the last one.
        const before = acked();
        await until(() => acked() >= before + 20 || !platform.alive, 'acknowledgements between resets', 60_000);
        expect(platform.alive, platform.output().stderr).toBe(true);
        proxy.reset();
      }
      await Promise.all(load.map((l) => l.drain()));
      expect(platform.alive, platform.output().stderr).toBe(true);
      for (const l of load) expect(await storedCounts(l.id, l.base, l.acked)).toEqual({ 1: l.acked.size });
    } finally {
      await Promise.all(load.map((l) => l.end()));
      platform.child.kill('SIGTERM');
      await platform.exited;
    }
    expect(platform.output().stderr).not.toMatch(/TypeError|Unhandled|ECONNRESET/);
  }, 300_000);
});
