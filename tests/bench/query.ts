/**
 * `npm run bench:query`: telemetry reads through the HTTP API against the same queries in plain SQL
 * on the same database, measured in the same run.
 *
 * Loads BENCH_READINGS readings (default 10,000,000) from BENCH_DEVICES devices (1,000) over 30
 * days into a scratch database on DATABASE_URL's server (default the local PostgreSQL), then times
 * BENCH_SAMPLES (200) requests of each kind one after another: latest values, one day of raw points,
 * 30 days in hourly buckets, each API read taken in turn with its SQL. Then `latest` under load:
 * autocannon (in a child process) with BENCH_CONNECTIONS (50) connections, BENCH_ROUNDS (3) rounds
 * in turn against the API and against a bare Hono route in the same process running the same SQL
 * on a pool of the same size, each side's rounds sharing BENCH_SECONDS (12). BENCH_PROFILE=dir writes a CPU profile
 * of the API under load there. Each side under load also reports `cpu_us_per_request`: this
 * process's CPU and the local database's per request, which a busy machine moves less than rates;
 * `latest_under_load_cpu_vs_bare_api_sql` is the bare route's server CPU per request over the API's.
 * Progress goes to stderr; the last stdout line is the JSON result.
 */

import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { bucketInterval, bucketSql, LATEST_OF_OWNED, POINTS_OF_OWNED } from '@iotp/cloud';
import { Hono } from 'hono';
import postgres from 'postgres';
import { cpuMeter } from './cpu.ts';
import { runHttpLoad } from './run-load.ts';
import { benchPlatform, profiled, progressTo } from './scratch.ts';

const env = process.env;
const SERVER = env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const READINGS = Number(env.BENCH_READINGS ?? 10_000_000);
const DEVICES = Number(env.BENCH_DEVICES ?? 1000);
const SAMPLES = Number(env.BENCH_SAMPLES ?? 200);
const CONNECTIONS = Number(env.BENCH_CONNECTIONS ?? 50);
const SECONDS = Number(env.BENCH_SECONDS ?? 12);
const ROUNDS = Number(env.BENCH_ROUNDS ?? 3);
const DAYS = 30;
const END = Date.parse('2026-06-01T00:00:00Z');
const START = END - DAYS * 86_400_000;
const progress = progressTo('query');

function percentiles(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number) => Number((s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0).toFixed(2));
  return { p50_ms: at(0.5), p99_ms: at(0.99) };
}

/**
 * Times `n` calls of the API read and of each baseline, taken in turn (one of each, then the next
 * round, each round led by the next), so all meet the same moments of a machine whose speed drifts
 * and none always reads first: their differences are the API's cost.
 */
async function timeInTurn(n: number, ...calls: ((i: number) => Promise<unknown>)[]) {
  const times = calls.map(() => [] as number[]);
  for (let i = 0; i < n; i++) {
    // Each round starts with the next one: the first to read a device's rows warms them for the others.
    for (let j = 0; j < calls.length; j++) {
      const k = (i + j) % calls.length;
      const t0 = performance.now();
      await calls[k]!(i);
      times[k]!.push(performance.now() - t0);
    }
  }
  return times.map(percentiles);
}

/** One GET over a kept-alive connection: a client as light as the SQL baseline's, not fetch's. */
function getter(port: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return (path: string, token: string) =>
    new Promise<unknown>((resolve, reject) => {
      const req = request({ port, host: '127.0.0.1', path, agent, headers: { authorization: `Bearer ${token}` } });
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString();
          if ((res.statusCode ?? 500) >= 400) reject(new Error(`${path}: ${res.statusCode} ${body}`));
          else resolve(JSON.parse(body));
        });
      });
      req.end();
    });
}

/**
 * Requests per second and latency of `paths` (taken in turn) under CONNECTIONS connections, from
 * autocannon in a child process, so the load generator does not take the server's core.
 */
async function load(port: number, paths: string[], token?: string) {
  // CPU per request, as bench:ingest counts it per message: the server's process (the platform and
  // the bare route both run in this one) and the database's; a busy machine moves rates, not these.
  const cpu = cpuMeter({ server: true, database: 'postgres' });
  const { non2xx, errors, ...result } = await runHttpLoad({
    port,
    paths,
    token,
    connections: CONNECTIONS,
    seconds: SECONDS / ROUNDS,
    label: `port ${port}`,
  });
  if (non2xx || errors) throw new Error(`load: ${non2xx} non-2xx, ${errors} errors`);
  const used = cpu.used();
  const requests = Math.max(1, result.req_per_s * (SECONDS / ROUNDS));
  const perRequest = (s: number) => Math.round((s * 1e6) / requests);
  return { ...result, cpu_us_per_request: { server: perRequest(used.server!), database: perRequest(used.database!) } };
}

async function main() {
  const bench = await benchPlatform(SERVER, 'benchq');
  const { platform } = bench;
  const url = new URL(bench.url!);
  let sql = postgres(url.toString(), { max: 1, onnotice: () => undefined });
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
    // As after any bulk load: the first reader of fresh rows would otherwise pay for setting their
    // hint bits, and autovacuum may or may not have done it by the time a read is timed.
    await sql`VACUUM (ANALYZE) telemetry, telemetry_latest`;
    const loadS = (performance.now() - t0) / 1000;
    progress(`loaded in ${loadS.toFixed(1)} s`);
    // The baselines read on a connection of their own, not the one that loaded: a backend that made
    // big allocations (the load's inserts and ANALYZE) has raised glibc's mmap threshold, and then
    // keeps a grouping's or a sort's memory instead of mapping and unmapping it on every query, so
    // it ran the 30-day hourly statement in half the time of the API's pool (3.6-3.9 against 6.9-7.6
    // ms). A fresh connection starts as each of the pool's does.
    await sql.end();
    sql = postgres(url.toString(), { max: 1, onnotice: () => undefined });

    const device = (i: number) => ids[(i * 7919) % ids.length]!;
    const day = (i: number) => new Date(START + ((i % (DAYS - 1)) + 1) * 86_400_000).toISOString();
    const dayEnd = (i: number) => new Date(Date.parse(day(i)) + 86_400_000).toISOString();
    const from = new Date(START).toISOString();
    const to = new Date(END).toISOString();
    const base = `/v1/orgs/${orgId}/devices`;

    const get = getter(platform.httpPort);
    progress('latest values...');
    // Beside the plain query, the API's own statement (ownership checked in it, time as text).
    const [latest, latestSql, latestApiSql] = await timeInTurn(
      SAMPLES,
      (i) => get(`${base}/${device(i)}/telemetry/latest`, token),
      (i) => sql`SELECT metric, time, value FROM telemetry_latest WHERE device_id = ${device(i)}`,
      (i) => sql.unsafe(LATEST_OF_OWNED, [device(i), orgId], { prepare: true }),
    );
    progress('one day of raw points...');
    const [raw, rawSql, rawApiSql] = await timeInTurn(
      SAMPLES,
      (i) => get(`${base}/${device(i)}/telemetry?metric=temp&from=${day(i)}&to=${dayEnd(i)}&limit=10000`, token),
      (i) =>
        sql`SELECT time, value FROM telemetry WHERE device_id = ${device(i)} AND metric = 'temp' AND time >= ${day(i)} AND time < ${dayEnd(i)} ORDER BY time DESC`,
      (i) =>
        sql.unsafe(POINTS_OF_OWNED, [device(i), 'temp', orgId, day(i), dayEnd(i), 10_001], {
          prepare: true,
        }),
    );
    progress('30 days in hourly buckets...');
    const hourlyStatement = bucketSql(platform.db.timescale ? 'telemetry_1h' : 'raw', 'avg', false);
    const hourlyParams = (i: number) => [bucketInterval(3600), `{${device(i)}}`, 'temp', from, to, orgId, 1];
    const [hourly, hourlySql, hourlyApiSql, hourlyApiSqlPool] = await timeInTurn(
      SAMPLES,
      (i) => get(`${base}/${device(i)}/telemetry?metric=temp&from=${from}&to=${to}&bucket=1h&agg=avg`, token),
      (i) =>
        sql`SELECT date_bin('1 hour', time, 'epoch'), avg(value) FROM telemetry WHERE device_id = ${device(i)} AND metric = 'temp' AND time >= ${from} AND time < ${to} GROUP BY 1 ORDER BY 1`,
      (i) => sql.unsafe(hourlyStatement, hourlyParams(i), { prepare: true }),
      // The same statement on the platform's own pool, in this process: the API's cost apart from
      // the state of the database connections it happens to use.
      (i) => platform.db.sql.query(hourlyStatement, hourlyParams(i)),
    );
    progress(
      `latest under load: ${CONNECTIONS} connections, the API and a bare route in turn, ${ROUNDS} rounds of ${SECONDS / ROUNDS} s each...`,
    );
    const paths = ids.map((_, i) => `${base}/${device(i)}/telemetry/latest`);
    const bare = await bareRoute(url.toString(), platform.config.DATABASE_POOL_SIZE);
    const bareLoads = [];
    const bareApiSqlLoads = [];
    const latestLoads = [];
    try {
      // In turn, so a drift of the machine's speed falls on both alike.
      for (let r = 0; r < ROUNDS; r++) {
        latestLoads.push(await profiled('query-latest', () => load(platform.httpPort, paths, token)));
        bareLoads.push(
          await load(
            bare.port,
            ids.map((_, i) => `/latest/${device(i)}`),
          ),
        );
        bareApiSqlLoads.push(
          await load(
            bare.port,
            ids.map((_, i) => `/owned/${orgId}/${device(i)}`),
          ),
        );
      }
    } finally {
      await bare.close();
    }
    const latestLoad = meanOf(latestLoads);
    const bareLoad = meanOf(bareLoads);
    const bareApiSqlLoad = meanOf(bareApiSqlLoads);
    const result = {
      bench: 'query',
      readings: perDevice * DEVICES,
      devices: DEVICES,
      timescale: platform.db.timescale,
      samples: SAMPLES,
      load_s: Number(loadS.toFixed(1)),
      latest,
      baseline_sql_latest: latestSql,
      baseline_api_sql_latest: latestApiSql,
      raw_day: raw,
      baseline_sql_raw_day: rawSql,
      baseline_api_sql_raw_day: rawApiSql,
      hourly_30d: hourly,
      baseline_sql_hourly_30d: hourlySql,
      baseline_api_sql_hourly_30d: hourlyApiSql,
      baseline_api_sql_platform_pool_hourly_30d: hourlyApiSqlPool,
      latest_under_load: latestLoad,
      baseline_bare_route_under_load: bareLoad,
      latest_under_load_vs_bare: Number((latestLoad.req_per_s / bareLoad.req_per_s).toFixed(2)),
      baseline_bare_route_api_sql_under_load: bareApiSqlLoad,
      latest_under_load_vs_bare_api_sql: Number((latestLoad.req_per_s / bareApiSqlLoad.req_per_s).toFixed(2)),
      // The same comparison in this process's CPU per request, which holds still when a busy machine moves rates.
      latest_under_load_cpu_vs_bare_api_sql: Number(
        (bareApiSqlLoad.cpu_us_per_request.server / Math.max(1, latestLoad.cpu_us_per_request.server)).toFixed(2),
      ),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await sql.end();
    await bench.stop();
  }
}

/** The mean of each figure over the rounds. */
function meanOf(runs: Awaited<ReturnType<typeof load>>[]) {
  const mean = (f: (r: (typeof runs)[number]) => number) =>
    Math.round(runs.reduce((s, r) => s + f(r), 0) / runs.length);
  return {
    req_per_s: mean((r) => r.req_per_s),
    p50_ms: mean((r) => r.p50_ms),
    p99_ms: mean((r) => r.p99_ms),
    cpu_us_per_request: {
      server: mean((r) => r.cpu_us_per_request.server),
      database: mean((r) => r.cpu_us_per_request.database),
    },
  };
}

/**
 * `latest` behind a Hono route with nothing else (no auth, no checks, no logs): `/latest/{id}` runs
 * the plain query, `/owned/{orgId}/{id}` the API's own statement, answered in the API's shape.
 */
async function bareRoute(databaseUrl: string, poolSize: number) {
  const sql = postgres(databaseUrl, { max: poolSize, prepare: true, onnotice: () => undefined });
  const app = new Hono()
    .get('/latest/:id', async (c) => {
      const rows = await sql`SELECT metric, time, value FROM telemetry_latest WHERE device_id = ${c.req.param('id')}`;
      return c.json(Object.fromEntries(rows.map((r) => [r.metric, { ts: r.time, value: r.value }])));
    })
    .get('/owned/:orgId/:id', async (c) => {
      const rows = await sql.unsafe<{ metric: string | null; ts: string; value: number | null }[]>(
        LATEST_OF_OWNED,
        [c.req.param('id'), c.req.param('orgId')],
        { prepare: true },
      );
      if (rows.length === 0) return c.json({ title: 'No such device' }, 404);
      return c.json(
        Object.fromEntries(rows.filter((r) => r.metric).map((r) => [r.metric, { ts: r.ts, value: r.value }])),
      );
    });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      await sql.end();
    },
  };
}

await main();
