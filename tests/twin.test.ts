import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { IClientOptions, MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, creds, startTestPlatform, type TestPlatform, until } from './helpers.ts';
import { holdPresence } from './hold-presence.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Messages a device receives on a topic below its prefix. */
const inbox = (client: MqttClient) => {
  const got: { topic: string; body: Record<string, unknown> }[] = [];
  client.on('message', (topic, payload) => got.push({ topic, body: JSON.parse(payload.toString()) }));
  return got;
};

/** Connects a device's session again, and waits until this command reaches it. */
async function receivesOnReconnect(p: TestPlatform, session: IClientOptions, commandId: string, what: string) {
  const again = await p.connect(session);
  const got = inbox(again);
  await until(() => got.some((m) => m.body.id === commandId), what);
  return again;
}

/** A platform with a signed-in user and an organization; `base` is its devices' path. */
async function twinPlatform(env: Record<string, string> = {}) {
  const p = await startTestPlatform('postgres', env);
  const api = apiClient(p);
  await api.signIn('twin@example.com');
  const http = api.call;
  const base = `/v1/orgs/${(await http('POST', '/v1/orgs', { name: 'Twins' })).body.id}/devices`;
  return { p, http, base };
}

/**
 * A device whose persistent session [MQTT-3.1.2-4] subscribed to its commands goes offline; a
 * command sent meanwhile stays pending, and reaches it when it comes back without subscribing
 * again, as a client does that finds its session present.
 */
async function commandOnResumedSession({ p, http, base }: Awaited<ReturnType<typeof twinPlatform>>) {
  const d = (await http('POST', base, { name: 'resumes' })).body;
  const session = { ...creds({ id: d.id, secret: d.mqtt.password }), clean: false, resubscribe: false };
  const first = await p.connect(session);
  await first.subscribeAsync(`devices/${d.id}/commands`, { qos: 1 });
  await until(async () => (await http('GET', `${base}/${d.id}`)).body.online === true, 'online');
  await first.endAsync();
  await until(async () => (await http('GET', `${base}/${d.id}`)).body.online === false, 'offline');

  const sent = await http('POST', `${base}/${d.id}/commands`, { name: 'resumed', timeout_s: 0 });
  expect(sent.status).toBe(202);
  expect(sent.body.status).toBe('pending');

  const again = await receivesOnReconnect(p, session, sent.body.id, 'the command on resume');
  await until(
    async () => (await http('GET', `${base}/${d.id}/commands/${sent.body.id}`)).body.status === 'delivered',
    'the command delivered',
  );
  await again.endAsync();
}

describe('twin and commands', () => {
  let p: TestPlatform;
  let base: string;
  let http: ReturnType<typeof apiClient>['call'];
  let platform: Awaited<ReturnType<typeof twinPlatform>>;

  beforeAll(async () => {
    platform = await twinPlatform();
    ({ p, http, base } = platform);
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('sends the desired state to the device, takes its reports, and keeps the delta', async () => {
    const d = (await http('POST', base, { name: 'thermostat' })).body;
    // Desired state set while the device is offline arrives when it subscribes (retained).
    const set = await http('PATCH', `${base}/${d.id}/twin`, { desired: { target: 21, mode: 'eco' } });
    expect(set.body).toMatchObject({ version: 1, delta: { target: 21, mode: 'eco' } });
    const client = await p.connect({ clientId: d.id, username: d.id, password: d.mqtt.password });
    const got = inbox(client);
    await client.subscribeAsync(`devices/${d.id}/twin/desired`);
    await until(() => got.length > 0, 'desired state');
    expect(got[0]!.body).toMatchObject({ version: 1, desired: { target: 21, mode: 'eco' } });

    await client.publishAsync(
      `devices/${d.id}/twin/reported`,
      JSON.stringify({ target: 21, firmware_version: '1.2.0' }),
      {
        qos: 1,
      },
    );
    await until(async () => (await http('GET', `${base}/${d.id}/twin`)).body.reported.target === 21, 'report stored');
    const twin = (await http('GET', `${base}/${d.id}/twin`)).body;
    expect(twin.delta).toEqual({ mode: 'eco' });
    expect((await http('GET', `${base}/${d.id}`)).body.firmware_version).toBe('1.2.0');

    expect((await http('PATCH', `${base}/${d.id}/twin`, { desired: { mode: 'comfort' }, version: 0 })).status).toBe(
      409,
    );
    const cleared = await http('PATCH', `${base}/${d.id}/twin`, { desired: { mode: null }, version: 1 });
    expect(cleared.body).toMatchObject({ version: 2, desired: { target: 21 }, delta: {} });
    await client.endAsync();
  });

  it('answers a command from an online device, and stores one for an offline device until it connects', async () => {
    const d = (await http('POST', base, { name: 'relay' })).body;
    const offline = await http('POST', `${base}/${d.id}/commands`, { name: 'reboot', params: { delay: 1 } });
    expect(offline.status).toBe(202);
    expect(offline.body.status).toBe('pending');

    // It goes out when the device subscribes to its commands.
    const client = await p.connect({ clientId: d.id, username: d.id, password: d.mqtt.password });
    client.on('message', (_topic, payload) => {
      const cmd = JSON.parse(payload.toString());
      client.publish(
        `devices/${d.id}/commands/${cmd.id}/response`,
        JSON.stringify({ status: 'succeeded', result: { echo: cmd.name } }),
        {
          qos: 1,
        },
      );
    });
    await client.subscribeAsync(`devices/${d.id}/commands`, { qos: 1 });
    await until(
      async () => (await http('GET', `${base}/${d.id}/commands/${offline.body.id}`)).body.status === 'succeeded',
      'stored command answered',
    );

    const online = await http('POST', `${base}/${d.id}/commands`, { name: 'ping', timeout_s: 5 });
    expect(online.status).toBe(200);
    expect(online.body).toMatchObject({ status: 'succeeded', result: { echo: 'ping' } });
    const list = await http('GET', `${base}/${d.id}/commands`);
    expect(list.body.data.map((c: { name: string }) => c.name)).toEqual(['ping', 'reboot']);
    await client.endAsync();
  });

  it('keeps a command pending for a device connected but not yet subscribed, and hands it over on subscribe', async () => {
    const d = (await http('POST', base, { name: 'just-connected' })).body;
    const client = await p.connect(creds({ id: d.id, secret: d.mqtt.password }));
    const got = inbox(client);
    await until(() => p.broker.holds(d.id), 'the device held');

    // Nothing subscribes to its commands yet: the broker drops the message, so it is not delivered.
    const sent = await http('POST', `${base}/${d.id}/commands`, { name: 'early', timeout_s: 1 });
    expect(sent.status).toBe(202);
    expect(sent.body.status).toBe('pending');

    await client.subscribeAsync(`devices/${d.id}/commands`, { qos: 1 });
    await until(() => got.some((m) => m.body.id === sent.body.id), 'the command on subscribe');
    expect(got.map((m) => m.body.name)).toEqual(['early']);
    await until(
      async () => (await http('GET', `${base}/${d.id}/commands/${sent.body.id}`)).body.status === 'delivered',
      'the command delivered',
    );
    await client.endAsync();
  });

  it('queues a command for a persistent session that subscribed and is gone, while the database says online', async () => {
    const d = (await http('POST', base, { name: 'persistent' })).body;
    const session = { ...creds({ id: d.id, secret: d.mqtt.password }), clean: false };
    const first = await p.connect(session);
    await first.subscribeAsync(`devices/${d.id}/commands`, { qos: 1 });
    await until(async () => (await http('GET', `${base}/${d.id}`)).body.online === true, 'online');
    // Its offline write held: the command goes out, and Aedes queues it for the stored subscription.
    const release = holdPresence();
    try {
      await first.endAsync();
      await until(() => !p.broker.holds(d.id), 'the device gone');
      const sent = await http('POST', `${base}/${d.id}/commands`, { name: 'queued', timeout_s: 0 });
      expect(sent.status).toBe(202);
      expect(sent.body.status).toBe('delivered');

      const again = await receivesOnReconnect(p, session, sent.body.id, 'the queued command on reconnect');
      await again.endAsync();
    } finally {
      release();
    }
  });

  it('hands a pending command to a persistent session that comes back without subscribing again', async () => {
    await commandOnResumedSession(platform);
  });

  it('sends a command to every device of a group', async () => {
    const a = (await http('POST', base, { name: 'g-a', tags: ['zone:7'] })).body;
    const b = (await http('POST', base, { name: 'g-b', tags: ['zone:7'] })).body;
    const group = (
      await http('POST', base.replace('/devices', '/groups'), { name: 'zone 7', kind: 'dynamic', tags: ['zone:7'] })
    ).body;
    const sent = await http('POST', `${base.replace('/devices', '/groups')}/${group.id}/commands`, {
      name: 'calibrate',
    });
    expect(sent.status).toBe(202);
    expect(sent.body.data.map((c: { device_id: string; status: string }) => [c.device_id, c.status]).sort()).toEqual(
      [
        [a.id, 'pending'],
        [b.id, 'pending'],
      ].sort(),
    );
  });

  it('expires commands past their time to live', async () => {
    const d = (await http('POST', base, { name: 'sleepy' })).body;
    const cmd = (await http('POST', `${base}/${d.id}/commands`, { name: 'wake', ttl_s: 1 })).body;
    await p.db.sql.query("UPDATE commands SET expires_at = now() - interval '1 second' WHERE id = $1", [cmd.id]);
    expect(await p.twins.expireDue()).toBe(1);
    expect((await http('GET', `${base}/${d.id}/commands/${cmd.id}`)).body.status).toBe('expired');
    // An answer after expiry changes nothing.
    const client = await p.connect({ clientId: d.id, username: d.id, password: d.mqtt.password });
    await client.publishAsync(`devices/${d.id}/commands/${cmd.id}/response`, JSON.stringify({ result: 1 }), { qos: 1 });
    expect((await http('GET', `${base}/${d.id}/commands/${cmd.id}`)).body.status).toBe('expired');
    await client.endAsync();
  });
});

describe('twin and commands, MQTT sessions in Redis', () => {
  // Its own keys: other runs on this Redis never meet them.
  const prefix = `iotp-test-${randomUUID().slice(0, 8)}:`;
  let platform: Awaited<ReturnType<typeof twinPlatform>> | undefined;

  beforeAll(async () => {
    platform = await twinPlatform({ MQTT_SESSIONS: 'redis', MQTT_SESSIONS_PREFIX: prefix, REDIS_URL });
  });
  afterAll(async () => {
    await platform?.p.stop();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('hands a pending command to a persistent session that comes back without subscribing again', async () => {
    await commandOnResumedSession(platform!);
  });
});
