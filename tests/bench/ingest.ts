/**
 * `npm run bench:ingest`: durable MQTT ingest end to end, against two baselines measured in the
 * same run on the same machine: a raw COPY of the same rows into the same table, and Mosquitto
 * relaying the same MQTT load with no storage.
 *
 * Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test; a scratch database is
 * created on that server and dropped after), BENCH_DEVICES (100), BENCH_MESSAGES (total, 50000),
 * BENCH_READINGS (3 per message), BENCH_INFLIGHT (64 per client), MOSQUITTO_URL
 * (mqtt://127.0.0.1:1883), BENCH_RULES (0; with N > 0 the load runs again with N active rules
 * watching every device, then once more with none, and the cost of the rules is reported),
 * BENCH_DATABASE=embedded (the default install's embedded TimescaleDB instead of the server; its
 * baseline is the same rows inserted by bare SQL in the same process, as it takes no COPY stream).
 * `--fleet` (`npm run bench:fleet`): a fleet's load instead of a flood: BENCH_DEVICES (2000) each
 * publishing once every BENCH_INTERVAL_MS (1000) for BENCH_SECONDS (60), on both brokers.
 * BENCH_PROTOCOL (4, i.e. 3.1.1; or 5; or a list, `4,5`) and BENCH_TRANSPORT (tcp; or ws, MQTT over
 * WebSocket on the HTTP port; or `tcp,ws`): the load runs once per protocol and transport, the first
 * as the headline (and against Mosquitto), the others reported side by side in `variants`.
 * BENCH_PROFILE=dir writes a CPU profile of the platform during its (first) load and of the writer
 * alone there; BENCH_ALLOC_PROFILE=dir, what they allocate (scratch.ts `profiled`: BENCH_ALLOC_SURVIVORS,
 * BENCH_ALLOC_AFTER_MS). `stalls` says where the platform's latency went: its event loop's delay,
 * its GC pauses and its commit times during the load. `cpu_us_per_msg` is the CPU each party
 * used per message (the broker's process, the local database's processes, the load generator),
 * beside Mosquitto's: on a machine whose cores they share, rates show the sharing, CPU does not.
 * @example BENCH_MESSAGES=2000 BENCH_PROTOCOL=4,5 BENCH_TRANSPORT=tcp,ws npm run bench:ingest
 * Progress goes to stderr; the last stdout line is the JSON result.
 */
import { randomUUID } from 'node:crypto';
import { DeviceStore, type Readings } from '@iotp/broker';
import postgres from 'postgres';
import { cpuMeter } from './cpu.ts';
import { type LoadResult, reachable, runLoad } from './run-load.ts';
import { benchPlatform, profiled, progressTo } from './scratch.ts';
import { stallsDuring } from './stalls.ts';

const env = process.env;
const FLEET = process.argv.includes('--fleet');
const EMBEDDED = env.BENCH_DATABASE === 'embedded';
const SERVER = EMBEDDED ? 'embedded' : (env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
const D = Number(env.BENCH_DEVICES ?? (FLEET ? 2000 : 100));
const INTERVAL_MS = FLEET ? Number(env.BENCH_INTERVAL_MS ?? 1000) : undefined;
const M = INTERVAL_MS
  ? D * Math.round((Number(env.BENCH_SECONDS ?? 60) * 1000) / INTERVAL_MS)
  : Number(env.BENCH_MESSAGES ?? 50_000);
const K = Number(env.BENCH_READINGS ?? 3);
const INFLIGHT = Number(env.BENCH_INFLIGHT ?? 64);
const MOSQUITTO = env.MOSQUITTO_URL ?? 'mqtt://127.0.0.1:1883';
const RULES = Number(env.BENCH_RULES ?? 0);
const PROTOCOLS = list(env.BENCH_PROTOCOL ?? '4', { '4': 4, '3.1.1': 4, '5': 5 } as const);
const TRANSPORTS = list(env.BENCH_TRANSPORT ?? 'tcp', { tcp: 'tcp', ws: 'ws' } as const);
const VARIANTS = TRANSPORTS.flatMap((transport) =>
  PROTOCOLS.map((protocolVersion) => ({ transport, protocolVersion })),
);
const perDevice = Math.ceil(M / D);
const job = {
  perDevice,
  readings: K,
  inflight: INFLIGHT,
  qos: 1,
  intervalMs: INTERVAL_MS,
  protocolVersion: VARIANTS[0]!.protocolVersion,
} as const;
const progress = progressTo(FLEET ? 'fleet' : 'ingest');

async function main() {
  // A fleet connects from one address here: the per-address connect limit is not what is measured.
  const bench = await benchPlatform(SERVER, 'bench', {
    MQTT_CONNECT_RATE_PER_S: String(D),
    MQTT_CONNECT_BURST: String(D),
  });
  const { platform } = bench;
  try {
    const store = new DeviceStore(platform.db);
    const [org] = await platform.db.sql.query<{ id: string }>(
      "INSERT INTO organizations (name) VALUES ('bench') RETURNING id",
    );
    // The bench measures the platform, not the free plan's limits.
    await platform.db.sql.query("INSERT INTO billing_accounts (org_id, plan) VALUES ($1, 'enterprise')", [org!.id]);
    const devices: { id: string; secret: string }[] = [];
    for (let i = 0; i < D; i++) devices.push(await store.create({ orgId: org!.id, name: `bench-${i}` }));
    progress(
      `${D} devices x ${perDevice} messages x ${K} readings, QoS 1, ${INTERVAL_MS ? `one every ${INTERVAL_MS} ms` : `${INFLIGHT} in flight`} per client`,
    );

    progress(
      `platform: durable ingest through the broker into ${EMBEDDED ? 'the embedded database' : 'PostgreSQL'}...`,
    );
    const urlOf = (transport: 'tcp' | 'ws') =>
      transport === 'ws' ? `ws://127.0.0.1:${platform.httpPort}/mqtt` : `mqtt://127.0.0.1:${platform.mqttPort}`;
    const label = (v: (typeof VARIANTS)[number]) =>
      `MQTT ${v.protocolVersion === 5 ? '5' : '3.1.1'} over ${v.transport}`;
    progress(`${label(VARIANTS[0]!)}...`);
    const cpu = cpuMeter({ broker: true, database: 'postgres' });
    const { result: ours, stalls } = await stallsDuring(platform.registry, () =>
      profiled('ingest', () => runLoad({ ...job, url: urlOf(VARIANTS[0]!.transport), devices, label: 'platform' })),
    );
    await platform.writer.flush();
    const oursCpu = cpu.used();
    const [committed] = await platform.db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM telemetry');
    progress(
      `platform: ${Math.round(ours.msgs / ours.seconds)} msg/s, p50 ${ours.p50.toFixed(1)} ms, p99 ${ours.p99.toFixed(1)} ms`,
    );
    const variants = [];
    let rowsExpected = ours.msgs * K;
    for (const v of VARIANTS.slice(1)) {
      await new Promise((r) => setTimeout(r, 1500)); // the connection burst per address refills
      progress(`${label(v)}...`);
      const r = await runLoad({ ...job, ...v, url: urlOf(v.transport), devices, label: label(v) });
      rowsExpected += r.msgs * K;
      progress(
        `${label(v)}: ${Math.round(r.msgs / r.seconds)} msg/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`,
      );
      variants.push({
        protocol: v.protocolVersion === 5 ? '5' : '3.1.1',
        transport: v.transport,
        msgs_per_s: Math.round(r.msgs / r.seconds),
        p50_ms: Number(r.p50.toFixed(2)),
        p99_ms: Number(r.p99.toFixed(2)),
      });
    }
    await platform.writer.flush();
    const [allCommitted] = await platform.db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM telemetry');

    const rows = ours.msgs * K;
    const copySeconds = EMBEDDED ? await bareInserts(platform, rows) : await rawCopy(bench.url!, rows);
    progress(`baseline ${EMBEDDED ? 'bare SQL' : 'COPY'}: ${Math.round(rows / copySeconds)} rows/s`);
    // The writer alone, fed the same rows as fast as it takes them: its own ceiling, apart from the
    // broker's; then again with every batch skipping stored readings (what it did before it tried
    // the plain insert first), the attempt this compares against.
    const writerSeconds = await profiled('writer-alone', () => writerAlone(platform, devices, rows, false));
    progress(`writer alone: ${Math.round(rows / writerSeconds)} rows/s`);
    const dedupeSeconds = await writerAlone(platform, devices, rows, true);
    progress(`writer alone, every batch skipping stored readings: ${Math.round(rows / dedupeSeconds)} rows/s`);

    let mosquitto: LoadResult | undefined;
    let mosquittoCpuS = 0;
    if (await reachable(MOSQUITTO)) {
      progress(`baseline: Mosquitto at ${MOSQUITTO} relaying the same load...`);
      const cpu = cpuMeter({ mosquitto: 'mosquitto' });
      mosquitto = await runLoad({
        ...job,
        url: MOSQUITTO,
        devices: devices.map((d) => ({ id: `bench-${d.id}` })),
        label: 'mosquitto',
      });
      mosquittoCpuS = cpu.used().mosquitto!;
      progress(`baseline Mosquitto: ${Math.round(mosquitto.msgs / mosquitto.seconds)} msg/s`);
    } else progress(`Mosquitto not reachable at ${MOSQUITTO}: baseline skipped`);

    const rules = RULES > 0 ? await withRules(bench.platform, org!.id, devices, ours) : undefined;

    const result = {
      bench: FLEET ? 'fleet' : 'ingest',
      devices: D,
      interval_ms: INTERVAL_MS ?? null,
      messages: ours.msgs,
      readings_per_message: K,
      qos: 1,
      protocol: VARIANTS[0]!.protocolVersion === 5 ? '5' : '3.1.1',
      transport: VARIANTS[0]!.transport,
      msgs_per_s: Math.round(ours.msgs / ours.seconds),
      rows_per_s: Math.round(committed!.n / ours.seconds),
      p50_ms: Number(ours.p50.toFixed(2)),
      p99_ms: Number(ours.p99.toFixed(2)),
      rows_committed: committed!.n,
      rows_expected: ours.msgs * K,
      database: EMBEDDED ? 'embedded' : 'server',
      [EMBEDDED ? 'baseline_bare_sql_rows_per_s' : 'baseline_copy_rows_per_s']: Math.round(rows / copySeconds),
      writer_alone_rows_per_s: Math.round(rows / writerSeconds),
      writer_alone_skipping_stored_rows_per_s: Math.round(rows / dedupeSeconds),
      writer_alone_of_baseline: Number((copySeconds / writerSeconds).toFixed(2)),
      baseline_mosquitto_msgs_per_s: mosquitto ? Math.round(mosquitto.msgs / mosquitto.seconds) : null,
      baseline_mosquitto_p99_ms: mosquitto ? Number(mosquitto.p99.toFixed(2)) : null,
      // Where the platform's latency went: its event loop held, its GC's pauses, its commits.
      stalls,
      // CPU per message, which does not depend on how the machine's cores were shared: the broker
      // process (the writer in it), the database's processes (when it runs on this machine), and
      // the load generator; Mosquitto's own beside it.
      cpu_us_per_msg: {
        broker: perMsg(oursCpu.broker!, ours.msgs),
        database: EMBEDDED ? null : perMsg(oursCpu.database!, ours.msgs),
        load_generator: perMsg(ours.cpuS, ours.msgs),
      },
      baseline_mosquitto_cpu_us_per_msg: mosquitto
        ? { broker: perMsg(mosquittoCpuS, mosquitto.msgs), load_generator: perMsg(mosquitto.cpuS, mosquitto.msgs) }
        : null,
      ...(variants.length ? { variants, rows_committed_all: allCommitted!.n, rows_expected_all: rowsExpected } : {}),
      ...rules,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    if (result.rows_committed !== result.rows_expected || allCommitted!.n !== rowsExpected) {
      progress(`LOST OR DOUBLED ROWS: committed ${result.rows_committed}, expected ${result.rows_expected}`);
      process.exitCode = 1;
    }
  } finally {
    await bench.stop();
  }
}

/** Microseconds of CPU per message. */
const perMsg = (cpuS: number, msgs: number) => Math.round((cpuS * 1e6) / Math.max(1, msgs));

type Bench = Awaited<ReturnType<typeof benchPlatform>>['platform'];

/**
 * The same load with RULES threshold and range rules watching every device (none fire: the cost
 * measured is evaluating them), then again with none, so the machine's drift shows. The cost is
 * against the mean of the runs without rules.
 */
async function withRules(platform: Bench, orgId: string, devices: { id: string }[], first: LoadResult) {
  const ids = devices.map((d) => d.id);
  for (let i = 0; i < RULES; i += 100) {
    const values = Array.from({ length: Math.min(100, RULES - i) }, (_, j) => {
      const n = i + j;
      const [kind, params] =
        n % 2 ? ['threshold', { op: 'gt', value: 1000 + n, for_s: 60 }] : ['range', { low: -1 - n, high: 2000 + n }];
      return { kind, metric: `m${n % K}`, params, name: `bench-${n}` };
    });
    await platform.db.sql.query(
      `INSERT INTO rules (org_id, name, kind, metric, params, target)
       SELECT $1, v->>'name', v->>'kind', v->>'metric', v->'params', $3::jsonb FROM jsonb_array_elements($2::jsonb) v`,
      [orgId, JSON.stringify(values), JSON.stringify({ device_ids: ids })],
    );
  }
  await platform.rules.engine.reloadAll();
  const url = `mqtt://127.0.0.1:${platform.mqttPort}`;
  const rate = (r: LoadResult) => r.msgs / r.seconds;
  // Each load connects every device again: let the broker's connection burst per address refill.
  const refill = () => new Promise((r) => setTimeout(r, Math.ceil((D / 20) * 1000) + 1000));
  await refill();
  progress(`platform with ${platform.rules.engine.count()} active rules on every device...`);
  const ruled = await runLoad({ ...job, url, devices, label: 'platform+rules' });
  progress(`with rules: ${Math.round(rate(ruled))} msg/s, p99 ${ruled.p99.toFixed(1)} ms`);
  await platform.db.sql.query('DELETE FROM rules WHERE org_id = $1', [orgId]);
  await platform.rules.engine.reloadAll();
  await refill();
  progress('platform with no rules again...');
  const again = await runLoad({ ...job, url, devices, label: 'platform again' });
  progress(`no rules again: ${Math.round(rate(again))} msg/s, p99 ${again.p99.toFixed(1)} ms`);
  const none = (rate(first) + rate(again)) / 2;
  return {
    rules: RULES,
    rules_msgs_per_s: Math.round(rate(ruled)),
    rules_p99_ms: Number(ruled.p99.toFixed(2)),
    no_rules_again_msgs_per_s: Math.round(rate(again)),
    rules_cost_pct: Number((100 * (1 - rate(ruled) / none)).toFixed(1)),
  };
}

const BASELINE_START = Date.parse('2025-01-01T00:00:00Z');
let writerStart = Date.parse('2024-01-01T00:00:00Z');

/**
 * Seconds the platform's own writer takes to commit `rows` readings handed to it directly (durable,
 * K a message, the bench's devices in turn), marked as resends or not.
 */
async function writerAlone(platform: Bench, devices: { id: string }[], rows: number, resend: boolean) {
  progress(`the writer alone${resend ? ', every batch skipping stored readings' : ''}...`);
  const w = platform.writer;
  const base = writerStart;
  writerStart += rows; // the next run's readings are new ones
  const t0 = performance.now();
  const committed: Promise<void>[] = [];
  for (let i = 0; i * K < rows; i++) {
    if (w.saturated) await w.drained();
    const r: Readings = { time: [], metric: [], value: [], bool: [], text: [] };
    for (let k = 0; k < K; k++) {
      r.time.push((base + i) * 1000);
      r.metric.push(`m${k}`);
      r.value.push(i % 1000);
      r.bool.push(null);
      r.text.push(null);
    }
    committed.push(w.write(devices[i % D]!.id, r, true, resend));
  }
  await Promise.all(committed);
  return (performance.now() - t0) / 1000;
}

/** Seconds a raw COPY of `rows` rows into the telemetry table takes on the server. */
async function rawCopy(url: string, rows: number): Promise<number> {
  progress('baseline: raw COPY of the same number of rows into the same table...');
  const copyDevices = Array.from({ length: D }, () => randomUUID());
  const sql = postgres(url, { max: 1 });
  const t0 = performance.now();
  const stream = await sql`COPY telemetry (time, device_id, metric, value) FROM STDIN`.writable();
  const CHUNK = 10_000;
  for (let i = 0; i < rows; i += CHUNK) {
    let text = '';
    for (let j = i; j < Math.min(rows, i + CHUNK); j++) {
      text += `${new Date(BASELINE_START + j).toISOString()}\t${copyDevices[j % D]}\tm${j % K}\t${j % 1000}\n`;
    }
    if (!stream.write(text)) await new Promise((r) => stream.once('drain', r));
  }
  await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
  const seconds = (performance.now() - t0) / 1000;
  await sql.end();
  return seconds;
}

/** Seconds the same rows take as bare multi-row INSERTs (10,000 a statement) on the embedded database. */
async function bareInserts(platform: Bench, rows: number): Promise<number> {
  progress('baseline: bare SQL inserts of the same number of rows into the same table...');
  const copyDevices = Array.from({ length: D }, () => randomUUID());
  const t0 = performance.now();
  const CHUNK = 10_000;
  for (let i = 0; i < rows; i += CHUNK) {
    const n = Math.min(rows, i + CHUNK) - i;
    const at = (f: (j: number) => string | number) => Array.from({ length: n }, (_, k) => f(i + k));
    await platform.db.sql.query(
      `INSERT INTO telemetry (time, device_id, metric, value)
       SELECT * FROM unnest($1::timestamptz[], $2::uuid[], $3::text[], $4::float8[])`,
      [
        at((j) => new Date(BASELINE_START + j).toISOString()),
        at((j) => copyDevices[j % D]!),
        at((j) => `m${j % K}`),
        at((j) => j % 1000),
      ],
    );
  }
  return (performance.now() - t0) / 1000;
}

await main();

/** A comma-separated choice of `allowed` keys, as their values; exits listing the allowed ones otherwise. */
function list<T>(given: string, allowed: Record<string, T>): T[] {
  const out = given.split(',').map((g) => g.trim());
  const bad = out.filter((g) => !Object.hasOwn(allowed, g));
  if (bad.length) {
    process.stderr.write(`${bad.join(', ')}: not one of ${Object.keys(allowed).join(', ')}\n`);
    process.exit(2);
  }
  return out.map((g) => allowed[g]!);
}
