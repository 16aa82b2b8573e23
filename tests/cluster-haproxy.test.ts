import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { type Database, openDatabase } from '@iotp/db';
import { createTestDatabase, tempDir } from '@iotp/db/testing';
import mqtt, { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, localHaproxy, startHaproxy } from './haproxy.ts';
import { apiClient, creds, logger, until } from './helpers.ts';
import { signedFirmware, signingKey } from './ota-fixtures.ts';
import { type Account, setUp, startProcess } from './process.ts';
import { loadDevice, storedCounts } from './telemetry-load.ts';

/** Each start of a real process costs seconds, more on a busy machine. */
const SLOW = 180_000;
const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const ROOT = new URL('..', import.meta.url).pathname;

/** The fields these tests read from the API's answers. */
interface HttpBody {
  access_token?: string;
  data?: { address: string }[];
}

/** A JSON request from a chosen local address, as a client elsewhere on the network makes it. */
function httpFrom(
  localAddress: string,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
) {
  return new Promise<{ status: number; body: HttpBody }>((resolve, reject) => {
    const body = init.body === undefined ? undefined : JSON.stringify(init.body);
    const req = request(url, {
      method: init.method ?? 'GET',
      localAddress,
      headers: { 'content-type': 'application/json', ...init.headers },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d) => {
        text += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The production layout run for real: three nodes behind HAProxy (deploy/haproxy.cfg) with the
 * PROXY protocol on MQTT, on one PostgreSQL server and NATS.
 */
describe('a cluster behind HAProxy', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Database;
  const nodes: ReturnType<typeof startProcess>[] = [];
  let haproxy: Awaited<ReturnType<typeof startHaproxy>>;
  const ports = { mqtt: 0, http: 0 };
  let account: Account;

  beforeAll(async () => {
    dir = await tempDir();
    testDb = await createTestDatabase();
    db = await openDatabase({ url: testDb.url, dataDir: '/unused', poolSize: 2, logger });
    const common = {
      ROLES: 'broker,api,worker',
      DATABASE_URL: testDb.url,
      NATS_URL,
      MQTT_HOST: '127.0.0.1',
      MQTT_PROXY_PROTOCOL: 'true',
      TRUSTED_PROXIES: '127.0.0.1',
      OTA_TICK_MS: '100',
    };
    // The first node migrates the database; the others start on it.
    nodes.push(startProcess({ ...common, DATA_DIR: join(dir.path, 'n1') }));
    await nodes[0]!.ready;
    for (const name of ['n2', 'n3']) nodes.push(startProcess({ ...common, DATA_DIR: join(dir.path, name) }));
    const ready = await Promise.all(nodes.map((n) => n.ready));
    ports.mqtt = await freePort();
    ports.http = await freePort();
    const cfg = localHaproxy(
      await readFile(join(ROOT, 'deploy/haproxy.cfg'), 'utf8'),
      ports,
      ready.map((r, i) => ({ name: `n${i + 1}`, ready: r })),
    );
    haproxy = await startHaproxy(cfg, dir.path);
    account = await setUp({ http: `http://127.0.0.1:${ports.http}`, mqttPort: ports.mqtt }, 6);
    // Measured here: the platform under load, not the free plan's daily quota.
    await db.sql.query("INSERT INTO billing_accounts (org_id, plan) VALUES ($1, 'enterprise')", [account.org]);
  }, SLOW);
  afterAll(async () => {
    haproxy?.stop();
    await Promise.all(nodes.map((n) => (n.alive ? n.stop() : undefined)));
    await db?.close();
    await testDb?.drop();
    await dir?.remove();
  });

  it('sees the address of the device and of the HTTP client behind HAProxy, and believes no one else', async () => {
    const d = account.devices[0]!;
    const device = new MqttClient(
      () => tcpConnect({ host: '127.0.0.1', port: ports.mqtt, localAddress: '127.0.0.2' }),
      { ...creds(d), protocolVersion: 4, reconnectPeriod: 0 },
    );
    try {
      await new Promise((resolve) => device.once('connect', resolve));
      const api = apiClient({ httpPort: ports.http });
      api.token = (
        await api.call('POST', '/v1/auth/login', { email: account.email, password: account.password })
      ).body.access_token;
      const connections = await api.call('GET', `/v1/orgs/${account.org}/devices/${d.id}/connections`);
      expect(connections.body.data[0].address).toBe('127.0.0.2');
    } finally {
      await device.endAsync(true);
    }

    // Signed in from 127.0.0.3 through HAProxy, claiming another address: the session records the real one.
    const login = await httpFrom('127.0.0.3', `http://127.0.0.1:${ports.http}/v1/auth/login`, {
      method: 'POST',
      headers: { 'x-forwarded-for': '203.0.113.9' },
      body: { email: account.email, password: account.password },
    });
    expect(login.status).toBe(200);
    // Straight to a node, the header is nobody's word.
    const direct = await httpFrom('127.0.0.4', `${(await nodes[0]!.ready).http}/v1/me/sessions`, {
      headers: { authorization: `Bearer ${login.body.access_token}`, 'x-forwarded-for': '203.0.113.9' },
    });
    const addresses = direct.body.data?.map((s) => s.address);
    expect(addresses).toContain('127.0.0.3');
    expect(addresses).not.toContain('203.0.113.9');

    // A PROXY header from a peer that is not a trusted balancer drops the connection, counted.
    const liar = tcpConnect({ host: '127.0.0.1', port: (await nodes[0]!.ready).mqttPort, localAddress: '127.0.0.5' });
    liar.on('error', () => undefined);
    await once(liar, 'connect');
    liar.write('PROXY TCP4 198.51.100.1 127.0.0.1 5000 1883\r\n');
    await once(liar, 'close');
    const metrics = await (await fetch(`${(await nodes[0]!.ready).http}/metrics`)).text();
    expect(metrics).toMatch(/mqtt_rejects_total\{reason="proxy_header_untrusted"\} 1/);
  });

  it(
    'keeps a rollout to max_concurrent 2 while 20 devices spread over the three nodes report on it',
    async () => {
      const api = apiClient({ httpPort: ports.http });
      api.token = (
        await api.call('POST', '/v1/auth/login', { email: account.email, password: account.password })
      ).body.access_token;
      const base = `/v1/orgs/${account.org}`;
      const key = await signingKey(dir.path);
      expect((await api.call('POST', `${base}/ota/keys`, { name: 'ci', public_key: key.pem })).status).toBe(201);
      const fw = await signedFirmware(dir.path, key.privateKey, { version: '2.0.0' });
      const release = await api.call('POST', `${base}/ota/releases`, fw.manifest);
      const uploaded = await fetch(`http://127.0.0.1:${ports.http}${base}/ota/releases/${release.body.id}/artifact`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/octet-stream' },
        body: new Uint8Array(fw.bytes),
      });
      expect(uploaded.status).toBe(200);

      // Twenty devices through HAProxy, each updating as soon as it gets its job.
      const fleet: MqttClient[] = [];
      const ids = new Set<string>();
      try {
        for (let i = 0; i < 20; i++) {
          const created = await api.call('POST', `${base}/devices`, { name: `fleet${i}`, tags: ['fleet'] });
          expect(created.status, JSON.stringify(created.body)).toBe(201);
          const d = { id: created.body.id as string, secret: created.body.mqtt.password as string };
          ids.add(d.id);
          const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${ports.mqtt}`, {
            ...creds(d),
            protocolVersion: 4,
            reconnectPeriod: 0,
          });
          fleet.push(client);
          const report = (job: string, state: string) =>
            client.publishAsync(`devices/${d.id}/ota/status`, JSON.stringify({ job_id: job, state }), { qos: 1 });
          client.on('message', async (_topic, payload) => {
            const job = JSON.parse(payload.toString()) as { job_id: string; cancel?: boolean };
            if (job.cancel) return;
            for (const state of ['downloading', 'downloaded', 'verifying', 'installing', 'rebooting'])
              await report(job.job_id, state);
            await new Promise((r) => setTimeout(r, 50));
            await report(job.job_id, 'succeeded');
          });
          await client.subscribeAsync(`devices/${d.id}/ota/job`, { qos: 1 });
        }
        // leastconn spread them: every node holds some, so every node acts on the rollout.
        const holding = () =>
          nodes.filter((n) => n.logs(/device connected/).some((l) => ids.has(l.deviceId as string)));
        await until(() => holding().length === 3, 'devices on every node');

        const rollout = await api.call('POST', `${base}/ota/rollouts`, {
          release_id: release.body.id,
          target: { tags: ['fleet'] },
          max_concurrent: 2,
        });
        expect(rollout.status, JSON.stringify(rollout.body)).toBe(201);
        // Jobs under way, sampled from the database while every node's ticks and status reports act on it.
        let most = 0;
        await until(
          async () => {
            const [open] = await db.sql.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM ota_jobs WHERE rollout_id = $1
               AND state NOT IN ('succeeded', 'failed', 'rolled_back', 'cancelled')`,
              [rollout.body.id],
            );
            most = Math.max(most, open!.n);
            return (await api.call('GET', `${base}/ota/rollouts/${rollout.body.id}`)).body.status === 'completed';
          },
          'the rollout to complete',
          120_000,
        );
        expect(most).toBe(2);
        expect((await api.call('GET', `${base}/ota/rollouts/${rollout.body.id}`)).body.counts).toEqual({
          total: 20,
          succeeded: 20,
        });
      } finally {
        await Promise.all(fleet.map((c) => c.endAsync(true)));
      }
    },
    SLOW,
  );

  it(
    'loses and doubles nothing acknowledged when a node is killed mid-stream: its devices reconnect through HAProxy to the others',
    async () => {
      const load = account.devices.map((d) => loadDevice(`mqtt://127.0.0.1:${ports.mqtt}`, d));
      const acked = () => load.reduce((n, l) => n + l.acked.size, 0);
      let survivors = nodes;
      try {
        await until(() => acked() >= 300, 'readings acknowledged', 60_000);
        // leastconn spread the six devices over the three nodes (logs come up to 100 ms late): the
        // node killed is one that holds some.
        const ids = new Set(load.map((l) => l.id));
        const connectedTo = (n: (typeof nodes)[number]) =>
          n.logs(/device connected/).filter((l) => ids.has(l.deviceId as string));
        await until(
          () => new Set(nodes.flatMap((n) => connectedTo(n).map((l) => l.deviceId))).size === ids.size,
          'every device seen connected',
        );
        const victim = [nodes[1]!, nodes[2]!, nodes[0]!].find((n) => connectedTo(n).length > 0)!;
        survivors = nodes.filter((n) => n !== victim);
        const held = connectedTo(victim);
        const before = survivors.map((n) => n.logs(/device connected/).length);
        victim.child.kill('SIGKILL');
        await victim.exited;
        const atKill = acked();
        await until(() => acked() >= atKill + 600, 'acknowledgements after the kill', 60_000);
        await Promise.all(load.map((l) => l.drain()));
        // The killed node's devices came back on the others (whose logs are written up to 100 ms late).
        const others = () =>
          survivors.flatMap((n, i) =>
            n
              .logs(/device connected/)
              .slice(before[i])
              .map((l) => l.deviceId),
          );
        await until(() => held.every((l) => others().includes(l.deviceId)), 'the killed node’s devices on the others');
        for (const l of load) {
          expect(await storedCounts(db.sql, l)).toEqual({ 1: l.acked.size });
        }
      } finally {
        await Promise.all(load.map((l) => l.end()));
      }
      for (const n of survivors) expect(n.alive, n.output().stderr).toBe(true);
    },
    SLOW,
  );
});
