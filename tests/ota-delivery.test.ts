import { tempDir } from '@iotp/db/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, creds, startNodes, startTestPlatform, type TestPlatform, until } from './helpers.ts';
import { holdPresence } from './hold-presence.ts';
import { signedFirmware, signingKey } from './ota-fixtures.ts';

const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** An organization with a trusted signing key on `node`, and a release uploaded to it. */
async function fleet(node: TestPlatform, dir: string, email: string) {
  const api = apiClient(node);
  await api.signIn(email);
  const base = `/v1/orgs/${(await api.call('POST', '/v1/orgs', { name: 'Fleet' })).body.id}`;
  const key = await signingKey(dir);
  expect((await api.call('POST', `${base}/ota/keys`, { name: 'ci', public_key: key.pem })).status).toBe(201);
  const fw = await signedFirmware(dir, key.privateKey, { version: '2.0.0' });
  const release = (await api.call('POST', `${base}/ota/releases`, fw.manifest)).body;
  const uploaded = await fetch(`http://127.0.0.1:${node.httpPort}${base}/ota/releases/${release.id}/artifact`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/octet-stream' },
    body: new Uint8Array(fw.bytes),
  });
  expect(uploaded.status).toBe(200);
  return { api, base, releaseId: release.id as string };
}

type Fleet = Awaited<ReturnType<typeof fleet>>;

/**
 * A device connected to `node` and subscribed to its jobs, whose subscription the platform has
 * handled: its twin report, sent after the subscription, has landed (a device's messages are
 * handled in order), so the jobs handed out on subscribe were looked for already.
 */
async function listening(node: TestPlatform, { api, base }: Fleet, name: string) {
  const created = (await api.call('POST', `${base}/devices`, { name, type: 'pi4' })).body;
  const client = await node.connect(creds({ id: created.id, secret: created.mqtt.password }));
  const jobs: { rollout_id: string }[] = [];
  client.on('message', (_t, payload) => jobs.push(JSON.parse(payload.toString())));
  await client.subscribeAsync(`devices/${created.id}/ota/job`, { qos: 1 });
  await client.publishAsync(`devices/${created.id}/twin/reported`, JSON.stringify({ hardware: 'pi4' }), { qos: 1 });
  await until(
    async () => (await api.call('GET', `${base}/devices/${created.id}/twin`)).body.reported?.hardware === 'pi4',
    'the twin report',
  );
  return { id: created.id as string, jobs };
}

/** A rollout to the device alone, made while the database shows it offline: the device gets its job. */
async function rollOutWhileOffline({ api, base, releaseId }: Fleet, d: Awaited<ReturnType<typeof listening>>) {
  expect((await api.call('GET', `${base}/devices/${d.id}`)).body.online).toBe(false);
  const rollout = await api.call('POST', `${base}/ota/rollouts`, {
    release_id: releaseId,
    target: { device_ids: [d.id] },
  });
  expect(rollout.status).toBe(201);
  await until(() => d.jobs.length > 0, 'the job, while the database shows the device offline');
  expect(d.jobs).toEqual([expect.objectContaining({ rollout_id: rollout.body.id })]);
}

/**
 * A rollout made between a device's CONNACK and its online write still reaches it, without the
 * device reconnecting or asking: jobs go to the devices a broker holds, not those the database
 * shows online.
 */
describe.each(['postgres', 'embedded'] as const)('OTA jobs for a device just connected, on %s', (database) => {
  let p: TestPlatform;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let release: (() => void) | undefined;
  beforeAll(async () => {
    dir = await tempDir();
    p = await startTestPlatform(database, { OTA_TICK_MS: '100' });
  });
  afterEach(() => release?.());
  afterAll(async () => {
    await p?.stop();
    await dir?.remove();
  });

  it('hands the job of a rollout made before its presence is written', async () => {
    const f = await fleet(p, dir.path, 'race@example.com');
    release = holdPresence();
    const d = await listening(p, f, 'early');
    await rollOutWhileOffline(f, d);
    expect((await f.api.call('GET', `${f.base}/devices/${d.id}`)).body.online).toBe(false);
  });
});

describe('OTA jobs for a device just connected to another node', () => {
  it('hands the job of a rollout made on node A to a device on node B before its presence is written', async () => {
    const dir = await tempDir();
    const cluster = await startNodes(2, { NATS_URL, OTA_TICK_MS: '100' });
    let release: (() => void) | undefined;
    try {
      const [a, b] = cluster.nodes as [TestPlatform, TestPlatform];
      const f = await fleet(a, dir.path, 'cluster-race@example.com');
      release = holdPresence();
      await rollOutWhileOffline(f, await listening(b, f, 'elsewhere'));
    } finally {
      release?.();
      await cluster.stop();
      await dir.remove();
    }
  }, 60_000);
});
