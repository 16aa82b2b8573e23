import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, closed, metric, startTestPlatform, type TestPlatform, until } from './helpers.ts';

type Device = { id: string; mqtt: { password: string } };

/**
 * Applications subscribe to their organization's live data with an organization API key (scope
 * `telemetry:subscribe`), over MQTT and over WebSocket, and never hear another organization.
 */
describe('applications subscribed to their organization', () => {
  let p: TestPlatform;
  let api: ReturnType<typeof apiClient>;
  const orgs: { id: string; key: string; devices: Device[] }[] = [];
  const clients: MqttClient[] = [];

  const app = async (org: { id: string; key: string }, name: string, over: 'mqtt' | 'ws' = 'mqtt') => {
    const url = over === 'ws' ? `ws://127.0.0.1:${p.httpPort}/mqtt` : `mqtt://127.0.0.1:${p.mqttPort}`;
    const client = await mqtt.connectAsync(url, {
      clientId: `${org.id}:${name}`,
      username: 'apikey',
      password: org.key,
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    clients.push(client);
    return client;
  };
  const device = async (d: Device) => {
    const client = await p.connect({ clientId: d.id, username: d.id, password: d.mqtt.password });
    clients.push(client);
    return client;
  };
  const heard = (client: MqttClient) => {
    const got: { topic: string; payload: string }[] = [];
    client.on('message', (topic, payload) => got.push({ topic, payload: payload.toString() }));
    return got;
  };

  beforeAll(async () => {
    p = await startTestPlatform('postgres');
    api = apiClient(p);
    await api.signIn('owner@apps.example');
    for (const name of ['A', 'B']) {
      const id = (await api.call('POST', '/v1/orgs', { name })).body.id as string;
      const key = (
        await api.call('POST', `/v1/orgs/${id}/api-keys`, { name: 'dashboard', scopes: ['telemetry:subscribe'] })
      ).body.secret as string;
      const devices: Device[] = [];
      for (const n of [1, 2])
        devices.push((await api.call('POST', `/v1/orgs/${id}/devices`, { name: `${name}${n}` })).body);
      orgs.push({ id, key, devices });
    }
  });
  afterAll(async () => {
    for (const c of clients) c.end(true);
    await p?.stop();
  });

  it('hears the telemetry of every device of its organization through a wildcard, and none of another', async () => {
    const [a, b] = orgs as [(typeof orgs)[0], (typeof orgs)[0]];
    const dashboard = await app(a, 'dashboard');
    await dashboard.subscribeAsync('devices/+/telemetry', { qos: 1 });
    const got = heard(dashboard);
    for (const d of [...a.devices, ...b.devices])
      await (await device(d)).publishAsync(`devices/${d.id}/telemetry`, JSON.stringify({ temp: 1 }), { qos: 1 });
    await until(() => got.length >= 2, 'both devices of A heard');
    // B's readings were published after A's: had they been let through, they would be here by now.
    await new Promise((r) => setTimeout(r, 200));
    expect(got.map((m) => m.topic).sort()).toEqual(a.devices.map((d) => `devices/${d.id}/telemetry`).sort());
  });

  it('subscribes over WebSocket too, to one device of its own, and is refused one of another organization', async () => {
    const [a, b] = orgs as [(typeof orgs)[0], (typeof orgs)[0]];
    const browser = await app(a, 'browser', 'ws');
    await browser.subscribeAsync(`devices/${a.devices[0]!.id}/#`, { qos: 1 });
    await expect(browser.subscribeAsync(`devices/${b.devices[0]!.id}/#`, { qos: 1 })).rejects.toThrow(
      /Unspecified error/,
    );
    for (const filter of ['#', '+/+/telemetry', `orgs/${b.id}/#`, '$SYS/#'])
      await expect(browser.subscribeAsync(filter, { qos: 0 })).rejects.toThrow(/Unspecified error/);
    const got = heard(browser);
    const d = a.devices[0]!;
    await (await device(d)).publishAsync(`devices/${d.id}/telemetry`, JSON.stringify({ temp: 2 }), { qos: 1 });
    await until(() => got.length === 1, 'the reading heard over WebSocket');
    expect(JSON.parse(got[0]!.payload)).toEqual({ temp: 2 });
  });

  it('hears its organization’s events, and a device created after it connected', async () => {
    const [a] = orgs as [(typeof orgs)[0]];
    const backend = await app(a, 'backend');
    await backend.subscribeAsync([`orgs/${a.id}/events/#`, 'devices/+/telemetry'], { qos: 1 });
    const got = heard(backend);
    const created: Device = (await api.call('POST', `/v1/orgs/${a.id}/devices`, { name: 'late' })).body;
    await until(() => got.some((m) => m.topic === `orgs/${a.id}/events/device.created`), 'device.created heard');
    const event = JSON.parse(got.find((m) => m.topic.endsWith('device.created'))!.payload);
    expect(event).toMatchObject({ type: 'device.created', subject_id: created.id });
    await (await device(created)).publishAsync(`devices/${created.id}/telemetry`, JSON.stringify({ t: 3 }), {
      qos: 1,
    });
    await until(() => got.some((m) => m.topic === `devices/${created.id}/telemetry`), 'the new device heard');
  });

  it('refuses a wrong key, a key without the scope, a client id outside its organization, and publishing', async () => {
    const [a, b] = orgs as [(typeof orgs)[0], (typeof orgs)[0]];
    const refused = (clientId: string, password: string) =>
      mqtt.connectAsync(`mqtt://127.0.0.1:${p.mqttPort}`, {
        clientId,
        username: 'apikey',
        password,
        reconnectPeriod: 0,
      });
    await expect(refused(`${a.id}:x`, 'iot_not-a-key')).rejects.toThrow(/Bad username or password/);
    const readOnly = (await api.call('POST', `/v1/orgs/${a.id}/api-keys`, { name: 'ro', scopes: ['telemetry:read'] }))
      .body.secret;
    await expect(refused(`${a.id}:x`, readOnly)).rejects.toThrow(/Not authorized/);
    // A's key under B's prefix, or under a device's id: it would take over their sessions.
    await expect(refused(`${b.id}:x`, a.key)).rejects.toThrow(/Identifier rejected/);
    await expect(refused(a.devices[0]!.id, a.key)).rejects.toThrow(/Identifier rejected/);

    const before = await metric(p, 'mqtt_rejects_total{reason="app_publish_not_allowed"}');
    const writer = await app(a, 'writer');
    const gone = closed(writer);
    writer.publish(`devices/${a.devices[0]!.id}/commands`, '{"name":"reboot"}', { qos: 1 });
    await gone;
    expect(await metric(p, 'mqtt_rejects_total{reason="app_publish_not_allowed"}')).toBe(before + 1);
  });

  it('drops the applications of a key when it is revoked', async () => {
    const [a] = orgs as [(typeof orgs)[0]];
    const made = (
      await api.call('POST', `/v1/orgs/${a.id}/api-keys`, { name: 'short', scopes: ['telemetry:subscribe'] })
    ).body;
    const listener = await app({ id: a.id, key: made.secret }, 'short-lived');
    const gone = closed(listener);
    expect((await api.call('DELETE', `/v1/orgs/${a.id}/api-keys/${made.id}`)).status).toBe(204);
    await gone;
    await expect(app({ id: a.id, key: made.secret }, 'again')).rejects.toThrow(/Bad username or password/);
  });
});
