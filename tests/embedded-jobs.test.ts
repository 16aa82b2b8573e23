import { setTimeout } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, metric, startTestPlatform, type TestPlatform } from './helpers.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Readings in three stretches, in days back from now: past retention (365 d), past compression (7 d), recent. */
const STRETCHES = [
  [400, 397],
  [40, 33],
  [2, 0],
] as const;

describe('TimescaleDB jobs on the embedded database', () => {
  let p: TestPlatform;
  let api: ReturnType<typeof apiClient>;
  let base: string;
  let device: string;
  /** Whole hours, so bucket edges fall on readings' hours. */
  const now = Math.floor(Date.now() / HOUR) * HOUR;
  const iso = (daysBack: number) => new Date(now - daysBack * DAY).toISOString();

  beforeAll(async () => {
    p = await startTestPlatform('embedded');
    api = apiClient(p);
    await api.signIn('jobs@example.com');
    base = `/v1/orgs/${(await api.call('POST', '/v1/orgs', { name: 'Jobs' })).body.id}`;
    device = (await api.call('POST', `${base}/devices`, { name: 'd' })).body.id;
    // One reading every 10 minutes in each stretch; the value cycles so every aggregate differs by bucket.
    for (const [from, to] of STRETCHES) {
      await p.db.sql.query(
        `INSERT INTO telemetry (time, device_id, metric, value)
         SELECT t, $1::uuid, 'temp', (extract(epoch FROM t) / 600)::bigint % 97
         FROM generate_series($2::timestamptz, $3::timestamptz - interval '10 minutes', interval '10 minutes') AS t`,
        [device, iso(from), iso(to)],
      );
    }
    await p.db.sql.query(
      `INSERT INTO telemetry_latest (time, device_id, metric, value) VALUES ($1::timestamptz, $2::uuid, 'temp', 0)`,
      [iso(0), device],
    );
  });
  afterAll(async () => {
    await p?.stop();
  });

  /** Each aggregate of a stretch, as the HTTP API answers it. */
  const series = async (from: number, to: number, bucket: '1h' | '5m') => {
    const answers: Record<string, unknown> = {};
    for (const agg of ['avg', 'min', 'max', 'sum', 'count', 'first', 'last']) {
      const res = await api.call(
        'GET',
        `${base}/devices/${device}/telemetry?metric=temp&from=${iso(from)}&to=${iso(to)}&bucket=${bucket}&agg=${agg}`,
      );
      expect(res.status, agg).toBe(200);
      answers[agg] = res.body.data;
    }
    return answers;
  };
  const count = (sql: string) => p.count(sql);

  it('materializes the aggregates, compresses old chunks and drops data past retention; queries answer the same', async () => {
    const hourly = await series(400, 397, '1h');
    const hourlyMiddle = await series(40, 33, '1h');
    const fine = await series(35, 34, '5m');
    expect((hourlyMiddle.count as unknown[]).length).toBe(7 * 24);
    expect(hourlyMiddle.count).toContainEqual({ ts: expect.any(String), value: 6 });

    // Through the platform's scheduler, as it runs them every 30 s.
    await p.scheduler.runNow('embedded-db-jobs');
    expect(await metric(p, 'scheduled_job_runs_total{job="embedded-db-jobs",result="ok"}')).toBeGreaterThan(0);
    // The embedded database runs on this thread: while the jobs ran, the HTTP keep-alive timers could
    // not fire. Let them, so the next request does not reuse a connection the server is closing.
    await setTimeout(10);

    // Aggregates outlive raw data: the oldest stretch is gone from telemetry, kept hourly.
    expect(await count(`SELECT count(*) AS n FROM telemetry WHERE time < now() - interval '365 days'`)).toBe(0);
    const [{ name } = { name: '' }] = await p.db.sql.query<{ name: string }>(
      `SELECT format('%I.%I', materialization_hypertable_schema, materialization_hypertable_name) AS name
       FROM timescaledb_information.continuous_aggregates WHERE view_name = 'telemetry_1h'`,
    );
    // Materialized, not computed on the fly: the aggregate's own table holds every hour of each older stretch.
    expect(await count(`SELECT count(*) AS n FROM ${name} WHERE bucket < now() - interval '3 days'`)).toBe(
      (3 + 7) * 24,
    );
    expect(
      await count(`SELECT count(*) AS n FROM timescaledb_information.chunks
                   WHERE hypertable_name = 'telemetry' AND range_end <= now() - interval '7 days' AND NOT is_compressed`),
    ).toBe(0);
    expect(
      await count(`SELECT count(*) AS n FROM timescaledb_information.chunks
                   WHERE hypertable_name = 'telemetry' AND is_compressed`),
    ).toBeGreaterThanOrEqual(7);

    expect(await series(400, 397, '1h')).toEqual(hourly);
    expect(await series(40, 33, '1h')).toEqual(hourlyMiddle);
    expect(await series(35, 34, '5m')).toEqual(fine);
    const raw = await api.call(
      'GET',
      `${base}/devices/${device}/telemetry?metric=temp&from=${iso(400)}&to=${iso(397)}`,
    );
    expect(raw.body.data).toEqual([]);

    for (const type of ['refresh_continuous_aggregate', 'compression', 'retention']) {
      expect(await metric(p, `embedded_db_job_runs_total{type="${type}",result="ok"}`), type).toBeGreaterThan(0);
    }
    expect(await metric(p, 'embedded_db_job_runs_total{type="compression",result="failed"}')).toBe(0);
  });

  it("answers a device's latest values, with microseconds, and 404 for another organization's", async () => {
    const latest = await api.call('GET', `${base}/devices/${device}/telemetry/latest`);
    expect(latest.status).toBe(200);
    expect(latest.body).toEqual({ temp: { ts: iso(0).replace(/\.(\d{3})Z$/, '.$1000Z'), value: 0 } });
    const other = `/v1/orgs/${(await api.call('POST', '/v1/orgs', { name: 'Other' })).body.id}`;
    expect((await api.call('GET', `${other}/devices/${device}/telemetry/latest`)).status).toBe(404);
  });

  it('runs nothing when nothing is due', async () => {
    // Every job ran moments ago, and catch-up is done: the next runs wait for their schedules.
    expect(await p.embeddedJobs!.runDue()).toBe(0);
  });
});
