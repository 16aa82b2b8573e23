import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../http/csv.ts';
import { authHarness } from '../testing.ts';

type Harness = Awaited<ReturnType<typeof authHarness>>;

/** A fresh platform with one signed-in user who owns one organization. */
async function ownerOfOrg(email: string, name: string) {
  const h = await authHarness();
  const token = (await h.signupAndLogin(email)).access_token;
  const orgId: string = (await h.call('POST', '/v1/orgs', { name }, token)).body.id;
  return { h, token, orgId };
}

describe('device registry', () => {
  let h: Harness;
  let token: string;
  let orgId: string;
  let base: string;
  beforeAll(async () => {
    ({ h, token, orgId } = await ownerOfOrg('fleet@example.com', 'Fleet'));
    base = `/v1/orgs/${orgId}/devices`;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('registers a device and shows its MQTT password once', async () => {
    const created = await h.call(
      'POST',
      base,
      { name: 'pump-1', type: 'pump', tags: ['site:a'], attributes: { floor: 2 } },
      token,
    );
    expect(created.status).toBe(201);
    expect(created.body.mqtt).toEqual({
      host: 'localhost',
      port: 1883,
      client_id: created.body.id,
      username: created.body.id,
      password: expect.stringMatching(/^[\w-]{43}$/),
    });
    const got = await h.call('GET', `${base}/${created.body.id}`, undefined, token);
    expect(got.body).toMatchObject({
      name: 'pump-1',
      type: 'pump',
      tags: ['site:a'],
      attributes: { floor: 2 },
      online: false,
    });
    expect(JSON.stringify(got.body)).not.toContain(created.body.mqtt.password);
  });

  it('lists with filters and cursor pagination', async () => {
    for (let i = 0; i < 5; i++)
      await h.call('POST', base, { name: `valve-${i}`, type: 'valve', tags: i % 2 ? ['odd'] : [] }, token);
    const valves = await h.call('GET', `${base}?type=valve&limit=2`, undefined, token);
    expect(valves.body.data).toHaveLength(2);
    const rest = await h.call('GET', `${base}?type=valve&limit=10&cursor=${valves.body.next_cursor}`, undefined, token);
    expect(rest.body.data).toHaveLength(3);
    expect(rest.body.next_cursor).toBeNull();
    expect((await h.call('GET', `${base}?tag=odd`, undefined, token)).body.data).toHaveLength(2);
    expect((await h.call('GET', `${base}?q=valve-3`, undefined, token)).body.data).toHaveLength(1);
    expect((await h.call('GET', `${base}?online=true`, undefined, token)).body.data).toHaveLength(0);
    expect((await h.call('GET', `${base}?limit=0`, undefined, token)).status).toBe(400);
  });

  it('updates, rotates and revokes credentials, and deletes', async () => {
    const d = (await h.call('POST', base, { name: 'temp' }, token)).body;
    const patched = await h.call('PATCH', `${base}/${d.id}`, { name: 'renamed', tags: ['x'] }, token);
    expect(patched.body).toMatchObject({ name: 'renamed', tags: ['x'] });
    const [before] = await h.db.sql.query<{ secret_hash: string }>('SELECT secret_hash FROM devices WHERE id = $1', [
      d.id,
    ]);
    const rotated = await h.call('POST', `${base}/${d.id}/credentials/rotate`, undefined, token);
    expect(rotated.body.mqtt.password).not.toBe(d.mqtt.password);
    const [after] = await h.db.sql.query<{ secret_hash: string }>('SELECT secret_hash FROM devices WHERE id = $1', [
      d.id,
    ]);
    expect(after!.secret_hash).not.toBe(before!.secret_hash);
    expect((await h.call('POST', `${base}/${d.id}/credentials/revoke`, undefined, token)).status).toBe(204);
    expect((await h.call('GET', `${base}/${d.id}`, undefined, token)).body.credentials_revoked).toBe(true);
    expect((await h.call('DELETE', `${base}/${d.id}`, undefined, token)).status).toBe(204);
    expect((await h.call('GET', `${base}/${d.id}`, undefined, token)).status).toBe(404);
  });

  it('reads the latest values and raw points, page by page, to the microsecond', async () => {
    const d = (await h.call('POST', base, { name: 'sensor' }, token)).body;
    await h.db.sql.query(
      `INSERT INTO telemetry (time, device_id, metric, value)
       SELECT timestamptz '2026-01-01T00:00:00Z' + i * interval '1 microsecond', $1, 'temp', i FROM generate_series(1, 25) i`,
      [d.id],
    );
    await h.db.sql.query(
      "INSERT INTO telemetry_latest (time, device_id, metric, value) VALUES (timestamptz '2026-01-01T00:00:00.000025Z', $1, 'temp', 25)",
      [d.id],
    );
    const latest = await h.call('GET', `${base}/${d.id}/telemetry/latest`, undefined, token);
    expect(latest.body).toEqual({ temp: { ts: '2026-01-01T00:00:00.000025Z', value: 25 } });

    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `metric=temp&from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&limit=10${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await h.call('GET', `${base}/${d.id}/telemetry?${q}`, undefined, token);
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((p: { value: number }) => p.value));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => 25 - i));

    const backwards = await h.call(
      'GET',
      `${base}/${d.id}/telemetry?metric=temp&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z`,
      undefined,
      token,
    );
    expect(backwards.status).toBe(400);
    expect(backwards.body.detail).toMatch(/from: must be before to/);
    expect(
      (await h.call('GET', `${base}/${d.id}/telemetry?metric=bad name&from=2026-01-01T00:00:00Z`, undefined, token))
        .status,
    ).toBe(400);
  });
});

describe('provisioning at scale and groups', () => {
  let h: Harness;
  let token: string;
  let base: string;
  beforeAll(async () => {
    let orgId: string;
    ({ h, token, orgId } = await ownerOfOrg('scale@example.com', 'Scale'));
    base = `/v1/orgs/${orgId}`;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('registers devices in bulk from JSON, and from CSV with a credentials file back', async () => {
    const json = await h.call(
      'POST',
      `${base}/devices/bulk`,
      {
        devices: [
          { name: 'a', tags: ['line:1'] },
          { name: 'b', tags: ['line:1', 'hot'] },
        ],
      },
      token,
    );
    expect(json.status).toBe(201);
    expect(
      json.body.data.map((d: { name: string; mqtt: { password: string } }) => [d.name, d.mqtt.password.length]),
    ).toEqual([
      ['a', 43],
      ['b', 43],
    ]);
    const csv = await h.app.request(`${base}/devices/bulk?format=csv`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      body: 'name,type,tags\nc,pump,line:2;hot\nd,pump,\n',
    });
    expect(csv.status).toBe(201);
    const file = parseCsv(await csv.text());
    expect(file.header).toEqual(['id', 'name', 'host', 'port', 'client_id', 'username', 'password']);
    expect(file.rows.map((r) => r.cells.name)).toEqual(['c', 'd']);
    const bad = await h.call('POST', `${base}/devices/bulk`, { devices: [{ name: 'ok' }, { name: '' }] }, token);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('devices.1.name');
    expect((await h.call('GET', `${base}/devices?q=ok`, undefined, token)).body.data).toEqual([]); // all or none
  });

  it('reads bulk CSV as RFC 4180 (quotes, commas, line breaks, BOM, CRLF) and writes names back safely', async () => {
    const bulk = (body: string, format = 'json') =>
      h.app.request(`${base}/devices/bulk?format=${format}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
        body,
      });
    const sent = [
      '\uFEFFname,type,tags',
      '"bulk, 3",pump,',
      '"say ""hi""",valve,a;b',
      `"=cmd|' /C calc'!A0",pump,`,
      '"two\r\nlines",pump,',
    ];
    const res = await bulk(`${sent.join('\r\n')}\r\n`, 'csv');
    expect(res.status).toBe(201);
    const { rows } = parseCsv(await res.text());
    // The name comes back as sent, but a spreadsheet would not run it as a formula.
    expect(rows.map((r) => r.cells.name)).toEqual(['bulk, 3', 'say "hi"', `'=cmd|' /C calc'!A0`, 'two\r\nlines']);
    const stored = (await h.call('GET', `${base}/devices?q=bulk`, undefined, token)).body.data;
    expect(stored.map((d: { name: string; type: string }) => [d.name, d.type])).toEqual([['bulk, 3', 'pump']]);

    const malformed = await bulk('name,type,tags\r\nok,pump,\r\nbulk, 3,pump,\r\n');
    expect(malformed.status).toBe(400);
    const problem = await malformed.json();
    expect(problem.type).toBe('https://iot-platform.dev/problems/invalid-request');
    expect(problem.detail).toMatch(/^CSV line 3: 4 fields where the header has 3/);
    expect((await bulk('name,type\n"unclosed,pump\n')).status).toBe(400);
    const invalid = await (await bulk('name,type,tags\nfine,,\n,pump,\n')).json();
    expect(invalid.detail).toMatch(/^CSV line 3: name: /);
    expect((await h.call('GET', `${base}/devices?q=ok`, undefined, token)).body.data).toEqual([]); // all or none
    expect((await h.call('GET', `${base}/devices?q=fine`, undefined, token)).body.data).toEqual([]);
  });

  it('groups devices statically or by tags, and queries a group', async () => {
    const all = (await h.call('GET', `${base}/devices?limit=100`, undefined, token)).body.data as {
      id: string;
      name: string;
    }[];
    const id = (n: string) => all.find((d) => d.name === n)!.id;
    const hot = (await h.call('POST', `${base}/groups`, { name: 'hot', kind: 'dynamic', tags: ['hot'] }, token)).body;
    expect(
      (await h.call('GET', `${base}/groups/${hot.id}/devices`, undefined, token)).body.data
        .map((d: { name: string }) => d.name)
        .sort(),
    ).toEqual(['b', 'c']);
    const picked = (await h.call('POST', `${base}/groups`, { name: 'picked', kind: 'static' }, token)).body;
    expect((await h.call('PUT', `${base}/groups/${picked.id}/devices/${id('a')}`, undefined, token)).status).toBe(204);
    expect((await h.call('PUT', `${base}/groups/${hot.id}/devices/${id('a')}`, undefined, token)).status).toBe(409);
    expect(
      (await h.call('GET', `${base}/groups/${picked.id}/devices`, undefined, token)).body.data.map(
        (d: { name: string }) => d.name,
      ),
    ).toEqual(['a']);
    expect((await h.call('POST', `${base}/groups`, { name: 'hot', kind: 'static' }, token)).status).toBe(409);
    expect((await h.call('POST', `${base}/groups`, { name: 'empty', kind: 'dynamic' }, token)).status).toBe(400);

    await h.db.sql.query(
      "INSERT INTO telemetry (time, device_id, metric, value) SELECT timestamptz '2026-02-01T00:00:00Z' + i * interval '1 minute', d, 'rpm', i FROM unnest($1::uuid[]) d, generate_series(0, 59) i",
      [[id('b'), id('c')]],
    );
    await h.db.sql.query(
      "INSERT INTO telemetry_latest (time, device_id, metric, value) SELECT now(), d, 'rpm', 0 FROM unnest($1::uuid[]) d",
      [[id('b'), id('c')]],
    );
    const series = await h.call(
      'GET',
      `${base}/telemetry?group_id=${hot.id}&metric=rpm&from=2026-02-01T00:00:00Z&to=2026-02-01T01:00:00Z&bucket=1h&agg=count`,
      undefined,
      token,
    );
    expect(
      series.body.data?.map((p: { value: number }) => p.value),
      JSON.stringify(series.body),
    ).toEqual([60, 60]);
  });

  it('deletes raw readings past the retention of the device, else of its organization', async () => {
    const [keep, short] = (
      await h.call(
        'POST',
        `${base}/devices/bulk`,
        { devices: [{ name: 'r1' }, { name: 'r2', retention_days: 1 }] },
        token,
      )
    ).body.data;
    for (const d of [keep, short]) {
      await h.db.sql.query(
        "INSERT INTO telemetry (time, device_id, metric, value) VALUES (now() - interval '3 days', $1, 'x', 1), (now() - interval '10 days', $1, 'x', 2), (now(), $1, 'x', 3)",
        [d.id],
      );
    }
    await h.call('PATCH', base, { settings: { retention_days: 7 } }, token);
    const { TelemetryRepository } = await import('../telemetry/telemetry.repository.ts');
    const removed = await new TelemetryRepository(h.db.orm, h.db.sql).applyRetention();
    expect(removed).toBeGreaterThanOrEqual(3); // r1's 10-day-old reading, r2's two older than a day, older test data
    const left = await h.db.sql.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM telemetry WHERE device_id = ANY($1::uuid[])',
      [[keep.id, short.id]],
    );
    expect(left[0]!.n).toBe(3);

    // An organization without its own setting keeps its plan's retention, when plans apply.
    const plain = (await h.call('POST', '/v1/orgs', { name: 'Plain' }, token)).body.id;
    const d = (await h.call('POST', `/v1/orgs/${plain}/devices`, { name: 'p1' }, token)).body;
    await h.db.sql.query(
      "INSERT INTO telemetry (time, device_id, metric, value) VALUES (now() - interval '10 days', $1, 'x', 1)",
      [d.id],
    );
    const repo = new TelemetryRepository(h.db.orm, h.db.sql);
    await repo.applyRetention();
    const count = async () =>
      (await h.db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM telemetry WHERE device_id = $1', [d.id]))[0]!
        .n;
    expect(await count()).toBe(1);
    await repo.applyRetention({ free: 7, pro: 90 });
    expect(await count()).toBe(0);
  });
});

describe('claim codes', () => {
  it('lets an operator mint codes, a customer claim one, and the device fetch its credentials once', async () => {
    const h = await authHarness({ adminEmails: ['factory@example.com'] });
    try {
      await h.call('POST', '/v1/auth/signup', { email: 'factory@example.com', password: 'correct horse battery' });
      await h.call('POST', '/v1/auth/verify-email', {
        token: h.tokenIn((await h.lastMail('factory@example.com'))!.text),
      });
      const operator = (
        await h.call('POST', '/v1/auth/login', { email: 'factory@example.com', password: 'correct horse battery' })
      ).body.access_token;
      const { codes } = (await h.call('POST', '/v1/admin/claim-codes', { count: 2 }, operator)).body;
      expect(codes).toHaveLength(2);
      expect(codes[0]).toMatch(/^CLM-[0-9A-F]{5}-[0-9A-F]{5}-[0-9A-F]{5}-[0-9A-F]{5}$/);

      const customer = (await h.signupAndLogin('buyer@example.com')).access_token;
      const base = `/v1/orgs/${(await h.call('POST', '/v1/orgs', { name: 'Buyer' }, customer)).body.id}/devices`;
      // Before the claim, the device learns to wait.
      expect((await h.call('POST', '/v1/claim/credentials', { code: codes[0] })).status).toBe(409);
      // Labels are typed by people: case and dashes do not matter.
      const claimed = await h.call(
        'POST',
        `${base}/claim`,
        { code: codes[0].toLowerCase().replaceAll('-', ' '), name: 'meter' },
        customer,
      );
      expect(claimed.status).toBe(201);
      expect(claimed.body.mqtt).toBeUndefined();
      expect((await h.call('POST', `${base}/claim`, { code: codes[0], name: 'again' }, customer)).status).toBe(400);

      const fetched = await h.call('POST', '/v1/claim/credentials', { code: codes[0] });
      expect(fetched.body.mqtt).toMatchObject({ client_id: claimed.body.id, password: expect.any(String) });
      expect((await h.call('POST', '/v1/claim/credentials', { code: codes[0] })).status).toBe(410);
      expect((await h.call('POST', '/v1/claim/credentials', { code: 'CLM-00000-00000-00000-00000' })).status).toBe(404);
      expect((await h.call('POST', '/v1/admin/claim-codes', { count: 1 }, customer)).status).toBe(403);
    } finally {
      await h.close();
    }
  });
});
