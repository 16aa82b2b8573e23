/**
 * `npm run bench:cluster`: the same MQTT load against the three ways the platform can run, in one
 * run, beside Mosquitto relaying the same load with no storage:
 *   single:    one all-in-one node (every role, direct ingest, no NATS);
 *   haproxy:   two `broker,api,worker` nodes behind HAProxy (deploy/haproxy.cfg bound to local
 *              ports, PROXY protocol on MQTT), the load through HAProxy's MQTT port;
 *   jetstream: INGEST=jetstream, one `broker` node taking the load and one `api,writer,worker` node
 *              storing what the stream holds.
 * For each: msg/s and p50/p99 PUBACK latency (done when every PUBACK is in), how long after the last
 * PUBACK the database holds every row, and bus messages per device message. On a machine with few
 * cores more nodes are not faster: the figures show what the cluster path costs, not a speed-up.
 *
 * Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test; each setup gets a
 * scratch database on that server, dropped after), NATS_URL (nats://127.0.0.1:4222), BENCH_DEVICES
 * (50), BENCH_MESSAGES (total, 20000), BENCH_READINGS (3 per message), BENCH_INFLIGHT (64 per
 * client), MOSQUITTO_URL (mqtt://127.0.0.1:1883). Progress goes to stderr; stdout has a table, then
 * the JSON result as its last line.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@iotp/db/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect as connectNats } from '@nats-io/transport-node';
import postgres from 'postgres';
import { freePort, localHaproxy, startHaproxy } from '../haproxy.ts';
import { apiClient } from '../helpers.ts';
import { type Account, type Ready, setUp, startProcess } from '../process.ts';
import { reachable, runLoad } from './run-load.ts';
import { progressTo, scratchDatabase } from './scratch.ts';

const env = process.env;
const SERVER = env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NATS_URL = env.NATS_URL ?? 'nats://127.0.0.1:4222';
const D = Number(env.BENCH_DEVICES ?? 50);
const M = Number(env.BENCH_MESSAGES ?? 20_000);
const K = Number(env.BENCH_READINGS ?? 3);
const INFLIGHT = Number(env.BENCH_INFLIGHT ?? 64);
const MOSQUITTO = env.MOSQUITTO_URL ?? 'mqtt://127.0.0.1:1883';
const ROOT = new URL('../..', import.meta.url).pathname;
const perDevice = Math.ceil(M / D);
const job = { perDevice, readings: K, inflight: INFLIGHT, qos: 1 } as const;
const progress = progressTo('cluster');

/**
 * The counters of what crosses NATS, summed over labels. All are counted by the platform itself,
 * one per application message, not per packet on the wire:
 * - telemetry_stream_published_total: device messages a broker published to the telemetry stream
 *   (INGEST=jetstream), each a JetStream publish that JetStream answers with a PubAck;
 * - telemetry_stream_consumed_total: messages a writer took from the stream (stored, retried or
 *   invalid), each delivered by JetStream and then acknowledged by the writer;
 * - cluster_device_messages_total: messages to devices that went through the node that holds the
 *   device (a NATS request and its answer when remote; `local` counted too, crossing no bus);
 * - cluster_disconnect_orders_total: orders to drop connections, published to every node.
 * Device telemetry with direct ingest crosses no bus, so with HAProxy this stays near 0: the cost of
 * that path is the extra hop through HAProxy, seen in the latencies.
 */
const BUS_COUNTERS = [
  'telemetry_stream_published_total',
  'telemetry_stream_consumed_total',
  'cluster_device_messages_total',
  'cluster_disconnect_orders_total',
] as const;
type BusCounts = Record<(typeof BUS_COUNTERS)[number], number>;

async function busCounts(nodes: Ready[]): Promise<BusCounts> {
  const counts = Object.fromEntries(BUS_COUNTERS.map((c) => [c, 0])) as BusCounts;
  for (const node of nodes) {
    const text = await (await fetch(`${node.http}/metrics`)).text();
    for (const line of text.split('\n')) {
      const m = /^(\w+)(?:\{[^}]*\})? (\S+)$/.exec(line);
      if (m && m[1]! in counts) counts[m[1] as keyof BusCounts] += Number(m[2]);
    }
  }
  return counts;
}

interface Setup {
  /** Where the devices connect. */
  mqttUrl: string;
  /** Every node, for /metrics. */
  nodes: Ready[];
  /** A node with the api role, for creating the account and devices. */
  api: Ready;
}

/** Stops in reverse order of starting; each step runs even if an earlier one failed. */
class Cleanup {
  private steps: [string, () => unknown][] = [];
  add(what: string, step: () => unknown) {
    this.steps.push([what, step]);
  }
  async run() {
    for (const [what, step] of this.steps.reverse()) {
      try {
        await step();
      } catch (err) {
        progress(`cleanup: ${what} failed: ${(err as Error).message}`);
      }
    }
    this.steps = [];
  }
}

/** Starts one setup's processes on a fresh scratch database; `cleanup` stops them and drops it. */
async function startSetup(name: string, dbUrl: string, dir: string, cleanup: Cleanup): Promise<Setup> {
  const node = (extra: Record<string, string>, data: string) => {
    const p = startProcess({ DATABASE_URL: dbUrl, MQTT_HOST: '127.0.0.1', DATA_DIR: join(dir, data), ...extra });
    cleanup.add(`node ${data}`, () => (p.alive ? p.stop() : undefined));
    return p;
  };
  if (name === 'single') {
    const ready = await node({}, 'single').ready;
    return { mqttUrl: `mqtt://127.0.0.1:${ready.mqttPort}`, nodes: [ready], api: ready };
  }
  if (name === 'haproxy') {
    const common = {
      ROLES: 'broker,api,worker',
      NATS_URL,
      MQTT_PROXY_PROTOCOL: 'true',
      TRUSTED_PROXIES: '127.0.0.1',
    };
    // The first node migrates the database; the second starts on it.
    const first = await node(common, 'n1').ready;
    const second = await node(common, 'n2').ready;
    const ports = { mqtt: await freePort(), http: await freePort() };
    const cfg = localHaproxy(await readFile(join(ROOT, 'deploy/haproxy.cfg'), 'utf8'), ports, [
      { name: 'n1', ready: first },
      { name: 'n2', ready: second },
    ]);
    const lb = await startHaproxy(cfg, dir);
    cleanup.add('haproxy', () => lb.stop());
    // The brokers' backend checks at the same pace as the APIs' one that startHaproxy waited for:
    // a moment more so that both nodes are in rotation when the devices arrive.
    await new Promise((r) => setTimeout(r, 1000));
    return { mqttUrl: `mqtt://127.0.0.1:${ports.mqtt}`, nodes: [first, second], api: first };
  }
  // Its own stream: other runs on this NATS server never meet it.
  const stream = `IOTP_BENCH_${randomBytes(4).toString('hex').toUpperCase()}`;
  cleanup.add(`stream ${stream}`, async () => {
    const nc = await connectNats({ servers: NATS_URL });
    await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
    await nc.close();
  });
  const common = { NATS_URL, INGEST: 'jetstream', INGEST_STREAM: stream };
  // The writer node migrates the database first; the broker starts on it.
  const writer = await node({ ...common, ROLES: 'api,writer,worker' }, 'writer').ready;
  const broker = await node({ ...common, ROLES: 'broker' }, 'broker').ready;
  return { mqttUrl: `mqtt://127.0.0.1:${broker.mqttPort}`, nodes: [broker, writer], api: writer };
}

/** `n` devices in the account's organization, created through the API as a user does. */
async function createDevices(ready: Ready, account: Account, n: number) {
  const api = apiClient({ httpPort: Number(new URL(ready.http).port) });
  api.token = (
    await api.call('POST', '/v1/auth/login', { email: account.email, password: account.password })
  ).body.access_token;
  const devices: { id: string; secret: string }[] = [];
  for (let i = 0; i < n; i++) {
    const res = await api.call('POST', `/v1/orgs/${account.org}/devices`, { name: `bench-${i}` });
    if (res.status !== 201) throw new Error(`creating a device answered ${res.status}: ${JSON.stringify(res.body)}`);
    devices.push({ id: res.body.id, secret: res.body.mqtt.password });
  }
  return devices;
}

interface Figures {
  setup: string;
  msgs: number;
  msgs_per_s: number;
  p50_ms: number;
  p99_ms: number;
  /**
   * Seconds from the load generator's report (every PUBACK in, its clients disconnected) until the
   * database held every row; null if it never did within 5 minutes.
   */
  rows_stored_after_s: number | null;
  rows_stored: number;
  rows_expected: number;
  bus_msgs_per_device_msg: number | null;
  bus: BusCounts | null;
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

async function measure(name: string): Promise<Figures> {
  const cleanup = new Cleanup();
  try {
    const scratch = await scratchDatabase(SERVER, `bench_cluster_${name}`);
    cleanup.add('scratch database', () => scratch.drop());
    const dir = await tempDir();
    cleanup.add('data directory', () => dir.remove());
    progress(`${name}: starting...`);
    const setup = await startSetup(name, scratch.url, dir.path, cleanup);
    const account = await setUp(setup.api, 0);
    const sql = postgres(scratch.url, { max: 1, onnotice: () => undefined });
    cleanup.add('database connection', () => sql.end());
    // The bench measures the platform, not the free plan's limits (devices, daily messages).
    await sql`INSERT INTO billing_accounts (org_id, plan) VALUES (${account.org}, 'enterprise')`;
    const devices = await createDevices(setup.api, account, D);

    const before = await busCounts(setup.nodes);
    progress(`${name}: loading through ${setup.mqttUrl}...`);
    const load = await runLoad({ ...job, url: setup.mqttUrl, devices, label: name });
    const acked = performance.now();
    const expected = load.msgs * K;
    let stored = 0;
    let storedAfter: number | null = null;
    const deadline = acked + 300_000;
    while (performance.now() < deadline) {
      [{ n: stored }] = (await sql`SELECT count(*)::int AS n FROM telemetry`) as unknown as [{ n: number }];
      if (stored >= expected) {
        storedAfter = (performance.now() - acked) / 1000;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const after = await busCounts(setup.nodes);
    const bus = Object.fromEntries(BUS_COUNTERS.map((c) => [c, after[c] - before[c]])) as BusCounts;
    const total = Object.values(bus).reduce((a, b) => a + b, 0);
    const figures: Figures = {
      setup: name,
      msgs: load.msgs,
      msgs_per_s: Math.round(load.msgs / load.seconds),
      p50_ms: round(load.p50),
      p99_ms: round(load.p99),
      rows_stored_after_s: storedAfter === null ? null : round(storedAfter),
      rows_stored: stored,
      rows_expected: expected,
      bus_msgs_per_device_msg: round(total / load.msgs, 3),
      bus,
    };
    progress(
      `${name}: ${figures.msgs_per_s} msg/s, p50 ${figures.p50_ms} ms, p99 ${figures.p99_ms} ms, ` +
        `every row stored ${storedAfter === null ? 'NEVER' : `${figures.rows_stored_after_s} s`} after the last PUBACK`,
    );
    if (stored !== expected) progress(`${name}: LOST OR DOUBLED ROWS: stored ${stored}, expected ${expected}`);
    return figures;
  } finally {
    await cleanup.run();
  }
}

async function mosquitto(): Promise<Figures | null> {
  if (!(await reachable(MOSQUITTO))) {
    progress(`Mosquitto not reachable at ${MOSQUITTO}: baseline skipped`);
    return null;
  }
  progress(`baseline: Mosquitto at ${MOSQUITTO} relaying the same load...`);
  const run = randomBytes(4).toString('hex');
  const devices = Array.from({ length: D }, (_, i) => ({ id: `bench-${run}-${i}` }));
  const load = await runLoad({ ...job, url: MOSQUITTO, devices, label: 'mosquitto' });
  progress(`baseline Mosquitto: ${Math.round(load.msgs / load.seconds)} msg/s`);
  return {
    setup: 'mosquitto',
    msgs: load.msgs,
    msgs_per_s: Math.round(load.msgs / load.seconds),
    p50_ms: round(load.p50),
    p99_ms: round(load.p99),
    rows_stored_after_s: null,
    rows_stored: 0,
    rows_expected: 0,
    bus_msgs_per_device_msg: null,
    bus: null,
  };
}

function table(rows: Figures[]): string {
  const head = ['setup', 'msg/s', 'p50 ms', 'p99 ms', 'rows stored after', 'bus msgs / device msg'];
  const body = rows.map((r) => [
    r.setup,
    String(r.msgs_per_s),
    r.p50_ms.toFixed(2),
    r.p99_ms.toFixed(2),
    r.setup === 'mosquitto' ? '(no storage)' : r.rows_stored_after_s === null ? 'never' : `+${r.rows_stored_after_s} s`,
    r.bus_msgs_per_device_msg === null ? '-' : String(r.bus_msgs_per_device_msg),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)));
  return [line(head).join('  '), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map((b) => line(b).join('  '))]
    .map((l) => `${l}\n`)
    .join('');
}

async function main() {
  progress(`${D} devices x ${perDevice} messages x ${K} readings, QoS 1, ${INFLIGHT} in flight per client`);
  const rows: Figures[] = [];
  for (const name of ['single', 'haproxy', 'jetstream']) rows.push(await measure(name));
  const baseline = await mosquitto();
  if (baseline) rows.push(baseline);
  process.stdout.write(
    `\n${D} devices, ${perDevice} QoS 1 messages each, ${K} readings per message, ${INFLIGHT} in flight per client\n`,
  );
  process.stdout.write(table(rows));
  const result = {
    bench: 'cluster',
    devices: D,
    messages: rows[0]!.msgs,
    readings_per_message: K,
    qos: 1,
    inflight: INFLIGHT,
    setups: rows.filter((r) => r.setup !== 'mosquitto'),
    baseline_mosquitto_msgs_per_s: baseline?.msgs_per_s ?? null,
    baseline_mosquitto_p50_ms: baseline?.p50_ms ?? null,
    baseline_mosquitto_p99_ms: baseline?.p99_ms ?? null,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (rows.some((r) => r.rows_stored !== r.rows_expected)) process.exitCode = 1;
}

await main();
