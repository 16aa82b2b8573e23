/**
 * `npm run bench:connections`: many idle devices on one node. Connects BENCH_CONNECTIONS devices
 * (default 10,000; up to what the file-descriptor limit allows, which the npm script raises) with
 * keepalive, and reports the connect-and-authenticate rate, the broker's memory per connection
 * (resident set growth over the connections, and the steadier growth of its heap used after a full
 * collection, asked for through heap-probe.mjs) and its event-loop delay while they idle, beside
 * Mosquitto holding the same connections with a password file, measured in the same run, in
 * BENCH_ROUNDS (2) alternating pairs of rounds; the ratio is the mean of the pairs' ratios. Each
 * broker's CPU time per connect is reported too, and the clients' (where theirs is much more, they
 * bound the rate): on a shared machine these hold still when rates do not. So does the count of the
 * database's transactions (each statement outside a transaction is one) per connect, from
 * pg_stat_database, which a server reports within seconds, and the CPU time of the machine's
 * `postgres` processes per connect (a local server's); idle work of the platform counts in too.
 *
 * The platform runs as `npm start` does, in its own process on a scratch database of DATABASE_URL's
 * server (default the local PostgreSQL); the clients run in BENCH_CLIENT_PROCESSES child processes
 * (4). Mosquitto (the `mosquitto` binary) is started on a free port for the run. Progress goes to
 * stderr; the last stdout line is the JSON result.
 */
import { type ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { newDeviceSecret } from '@iotp/broker';
import { tempDir } from '@iotp/db/testing';
import postgres from 'postgres';
import { startProcess } from '../process.ts';
import { cpuMeter, cpuSeconds } from './cpu.ts';
import type { IdleJob, IdleReport } from './idle-clients.ts';
import { progressTo, scratchDatabase } from './scratch.ts';

const env = process.env;
const SERVER = env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const N = Number(env.BENCH_CONNECTIONS ?? 10_000);
const PROCESSES = Number(env.BENCH_CLIENT_PROCESSES ?? 4);
const CONCURRENCY = Number(env.BENCH_CONNECT_CONCURRENCY ?? 100);
const IDLE_S = Number(env.BENCH_IDLE_S ?? 10);
const ROUNDS = Number(env.BENCH_ROUNDS ?? 2);
const KEEPALIVE_S = 60;
const progress = progressTo('connections');

type Device = { id: string; secret: string; hash: string };

/** CPU time a process has used so far (ms, user and system): unlike a rate, it does not depend on
 * what else the machine runs meanwhile. */
const cpuMs = (pid: number) => cpuSeconds(pid) * 1000;

/** Resident set size of a process (bytes), from /proc. */
function rss(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
  return Number(line?.[1] ?? 0) * 1024;
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The platform's heap used after a full collection (bytes), written by heap-probe.mjs on SIGUSR2. */
async function heapUsed(pid: number, file: string): Promise<number> {
  rmSync(file, { force: true });
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 100 && !existsSync(file); i++) await settle(50);
  return (JSON.parse(readFileSync(file, 'utf8')) as NodeJS.MemoryUsage).heapUsed;
}

/**
 * Transactions the database has committed or rolled back so far, once the count holds still for a
 * second: a backend reports its counts when idle, at most once a second, and within ten at the latest.
 */
async function transactions(sql: postgres.Sql, db: string): Promise<number> {
  const read = async () => {
    const [row] = await sql<{ n: string }[]>`
      SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = ${db}`;
    return Number(row?.n ?? 0);
  };
  let last = await read();
  for (let i = 0; i < 12; i++) {
    await settle(1000);
    const now = await read();
    if (now === last) break;
    last = now;
  }
  return last;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** Connects the devices from PROCESSES children; resolves once all have tried, with a `close()`. */
async function connectAll(url: string, devices: Device[]) {
  const children: ChildProcess[] = [];
  const reports = await Promise.all(
    Array.from({ length: PROCESSES }, (_, i) => {
      const slice = devices.filter((_, j) => j % PROCESSES === i);
      const child = fork(new URL('./idle-clients.ts', import.meta.url), {
        execArgv: ['--conditions=@iotp/source', '--import', 'tsx'],
      });
      children.push(child);
      const job: IdleJob = {
        url,
        devices: slice,
        concurrency: Math.ceil(CONCURRENCY / PROCESSES),
        keepaliveS: KEEPALIVE_S,
      };
      child.send(job);
      return new Promise<IdleReport>((resolve, reject) => {
        child.once('message', (r) => resolve(r as IdleReport));
        child.once('exit', (code) => reject(new Error(`idle clients exited ${code}`)));
      });
    }),
  );
  // From the children's own clocks: their start-up is not connecting.
  const seconds = Math.max(...reports.map((r) => r.seconds));
  const connected = reports.reduce((n, r) => n + r.connected, 0);
  const failed = reports.reduce((n, r) => n + r.failed, 0);
  // What the load costs the clients: where it is much more than the broker's, the clients bound the rate.
  const clientCpuMs = reports.reduce((n, r) => n + r.cpuMs, 0);
  const firstError = reports.find((r) => r.firstError)?.firstError;
  return {
    connected,
    failed,
    firstError,
    seconds,
    rate: Math.round(connected / seconds),
    clientCpuPerConnect: clientCpuMs / Math.max(1, connected),
    async close() {
      await Promise.all(
        children.map((c) => {
          c.removeAllListeners('exit');
          const gone = new Promise((r) => c.once('exit', r));
          c.send('close');
          return gone;
        }),
      );
    },
  };
}

/** The event-loop delay p99 (ms) over the idle period, from the platform's Prometheus metrics. */
async function idleLag(http: string): Promise<number> {
  await fetch(`${http}/metrics`).then((r) => r.text()); // resets prom-client's delay histogram
  await settle(IDLE_S * 1000);
  const text = await fetch(`${http}/metrics`).then((r) => r.text());
  const p99 = text.match(/^nodejs_eventloop_lag_p99_seconds (\S+)/m)?.[1];
  return Number((Number(p99 ?? Number.NaN) * 1000).toFixed(2));
}

async function platformFigures(devices: Device[]) {
  const scratch = await scratchDatabase(SERVER, 'benchc');
  const dir = await tempDir();
  const sql = postgres(scratch.url, { max: 1, onnotice: () => undefined });
  // Read from the server's own database: reads from the scratch one would count themselves.
  const stats = postgres(SERVER, { max: 1, onnotice: () => undefined });
  const heapFile = `${dir.path}/heap.json`;
  // Bench-only: the platform's heap after a full collection, on request (heap-probe.mjs).
  const probe = new URL('./heap-probe.mjs', import.meta.url).pathname;
  process.env.CHILD_NODE_ARGS = `${env.CHILD_NODE_ARGS ?? ''} --expose-gc --import ${probe}`;
  const platform = startProcess({
    BENCH_HEAP_FILE: heapFile,
    DATABASE_URL: scratch.url,
    DATA_DIR: dir.path,
    MQTT_HOST: '127.0.0.1',
    HTTP_HOST: '127.0.0.1',
    // Every client comes from 127.0.0.1: the per-address connect limit would measure itself.
    MQTT_CONNECT_RATE_PER_S: String(N * 10),
    MQTT_CONNECT_BURST: String(N * 10),
    MQTT_KEEPALIVE_MAX_S: String(KEEPALIVE_S * 2),
  });
  try {
    const { http, mqttPort } = await platform.ready;
    const [org] = await sql<{ id: string }[]>`INSERT INTO organizations (name) VALUES ('bench') RETURNING id`;
    await sql`INSERT INTO billing_accounts (org_id, plan) VALUES (${org!.id}, 'enterprise')`;
    for (let i = 0; i < devices.length; i += 1000) {
      const rows = devices.slice(i, i + 1000);
      const hashes = rows.map((d) => d.hash);
      const names = rows.map((_, j) => `idle-${i + j}`);
      const inserted = await sql<{ id: string }[]>`
        INSERT INTO devices (org_id, name, secret_hash)
        SELECT ${org!.id}, n, h FROM unnest(${sql.array(names)}::text[], ${sql.array(hashes)}::text[]) AS t(n, h)
        RETURNING id`;
      inserted.forEach((r, j) => {
        rows[j]!.id = r.id;
      });
    }
    await settle(2000);
    const db = new URL(scratch.url).pathname.slice(1);
    const xactsBefore = await transactions(stats, db);
    const heapBefore = await heapUsed(platform.child.pid!, heapFile);
    const before = rss(platform.child.pid!);
    const cpuBefore = cpuMs(platform.child.pid!);
    const database = cpuMeter({ postgres: 'postgres' });
    progress(`platform: connecting ${devices.length} devices...`);
    const run = await connectAll(`mqtt://127.0.0.1:${mqttPort}`, devices);
    const cpu = cpuMs(platform.child.pid!) - cpuBefore;
    const dbCpu = database.used().postgres! * 1000;
    progress(`platform: ${run.connected} connected (${run.failed} failed) at ${run.rate}/s; idling ${IDLE_S} s...`);
    if (run.firstError) progress(`platform: first failure: ${run.firstError}`);
    const lag = await idleLag(http);
    const after = rss(platform.child.pid!);
    const heapAfter = await heapUsed(platform.child.pid!, heapFile);
    const xacts = (await transactions(stats, db)) - xactsBefore;
    await run.close();
    return {
      ...run,
      bytesPerConnection: Math.round((after - before) / Math.max(1, run.connected)),
      heapBytesPerConnection: Math.round((heapAfter - heapBefore) / Math.max(1, run.connected)),
      xactsPerConnect: xacts / Math.max(1, run.connected),
      cpuPerConnect: cpu / Math.max(1, run.connected),
      dbCpuPerConnect: dbCpu / Math.max(1, run.connected),
      lagP99: lag,
      rss: after,
    };
  } finally {
    await sql.end();
    await stats.end();
    platform.child.kill('SIGTERM');
    await platform.exited;
    await scratch.drop();
    await dir.remove();
  }
}

async function mosquittoFigures(devices: Device[]) {
  const dir = await tempDir();
  const port = await freePort();
  // Plain text, then hashed in place by mosquitto_passwd -U, as an operator provisions it.
  writeFileSync(`${dir.path}/passwd`, devices.map((d) => `${d.id}:${d.secret}\n`).join(''));
  execFileSync('mosquitto_passwd', ['-U', `${dir.path}/passwd`]);
  writeFileSync(
    `${dir.path}/mosquitto.conf`,
    `listener ${port} 127.0.0.1\nallow_anonymous false\npassword_file ${dir.path}/passwd\nmax_connections -1\npersistence false\nlog_dest stderr\n`,
  );
  // Started as root, Mosquitto drops to its own user, which must be able to read the files.
  chmodSync(dir.path, 0o755);
  chmodSync(`${dir.path}/passwd`, 0o644);
  const broker = spawn('mosquitto', ['-c', `${dir.path}/mosquitto.conf`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let said = '';
  broker.stderr.on('data', (d) => {
    said += d;
  });
  try {
    await settle(1000);
    if (broker.exitCode !== null) throw new Error(`mosquitto exited ${broker.exitCode}: ${said}`);
    const before = rss(broker.pid!);
    const cpuBefore = cpuMs(broker.pid!);
    progress(`mosquitto: connecting ${devices.length} devices...`);
    const run = await connectAll(`mqtt://127.0.0.1:${port}`, devices);
    const cpu = cpuMs(broker.pid!) - cpuBefore;
    progress(`mosquitto: ${run.connected} connected (${run.failed} failed) at ${run.rate}/s`);
    await settle(IDLE_S * 1000);
    const after = rss(broker.pid!);
    await run.close();
    return {
      ...run,
      bytesPerConnection: Math.round((after - before) / Math.max(1, run.connected)),
      cpuPerConnect: cpu / Math.max(1, run.connected),
    };
  } finally {
    broker.kill('SIGTERM');
    await dir.remove();
  }
}

async function main() {
  const devices = Array.from({ length: N }, () => {
    const { secret, hash } = newDeviceSecret();
    return { id: '', secret, hash };
  });
  // Alternated, each platform round on a fresh process and database: this machine's speed drifts
  // over minutes, so a pair of rounds run back to back compares better than one long run each.
  const pairs: {
    ours: Awaited<ReturnType<typeof platformFigures>>;
    mosquitto: Awaited<ReturnType<typeof mosquittoFigures>>;
  }[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    progress(`round ${round} of ${ROUNDS}`);
    const ours = await platformFigures(devices);
    const mosquitto = await mosquittoFigures(devices);
    pairs.push({ ours, mosquitto });
  }
  const ratios = pairs.map((p) => p.ours.rate / Math.max(1, p.mosquitto.rate));
  const mean = (f: (p: (typeof pairs)[number]) => number) => pairs.reduce((n, p) => n + f(p), 0) / pairs.length;
  const ours = pairs[0]!.ours;
  const result = {
    bench: 'connections',
    devices: N,
    rounds: ROUNDS,
    connected: Math.min(...pairs.map((p) => p.ours.connected)),
    failed: pairs.reduce((n, p) => n + p.ours.failed, 0),
    connects_per_s: Math.round(mean((p) => p.ours.rate)),
    connects_per_s_by_round: pairs.map((p) => p.ours.rate),
    // Memory and idle lag from the first round: later rounds measure the same code.
    bytes_per_connection: ours.bytesPerConnection,
    heap_bytes_per_connection: ours.heapBytesPerConnection,
    db_transactions_per_connect: Number(mean((p) => p.ours.xactsPerConnect).toFixed(3)),
    broker_cpu_ms_per_connect: Number(mean((p) => p.ours.cpuPerConnect).toFixed(3)),
    db_cpu_ms_per_connect: Number(mean((p) => p.ours.dbCpuPerConnect).toFixed(3)),
    client_cpu_ms_per_connect: Number(mean((p) => p.ours.clientCpuPerConnect).toFixed(3)),
    broker_rss_mb: Math.round(ours.rss / 1048576),
    idle_event_loop_lag_p99_ms: ours.lagP99,
    baseline_mosquitto_connected: Math.min(...pairs.map((p) => p.mosquitto.connected)),
    baseline_mosquitto_connects_per_s: Math.round(mean((p) => p.mosquitto.rate)),
    baseline_mosquitto_connects_per_s_by_round: pairs.map((p) => p.mosquitto.rate),
    baseline_mosquitto_bytes_per_connection: pairs[0]!.mosquitto.bytesPerConnection,
    baseline_mosquitto_cpu_ms_per_connect: Number(mean((p) => p.mosquitto.cpuPerConnect).toFixed(3)),
    baseline_mosquitto_client_cpu_ms_per_connect: Number(mean((p) => p.mosquitto.clientCpuPerConnect).toFixed(3)),
    connect_rate_vs_mosquitto: Number((ratios.reduce((n, r) => n + r, 0) / ratios.length).toFixed(2)),
    connect_rate_vs_mosquitto_by_round: ratios.map((r) => Number(r.toFixed(2))),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (result.failed) process.exitCode = 1;
}

await main();
