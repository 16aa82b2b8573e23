/**
 * `npm run bench:query`: telemetry reads through the HTTP API against the same queries in plain SQL
 * on the same database, measured in the same run.
 *
 * Loads BENCH_READINGS readings (default 10,000,000) from BENCH_DEVICES devices (1,000) over 30
 * days into a scratch database on DATABASE_URL's server (default the local PostgreSQL), then times
 * BENCH_SAMPLES (200) requests of each kind: latest values, one day of raw points, 30 days in hourly
 * buckets. Progress goes to stderr; the last stdout line is the JSON result.
 */
import postgres from 'postgres';
import { benchPlatform, progressTo } from './scratch.ts';

const env = process.env;
const SERVER = env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const READINGS = Number(env.BENCH_READINGS ?? 10_000_000);
const DEVICES = Number(env.BENCH_DEVICES ?? 1000);
const SAMPLES = Number(env.BENCH_SAMPLES ?? 200);
const DAYS = 30;
const END = Date.parse('2026-06-01T00:00:00Z');
const START = END - DAYS * 86_400_000;
const progress = progressTo('query');

function percentiles(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number) => Number((s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0).toFixed(2));
  return { p50_ms: at(0.5), p99_ms: at(0.99) };
}

async function time(n: number, fn: (i: number) => Promise<unknown>) {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    out.push(performance.now() - t0);
  }
  return percentiles(out);
}

async function main() {
  const bench = await benchPlatform(SERVER, 'benchq');
  const { platform } = bench;
  const url = new URL(bench.url!);
  const sql = postgres(url.toString(), { max: 1, onnotice: () => undefined });
  try {
    const api = `http://127.0.0.1:${platform.httpPort}`;
    const call = async (path: string, body?: unknown, token?: string) => {
      const res = await fetch(api + path, {
        method: body ? 'POST' : 'GET',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      if (res.status >= 400) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json();
    };
    await call('/v1/auth/signup', { email: 'bench@example.com', password: 'correct horse battery' });
    const { access_token: token } = await call('/v1/auth/login', {
      email: 'bench@example.com',
      password: 'correct horse battery',
    });
    const { id: orgId } = await call('/v1/orgs', { name: 'Bench' }, token);

    progress(`loading ${READINGS} readings from ${DEVICES} devices over ${DAYS} days...`);
    const t0 = performance.now();
    await sql`INSERT INTO devices (org_id, name, secret_hash) SELECT ${orgId}, 'd' || i, '' FROM generate_series(1, ${DEVICES}) i`;
    const ids = (await sql<{ id: string }[]>`SELECT id FROM devices ORDER BY name`).map((r) => r.id);
    const perDevice = Math.floor(READINGS / DEVICES);
    const stepMs = Math.floor((END - START) / perDevice);
    for (let i = 0; i < ids.length; i += 50) {
      await sql`
        INSERT INTO telemetry (time, device_id, metric, value)
        SELECT to_timestamp((${START}::bigint + n * ${stepMs}::bigint) / 1000.0), d, 'temp', (n % 500) / 10.0
        FROM unnest(${sql.array(ids.slice(i, i + 50))}::uuid[]) d, generate_series(0, ${perDevice - 1}) n`;
      if (i % 200 === 0) progress(`  ${Math.min(i + 50, ids.length)}/${ids.length} devices`);
    }
    await sql`INSERT INTO telemetry_latest SELECT DISTINCT ON (device_id, metric) device_id, metric, time, value, value_bool, value_text FROM telemetry ORDER BY device_id, metric, time DESC`;
    await sql`ANALYZE telemetry`;
    const loadS = (performance.now() - t0) / 1000;
    progress(`loaded in ${loadS.toFixed(1)} s`);

    const device = (i: number) => ids[(i * 7919) % ids.length]!;
    const day = (i: number) => new Date(START + ((i % (DAYS - 1)) + 1) * 86_400_000).toISOString();
    const dayEnd = (i: number) => new Date(Date.parse(day(i)) + 86_400_000).toISOString();
    const from = new Date(START).toISOString();
    const to = new Date(END).toISOString();
    const base = `/v1/orgs/${orgId}/devices`;

    progress('latest values...');
    const latest = await time(SAMPLES, (i) => call(`${base}/${device(i)}/telemetry/latest`, undefined, token));
    const latestSql = await time(
      SAMPLES,
      (i) => sql`SELECT metric, time, value FROM telemetry_latest WHERE device_id = ${device(i)}`,
    );
    progress('one day of raw points...');
    const raw = await time(SAMPLES, (i) =>
      call(`${base}/${device(i)}/telemetry?metric=temp&from=${day(i)}&to=${dayEnd(i)}&limit=10000`, undefined, token),
    );
    const rawSql = await time(
      SAMPLES,
      (i) =>
        sql`SELECT time, value FROM telemetry WHERE device_id = ${device(i)} AND metric = 'temp' AND time >= ${day(i)} AND time < ${dayEnd(i)} ORDER BY time DESC`,
    );
    progress('30 days in hourly buckets...');
    const hourly = await time(SAMPLES, (i) =>
      call(`${base}/${device(i)}/telemetry?metric=temp&from=${from}&to=${to}&bucket=1h&agg=avg`, undefined, token),
    );
    const hourlySql = await time(
      SAMPLES,
      (i) =>
        sql`SELECT date_bin('1 hour', time, 'epoch'), avg(value) FROM telemetry WHERE device_id = ${device(i)} AND metric = 'temp' AND time >= ${from} AND time < ${to} GROUP BY 1 ORDER BY 1`,
    );
    const result = {
      bench: 'query',
      readings: perDevice * DEVICES,
      devices: DEVICES,
      timescale: platform.db.timescale,
      samples: SAMPLES,
      load_s: Number(loadS.toFixed(1)),
      latest,
      baseline_sql_latest: latestSql,
      raw_day: raw,
      baseline_sql_raw_day: rawSql,
      hourly_30d: hourly,
      baseline_sql_hourly_30d: hourlySql,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await sql.end();
    await bench.stop();
  }
}

await main();
