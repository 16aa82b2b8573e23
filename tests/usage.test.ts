import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, creds, metric, startTestPlatform, type TestPlatform, until } from './helpers.ts';

describe('usage metering and plan limits on MQTT', () => {
  let p: TestPlatform;
  let api: ReturnType<typeof apiClient>;
  let orgId: string;
  beforeAll(async () => {
    p = await startTestPlatform('postgres');
    api = apiClient(p);
    await api.signIn('meter@example.com');
    orgId = (await api.call('POST', '/v1/orgs', { name: 'Metered' })).body.id;
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('counts messages, data points and bytes equal to what was stored, and API calls', async () => {
    const device = (await api.call('POST', `/v1/orgs/${orgId}/devices`, { name: 'm1' })).body;
    const client = await p.connect(creds({ id: device.id, secret: device.mqtt.password }));
    let bytes = 0;
    for (let i = 0; i < 20; i++) {
      const payload = JSON.stringify({ a: i, b: i * 2, c: i % 2 === 0 });
      bytes += Buffer.byteLength(payload);
      await client.publishAsync(`devices/${device.id}/telemetry`, payload, { qos: 1 });
    }
    await client.endAsync();
    await p.meter.flush();
    const day = new Date().toISOString().slice(0, 10);
    const usage = await api.call('GET', `/v1/orgs/${orgId}/usage?from=${day}&to=${day}&by=device`);
    const stored = await p.count('SELECT count(*)::int AS n FROM telemetry WHERE device_id = $1', [device.id]);
    const row = usage.body.data.find((r: { device_id: string | null }) => r.device_id === device.id);
    expect(row).toMatchObject({ day, messages: 20, data_points: stored, bytes });
    expect(stored).toBe(60);
    const billing = await api.call('GET', `/v1/orgs/${orgId}/billing`);
    expect(billing.body.usage).toMatchObject({ devices: 1, messages_today: 20, data_points_today: 60 });
    const totals = await api.call('GET', `/v1/orgs/${orgId}/usage?from=${day}&to=${day}`);
    expect(totals.body.data[0].api_calls).toBeGreaterThan(0);
  });

  it("drops messages past the organization's daily quota, counted by reason", async () => {
    await p.db.sql.query(
      `INSERT INTO billing_accounts (org_id, limit_overrides) VALUES ($1, '{"messages_per_day": 25}')
       ON CONFLICT (org_id) DO UPDATE SET limit_overrides = excluded.limit_overrides`,
      [orgId],
    );
    const device = (await api.call('POST', `/v1/orgs/${orgId}/devices`, { name: 'm2' })).body;
    const client = await p.connect(creds({ id: device.id, secret: device.mqtt.password }));
    // The quota is learned on connect, in the background.
    await until(async () => {
      await client.publishAsync(`devices/${device.id}/telemetry`, JSON.stringify({ x: 1 }), { qos: 1 });
      return (await metric(p, 'mqtt_rejects_total{reason="quota_exceeded"}')) > 0;
    }, 'quota enforced');
    expect(client.connected).toBe(true); // acknowledged and dropped, not disconnected
    await client.endAsync();
  });

  it('refuses connections of devices beyond the plan device count, oldest devices first', async () => {
    const other = (await api.call('POST', '/v1/orgs', { name: 'Crowded' })).body.id;
    await p.db.sql.query(`INSERT INTO billing_accounts (org_id, limit_overrides) VALUES ($1, '{"devices": 2}')`, [
      other,
    ]);
    const made = [];
    for (let i = 0; i < 2; i++)
      made.push((await api.call('POST', `/v1/orgs/${other}/devices`, { name: `c${i}` })).body);
    // A downgrade can leave more devices than the plan allows: the newest ones are refused.
    const extra = await p.devices.create({ orgId: other, name: 'extra' });
    const refused = await p.connect(creds(extra)).catch((e) => e);
    expect(refused.code).toBe(5);
    const oldest = await p.connect(creds({ id: made[0].id, secret: made[0].mqtt.password }));
    expect(oldest.connected).toBe(true);
    await oldest.endAsync();
    expect(await metric(p, 'mqtt_rejects_total{reason="plan_device_limit"}')).toBe(1);
  });

  // Last: it restarts the shared platform.
  it('keeps the daily message quota across a restart on the same database', async () => {
    const org = (await api.call('POST', '/v1/orgs', { name: 'Restarted' })).body.id;
    const device = (await api.call('POST', `/v1/orgs/${org}/devices`, { name: 'r1' })).body;
    const topic = `devices/${device.id}/telemetry`;
    const stored = () => p.count('SELECT count(*)::int AS n FROM telemetry WHERE device_id = $1', [device.id]);
    const before = await p.connect(creds({ id: device.id, secret: device.mqtt.password }));
    for (let i = 0; i < 10; i++) await before.publishAsync(topic, JSON.stringify({ x: i }), { qos: 1 });
    await before.endAsync();
    await p.db.sql.query(
      `INSERT INTO billing_accounts (org_id, limit_overrides) VALUES ($1, '{"messages_per_day": 10}')`,
      [org],
    );

    p = await p.restart();
    api = apiClient(p); // the same account, on the new port
    await api.signIn('meter@example.com');
    expect(p.meter.messagesToday(org)).toBe(10);
    const after = await p.connect(creds({ id: device.id, secret: device.mqtt.password }));
    await until(async () => {
      await after.publishAsync(topic, JSON.stringify({ x: 1 }), { qos: 1 });
      return (await metric(p, 'mqtt_rejects_total{reason="quota_exceeded"}')) > 0;
    }, 'quota enforced after the restart');
    // From zero again, the quota would have let ten more in; at most the few sent before the
    // broker learned the quota on connect got through.
    expect((await stored()) - 10).toBeLessThan(10);
    const storedNow = await stored();
    await after.publishAsync(topic, JSON.stringify({ x: 2 }), { qos: 1 });
    expect(await stored()).toBe(storedNow);
    await after.endAsync();
  });
});
