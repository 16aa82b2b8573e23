import { readFileSync } from 'node:fs';
import pino from 'pino';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from './connect.ts';
import { DatabaseUnavailable } from './errors.ts';
import { MIGRATIONS_DIR } from './migrate.ts';
import { createTestDatabase, tempDir } from './testing.ts';

const logger = pino({ level: 'silent' });
const journalTags = (): string[] =>
  JSON.parse(readFileSync(`${MIGRATIONS_DIR}/meta/_journal.json`, 'utf8')).entries.map((e: { tag: string }) => e.tag);
/** The migrations that apply only where TimescaleDB exists (first line `-- requires: timescaledb`). */
const timescaleOnly = (tag: string) =>
  readFileSync(`${MIGRATIONS_DIR}/${tag}.sql`, 'utf8').startsWith('-- requires: timescaledb');

describe('embedded PostgreSQL + TimescaleDB', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let db: Database;

  beforeAll(async () => {
    dir = await tempDir();
    db = await openDatabase({ dataDir: dir.path, embeddedPort: 0, logger });
  });
  afterAll(async () => {
    await db?.close();
    await dir?.remove();
  });

  it('has TimescaleDB, a telemetry hypertable with compression and continuous aggregates', async () => {
    expect(db.kind).toBe('embedded');
    expect(db.timescale).toBe(true);
    const hyper = await db.sql.query<{ compression_enabled: boolean }>(
      "SELECT compression_enabled FROM timescaledb_information.hypertables WHERE hypertable_name = 'telemetry'",
    );
    expect(hyper).toEqual([{ compression_enabled: true }]);
    const caggs = await db.sql.query<{ view_name: string }>(
      'SELECT view_name FROM timescaledb_information.continuous_aggregates ORDER BY view_name',
    );
    expect(caggs.map((c) => c.view_name)).toEqual(['telemetry_1h', 'telemetry_1m']);
    const jobs = await db.sql.query<{ proc_name: string }>(
      'SELECT DISTINCT proc_name FROM timescaledb_information.jobs ORDER BY proc_name',
    );
    expect(jobs.map((j) => j.proc_name)).toEqual(
      expect.arrayContaining(['policy_compression', 'policy_refresh_continuous_aggregate', 'policy_retention']),
    );
  });

  it('serves the PostgreSQL wire protocol to an ordinary client, alongside its own queries', async () => {
    const client = postgres({
      host: '127.0.0.1',
      port: db.wirePort!,
      username: 'postgres',
      database: 'postgres',
      max: 1,
    });
    try {
      const ext = await client`SELECT extname FROM pg_extension WHERE extname = 'timescaledb'`;
      expect(ext).toHaveLength(1);
      // A client holding the connection open does not hold the database.
      expect(await db.sql.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      const rows = await client`SELECT count(*)::int AS n FROM telemetry`;
      expect(rows[0]?.n).toBe(0);
    } finally {
      await client.end();
    }
  });

  it('keeps data across a restart', async () => {
    await db.sql.query("INSERT INTO organizations (name) VALUES ('kept')");
    await db.close();
    db = await openDatabase({ dataDir: dir.path, embeddedPort: null, logger });
    expect(await db.sql.query('SELECT name FROM organizations')).toEqual([{ name: 'kept' }]);
    const applied = await db.sql.query<{ tag: string }>('SELECT tag FROM schema_migrations ORDER BY tag');
    expect(applied.map((r) => r.tag)).toEqual(journalTags());
  });
});

describe('PostgreSQL server (no TimescaleDB)', () => {
  let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Database;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = await openDatabase({ url: testDb.url, dataDir: '/nonexistent', logger });
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  it('applies the portable migrations and skips the TimescaleDB ones', async () => {
    expect(db.kind).toBe('postgres');
    expect(db.timescale).toBe(false);
    const applied = await db.sql.query<{ tag: string }>('SELECT tag FROM schema_migrations');
    expect(applied.map((r) => r.tag).sort()).toEqual(journalTags().filter((t) => !timescaleOnly(t)));
    const cols = await db.sql.query<{ column_name: string }>(
      "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'telemetry' ORDER BY ordinal_position",
    );
    expect(cols.map((c) => c.column_name)).toEqual([
      'time',
      'device_id',
      'metric',
      'value',
      'value_bool',
      'value_text',
    ]);
  });

  it('is idempotent when opened again', async () => {
    const again = await openDatabase({ url: testDb.url, dataDir: '/nonexistent', logger });
    await again.close();
    const applied = await db.sql.query('SELECT tag FROM schema_migrations');
    expect(applied).toHaveLength(journalTags().filter((t) => !timescaleOnly(t)).length);
  });

  it('names an unreachable server and what to do', async () => {
    const err = await openDatabase({ url: 'postgres://postgres@127.0.0.1:1/test', dataDir: '/x', logger }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(DatabaseUnavailable);
    expect(err.message).toMatch(/cannot reach the database at postgres:\/\/postgres@127\.0\.0\.1:1\/test/);
    expect(err.hint).toMatch(/DATABASE_URL/);
  });
});
