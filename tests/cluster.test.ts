import { join } from 'node:path';
import { createTestDatabase, tempDir } from '@iotp/db/testing';
import { connect } from '@nats-io/transport-node';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, closed, creds, until } from './helpers.ts';
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
    for (const name of ['a', 'b'])
      nodes.push(
        startProcess({ DATABASE_URL: db.url, NATS_URL, DATA_DIR: join(dir.path, name), MQTT_HOST: '127.0.0.1' }),
      );
    [a, b] = (await Promise.all(nodes.map((n) => n.ready))) as [Ready, Ready];
    account = await setUp(a, 3);
  }, SLOW);
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await db?.drop();
    await dir?.remove();
  });

  it(
    "drops a device's live session on another node when its credentials are rotated or revoked, and refuses the old secret everywhere",
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
        for (const node of [a, b]) {
          const again = mqtt.connectAsync(`mqtt://127.0.0.1:${node.mqttPort}`, {
            ...creds(device),
            reconnectPeriod: 0,
            protocolVersion: 4,
          });
          await expect(again).rejects.toThrow(/Not authorized|Bad username or password/i);
        }
      }
    },
    SLOW,
  );

  it('delivers a command and a twin update sent through node A to a device on node B, and the answer comes back through A', async () => {
    const api = apiClient({ httpPort: Number(new URL(a.http).port) });
    await api.signIn(account.email, account.password);
    const device = account.devices[2]!;
    const base = `/v1/orgs/${account.org}/devices/${device.id}`;
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${b.mqttPort}`, {
      ...creds(device),
      reconnectPeriod: 0,
      protocolVersion: 4,
    });
    try {
      const desired: unknown[] = [];
      client.on('message', (topic, payload) => {
        const body = JSON.parse(payload.toString());
        if (topic.endsWith('/twin/desired')) desired.push(body);
        else if (topic.endsWith('/commands'))
          client.publish(
            `devices/${device.id}/commands/${body.id}/response`,
            JSON.stringify({ status: 'succeeded', result: { echo: body.name, on: 'b' } }),
            { qos: 1 },
          );
      });
      await client.subscribeAsync([`devices/${device.id}/commands`, `devices/${device.id}/twin/desired`], { qos: 1 });
      // The device shows online once node B has recorded it.
      await until(async () => (await api.call('GET', base)).body.online === true, 'the device to be online');

      const answered = await api.call('POST', `${base}/commands`, { name: 'ping', timeout_s: 20 });
      expect(answered.status, JSON.stringify(answered.body)).toBe(200);
      expect(answered.body).toMatchObject({ status: 'succeeded', result: { echo: 'ping', on: 'b' } });

      const set = await api.call('PATCH', `${base}/twin`, { desired: { target: 21 } });
      expect(set.status).toBe(200);
      await until(() => desired.length > 0, 'the desired state to reach the device on node B');
      expect(desired.at(-1)).toMatchObject({ desired: { target: 21 } });
    } finally {
      await client.endAsync();
    }
  });

  it('gives a device the desired state set through node A while it was offline when it subscribes on node B', async () => {
    const api = apiClient({ httpPort: Number(new URL(a.http).port) });
    await api.signIn(account.email, account.password);
    const device = account.devices[2]!;
    const base = `/v1/orgs/${account.org}/devices/${device.id}`;
    await until(async () => (await api.call('GET', base)).body.online === false, 'the device to be offline');
    expect((await api.call('PATCH', `${base}/twin`, { desired: { target: 22 } })).status).toBe(200);
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

  it('ignores malformed orders on the bus, logs them, and stays up', async () => {
    const nc = await connect({ servers: NATS_URL });
    try {
      for (const bad of ['not json', '[1, 2]', '{"ids": []}']) nc.publish('iotp.devices.disconnect', bad);
      await nc.flush();
    } finally {
      await nc.close();
    }
    for (const [i, node] of [a, b].entries()) {
      await until(() => nodes[i]!.logs(/disconnect order ignored/).length >= 3, 'the orders to be logged');
      expect((await fetch(`${node.http}/healthz`)).status).toBe(200);
    }
  });
});
