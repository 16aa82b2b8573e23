import { DeviceStore } from '@iotp/broker';
import { type Database, openDatabase } from '@iotp/db';
import { createTestDatabase, startTcpProxy, TEST_SERVER_URL, tempDir } from '@iotp/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logger, until } from './helpers.ts';
import { startProcess } from './process.ts';
import { loadDevice, storedCounts } from './telemetry-load.ts';

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

  it('stays up through 50 connection resets under QoS 1 load, and stores every acknowledged reading once', async () => {
    const platform = startProcess({
      DATABASE_URL: proxy.url(testDb.url),
      DATA_DIR: `${dir.path}/resets`,
      MQTT_HOST: '127.0.0.1',
      HTTP_HOST: '127.0.0.1',
    });
    const { mqttPort } = await platform.ready;
    const load = await Promise.all(
      Array.from({ length: 4 }, async () =>
        loadDevice(`mqtt://127.0.0.1:${mqttPort}`, await devices.create({ orgId, name: 'load' })),
      ),
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
      for (const l of load) expect(await storedCounts(db.sql, l)).toEqual({ 1: l.acked.size });
    } finally {
      await Promise.all(load.map((l) => l.end()));
      platform.child.kill('SIGTERM');
      await platform.exited;
    }
    expect(platform.output().stderr).not.toMatch(/TypeError|Unhandled|ECONNRESET/);
  }, 300_000);
});
