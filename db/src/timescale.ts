import type { SqlClient } from './sql-client.ts';

/**
 * `time_bucket_gapfill` is served by TimescaleDB's licensed module, like compression and continuous
 * aggregates: where the module did not load, it fails with 0A000 "not supported under the current
 * license", as every telemetry insert then does (the aggregates' invalidation trigger).
 */
const LICENSED_CALL = `SELECT count(*)::int AS n FROM (
  SELECT time_bucket_gapfill(INTERVAL '1 hour', t, timestamptz '2000-01-01', timestamptz '2000-01-01 03:00')
  FROM (VALUES (timestamptz '2000-01-01 01:30')) AS v(t) GROUP BY 1) AS g`;

/**
 * Checks that TimescaleDB answers, not only that it is installed: its library is loaded, under the
 * license whose features the schema uses, and a call of the licensed module works. Resolves with
 * what is wrong, or undefined when nothing is.
 * @example const problem = await timescaleProblem(db.sql);
 */
export async function timescaleProblem(sql: SqlClient): Promise<string | undefined> {
  const [row] = await sql.query<{ license: string | null }>(
    "SELECT current_setting('timescaledb.license', true) AS license",
  );
  if (!row?.license) return 'TimescaleDB is installed but its library is not loaded';
  if (row.license !== 'timescale') {
    return `TimescaleDB runs under the "${row.license}" license, and compression and continuous aggregates need the "timescale" license`;
  }
  try {
    const [probe] = await sql.query<{ n: number }>(LICENSED_CALL);
    if (probe?.n !== 3) return `TimescaleDB answered a gap-filling query with ${probe?.n} buckets instead of 3`;
  } catch (err) {
    return `TimescaleDB does not answer: ${(err as Error).message}`;
  }
  return undefined;
}
