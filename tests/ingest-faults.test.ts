import { DeviceStore } from '@iotp/broker';
import { type Database, openDatabase } from '@iotp/db';
import { createTestDatabase, proxyToTestServer, tempDir } from '@iotp/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logger, until } from './helpers.ts';
import { startProcess } from './process.ts';
import { loadDevice, storedCounts } from './telemetry-load.ts';

describe('telemetry ingest under database faults (PostgreSQL through a faulty link)', () => {
  let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
  let proxy: Awaited<ReturnType<typeof proxyToTestServer>>;
  let db: Database;
  let devices: DeviceStore;
  let orgId: string;
  let dir: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    proxy = await proxyToTestServer();
    // The test's own connection goes straight to the server; the platform's through the proxy.
    db = await openDatabase({ url: testDb.url, dataDir: '/unused', poolSize: 2, logger });
    devices = new DeviceStore(db);
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

  it('rides out a database that stops answering: not ready meanwhile, acknowledging again without a restart, and a shutdown within its budget', async () => {
    const platform = startProcess({
      DATABASE_URL: proxy.url(testDb.url),
      DATA_DIR: `${dir.path}/blackhole`,
      MQTT_HOST: '127.0.0.1',
      HTTP_HOST: '127.0.0.1',
      SHUTDOWN_TIMEOUT_MS: '3000',
      WRITER_TIMEOUT_MS: '2000',
    });
    const { mqttPort, http } = await platform.ready;
    const load = loadDevice(`mqtt://127.0.0.1:${mqttPort}`, await devices.create({ orgId, name: 'blackhole' }));
    try {
      await until(() => load.acked.size >= 50, 'acknowledgements', 30_000);
      // Packets go nowhere and nothing comes back: no reset, no error, only silence.
      proxy.blackhole();
      await until(async () => (await fetch(`${http}/readyz`)).status === 503, 'not ready in the silence', 30_000);
      const stalled = load.acked.size;
      proxy.restore();
      await until(() => load.acked.size >= stalled + 50, 'acknowledgements again, no restart', 90_000);
      await until(async () => (await fetch(`${http}/readyz`)).status === 200, 'ready again', 30_000);

      // Silent again, then stopped: the shutdown keeps to SHUTDOWN_TIMEOUT_MS instead of waiting on the database.
      await load.drain();
      proxy.blackhole();
      const asked = Date.now();
      platform.child.kill('SIGTERM');
      const code = await Promise.race([
        platform.exited,
        new Promise((r) => setTimeout(() => r('still running'), 20_000)),
      ]);
      expect(code, `${Date.now() - asked} ms`).toBe(0);
      proxy.restore();
      expect(await storedCounts(db.sql, load)).toEqual({ 1: load.acked.size });
    } finally {
      proxy.restore();
      await load.end();
      if (platform.alive) platform.child.kill('SIGKILL');
      // The black-holed connections' backends outlive the platform: the proxy keeps their sockets
      // open (and answers keepalives), and one cut in the middle of a request runs no timeout while
      // it holds its locks on telemetry. End them as a firewall's reset would.
      proxy.reset();
    }
  }, 240_000);

  it('says it is not ready while the database answers but refuses telemetry, and stores every acknowledged reading once it takes them again', async () => {
    const platform = startProcess({
      DATABASE_URL: testDb.url,
      DATA_DIR: `${dir.path}/refused`,
      MQTT_HOST: '127.0.0.1',
      HTTP_HOST: '127.0.0.1',
    });
    const { mqttPort, http } = await platform.ready;
    const readiness = async () => {
      const res = await fetch(`${http}/readyz`);
      return { status: res.status, body: (await res.json()) as { checks: Record<string, { ok: boolean }> } };
    };
    expect((await readiness()).status).toBe(200);
    // What an unlicensed TimescaleDB does: SELECT 1 works, every insert into telemetry fails.
    await db.sql.exec(`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'function "continuous_agg_invalidation_trigger" is not supported' USING ERRCODE = '0A000'; END $$;
      CREATE TRIGGER refuse BEFORE INSERT ON telemetry FOR EACH STATEMENT EXECUTE FUNCTION refuse()`);
    const load = loadDevice(`mqtt://127.0.0.1:${mqttPort}`, await devices.create({ orgId, name: 'refused' }));
    try {
      await until(async () => (await readiness()).status === 503, 'not ready while writes fail', 30_000);
      const { body } = await readiness();
      expect(body.checks.database?.ok).toBe(true);
      expect(body.checks.telemetry?.ok).toBe(false);
      expect(load.acked.size).toBe(0); // QoS 1 means stored: nothing acknowledged meanwhile

      await db.sql.exec('DROP TRIGGER refuse ON telemetry; DROP FUNCTION refuse()');
      await until(async () => (await readiness()).status === 200, 'ready again', 30_000);
      await until(() => load.acked.size >= 50, 'acknowledgements again', 30_000);
      await load.drain();
      expect(await storedCounts(db.sql, load)).toEqual({ 1: load.acked.size });
    } finally {
      await load.end();
      platform.child.kill('SIGTERM');
      await platform.exited;
    }
  }, 120_000);
});
