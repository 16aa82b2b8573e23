import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createTestDatabase, proxyToTestServer, tempDir } from '@iotp/db/testing';
import mqtt from 'mqtt';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, creds, until } from './helpers.ts';
import { type Account, type Ready, setUp, startProcess } from './process.ts';

/** Each start of a real process costs seconds, more on a busy machine. */
const SLOW = 300_000;
/** Generous deadlines for what a busy machine may take: polled, never a threshold. */
const PATIENCE = 120_000;
/** QoS 1 publishes each device keeps in flight: always some unacknowledged when the process dies. */
const WINDOW = 16;

type Run = ReturnType<typeof startProcess>;
type Sql = ReturnType<typeof postgres>;

/**
 * A free port outside the ephemeral range (where the kernel picks ports for outgoing connections):
 * the restarted process must listen where the devices' clients reconnect.
 */
async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const server = createServer();
    const free = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '0.0.0.0', () => resolve(true));
    });
    if (free) {
      await new Promise((resolve) => server.close(resolve));
      return port;
    }
  }
}

/** A counter or gauge from the process's /metrics, 0 when absent. */
async function scrape(ready: Ready, name: string): Promise<number> {
  const text = await (await fetch(`${ready.http}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

/**
 * A device streaming QoS 1 readings, each with its own timestamp, as fast as the platform
 * acknowledges them (`WINDOW` in flight). Once the connection drops it publishes nothing new; its
 * client (clean: false, same client id) reconnects by itself and resends what was unacknowledged.
 */
async function stream(port: number, device: Account['device'], base: number) {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    ...creds(device),
    clean: false,
    reconnectPeriod: 200,
    protocolVersion: 4,
  });
  const s = {
    device,
    client,
    /** This device's first timestamp: its readings are `base`, `base + 1`, ... */
    base,
    /** Timestamps published (ms), in order. */
    sent: [] as number[],
    /** Timestamps whose PUBACK arrived. */
    acked: new Set<number>(),
    /** Acknowledged while the first process lived. */
    ackedBeforeKill: [] as number[],
    /** In flight when the connection dropped: the client resends these. */
    unackedAtKill: undefined as number[] | undefined,
    errors: [] as Error[],
    publish(ts: number, keepGoing: boolean) {
      s.sent.push(ts);
      client.publish(`devices/${device.id}/telemetry`, JSON.stringify({ ts, seq: ts - base }), { qos: 1 }, (err) => {
        if (err) return void s.errors.push(err);
        s.acked.add(ts);
        if (keepGoing && s.unackedAtKill === undefined) s.publish(base + s.sent.length, true);
      });
    },
  };
  client.once('close', () => {
    s.ackedBeforeKill = [...s.acked];
    s.unackedAtKill = s.sent.filter((t) => !s.acked.has(t));
  });
  for (let i = 0; i < WINDOW; i++) s.publish(base + s.sent.length, true);
  return s;
}

/**
 * SIGKILL while devices stream QoS 1 readings, start again on the same data, let the devices
 * reconnect and finish: every acknowledged reading is stored once, and so is every resent one.
 */
async function killMidStream(o: {
  env: Record<string, string>;
  devices: number;
  /** The database the readings land in, for the process that serves it now. */
  openSql(ready: Ready): Sql;
}): Promise<Run> {
  const port = await freePort();
  const env = { ...o.env, MQTT_PORT: String(port) };
  const first = startProcess(env);
  const firstReady = await first.ready;
  // One more device, connected and quiet, that does not come back after the kill.
  const account = await setUp(firstReady, o.devices + 1);
  const gone = account.devices.pop()!;
  /** The quiet device as the platform at `http` shows it to its owner (signed in once): online, and its disconnects. */
  const goneOnline = async (http: string) => {
    const api = apiClient({ httpPort: Number(new URL(http).port) });
    await api.signIn(account.email, account.password);
    const online = async () => (await api.call('GET', `/v1/orgs/${account.org}/devices/${gone.id}`)).body.online;
    const path = `/v1/orgs/${account.org}/events?type=device.disconnected&subject_id=${gone.id}`;
    const disconnects = async () =>
      ((await api.call('GET', path)).body.data as { data?: { reason?: string } }[]).map((e) => e.data?.reason);
    return Object.assign(online, { disconnects });
  };
  const goneClient = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { ...creds(gone), reconnectPeriod: 0 });
  goneClient.on('error', () => undefined);
  const onFirst = await goneOnline(firstReady.http);
  await until(async () => (await onFirst()) === true, 'the quiet device online');
  // Recent past: inside every retention, never "in the future".
  const base = Date.now() - 3600_000;
  const streams = await Promise.all(account.devices.map((d, i) => stream(port, d, base + i * 1_000_000)));
  // Well into the stream, every device busy.
  await until(() => streams.every((s) => s.acked.size >= 50), 'readings acknowledged by the first process', PATIENCE);
  expect(await first.stop('SIGKILL')).toBeNull();
  await until(() => streams.every((s) => s.unackedAtKill !== undefined), 'every client to see the connection drop');
  for (const s of streams) expect(s.unackedAtKill!.length).toBeGreaterThan(0);

  const second = startProcess(env);
  const ready = await second.ready;
  // The killed process never wrote its disconnect: the new one, the only node, ends it on start.
  const onSecond = await goneOnline(ready.http);
  expect(await onSecond()).toBe(false);
  await until(async () => (await onSecond.disconnects()).length > 0, 'the quiet device’s disconnect event');
  expect(await onSecond.disconnects()).toEqual(['node_lost']);
  goneClient.end(true);
  // The clients reconnect and resend; then each device sends a few more and is done.
  await until(() => streams.every((s) => s.client.connected), 'every device to reconnect', PATIENCE);
  for (const s of streams) for (let i = 0; i < 5; i++) s.publish(s.base + s.sent.length, false);
  await until(() => streams.every((s) => s.acked.size === s.sent.length), 'every reading acknowledged', PATIENCE);
  await Promise.all(streams.map((s) => s.client.endAsync()));
  for (const s of streams) expect(s.errors).toEqual([]);

  const sql = o.openSql(ready);
  try {
    for (const s of streams) {
      const rows = await sql<{ ms: string; n: string }[]>`
        SELECT (extract(epoch FROM time) * 1000)::int8 AS ms, count(*) AS n
        FROM telemetry WHERE device_id = ${s.device.id} AND metric = 'seq' GROUP BY time ORDER BY time`;
      const stored = rows.map((r) => Number(r.ms));
      expect(rows.filter((r) => Number(r.n) !== 1)).toEqual([]);
      expect(s.ackedBeforeKill.filter((t) => !stored.includes(t))).toEqual([]);
      expect(s.unackedAtKill!.filter((t) => !stored.includes(t))).toEqual([]);
      expect(stored).toEqual([...s.sent].sort((a, b) => a - b));
    }
  } finally {
    await sql.end();
  }
  return second;
}

/** A scratch database on the server, reached through a proxy that can cut it off. */
async function databaseBehindProxy() {
  return { db: await createTestDatabase(), proxy: await proxyToTestServer() };
}

/** One spilled line as `Spill` writes it: a device's readings in columns, times in µs. */
function spillLine(deviceId: string, times: number[], metric: string): string {
  const r = {
    time: times.map((t) => t * 1000),
    metric: times.map(() => metric),
    value: times.map((_, i) => i),
    bool: times.map(() => null),
    text: times.map(() => null),
  };
  return `${JSON.stringify({ d: deviceId, r })}\n`;
}

const segments = async (dir: string) => (await readdir(dir)).filter((n) => /^spill-\d+\.ndjson$/.test(n)).sort();

describe('killed and started again', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  /** The process a test left running, killed after the file if still alive. */
  const running = new Set<Run>();
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    for (const run of running) run.child.kill('SIGKILL');
    await Promise.all([...running].map((r) => r.exited));
    await dir?.remove();
  });

  describe('on a PostgreSQL server', () => {
    let db: Awaited<ReturnType<typeof createTestDatabase>>;
    let proxy: Awaited<ReturnType<typeof proxyToTestServer>>;
    let env: Record<string, string>;
    let run: Run | undefined;
    beforeAll(async () => {
      ({ db, proxy } = await databaseBehindProxy());
      env = { DATABASE_URL: proxy.url(db.url), DATA_DIR: join(dir.path, 'server') };
    });
    afterAll(async () => {
      await proxy?.close();
      await db?.drop();
    });

    it(
      'stores every acknowledged QoS 1 reading once, and every resent one once, after a SIGKILL mid-stream',
      async () => {
        run = await killMidStream({ env, devices: 4, openSql: () => postgres(db.url, { max: 1 }) });
        running.add(run);
      },
      SLOW,
    );

    it(
      'replays QoS 0 readings spilled while the database was down after a SIGKILL, and reads a torn spill up to the cut',
      async () => {
        run ??= startProcess(env);
        running.add(run);
        const ready = await run.ready;
        // A device of its own (a second organization of the same user when the test above ran).
        const { device } = await setUp(ready);
        const { id } = device;
        const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${ready.mqttPort}`, {
          ...creds(device),
          reconnectPeriod: 0,
          protocolVersion: 4,
        });

        await proxy.cut();
        const base = Date.now() - 1800_000;
        const spilled = Array.from({ length: 40 }, (_, i) => base + i);
        for (const ts of spilled)
          await client.publishAsync(`devices/${id}/telemetry`, JSON.stringify({ ts, spilled: 1 }), { qos: 0 });
        await until(
          async () => (await scrape(ready, 'telemetry_spilled_rows_total')) >= spilled.length,
          'the readings to be spilled',
          PATIENCE,
        );
        expect((await fetch(`${ready.http}/readyz`)).status).toBe(503);
        client.end(true);
        expect(await run.stop('SIGKILL')).toBeNull();
        running.delete(run);

        // What the killed process left, and a segment whose last line a power loss cut short.
        const spillDir = join(env.DATA_DIR!, 'spill');
        const left = await segments(spillDir);
        const lines = (await Promise.all(left.map((n) => readFile(join(spillDir, n), 'utf8')))).join('').split('\n');
        expect(lines.filter(Boolean).reduce((rows, l) => rows + JSON.parse(l).r.time.length, 0)).toBe(spilled.length);
        const next = Number(/\d+/.exec(left.at(-1) ?? 'spill-000000')![0]) + 1;
        const whole = [base + 1000, base + 1001];
        const torn = spillLine(id, [base + 1002], 'spilled');
        await writeFile(
          join(spillDir, `spill-${String(next).padStart(6, '0')}.ndjson`),
          spillLine(id, [whole[0]!], 'spilled') + spillLine(id, [whole[1]!], 'spilled') + torn.slice(0, 40),
        );

        await proxy.restore();
        const again = startProcess(env);
        running.add(again);
        const readyAgain = await again.ready;
        const sql = postgres(db.url, { max: 1 });
        try {
          const stored = async () =>
            (
              await sql<{ ms: string; n: string }[]>`
                SELECT (extract(epoch FROM time) * 1000)::int8 AS ms, count(*) AS n FROM telemetry
                WHERE device_id = ${id} AND metric = 'spilled' GROUP BY time ORDER BY time`
            ).map((r) => ({ ms: Number(r.ms), n: Number(r.n) }));
          await until(
            async () => (await stored()).length >= spilled.length + whole.length,
            'the spill to be replayed',
            PATIENCE,
          );
          expect(await stored()).toEqual([...spilled, ...whole].map((ms) => ({ ms, n: 1 })));
        } finally {
          await sql.end();
        }
        expect(await scrape(readyAgain, 'telemetry_spill_skipped_lines_total')).toBe(1);
        await until(async () => (await segments(spillDir)).length === 0, 'replayed segments to be removed', PATIENCE);
        expect(await again.stop()).toBe(0);
        running.delete(again);
      },
      SLOW,
    );
  });

  describe('a node of a cluster', () => {
    let db: Awaited<ReturnType<typeof createTestDatabase>>;
    let proxy: Awaited<ReturnType<typeof proxyToTestServer>>;
    beforeAll(async () => {
      ({ db, proxy } = await databaseBehindProxy());
    });
    afterAll(async () => {
      await proxy?.close();
      await db?.drop();
    });

    it(
      'is found dead by the others, which mark its devices offline and keep their own online; one only stalled drops its devices, which connect again; a database outage kills nobody',
      async () => {
        const common = {
          DATABASE_URL: proxy.url(db.url),
          NATS_URL: process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222',
          // Short enough for a test, long enough that a busy machine's stall of a second or two sweeps nobody.
          BROKER_HEARTBEAT_MS: '500',
          BROKER_NODE_TIMEOUT_MS: '5000',
        };
        const doomed = startProcess({ ...common, DATA_DIR: join(dir.path, 'cluster-a') });
        running.add(doomed);
        const a = await doomed.ready;
        const account = await setUp(a, 2);
        const survivor = startProcess({ ...common, DATA_DIR: join(dir.path, 'cluster-b') });
        running.add(survivor);
        const b = await survivor.ready;
        const [onA, onB] = account.devices as [Account['device'], Account['device']];
        const clients = await Promise.all(
          [
            [a, onA],
            [b, onB],
          ].map(([ready, device]) =>
            // Reconnecting by itself, as devices do, to the node it knows.
            mqtt.connectAsync(`mqtt://127.0.0.1:${(ready as Ready).mqttPort}`, {
              ...creds(device as Account['device']),
              reconnectPeriod: 200,
            }),
          ),
        );
        let drops = 0;
        for (const c of clients) c.on('error', () => undefined).on('close', () => drops++);
        const api = apiClient({ httpPort: Number(new URL(b.http).port) });
        await api.signIn(account.email, account.password);
        const online = async (id: string) =>
          (await api.call('GET', `/v1/orgs/${account.org}/devices/${id}`)).body.online as boolean;
        await until(async () => (await online(onA.id)) && (await online(onB.id)), 'both devices online');

        // The database out of reach for longer than the timeout: every node's last beat is old when it
        // comes back, yet no live node is taken for dead, as the sweep waits until they could beat again.
        proxy.cut();
        await new Promise((resolve) => setTimeout(resolve, 7_000));
        proxy.restore();
        await until(
          async () => (await online(onA.id)) && (await online(onB.id)),
          'both devices online again',
          PATIENCE,
        );
        // Given the time to go wrong: a whole timeout and a few sweeps after the database is back.
        await new Promise((resolve) => setTimeout(resolve, 7_000));
        // Together, so a failure says whether a sweep took a live node for dead.
        expect({
          drops,
          lost: [await scrape(a, 'mqtt_lost_connections_total'), await scrape(b, 'mqtt_lost_connections_total')],
          online: await online(onA.id),
        }).toEqual({ drops: 0, lost: [0, 0], online: true });

        // Stalled (stopped) past the timeout, the node is taken for dead; going on, it learns so and drops
        // its devices, which connect again.
        doomed.child.kill('SIGSTOP');
        try {
          await until(async () => !(await online(onA.id)), 'the stalled node’s device offline', PATIENCE);
        } finally {
          doomed.child.kill('SIGCONT');
        }
        await until(async () => online(onA.id), 'the device online again once its node goes on', PATIENCE);
        expect(await online(onB.id)).toBe(true);
        expect(clients[1]!.connected).toBe(true);

        expect(await doomed.stop('SIGKILL')).toBeNull();
        running.delete(doomed);
        // Polled: the survivor sweeps once the dead node's last beat is BROKER_NODE_TIMEOUT_MS old.
        await until(async () => !(await online(onA.id)), 'the dead node’s device offline', PATIENCE);
        expect(await online(onB.id)).toBe(true);
        // Its connections closed too, in the history the API shows: the one the stall ended, and the one after.
        const history = await api.call('GET', `/v1/orgs/${account.org}/devices/${onA.id}/connections`);
        expect(history.body.data).toHaveLength(2);
        for (const row of history.body.data) expect(row.disconnected_at).not.toBeNull();
        // Webhooks and streams hear it went, as of any other disconnect: when stalled, when dropped, when killed.
        const lost = async () =>
          (await api.call('GET', `/v1/orgs/${account.org}/events?type=device.disconnected&subject_id=${onA.id}`)).body
            .data as { data?: { reason?: string } }[];
        await until(async () => (await lost()).length === 3, 'three device.disconnected events of the lost device');
        expect((await lost()).map((e) => e.data?.reason)).toEqual(['node_lost', undefined, 'node_lost']);
        expect(await scrape(b, 'mqtt_lost_connections_total')).toBe(2);

        for (const c of clients) c.end(true);
        expect(await survivor.stop()).toBe(0);
        running.delete(survivor);
      },
      SLOW,
    );
  });

  describe('on the embedded database', () => {
    it(
      'stores every acknowledged QoS 1 reading once, and every resent one once, after a SIGKILL mid-stream',
      async () => {
        const run = await killMidStream({
          env: { DATA_DIR: join(dir.path, 'embedded') },
          devices: 3,
          openSql: (ready) =>
            postgres({ host: '127.0.0.1', port: ready.wirePort!, username: 'postgres', database: 'postgres', max: 1 }),
        });
        running.add(run);
        expect(await run.stop()).toBe(0);
        running.delete(run);
      },
      SLOW,
    );
  });
});
