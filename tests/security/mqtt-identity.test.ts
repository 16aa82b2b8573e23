import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, metric, startTestPlatform, type TestPlatform } from '../helpers.ts';
import { RawMqtt } from './mqtt-raw.ts';

/** One device, one session: a device id has one spelling, the canonical lower-case one. */
describe('MQTT device identity from outside', () => {
  let p: TestPlatform;
  let orgBase: string;
  let http: ReturnType<typeof apiClient>['call'];
  const login = (clientId: string, username: string, secret: string) =>
    RawMqtt.login(p.mqttPort, { clientId, username, password: Buffer.from(secret) });
  const newDevice = async (): Promise<{ id: string; secret: string }> => {
    const body = (await http('POST', `${orgBase}/devices`, { name: 'sensor' })).body;
    return { id: body.id, secret: body.mqtt.password };
  };

  beforeAll(async () => {
    p = await startTestPlatform('postgres');
    const api = apiClient(p);
    await api.signIn('identity@example.com');
    http = api.call;
    orgBase = `/v1/orgs/${(await http('POST', '/v1/orgs', { name: 'Identity' })).body.id}`;
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('refuses another spelling of a connected device id, leaving the one session alone', async () => {
    const d = await newDevice();
    const upper = d.id.toUpperCase();
    const first = await login(d.id, d.id, d.secret);
    expect(first.code).toBe(0);
    const before = await metric(p, 'mqtt_rejects_total{reason="bad_credentials"}');
    // The same credentials under an upper-case id: an unknown device (4), not a second session.
    expect((await login(upper, upper, d.secret)).code).toBe(4);
    expect((await login(`{${d.id}}`, `{${d.id}}`, d.secret)).code).toBe(4);
    expect((await login(d.id.replaceAll('-', ''), d.id.replaceAll('-', ''), d.secret)).code).toBe(4);
    expect(await metric(p, 'mqtt_rejects_total{reason="bad_credentials"}')).toBe(before + 3);
    // Client id and user name must be the same string, exactly.
    expect((await login(upper, d.id, d.secret)).code).toBe(2);
    expect((await login(d.id, upper, d.secret)).code).toBe(2);
    expect(await first.c.alive()).toBe(true);
    await first.c.drop();
  });

  it('drops the session when credentials are revoked under another spelling of the id', async () => {
    const d = await newDevice();
    const { c, code } = await login(d.id, d.id, d.secret);
    expect(code).toBe(0);
    // The HTTP API accepts an upper-case UUID in the path; the broker must still find the session.
    expect((await http('POST', `${orgBase}/devices/${d.id.toUpperCase()}/credentials/revoke`)).status).toBe(204);
    await c.closed;
    expect((await login(d.id, d.id, d.secret)).code).toBe(5);
  });

  it('takes over the one session on a second connection of the device', async () => {
    const d = await newDevice();
    const first = await login(d.id, d.id, d.secret);
    const second = await login(d.id, d.id, d.secret);
    expect(second.code).toBe(0);
    await first.c.closed; // [MQTT-3.1.4-2]
    expect(await second.c.alive()).toBe(true);
    await second.c.drop();
  });

  it("keeps topic rules on the canonical id: another spelling is another device's namespace", async () => {
    const d = await newDevice();
    const upper = d.id.toUpperCase();
    const { c } = await login(d.id, d.id, d.secret);
    c.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: `devices/${upper}/#`, qos: 1 }] });
    expect(await c.next('suback')).toMatchObject({ granted: [128] });
    c.send({
      cmd: 'publish',
      topic: `devices/${upper}/telemetry`,
      payload: Buffer.from('{"t":1}'),
      qos: 1,
      messageId: 2,
      dup: false,
      retain: false,
    });
    await c.closed;
    expect(await p.count('SELECT count(*)::int AS n FROM telemetry WHERE device_id = $1', [d.id])).toBe(0);
  });
});
