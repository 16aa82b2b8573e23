import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, creds, metric, startNodes, type TestPlatform, until } from './helpers.ts';
import { holdPresence } from './hold-presence.ts';

const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** A device that answers every command it gets with its name, and a record of those it got. */
function answering(client: MqttClient, id: string) {
  const got: string[] = [];
  client.on('message', (topic, payload) => {
    if (!topic.endsWith('/commands')) return;
    const cmd = JSON.parse(payload.toString());
    got.push(cmd.name);
    client.publish(
      `devices/${id}/commands/${cmd.id}/response`,
      JSON.stringify({ status: 'succeeded', result: { echo: cmd.name } }),
      { qos: 1 },
    );
  });
  return got;
}

/**
 * A command sent through one node reaches a device connected to another between its CONNACK and
 * its online write: the nodes, not the database, say where a device is. A device no node holds
 * still gets a stored command (202) at once.
 */
describe('commands for a device on another node', () => {
  let cluster: Awaited<ReturnType<typeof startNodes>>;
  let a: TestPlatform;
  let b: TestPlatform;
  let api: ReturnType<typeof apiClient>;
  let base: string;
  let release: (() => void) | undefined;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    cluster = await startNodes(2, { NATS_URL });
    [a, b] = cluster.nodes as [TestPlatform, TestPlatform];
    api = apiClient(a);
    await api.signIn('commands-race@example.com');
    base = `/v1/orgs/${(await api.call('POST', '/v1/orgs', { name: 'Commands' })).body.id}/devices`;
  }, 60_000);
  afterEach(async () => {
    release?.();
    release = undefined;
    for (const c of clients.splice(0)) await c.endAsync();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  /** A device connected to `node` and subscribed to its commands, its subscription handled there. */
  async function listening(node: TestPlatform, name: string) {
    const d = (await api.call('POST', base, { name })).body;
    const client = await node.connect(creds({ id: d.id, secret: d.mqtt.password }));
    clients.push(client);
    const got = answering(client, d.id);
    await client.subscribeAsync(`devices/${d.id}/commands`, { qos: 1 });
    // A device's messages are handled in order: once its report lands, its subscription was seen.
    await client.publishAsync(`devices/${d.id}/twin/reported`, JSON.stringify({ ready: true }), { qos: 1 });
    await until(
      async () => (await api.call('GET', `${base}/${d.id}/twin`)).body.reported?.ready === true,
      'the twin report',
    );
    return { id: d.id as string, got };
  }

  it('answers a command sent through node A to a device on node B before its presence is written', async () => {
    release = holdPresence();
    const d = await listening(b, 'just-connected');
    expect((await api.call('GET', `${base}/${d.id}`)).body.online).toBe(false);

    const sent = await api.call('POST', `${base}/${d.id}/commands`, { name: 'ping', timeout_s: 20 });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body).toMatchObject({ status: 'succeeded', result: { echo: 'ping' } });
    expect(d.got).toEqual(['ping']);
    expect((await api.call('GET', `${base}/${d.id}`)).body.online).toBe(false);
  }, 60_000);

  it.each([
    ['written', false],
    ['held', true],
  ])(
    'keeps a command sent through node A pending while the device on node B has not subscribed (presence %s), and hands it over on subscribe',
    async (_, held) => {
      if (held) release = holdPresence();
      const d = (await api.call('POST', base, { name: 'not-subscribed' })).body;
      const client = await b.connect(creds({ id: d.id, secret: d.mqtt.password }));
      clients.push(client);
      if (held) {
        // Offline in the database: node A asks whichever node holds the device (publishIfHeld). Node
        // B answers for it since its connect, before it handled the device's report.
        await client.publishAsync(`devices/${d.id}/twin/reported`, JSON.stringify({ ready: true }), { qos: 1 });
        await until(
          async () => (await api.call('GET', `${base}/${d.id}/twin`)).body.reported?.ready === true,
          'the twin report',
        );
      } else {
        // Online in the database: node A publishes through the node that holds the device.
        await until(async () => (await api.call('GET', `${base}/${d.id}`)).body.online === true, 'online');
      }

      const remote = 'cluster_device_messages_total{result="remote"}';
      const before = await metric(a, remote);
      const sent = await api.call('POST', `${base}/${d.id}/commands`, { name: 'early', timeout_s: 1 });
      expect(sent.status).toBe(202);
      expect(sent.body.status).toBe('pending');
      // Node B took it and said no subscription of the device's had it.
      expect(await metric(a, remote)).toBe(before + 1);

      const got = answering(client, d.id);
      await client.subscribeAsync(`devices/${d.id}/commands`, { qos: 1 });
      await until(
        async () => (await api.call('GET', `${base}/${d.id}/commands/${sent.body.id}`)).body.status === 'succeeded',
        'the command answered after the subscription',
      );
      expect(got).toEqual(['early']);
    },
    60_000,
  );

  it('stores a command for a device no node holds, and hands it over when it subscribes on node B', async () => {
    const d = (await api.call('POST', base, { name: 'asleep' })).body;
    const stored = await api.call('POST', `${base}/${d.id}/commands`, { name: 'wake', timeout_s: 30 });
    expect(stored.status).toBe(202);
    // Pending, not delivered: no node took it, so nothing waited for an answer.
    expect(stored.body.status).toBe('pending');

    const client = await b.connect(creds({ id: d.id, secret: d.mqtt.password }));
    clients.push(client);
    answering(client, d.id);
    await client.subscribeAsync(`devices/${d.id}/commands`, { qos: 1 });
    await until(
      async () => (await api.call('GET', `${base}/${d.id}/commands/${stored.body.id}`)).body.status === 'succeeded',
      'the stored command answered',
    );
  }, 60_000);
});
