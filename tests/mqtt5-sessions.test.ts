import mqtt, { type IClientOptions, type IConnackPacket, type IPublishPacket, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, creds, startTestPlatform, type TestPlatform, until } from './helpers.ts';

const v5 = (d: { id: string; secret: string }, o: IClientOptions = {}): IClientOptions => ({
  ...creds(d),
  protocolVersion: 5,
  ...o,
});
/** Every PUBLISH a client receives, properties and all. */
const inbox = (client: MqttClient) => {
  const got: IPublishPacket[] = [];
  client.on('message', (_topic, _payload, packet) => got.push(packet));
  return got;
};

describe('MQTT 5 sessions and properties', () => {
  let p: TestPlatform;
  /** A client whose CONNACK and first messages are heard: listeners go on before it connects. */
  const open = (options: IClientOptions) => {
    const c = mqtt.connect(`mqtt://127.0.0.1:${p.mqttPort}`, { reconnectPeriod: 0, ...options });
    const got = inbox(c);
    const connack = new Promise<IConnackPacket>((resolve, reject) => {
      c.once('connect', resolve);
      c.once('error', reject);
    });
    return { c, got, connack };
  };
  beforeAll(async () => {
    p = await startTestPlatform('postgres', { MQTT_SESSION_EXPIRY_MAX_S: '2' });
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('relays user properties, response topic and correlation data to MQTT 5 subscribers, not to 3.1.1 ones', async () => {
    const d = await p.device();
    const c = await p.connect(v5(d));
    const got = inbox(c);
    await c.subscribeAsync(`devices/${d.id}/echo`, { qos: 1 });
    const properties = {
      userProperties: { site: 'north', shift: ['a', 'b'] },
      responseTopic: `devices/${d.id}/echo/reply`,
      correlationData: Buffer.from('req-1'),
      contentType: 'application/json',
    };
    await c.publishAsync(`devices/${d.id}/echo`, '{"x": 1}', { qos: 1, properties });
    await until(() => got.length === 1, 'echo');
    expect(got[0]!.properties).toMatchObject(properties);
    await c.endAsync();

    // The same device on 3.1.1 gets the message itself, and nothing a 3.1.1 packet cannot hold.
    const c4 = await p.connect(creds(d));
    const got4 = inbox(c4);
    await c4.subscribeAsync(`devices/${d.id}/echo`, { qos: 1 });
    await p.broker.publishToDevice(d.id, 'echo', '{"x": 2}', { properties });
    await until(() => got4.length === 1, '3.1.1 echo');
    expect(got4[0]!.payload.toString()).toBe('{"x": 2}');
    expect(got4[0]!.properties).toBeUndefined();
    await c4.endAsync();
  });

  it('sends a command with a response topic and correlation data; the answer there completes it', async () => {
    const api = apiClient(p);
    await api.signIn('mqtt5@example.com');
    const org = (await api.call('POST', '/v1/orgs', { name: 'Five' })).body.id;
    const d = (await api.call('POST', `/v1/orgs/${org}/devices`, { name: 'relay' })).body;
    const c = await p.connect(v5({ id: d.id, secret: d.mqtt.password }));
    c.on('message', (_topic, payload, packet) => {
      const { responseTopic, correlationData } = packet.properties ?? {};
      if (!responseTopic) return;
      const cmd = JSON.parse(payload.toString());
      c.publish(responseTopic, JSON.stringify({ status: 'succeeded', result: { echo: cmd.name } }), {
        qos: 1,
        properties: { correlationData },
      });
    });
    await c.subscribeAsync(`devices/${d.id}/commands`, { qos: 1 });
    const sent = await api.call('POST', `/v1/orgs/${org}/devices/${d.id}/commands`, { name: 'blink', timeout_s: 5 });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ status: 'succeeded', result: { echo: 'blink' } });
    await c.endAsync();
  });

  it('drops a queued message whose expiry passed, and delivers the others with their time left', async () => {
    const d = await p.device();
    const options = v5(d, { clean: false, properties: { sessionExpiryInterval: 2 } });
    const first = await p.connect(options);
    await first.subscribeAsync(`devices/${d.id}/commands`, { qos: 1 });
    await first.endAsync();
    await p.broker.publishToDevice(d.id, 'commands', '{"n": "short"}', { properties: { messageExpiryInterval: 1 } });
    await p.broker.publishToDevice(d.id, 'commands', '{"n": "long"}', { properties: { messageExpiryInterval: 60 } });
    await new Promise((r) => setTimeout(r, 1200));
    const { c: again, got, connack } = open(options);
    await connack;
    await until(() => got.length > 0, 'queued message');
    await new Promise((r) => setTimeout(r, 200));
    expect(got.map((m) => JSON.parse(m.payload.toString()).n)).toEqual(['long']);
    expect(got[0]!.properties?.messageExpiryInterval).toBeLessThanOrEqual(59);
    await again.endAsync();
  });

  it('caps the session expiry at MQTT_SESSION_EXPIRY_MAX_S, says so in CONNACK, and ends the session after it', async () => {
    const d = await p.device();
    const options = v5(d, { clean: false, properties: { sessionExpiryInterval: 3600 } });
    const connack = async () => {
      const { c, connack } = open(options);
      return { c, a: await connack };
    };
    const one = await connack();
    expect(one.a.properties?.sessionExpiryInterval).toBe(2);
    await one.c.subscribeAsync(`devices/${d.id}/commands`, { qos: 1 });
    await one.c.endAsync();
    const two = await connack();
    expect(two.a.sessionPresent).toBe(true);
    await two.c.endAsync();
    await new Promise((r) => setTimeout(r, 2500));
    const three = await connack();
    expect(three.a.sessionPresent).toBe(false);
    await three.c.endAsync();
  });
});
