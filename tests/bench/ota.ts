/**
 * `npm run bench:ota`: how fast a rollout reaches a connected fleet, and how fast devices download,
 * each beside a baseline measured in the same run.
 *
 * - fan-out: BENCH_DEVICES (default 500) connected devices; one rollout to all of them; time until
 *   every device holds its job. Baseline: Mosquitto (127.0.0.1:1883) relaying one message of the
 *   same size to each of as many subscribers.
 * - download: BENCH_DOWNLOADS (8) clients (curl) fetch a BENCH_MB (16) MiB artifact at once through
 *   devices' signed URLs. Baseline: the same stored file from a bare Node HTTP server (pipe, no
 *   checks), fetched the same way.
 * - delta: bytes sent per device for a 50 MB image with BENCH_CHANGED (3) files changed, to a
 *   device on the base version (the delta) and to one on another version (the full image), and
 *   how long building and applying the delta take (see ota-delta.ts).
 * BENCH_PART=delta runs the delta part alone. Progress goes to stderr; the last stdout line is the
 * JSON result.
 */
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DeviceStore } from '@iotp/broker';
import { tempDir } from '@iotp/db/testing';
import { pack, signManifest } from '@iotp/firmware-tools';
import { keygen } from '@iotp/firmware-tools/keys';
import mqtt, { type MqttClient } from 'mqtt';
import { benchDelta } from './ota-delta.ts';
import { benchPlatform, progressTo } from './scratch.ts';

const env = process.env;
const SERVER = env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DEVICES = Number(env.BENCH_DEVICES ?? 500);
const DOWNLOADS = Number(env.BENCH_DOWNLOADS ?? 8);
const MB = Number(env.BENCH_MB ?? 16);
const PART = env.BENCH_PART ?? 'all';
const progress = progressTo('ota');
const run = promisify(execFile);

async function connectAll(
  url: string,
  opts: (i: number) => mqtt.IClientOptions,
  topic: (i: number) => string,
  count = DEVICES,
) {
  const clients: MqttClient[] = [];
  const received: Buffer[] = [];
  for (let i = 0; i < count; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, count - i) }, async (_, k) => {
        const c = await mqtt.connectAsync(url, { reconnectPeriod: 0, ...opts(i + k) });
        c.on('message', (_t, payload) => received.push(payload));
        await c.subscribeAsync(topic(i + k), { qos: 1 });
        clients.push(c);
      }),
    );
  }
  return { clients, received };
}

async function until(check: () => boolean) {
  while (!check()) await new Promise((r) => setTimeout(r, 5));
}

async function main() {
  // The whole simulated fleet connects from one address: lift the per-address connect limit.
  env.MQTT_CONNECT_RATE_PER_S ??= '100000';
  env.MQTT_CONNECT_BURST ??= '100000';
  const bench = await benchPlatform(SERVER, 'benchota');
  const { platform } = bench;
  const dir = await tempDir();
  const http = `http://127.0.0.1:${platform.httpPort}`;
  const call = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await fetch(`${http}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return res.json();
  };
  try {
    await call('POST', '/v1/auth/signup', { email: 'bench@example.com', password: 'correct horse battery' });
    const token = (
      await call('POST', '/v1/auth/login', { email: 'bench@example.com', password: 'correct horse battery' })
    ).access_token;
    const org = (await call('POST', '/v1/orgs', { name: 'Bench' }, token)).id;
    const base = `/v1/orgs/${org}`;
    // The bench measures the platform, not the free plan's limits.
    await platform.db.sql.query("INSERT INTO billing_accounts (org_id, plan) VALUES ($1, 'enterprise')", [org]);
    const key = await keygen(join(dir.path, 'bench'));
    await call('POST', `${base}/ota/keys`, { name: 'bench', public_key: await readFile(key.publicKey, 'utf8') }, token);
    const input = join(dir.path, 'fw.bin');
    await writeFile(input, Buffer.alloc(MB * 1024 * 1024, 7));
    const packed = await pack({ input, name: 'bench', version: '1.0.0', hardware: ['any'], outDir: dir.path });
    const manifest = await signManifest(packed.manifest, key.privateKey);
    const release = await call('POST', `${base}/ota/releases`, manifest, token);
    await fetch(`${http}${base}/ota/releases/${release.id}/artifact`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
      body: new Uint8Array(await readFile(packed.artifact)),
    });

    /** Fan-out to a connected fleet and concurrent downloads, each beside its baseline. */
    const fanoutAndDownloads = async () => {
      progress(`connecting ${DEVICES} devices`);
      const devices: { id: string; secret: string }[] = [];
      for (let i = 0; i < DEVICES; i++) devices.push(await store.create({ orgId: org, name: `d${i}` }));
      const fleet = await connectAll(
        `mqtt://127.0.0.1:${platform.mqttPort}`,
        (i) => ({ clientId: devices[i]!.id, username: devices[i]!.id, password: devices[i]!.secret }),
        (i) => `devices/${devices[i]!.id}/ota/job`,
      );
      await new Promise((r) => setTimeout(r, 500)); // subscriptions settle (pending-job lookups)
      const t0 = performance.now();
      const rollout = await call(
        'POST',
        `${base}/ota/rollouts`,
        { release_id: release.id, target: { device_ids: devices.map((d) => d.id) }, max_concurrent: DEVICES },
        token,
      );
      await until(() => fleet.received.length >= DEVICES);
      const fanoutMs = performance.now() - t0;
      progress(`fan-out to ${DEVICES} devices: ${fanoutMs.toFixed(0)} ms (rollout ${rollout.id})`);

      const mosquitto = await connectAll(
        'mqtt://127.0.0.1:1883',
        () => ({}),
        (i) => `bench-ota/${i}/ota/job`,
      );
      const publisher = await mqtt.connectAsync('mqtt://127.0.0.1:1883');
      const payload = JSON.stringify({ ...manifest, url: 'x'.repeat(400) });
      const m0 = performance.now();
      await Promise.all(
        Array.from({ length: DEVICES }, (_, i) =>
          publisher.publishAsync(`bench-ota/${i}/ota/job`, payload, { qos: 1 }),
        ),
      );
      await until(() => mosquitto.received.length >= DEVICES);
      const mosquittoMs = performance.now() - m0;
      for (const c of [...fleet.clients, ...mosquitto.clients, publisher]) c.end(true);

      progress(`${DOWNLOADS} downloads of ${MB} MiB`);
      // The signed URLs the devices got in their jobs.
      const urls = fleet.received.slice(0, DOWNLOADS).map((p) => (JSON.parse(p.toString()) as { url: string }).url);
      const bytes = MB * 1024 * 1024 * DOWNLOADS;
      // Clients in their own processes (curl), so the measure is the server's, not this process's.
      const fetchAll = async (list: string[]) => {
        const t = performance.now();
        await Promise.all(list.map((u) => run('curl', ['-sf', '-o', '/dev/null', u])));
        return (performance.now() - t) / 1000;
      };
      const downloadS = await fetchAll(urls);
      const stored = join(bench.dataDir, 'objects', `firmware/${org}/${release.id}/${manifest.artifact}`);
      const plain = createServer((_req, res) => createReadStream(stored).pipe(res));
      await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
      const plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/`;
      const fileS = await fetchAll(urls.map(() => plainUrl));
      plain.close();
      const mibs = (s: number) => Number((bytes / 1024 / 1024 / s).toFixed(1));
      return {
        devices: DEVICES,
        fanout_ms: Number(fanoutMs.toFixed(1)),
        baseline_mosquitto_fanout_ms: Number(mosquittoMs.toFixed(1)),
        downloads: DOWNLOADS,
        artifact_mib: MB,
        download_mib_per_s: mibs(downloadS),
        baseline_plain_http_mib_per_s: mibs(fileS),
      };
    };
    const store = new DeviceStore(platform.db);
    const results: Record<string, unknown> = {};
    if (PART !== 'delta') Object.assign(results, await fanoutAndDownloads());
    results.delta = await benchDelta({
      dir: dir.path,
      progress,
      publish: async (manifestPath) => {
        const m = JSON.parse(await readFile(manifestPath, 'utf8'));
        const created = await call('POST', `${base}/ota/releases`, m, token);
        for (const [part, file] of [
          ['artifact', m.artifact],
          ['delta', m.delta.artifact],
        ])
          await fetch(`${http}${base}/ota/releases/${created.id}/${part}`, {
            method: 'PUT',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
            body: new Uint8Array(await readFile(join(dir.path, file))),
          });
        return created.id;
      },
      jobsFor: async (releaseId, baseVersion) => {
        const pair = [
          await store.create({ orgId: org, name: 'on-base' }),
          await store.create({ orgId: org, name: 'other' }),
        ];
        await platform.db.sql.query('UPDATE devices SET firmware_version = $1 WHERE id = $2', [
          baseVersion,
          pair[0]!.id,
        ]);
        await platform.db.sql.query("UPDATE devices SET firmware_version = '0.9.0' WHERE id = $1", [pair[1]!.id]);
        const two = await connectAll(
          `mqtt://127.0.0.1:${platform.mqttPort}`,
          (i) => ({ clientId: pair[i]!.id, username: pair[i]!.id, password: pair[i]!.secret }),
          (i) => `devices/${pair[i]!.id}/ota/job`,
          2,
        );
        await call(
          'POST',
          `${base}/ota/rollouts`,
          { release_id: releaseId, target: { device_ids: pair.map((d) => d.id) } },
          token,
        );
        await until(() => two.received.length >= 2);
        for (const c of two.clients) c.end(true);
        return two.received.map((p) => JSON.parse(p.toString()));
      },
    });
    process.stdout.write(`${JSON.stringify(results)}\n`);
  } finally {
    await bench.stop();
    await dir.remove();
  }
}

await main();
