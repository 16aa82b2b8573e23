import { type Database, openDatabase, type SqlClient } from '@iotp/db';
import { createTestDatabase, proxyToTestServer, tempDir } from '@iotp/db/testing';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchWriter, WriterClosed } from './batch-writer.ts';
import { createBrokerMetrics } from './metrics.ts';
import { Spill } from './spill.ts';
import type { Readings } from './telemetry-parser.ts';

const logger = pino({ level: process.env.TEST_LOG ?? 'silent' });
const DEVICE = '00000000-0000-4000-8000-000000000001';
let clock = Date.parse('2026-01-01T00:00:00Z') * 1000;

/** `n` readings of metric `m`, each a microsecond after the last. */
function readings(n: number, m = 'temp'): Readings {
  const r: Readings = { time: [], metric: [], value: [], bool: [], text: [] };
  for (let i = 0; i < n; i++) {
    r.time.push(clock++);
    r.metric.push(m);
    r.value.push(i);
    r.bool.push(null);
    r.text.push(null);
  }
  return r;
}

async function rowCount(db: Database): Promise<number> {
  const [row] = await db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM telemetry');
  return row!.n;
}

const until = async (check: () => Promise<boolean> | boolean) => {
  while (!(await check())) await new Promise((r) => setTimeout(r, 20));
};

/** A logger whose lines the test can read. */
function recordingLogger() {
  const lines: { msg: string; [k: string]: unknown }[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, messages: () => lines.map((l) => l.msg) };
}

describe('BatchWriter on PostgreSQL', () => {
  let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
  let proxy: Awaited<ReturnType<typeof proxyToTestServer>>;
  let db: Database;
  let dir: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    proxy = await proxyToTestServer();
    db = await openDatabase({ url: proxy.url(testDb.url), dataDir: '/unused', poolSize: 2, logger });
    dir = await tempDir();
  });
  /**
   * A pool through a link of its own (to black-hole it without stalling the other tests), with a
   * short statement_timeout, so the silence watch drops a black-holed connection within seconds.
   */
  async function shortPool() {
    const link = await proxyToTestServer();
    const url = `${link.url(testDb.url)}?statement_timeout=1000`;
    const short = await openDatabase({ url, dataDir: '/unused', poolSize: 2, migrate: false, logger });
    return { short, link };
  }

  afterAll(async () => {
    await db?.close();
    await proxy?.close();
    await testDb?.drop();
    await dir?.remove();
  });

  it('writes a batch when it is full, and one when its oldest row is old enough', async () => {
    const before = await rowCount(db);
    const bySize = new BatchWriter({ sql: db.sql, logger, eager: false, maxRows: 10, maxDelayMs: 60_000 });
    await bySize.write(DEVICE, readings(10), true); // would wait a minute if size did not trigger
    const byAge = new BatchWriter({ sql: db.sql, logger, eager: false, maxRows: 1_000_000, maxDelayMs: 5 });
    await byAge.write(DEVICE, readings(3), true);
    expect(await rowCount(db)).toBe(before + 13);
    await Promise.all([bySize.close(), byAge.close()]);
  });

  it('keeps the newest value per device and metric', async () => {
    const w = new BatchWriter({ sql: db.sql, logger, maxDelayMs: 1 });
    const older = readings(1, 'hum');
    const newer = readings(1, 'hum');
    newer.value[0] = 99;
    await w.write(DEVICE, newer, true);
    await w.write(DEVICE, older, true); // arrives later but is older: latest must not go back
    const [latest] = await db.sql.query<{ value: number }>(
      "SELECT value FROM telemetry_latest WHERE device_id = $1 AND metric = 'hum'",
      [DEVICE],
    );
    expect(latest!.value).toBe(99);
    await w.close();
  });

  it('lets a latest value from beyond the future bound give way to the next reading', async () => {
    const w = new BatchWriter({ sql: db.sql, logger, maxDelayMs: 1, maxFutureMs: 60_000 });
    // A reading from 2035, kept as latest before the bound existed.
    await db.sql.query(
      `INSERT INTO telemetry_latest (time, device_id, metric, value) VALUES ('2035-01-01', $1, 'far', 1)`,
      [DEVICE],
    );
    const now = readings(1, 'far');
    now.time[0] = Date.now() * 1000;
    now.value[0] = 2;
    await w.write(DEVICE, now, true);
    const older = readings(1, 'far');
    older.time[0] = (Date.now() - 60_000) * 1000;
    older.value[0] = 3;
    await w.write(DEVICE, older, true); // within the bound, latest moves only forward
    const [latest] = await db.sql.query<{ value: number }>(
      "SELECT value FROM telemetry_latest WHERE device_id = $1 AND metric = 'far'",
      [DEVICE],
    );
    expect(latest!.value).toBe(2);
    await w.close();
  });

  it('never stores a reading twice, even when a batch is retried', async () => {
    const w = new BatchWriter({ sql: db.sql, logger, maxDelayMs: 1 });
    const r = readings(50);
    const before = await rowCount(db);
    await w.write(DEVICE, r, true);
    await w.write(DEVICE, r, true);
    // A batch mixing new readings with a stored one keeps the new ones.
    const mixed = readings(10);
    mixed.time[0] = r.time[0]!;
    await w.write(DEVICE, mixed, true);
    expect(await rowCount(db)).toBe(before + 50 + 9);
    await w.close();
  });

  it('tries the plain insert first, and skips stored readings after it met one or for a resend', async () => {
    const { writer: metrics } = createBrokerMetrics(new Registry());
    const retries = async () => (await metrics.dedupeRetries.get()).values[0]?.value ?? 0;
    const w = new BatchWriter({ sql: db.sql, logger, metrics, maxDelayMs: 1, dedupeHoldMs: 50 });
    const before = await rowCount(db);
    const r = readings(20);
    await w.write(DEVICE, r, true);
    expect(await retries()).toBe(0);
    // A repeat the broker did not recognise: the plain insert fails, the batch goes again skipping it.
    await w.write(DEVICE, r, true);
    expect(await retries()).toBe(1);
    // Within the hold, batches skip stored readings at once.
    await w.write(DEVICE, r, true);
    expect(await retries()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 60));
    // A resend is written skipping stored readings at once, the hold over or not.
    await w.write(DEVICE, r, true, true);
    expect(await retries()).toBe(1);
    await w.write(DEVICE, readings(5), true);
    expect(await retries()).toBe(1);
    expect(await rowCount(db)).toBe(before + 25);
    await w.close();
  });

  it('survives a database outage: durable rows wait, best-effort rows spill, nothing lost or doubled', async () => {
    const spill = await Spill.open(dir.path);
    const w = new BatchWriter({
      sql: db.sql,
      logger,
      spill,
      maxRows: 100,
      maxDelayMs: 5,
      retryBaseMs: 20,
      retryMaxMs: 100,
    });
    const before = await rowCount(db);
    await w.write(DEVICE, readings(10), true);

    await proxy.cut();
    const durable = w.write(DEVICE, readings(25), true);
    let acked = false;
    void durable.then(() => {
      acked = true;
    });
    // The first failure switches best-effort writes to the spill.
    await until(async () => (w as unknown as { down: boolean }).down);
    for (let i = 0; i < 20; i++) w.write(DEVICE, readings(5, 'rssi'), false);
    await until(async () => !spill.empty);
    expect(acked).toBe(false);
    await proxy.restore();
    await durable;
    await until(async () => spill.empty);
    await w.flush();
    expect(await rowCount(db)).toBe(before + 10 + 25 + 100);
    await w.close();
  });

  it('is failing while inserts fail though the database answers, says why, and claims no replay it did not do', async () => {
    // What an unlicensed TimescaleDB does: SELECT 1 works, every insert into telemetry fails.
    await db.sql.exec(`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'function "continuous_agg_invalidation_trigger" is not supported' USING ERRCODE = '0A000'; END $$;
      CREATE TRIGGER refuse BEFORE INSERT ON telemetry FOR EACH STATEMENT EXECUTE FUNCTION refuse()`);
    const { log, messages } = recordingLogger();
    const metrics = createBrokerMetrics(new Registry()).writer;
    const spill = await Spill.open(`${dir.path}/refused`);
    const w = new BatchWriter({
      sql: db.sql,
      logger: log,
      metrics,
      spill,
      maxDelayMs: 1,
      retryBaseMs: 10,
      retryMaxMs: 50,
    });
    const before = await rowCount(db);
    try {
      const durable = w.write(DEVICE, readings(3), true);
      await until(() => w.problem !== undefined);
      expect(w.problem).toMatch(/0A000: function "continuous_agg_invalidation_trigger" is not supported/);
      w.write(DEVICE, readings(2, 'rssi'), false); // spilled while failing
      await until(() => !spill.empty);
      // Retried again and again, and still failing: nothing replayed, nothing claimed.
      await until(async () => (await metrics.flushFailures.get()).values[0]!.value >= 5);
      expect(messages().filter((m) => /replayed|work again/.test(m))).toEqual([]);
      expect((await metrics.failing.get()).values[0]!.value).toBe(1);

      await db.sql.exec('DROP TRIGGER refuse ON telemetry; DROP FUNCTION refuse()');
      await durable;
      await until(() => spill.empty);
      expect(w.problem).toBeUndefined();
      expect(await rowCount(db)).toBe(before + 5);
      const replayed = messages().filter((m) => /replayed/.test(m));
      expect(replayed).toEqual(['replayed spilled readings']);
      expect(messages()).toContain('telemetry writes work again');
    } finally {
      await db.sql.exec('DROP TRIGGER IF EXISTS refuse ON telemetry; DROP FUNCTION IF EXISTS refuse()');
      await w.close();
    }
  });

  it('takes a batch with no answer in time for a failed write, and stores it once the database answers', async () => {
    const { short, link } = await shortPool();
    const w = new BatchWriter({
      sql: short.sql,
      logger,
      maxDelayMs: 1,
      timeoutMs: 300,
      retryBaseMs: 20,
      retryMaxMs: 200,
    });
    const before = await rowCount(db);
    try {
      await w.write(DEVICE, readings(1), true);
      link.blackhole();
      const durable = w.write(DEVICE, readings(4), true);
      await until(() => w.problem !== undefined);
      expect(w.problem).toMatch(/no answer from the database within 300 ms/);
      await link.restore();
      await durable;
      expect(w.problem).toBeUndefined();
      expect(await rowCount(db)).toBe(before + 5);
    } finally {
      await w.close();
      await short.close();
      await link.close();
    }
  });

  it('closes within its timeout when the database does not answer: durable writes fail, best-effort ones spill', async () => {
    const { short, link } = await shortPool();
    const spill = await Spill.open(`${dir.path}/closing`);
    const w = new BatchWriter({ sql: short.sql, logger, spill, maxDelayMs: 1, timeoutMs: 60_000 });
    try {
      await w.write(DEVICE, readings(1), true);
      link.blackhole();
      const durable = w.write(DEVICE, readings(2), true).then(
        () => 'stored',
        (err: Error) => err,
      );
      w.write(DEVICE, readings(3, 'rssi'), false);
      // The database never answers and the writer's own deadline is a minute away: close cuts it short.
      await w.close(200);
      expect(await durable).toBeInstanceOf(WriterClosed);
      expect(spill.empty).toBe(false);
    } finally {
      await short.close();
      await link.close();
    }
  });

  it('drops and counts best-effort readings the spill cannot take, without an unhandled rejection', async () => {
    const spillDir = `${dir.path}/full`;
    const spill = await Spill.open(spillDir);
    const metrics = createBrokerMetrics(new Registry()).writer;
    const w = new BatchWriter({ sql: db.sql, logger, metrics, spill, maxDelayMs: 1, retryBaseMs: 10, retryMaxMs: 50 });
    // The segment file cannot be written (a directory stands where it belongs), as on a full disk.
    const { mkdir } = await import('node:fs/promises');
    await mkdir(`${spillDir}/spill-000001.ndjson`);
    try {
      await proxy.cut();
      w.write(DEVICE, readings(2), false);
      await until(async () => (await metrics.droppedRows.get()).values[0]!.value === 2);
    } finally {
      await proxy.restore();
      await w.close();
    }
  });

  it('writes at once when a connection is free, and batches what gathers meanwhile', async () => {
    const w = new BatchWriter({ sql: db.sql, logger, maxRows: 1_000_000, maxDelayMs: 60_000 });
    const before = await rowCount(db);
    // With a minute-long age limit, only eager writing can resolve these.
    await Promise.all(Array.from({ length: 20 }, () => w.write(DEVICE, readings(5), true)));
    expect(await rowCount(db)).toBe(before + 100);
    await w.close();
  });

  it('takes a second connection only for a batch big enough: a trickle commits one batch at a time', async () => {
    // Each statement held 50 ms, so what follows it is written while it is in flight.
    let inFlight = 0;
    let most = 0;
    const sql: SqlClient = {
      ...db.sql,
      async query(text, params) {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 50));
        try {
          return await db.sql.query(text, params);
        } finally {
          inFlight--;
        }
      },
    };
    const w = new BatchWriter({ sql, logger, concurrency: 2, parallelRows: 50, maxDelayMs: 60_000 });
    const nextTurn = () => new Promise((r) => setImmediate(r));
    const before = await rowCount(db);
    const trickle = [];
    for (let i = 0; i < 20; i++) {
      trickle.push(w.write(DEVICE, readings(1), true));
      await nextTurn();
    }
    await Promise.all(trickle);
    expect(most).toBe(1);
    const flood = [w.write(DEVICE, readings(60), true)];
    await nextTurn();
    flood.push(w.write(DEVICE, readings(60), true));
    await Promise.all(flood);
    expect(most).toBe(2);
    expect(await rowCount(db)).toBe(before + 140);
    await w.close();
  });

  it('writes what is queued when closed', async () => {
    const w = new BatchWriter({ sql: db.sql, logger, eager: false, maxRows: 1_000_000, maxDelayMs: 60_000 });
    const before = await rowCount(db);
    w.write(DEVICE, readings(7), false);
    expect(await rowCount(db)).toBe(before);
    await w.close();
    expect(await rowCount(db)).toBe(before + 7);
  });

  it('tells producers to wait past the high-water mark', async () => {
    const w = new BatchWriter({
      sql: db.sql,
      logger,
      eager: false,
      maxRows: 1_000_000,
      maxDelayMs: 60_000,
      highWaterRows: 10,
    });
    w.write(DEVICE, readings(12), false);
    expect(w.saturated).toBe(true);
    const drained = w.drained();
    await w.flush();
    await drained;
    expect(w.saturated).toBe(false);
    await w.close();
  });
});

describe('BatchWriter on embedded TimescaleDB', () => {
  it('writes into the hypertable', async () => {
    const dir = await tempDir();
    const db = await openDatabase({ dataDir: dir.path, embeddedPort: null, logger });
    try {
      const w = new BatchWriter({ sql: db.sql, logger, maxDelayMs: 1 });
      const r = readings(100);
      await w.write(DEVICE, r, true);
      // A repeat: the plain insert meets stored readings and the batch goes again skipping them.
      await w.write(DEVICE, r, true);
      await w.close();
      expect(await rowCount(db)).toBe(100);
      const chunks = await db.sql.query(
        "SELECT 1 FROM timescaledb_information.chunks WHERE hypertable_name = 'telemetry'",
      );
      expect(chunks.length).toBeGreaterThan(0);
    } finally {
      await db.close();
      await dir.remove();
    }
  });
});
