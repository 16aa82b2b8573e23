import { join } from 'node:path';
import { createTestDatabase, tempDir } from '@iotp/db/testing';
import { connect } from '@nats-io/transport-node';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, closed, creds, sseEvents, until } from './helpers.ts';
import { signedFirmware, signingKey } from './ota-fixtures.ts';
import { type Account, type Ready, setUp, startProcess } from './process.ts';

/** Each start of a real process costs seconds, more on a busy machine. */
const SLOW = 180_000;
const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** Several platform nodes on one PostgreSQL server and one NATS, as real processes. */
describe('a cluster of platform nodes', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const nodes: ReturnType<typeof startProcess>[] = [];
  let a: Ready;
  let b: Ready;
  let account: Account;

  beforeAll(async () => {
    dir = await tempDir();
    db = await createTestDatabase();
    // A serves the API and runs the background jobs; B holds the devices' connections and serves the API too.
    for (const [name, roles] of [
      ['a', 'api,worker'],
      ['b', 'broker,api'],
    ])
      nodes.push(
        startProcess({
          ROLES: roles!,
          DATABASE_URL: db.url,
          NATS_URL,
          DATA_DIR: join(dir.path, name!),
          MQTT_HOST: '127.0.0.1',
        }),
      );
    [a, b] = (await Promise.all(nodes.map((n) => n.ready))) as [Ready, Ready];
    account = await setUp(a, 3);
  }, SLOW);
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await db?.drop();
    await dir?.remove();
  });

  it('runs on each node only the roles it is given', async () => {
    // A runs no broker: no MQTT port; B runs no background jobs of the cluster.
    expect(a.mqttPort).toBe(0);
    expect(nodes[0]!.logs(/MQTT broker listening/)).toEqual([]);
    expect(nodes[1]!.logs(/MQTT broker listening/).length).toBe(1);
    expect((await fetch(`${a.http}/readyz`)).status).toBe(200);
    expect((await fetch(`${b.http}/readyz`)).status).toBe(200);
  });

  it(
    "drops a device's live session on another node when its credentials are rotated or revoked, and refuses the old secret",
    async () => {
      const api = apiClient({ httpPort: Number(new URL(a.http).port) });
      await api.signIn(account.email, account.password);
      const base = `/v1/orgs/${account.org}/devices`;
      for (const [device, action, status] of [
        [account.devices[0]!, 'rotate', 200],
        [account.devices[1]!, 'revoke', 204],
      ] as const) {
        // Connected to node B; the change goes through node A.
        const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${b.mqttPort}`, {
          ...creds(device),
          reconnectPeriod: 0,
          protocolVersion: 4,
        });
        const dropped = closed(client);
        const res = await api.call('POST', `${base}/${device.id}/credentials/${action}`);
        expect(res.status, JSON.stringify(res.body)).toBe(status);
        await dropped;
        const again = mqtt.connectAsync(`mqtt://127.0.0.1:${b.mqttPort}`, {
          ...creds(device),
          reconnectPeriod: 0,
          protocolVersion: 4,
        });
        await expect(again).rejects.toThrow(/Not authorized|Bad username or password/i);
      }
    },
    SLOW,
  );

  it.each([4, 5] as const)(
    'delivers a command and a twin update sent through node A to a device on node B, and the answer comes back through A (MQTT %s)',
    async (protocolVersion) => {
      const api = apiClient({ httpPort: Number(new URL(a.http).port) });
      await api.signIn(account.email, account.password);
      const device = account.devices[2]!;
      const base = `/v1/orgs/${account.org}/devices/${device.id}`;
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${b.mqttPort}`, {
        ...creds(device),
        reconnectPeriod: 0,
        protocolVersion,
      });
      try {
        const desired: unknown[] = [];
        const correlation: string[] = [];
        client.on('message', (topic, payload, packet) => {
          const body = JSON.parse(payload.toString());
          if (topic.endsWith('/twin/desired')) desired.push(body);
          else if (topic.endsWith('/commands')) {
            // MQTT 5: the response topic and correlation data came across the nodes with the command.
            const { responseTopic, correlationData } = packet.properties ?? {};
            if (correlationData) correlation.push(correlationData.toString());
            client.publish(
              responseTopic ?? `devices/${device.id}/commands/${body.id}/response`,
              JSON.stringify({ status: 'succeeded', result: { echo: body.name, on: 'b' } }),
              { qos: 1, ...(correlationData ? { properties: { correlationData } } : {}) },
            );
          }
        });
        await client.subscribeAsync([`devices/${device.id}/commands`, `devices/${device.id}/twin/desired`], { qos: 1 });
        // The device shows online once node B has recorded it.
        await until(async () => (await api.call('GET', base)).body.online === true, 'the device to be online');

        const answered = await api.call('POST', `${base}/commands`, { name: 'ping', timeout_s: 20 });
        expect(answered.status, JSON.stringify(answered.body)).toBe(200);
        expect(answered.body).toMatchObject({ status: 'succeeded', result: { echo: 'ping', on: 'b' } });
        expect(correlation).toEqual(protocolVersion === 5 ? [answered.body.id] : []);

        const set = await api.call('PATCH', `${base}/twin`, { desired: { target: 21 + protocolVersion } });
        expect(set.status).toBe(200);
        // The first run's desired state is retained: the new one is the one that counts.
        await until(
          () => desired.some((m) => (m as { desired: { target: number } }).desired.target === 21 + protocolVersion),
          'the desired state to reach the device on node B',
        );
      } finally {
        await client.endAsync();
        await until(async () => (await api.call('GET', base)).body.online === false, 'the device offline');
      }
    },
  );

  it('gives a device the desired state set through node A while it was offline when it subscribes on node B', async () => {
    const api = apiClient({ httpPort: Number(new URL(a.http).port) });
    await api.signIn(account.email, account.password);
    const device = account.devices[2]!;
    const base = `/v1/orgs/${account.org}/devices/${device.id}`;
    await until(async () => (await api.call('GET', base)).body.online === false, 'the device to be offline');
    const patched = await api.call('PATCH', `${base}/twin`, { desired: { target: 22 } });
    expect(patched.status).toBe(200);
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${b.mqttPort}`, {
      ...creds(device),
      reconnectPeriod: 0,
      protocolVersion: 4,
    });
    try {
      const desired: { desired: Record<string, unknown> }[] = [];
      client.on('message', (_topic, payload) => desired.push(JSON.parse(payload.toString())));
      await client.subscribeAsync(`devices/${device.id}/twin/desired`, { qos: 1 });
      await until(() => desired.some((d) => d.desired.target === 22), 'the desired state on node B');
    } finally {
      await client.endAsync();
    }
  });

  it('streams on node A the OTA changes made through node B', async () => {
    const [apiA, apiB] = [a, b].map((node) => apiClient({ httpPort: Number(new URL(node.http).port) }));
    for (const api of [apiA!, apiB!]) await api.signIn(account.email, account.password);
    const base = `/v1/orgs/${account.org}`;
    const key = await signingKey(dir.path);
    expect((await apiB!.call('POST', `${base}/ota/keys`, { name: 'ci', public_key: key.pem })).status).toBe(201);
    const fw = await signedFirmware(dir.path, key.privateKey, { version: '1.0.0' });
    const release = await apiB!.call('POST', `${base}/ota/releases`, fw.manifest);
    expect(release.status).toBe(201);
    const uploaded = await fetch(`${b.http}${base}/ota/releases/${release.body.id}/artifact`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${apiB!.token}`, 'content-type': 'application/octet-stream' },
      body: new Uint8Array(fw.bytes),
    });
    expect(uploaded.status).toBe(200);

    const abort = new AbortController();
    const stream = await fetch(`${a.http}${base}/ota/events`, {
      headers: { authorization: `Bearer ${apiA!.token}` },
      signal: abort.signal,
    });
    const reader = stream.body!.getReader();
    const device = account.devices[0]!;
    const rollout = await apiB!.call('POST', `${base}/ota/rollouts`, {
      release_id: release.body.id,
      target: { device_ids: [device.id] },
    });
    expect(rollout.status, JSON.stringify(rollout.body)).toBe(201);
    let text = '';
    while (!text.includes(`"device_id":"${device.id}"`)) text += new TextDecoder().decode((await reader.read()).value);
    abort.abort();
    const events = sseEvents(text);
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rollout_id: rollout.body.id, state: 'active', detail: 'created' }),
        expect.objectContaining({ rollout_id: rollout.body.id, device_id: device.id, state: 'pending' }),
      ]),
    );
  });

  it('ignores malformed orders and events on the bus, logs them, and stays up', async () => {
    const nc = await connect({ servers: NATS_URL });
    try {
      for (const bad of ['not json', '[1, 2]', '{"ids": []}']) nc.publish('iotp.devices.disconnect', bad);
      for (const bad of ['not json', '{"id": "x", "type": 1}']) nc.publish('iotp.events.org.x', bad);
      await nc.flush();
    } finally {
      await nc.close();
    }
    for (const [i, node] of [a, b].entries()) {
      await until(() => nodes[i]!.logs(/disconnect order ignored/).length >= 3, 'the orders to be logged');
      await until(() => nodes[i]!.logs(/event from the bus ignored/).length >= 2, 'the events to be logged');
      expect((await fetch(`${node.http}/healthz`)).status).toBe(200);
    }
  });
});
