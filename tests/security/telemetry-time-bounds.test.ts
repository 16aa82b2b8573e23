import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creds, metric, startTestPlatform, type TestPlatform } from '../helpers.ts';

/** Readings from the future would stay a device's latest value until the clock caught up. */
describe('telemetry time bounds from outside', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform('postgres');
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('drops SenML relative times past the future limit, and keeps latest at the present', async () => {
    const d = await p.device();
    const client = await p.connect(creds(d));
    const topic = `devices/${d.id}/telemetry`;
    await client.publishAsync(topic, JSON.stringify([{ n: 'temp', v: 20, t: -1 }]), { qos: 1 });
    const before = await metric(p, 'mqtt_rejects_total{reason="future_timestamp"}');
    const day = 86_400;
    const ahead = [
      [{ n: 'temp', v: 99, t: 3106 * day }], // RFC 8428 §4.5.3: below 2^28 s, relative to now
      [{ bt: 2 ** 28 - 1, n: 'temp', v: 99 }],
      [{ bt: 60, n: 'temp', v: 99, t: 3600 }],
    ];
    for (const records of ahead) await client.publishAsync(topic, JSON.stringify(records), { qos: 1 });
    expect(await metric(p, 'mqtt_rejects_total{reason="future_timestamp"}')).toBe(before + ahead.length);
    const latest = await p.db.sql.query("SELECT value FROM telemetry_latest WHERE device_id = $1 AND metric = 'temp'", [
      d.id,
    ]);
    expect(latest).toEqual([{ value: 20 }]);
    expect(await p.count('SELECT count(*)::int AS n FROM telemetry WHERE device_id = $1', [d.id])).toBe(1);
    await client.endAsync();
  });
});
