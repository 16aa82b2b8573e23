import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHarness } from '../testing.ts';

type Harness = Awaited<ReturnType<typeof authHarness>>;
const FROM = '2026-03-01T00:00:00Z';
const TO = '2026-03-01T03:00:00Z';

describe.each(['postgres', 'embedded'] as const)('telemetry queries on %s', (database) => {
  let h: Harness;
  let token: string;
  let base: string;
  let d1: string;
  let d2: string;
  beforeAll(async () => {
    h = await authHarness({ database });
    token = (await h.signupAndLogin('t@example.com')).access_token;
    const orgId = (await h.call('POST', '/v1/orgs', { name: 'T' }, token)).body.id;
    base = `/v1/orgs/${orgId}`;
    d1 = (await h.call('POST', `${base}/devices`, { name: 'd1' }, token)).body.id;
    d2 = (await h.call('POST', `${base}/devices`, { name: 'd2' }, token)).body.id;
    // One reading a minute for three hours; d1's value is the minute number, d2's is ten times it.
    for (const [id, k] of [
      [d1, 1],
      [d2, 10],
    ] as const) {
      await h.db.sql.query(
        `INSERT INTO telemetry (time, device_id, metric, value)
         SELECT timestamptz '${FROM}' + i * interval '1 minute', $1::uuid, 'temp', i * ${k} FROM generate_series(0, 179) i`,
        [id],
      );
      await h.db.sql.query(
        `INSERT INTO telemetry_latest (time, device_id, metric, value) VALUES (timestamptz '${TO}', $1::uuid, 'temp', 0)`,
        [id],
      );
    }
  });
  afterAll(async () => {
    await h?.close();
  });

  it('buckets a device by hour with each aggregate, from the continuous aggregate when TimescaleDB is there', async () => {
    const expected: Record<string, number[]> = {
      avg: [29.5, 89.5, 149.5],
      min: [0, 60, 120],
      max: [59, 119, 179],
      sum: [1770, 5370, 8970],
      count: [60, 60, 60],
      first: [0, 60, 120],
      last: [59, 119, 179],
    };
    for (const [agg, values] of Object.entries(expected)) {
      const res = await h.call(
        'GET',
        `${base}/devices/${d1}/telemetry?metric=temp&from=${FROM}&to=${TO}&bucket=1h&agg=${agg}`,
        undefined,
        token,
      );
      expect(res.status, agg).toBe(200);
      expect(res.body.source).toBe(database === 'embedded' ? 'telemetry_1h' : 'raw');
      expect(
        res.body.data.map((p: { value: number }) => p.value),
        agg,
      ).toEqual(values);
      // The device is the path's: its buckets do not repeat it.
      expect(res.body.data[0]).toEqual({ ts: '2026-03-01T00:00:00Z', value: values[0] });
    }
    const fine = await h.call(
      'GET',
      `${base}/devices/${d1}/telemetry?metric=temp&from=${FROM}&to=${TO}&bucket=5m&agg=max`,
      undefined,
      token,
    );
    expect(fine.body.source).toBe(database === 'embedded' ? 'telemetry_1m' : 'raw');
    expect(fine.body.data).toHaveLength(36);
    expect(fine.body.data[35].value).toBe(179);
  });

  it('answers several devices in one query', async () => {
    const res = await h.call(
      'GET',
      `${base}/telemetry?device_ids=${d1},${d2}&metric=temp&from=${FROM}&to=${TO}&bucket=1h&agg=max`,
      undefined,
      token,
    );
    expect(res.status).toBe(200);
    const byDevice = (id: string) =>
      res.body.data.filter((p: { device_id: string }) => p.device_id === id).map((p: { value: number }) => p.value);
    expect(byDevice(d1)).toEqual([59, 119, 179]);
    expect(byDevice(d2)).toEqual([590, 1190, 1790]);
  });

  it('pages raw points newest first, to the microsecond, numbers, booleans and text alike', async () => {
    const d3 = (await h.call('POST', `${base}/devices`, { name: 'd3' }, token)).body.id;
    await h.db.sql.query(
      `INSERT INTO telemetry (time, device_id, metric, value, value_bool, value_text) VALUES
         ('2026-03-01T01:00:00.000001Z', $1::uuid, 'mixed', 1.5, NULL, NULL),
         ('2026-03-01T01:00:00.000002Z', $1::uuid, 'mixed', NULL, true, NULL),
         ('2026-03-01T01:00:00.123456Z', $1::uuid, 'mixed', NULL, NULL, 'open')`,
      [d3],
    );
    const page = async (q: string) =>
      (await h.call('GET', `${base}/devices/${d3}/telemetry?metric=mixed&from=${FROM}&to=${TO}&${q}`, undefined, token))
        .body;
    const first = await page('limit=2');
    expect(first).toEqual({
      data: [
        { ts: '2026-03-01T01:00:00.123456Z', value: 'open' },
        { ts: '2026-03-01T01:00:00.000002Z', value: true },
      ],
      next_cursor: '2026-03-01T01:00:00.000002Z',
    });
    expect(await page(`limit=2&cursor=${first.next_cursor}`)).toEqual({
      data: [{ ts: '2026-03-01T01:00:00.000001Z', value: 1.5 }],
      next_cursor: null,
    });
    // The three hours of minute readings, whole: 180 points, newest first.
    const all = await h.call(
      'GET',
      `${base}/devices/${d1}/telemetry?metric=temp&from=${FROM}&to=${TO}`,
      undefined,
      token,
    );
    expect(all.body.data).toHaveLength(180);
    expect(all.body.data[0]).toEqual({ ts: '2026-03-01T02:59:00.000000Z', value: 179 });
    // Another organization's device has no points here, whatever the metric.
    const other = (await h.call('POST', '/v1/orgs', { name: 'Other' }, token)).body.id;
    const res = await h.call(
      'GET',
      `/v1/orgs/${other}/devices/${d1}/telemetry?metric=temp&from=${FROM}`,
      undefined,
      token,
    );
    expect(res.status).toBe(404);
  });

  it('streams an export as NDJSON or CSV', async () => {
    const nd = await h.app.request(`${base}/telemetry/export?device_ids=${d1},${d2}&from=${FROM}&to=${TO}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const rows = (await nd.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(360);
    expect(rows[0]).toEqual({
      ts: '2026-03-01T00:00:00.000000Z',
      device_id: expect.any(String),
      metric: 'temp',
      value: 0,
    });
    const csv = await h.app.request(`${base}/telemetry/export?device_ids=${d1}&from=${FROM}&to=${TO}&format=csv`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('ts,device_id,metric,value');
    expect(lines).toHaveLength(181);
  });

  it('refuses bad queries, saying what to change', async () => {
    const ask = async (q: string) =>
      (await h.call('GET', `${base}/devices/${d1}/telemetry?${q}`, undefined, token)).body;
    expect((await ask(`metric=humidity&from=${FROM}&to=${TO}`)).detail).toMatch(/never reported.*known: temp/);
    expect((await ask(`metric=temp&from=${TO}&to=${FROM}`)).detail).toMatch(/from: must be before to/);
    expect((await ask(`metric=temp&from=2020-01-01T00:00:00Z&to=${TO}&bucket=1m`)).detail).toMatch(
      /use a larger bucket or a shorter range/,
    );
    expect((await ask(`metric=temp&from=${FROM}&limit=20000`)).detail).toMatch(/at most 10000 points/);
    expect((await ask(`metric=temp&from=${FROM}&bucket=2m`)).detail).toMatch(/^bucket: must be one of 1m, 5m/);
    expect((await ask(`metric=temp`)).detail).toMatch(/^from: is required: an ISO 8601 time/);
    expect((await ask(`metric=temp&from=yesterday`)).detail).toMatch(/^from: must be an ISO 8601 time with a zone/);
    expect((await ask(`metric=temp&from=${FROM}&bucket=1h&agg=median`)).detail).toMatch(
      /^agg: must be one of avg, min/,
    );
    const series = await h.call('GET', `${base}/telemetry?device_ids=${d1}&metric=temp&from=${FROM}`, undefined, token);
    expect(series.body.detail).toMatch(/^bucket: is required: one of 1m, 5m/);
    const other = await h.call(
      'GET',
      `${base}/telemetry?device_ids=${d1},00000000-0000-4000-8000-000000000000&metric=temp&from=${FROM}&to=${TO}&bucket=1h`,
      undefined,
      token,
    );
    expect(other.status).toBe(404);
  });
});
