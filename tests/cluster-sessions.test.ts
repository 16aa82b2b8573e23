import { randomUUID } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { createTestDatabase, tempDir } from '@iotp/db/testing';
import { Redis } from 'ioredis';
import mqtt, { type IConnackPacket, MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, closed, creds, until } from './helpers.ts';
import { type Account, type Ready, setUp, startProcess } from './process.ts';

/** Each start of a real process costs seconds, more on a busy machine. */
const SLOW = 180_000;
const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Connects a device with a persistent session [MQTT-3.1.2-4] (MQTT 5: a Session Expiry Interval of
 * `expiryS`, from an address of its own, so its connections count apart from the other tests');
 * resolves with the client and its CONNACK.
 */
function persistent(port: number, d: { id: string; secret: string }, mqtt5?: { expiryS: number }) {
  const options = { ...creds(d), clean: false, reconnectPeriod: 0 };
  const client = mqtt5
    ? new MqttClient(() => tcpConnect({ host: '127.0.0.1', port, localAddress: '127.0.0.8' }), {
        ...options,
        protocolVersion: 5,
        properties: { sessionExpiryInterval: mqtt5.expiryS },
      })
    : mqtt.connect(`mqtt://127.0.0.1:${port}`, { ...options, protocolVersion: 4 });
  // Listening from the start: messages queued for the session arrive right after the CONNACK.
  const desired: unknown[] = [];
  const commands: { id: string }[] = [];
  client.on('message', (topic, payload) => {
    if (topic.endsWith('/twin/desired')) desired.push(JSON.parse(payload.toString()));
    if (topic.endsWith('/commands')) commands.push(JSON.parse(payload.toString()));
  });
  const connack = new Promise<IConnackPacket>((resolve, reject) => {
    client.once('connect', resolve);
    client.once('error', reject);
  });
  return { client, desired, commands, connack };
}

/** Two broker nodes whose MQTT sessions live in Redis (`MQTT_SESSIONS=redis`). */
describe('MQTT sessions shared by the broker nodes', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  // Its own keys: other runs on this Redis never meet them.
  const prefix = `iotp-test-${randomUUID().slice(0, 8)}:`;
  const nodes: ReturnType<typeof startProcess>[] = [];
  let n1: Ready;
  let n2: Ready;
  let account: Account;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    dir = await tempDir();
    db = await createTestDatabase();
    const common = {
      DATABASE_URL: db.url,
      NATS_URL,
      REDIS_URL,
      MQTT_SESSIONS: 'redis',
      MQTT_SESSIONS_PREFIX: prefix,
      // Six connection attempts per address in six seconds, on both nodes together.
      MQTT_CONNECT_BURST: '6',
      MQTT_CONNECT_RATE_PER_S: '1',
      MQTT_HOST: '127.0.0.1',
      MQTT_SESSION_EXPIRY_MAX_S: '2',
    };
    nodes.push(startProcess({ ...common, ROLES: 'broker,api,worker', DATA_DIR: join(dir.path, 'n1') }));
    n1 = await nodes[0]!.ready;
    nodes.push(startProcess({ ...common, ROLES: 'broker,api', DATA_DIR: join(dir.path, 'n2') }));
    n2 = await nodes[1]!.ready;
    account = await setUp(n1, 3);
  }, SLOW);
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await Promise.all(nodes.map((n) => n.stop()));
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await db?.drop();
    await dir?.remove();
  });

  it(
    "keeps a persistent session's subscriptions and queued QoS 1 messages when the device comes back on another node, which hands it its pending commands",
    async () => {
      const d = account.devices[0]!;
      const api = apiClient({ httpPort: Number(new URL(n2.http).port) });
      await api.signIn(account.email, account.password);
      const base = `/v1/orgs/${account.org}/devices/${d.id}`;

      const first = persistent(n1.mqttPort, d);
      clients.push(first.client);
      expect((await first.connack).sessionPresent).toBe(false);
      await first.client.subscribeAsync(`devices/${d.id}/twin/desired`, { qos: 1 });
      await first.client.subscribeAsync(`devices/${d.id}/commands`, { qos: 1 });
      await until(async () => (await api.call('GET', base)).body.online === true, 'the device online on node 1');
      await first.client.endAsync();
      await until(async () => (await api.call('GET', base)).body.online === false, 'the device offline');

      // Set while the device is on no node: queued for its session.
      expect((await api.call('PATCH', `${base}/twin`, { desired: { target: 5 } })).status).toBe(200);
      // A command sent meanwhile waits in the database, for the node the device comes back to.
      const sent = await api.call('POST', `${base}/commands`, { name: 'resumed', timeout_s: 0 });
      expect(sent.status).toBe(202);
      expect(sent.body.status).toBe('pending');

      // Back on node 2 without subscribing again: the session, its subscription and the queued message are there.
      const second = persistent(n2.mqttPort, d);
      clients.push(second.client);
      expect((await second.connack).sessionPresent).toBe(true);
      await until(() => second.desired.length > 0, 'the queued desired state on node 2');
      expect(second.desired[0]).toMatchObject({ desired: { target: 5 } });
      // Node 2 hands it the pending command, the restored subscription counting as one.
      await until(() => second.commands.some((c) => c.id === sent.body.id), 'the pending command on node 2');
      await until(
        async () => (await api.call('GET', `${base}/commands/${sent.body.id}`)).body.status === 'delivered',
        'the command delivered',
      );

      // And live: a change made through node 1 reaches it on node 2 through the restored subscription.
      const api1 = apiClient({ httpPort: Number(new URL(n1.http).port) });
      api1.token = api.token;
      expect((await api1.call('PATCH', `${base}/twin`, { desired: { target: 6 } })).status).toBe(200);
      await until(() => second.desired.some((m) => (m as { desired: { target: number } }).desired.target === 6));
    },
    SLOW,
  );

  it('ends the session on the other node when the same device connects again elsewhere', async () => {
    const d = account.devices[1]!;
    const first = persistent(n1.mqttPort, d);
    clients.push(first.client);
    await first.connack;
    const gone = closed(first.client);
    const second = persistent(n2.mqttPort, d);
    clients.push(second.client);
    await second.connack;
    await gone;
    expect(second.client.connected).toBe(true);
  });

  it("keeps an MQTT 5 session that moved to another node past the first node's expiry timer", async () => {
    const d = account.devices[2]!;
    const api = apiClient({ httpPort: Number(new URL(n2.http).port) });
    await api.signIn(account.email, account.password);
    const first = persistent(n1.mqttPort, d, { expiryS: 2 });
    clients.push(first.client);
    await first.connack;
    await first.client.subscribeAsync(`devices/${d.id}/twin/desired`, { qos: 1 });
    await first.client.endAsync(); // node 1 now times the session: 2 s
    const second = persistent(n2.mqttPort, d, { expiryS: 2 });
    clients.push(second.client);
    expect((await second.connack).sessionPresent).toBe(true);
    // Node 1's timer would have wiped the session node 2 now holds: the takeover cleared it.
    await new Promise((r) => setTimeout(r, 3000));
    await second.client.endAsync();
    expect(
      (await api.call('PATCH', `/v1/orgs/${account.org}/devices/${d.id}/twin`, { desired: { t: 1 } })).status,
    ).toBe(200);
    const third = persistent(n1.mqttPort, d, { expiryS: 2 });
    clients.push(third.client);
    expect((await third.connack).sessionPresent).toBe(true);
    await until(() => third.desired.length > 0, 'the desired state queued for the session');
  });

  it('holds the connection rate per address across both nodes', async () => {
    const d = account.devices[1]!;
    // From an address of its own: the other tests' connections do not count.
    const attempt = (port: number) =>
      new Promise<boolean>((resolve) => {
        const c = new MqttClient(() => tcpConnect({ host: '127.0.0.1', port, localAddress: '127.0.0.7' }), {
          ...creds(d),
          protocolVersion: 4,
          reconnectPeriod: 0,
        });
        c.once('connect', () => c.endAsync(true).then(() => resolve(true)));
        c.once('error', () => c.endAsync(true).then(() => resolve(false)));
      });
    const outcomes: boolean[] = [];
    // Four to each node: each node alone would let all of its four in.
    for (let i = 0; i < 8; i++) outcomes.push(await attempt(i % 2 ? n2.mqttPort : n1.mqttPort));
    expect(outcomes).toEqual([true, true, true, true, true, true, false, false]);
    const refused = await Promise.all(
      [n1, n2].map(
        async (n) =>
          (await (await fetch(`${n.http}/metrics`)).text()).match(
            /mqtt_rejects_total\{reason="connect_rate"\} (\d+)/,
          )?.[1],
      ),
    );
    expect(refused.map(Number)).toEqual([1, 1]);
  });

  it('ignores and logs unreadable messages on the system relay, and stays up', async () => {
    const redis = new Redis(REDIS_URL);
    try {
      for (const junk of [
        'not json',
        '{"origin":"x"}',
        JSON.stringify({ origin: 'x', packet: { topic: 'devices/x', payload: '' } }),
      ])
        await redis.publish(`${prefix}system`, junk);
    } finally {
      redis.disconnect();
    }
    await until(() => nodes.every((n) => n.logs(/unreadable system message ignored/).length === 3), 'the junk logged');
    for (const n of nodes) expect(n.alive, n.output().stderr).toBe(true);
  });
});
