import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, closed, startTestPlatform, type TestPlatform, until } from './helpers.ts';

/** The HTTP API and the broker together: what an app and a device see. */
describe('device registry and broker together', () => {
  let p: TestPlatform;
  let orgBase: string;
  let http: ReturnType<typeof apiClient>['call'];

  beforeAll(async () => {
    p = await startTestPlatform('postgres');
    const api = apiClient(p);
    await api.signIn('ops@example.com');
    http = api.call;
    orgBase = `/v1/orgs/${(await http('POST', '/v1/orgs', { name: 'Plant' })).body.id}`;
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('registers a device over HTTP that then connects, publishes, and shows online with its latest values', async () => {
    const device = (await http('POST', `${orgBase}/devices`, { name: 'boiler' })).body;
    const { client_id, username, password } = device.mqtt;
    const client = await p.connect({ clientId: client_id, username, password });
    await client.publishAsync(`devices/${device.id}/telemetry`, JSON.stringify({ pressure: 2.5 }), { qos: 1 });
    const latest = await http('GET', `${orgBase}/devices/${device.id}/telemetry/latest`);
    expect(latest.body.pressure.value).toBe(2.5);
    await until(async () => (await http('GET', `${orgBase}/devices/${device.id}`)).body.online === true, 'online');
    await client.endAsync();
    await until(async () => (await http('GET', `${orgBase}/devices/${device.id}`)).body.online === false, 'offline');
    const history = (await http('GET', `${orgBase}/devices/${device.id}/connections`)).body.data;
    expect(history).toEqual([
      { address: '127.0.0.1', connected_at: expect.any(String), disconnected_at: expect.any(String) },
    ]);
  });

  it('drops the live connection when credentials are rotated, and refuses the old password', async () => {
    const device = (await http('POST', `${orgBase}/devices`, { name: 'rotor' })).body;
    const client = await p.connect({ clientId: device.id, username: device.id, password: device.mqtt.password });
    const gone = closed(client);
    const rotated = (await http('POST', `${orgBase}/devices/${device.id}/credentials/rotate`)).body;
    await gone;
    const old = await p
      .connect({ clientId: device.id, username: device.id, password: device.mqtt.password })
      .catch((e) => e);
    expect(old.code).toBe(4);
    const fresh = await p.connect({ clientId: device.id, username: device.id, password: rotated.mqtt.password });
    expect(fresh.connected).toBe(true);
    await fresh.endAsync();
  });

  it('disconnects the devices of a deleted organization at once', async () => {
    const orgId = (await http('POST', '/v1/orgs', { name: 'Temporary' })).body.id;
    const device = (await http('POST', `/v1/orgs/${orgId}/devices`, { name: 'temp' })).body;
    const client = await p.connect({ clientId: device.id, username: device.id, password: device.mqtt.password });
    const gone = closed(client);
    const { confirmation_token } = (await http('POST', `/v1/orgs/${orgId}/deletion`)).body;
    expect((await http('DELETE', `/v1/orgs/${orgId}`, { confirmation_token })).status).toBe(202);
    await gone;
    const again = await p
      .connect({ clientId: device.id, username: device.id, password: device.mqtt.password })
      .catch((e) => e);
    expect(again.code).toBe(4);
  });
});
