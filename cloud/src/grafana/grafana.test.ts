import { readdirSync, readFileSync } from 'node:fs';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHarness } from '../testing.ts';

type Harness = Awaited<ReturnType<typeof authHarness>>;

describe("tenants' Grafana logins", () => {
  let h: Harness;
  const tenants: { token: string; orgId: string; deviceId: string }[] = [];
  const roles: string[] = [];

  beforeAll(async () => {
    h = await authHarness();
    for (const name of ['a', 'b']) {
      const token = (await h.signupAndLogin(`${name}@grafana.example`)).access_token;
      const orgId = (await h.call('POST', '/v1/orgs', { name: name.toUpperCase() }, token)).body.id;
      const deviceId = (await h.call('POST', `/v1/orgs/${orgId}/devices`, { name: `${name}-device` }, token)).body.id;
      await h.db.sql.query(
        "INSERT INTO telemetry (time, device_id, metric, value) SELECT now() - i * interval '1 minute', $1::uuid, 'temp', i FROM generate_series(1, 10) i",
        [deviceId],
      );
      await h.db.sql.query(
        "INSERT INTO telemetry_latest (time, device_id, metric, value) VALUES (now(), $1::uuid, 'temp', 0)",
        [deviceId],
      );
      // One alarm open and one cleared, of a rule on the device.
      const [rule] = await h.db.sql.query<{ id: string }>(
        `INSERT INTO rules (org_id, name, target, kind, metric, params, severity)
         VALUES ($1, 'too hot', '{"tags":["x"]}', 'threshold', 'temp', '{"op":"gt","value":1}', 'major') RETURNING id`,
        [orgId],
      );
      await h.db.sql.query(
        `INSERT INTO alarms (org_id, rule_id, device_id, severity, raised_at, cleared_at) VALUES
           ($1, $2, $3, 'major', now() - interval '2 hours', now() - interval '1 hour'), ($1, $2, $3, 'major', now(), NULL)`,
        [orgId, rule!.id, deviceId],
      );
      // Product events and metered usage, for the usage and cost views.
      await h.db.sql.query(
        "INSERT INTO analytics_events (time, org_id, name, user_id) SELECT now() - i * interval '1 minute', $1::uuid, 'app.opened', 'u1' FROM generate_series(1, 3) i",
        [orgId],
      );
      await h.db.sql.query(
        'INSERT INTO usage_daily (org_id, device_id, day, messages, api_calls) VALUES ($1, $2, $3, 5, 7)',
        [orgId, deviceId, new Date().toISOString().slice(0, 10)],
      );
      tenants.push({ token, orgId, deviceId });
    }
  });
  afterAll(async () => {
    for (const t of tenants) await h.call('DELETE', `/v1/orgs/${t.orgId}/grafana/credentials`, undefined, t.token);
    await h?.close();
  });

  it('lets each tenant read its own data and nothing else, with the dashboards as they are', async () => {
    const [a, b] = tenants as [(typeof tenants)[0], (typeof tenants)[0]];
    const creds = (await h.call('POST', `/v1/orgs/${a.orgId}/grafana/credentials`, undefined, a.token)).body;
    expect(creds).toMatchObject({
      host: '127.0.0.1',
      port: 5432,
      user: expect.stringMatching(/^grafana_/),
      password: expect.any(String),
    });
    roles.push(creds.user);
    const sql = postgres({
      host: creds.host,
      port: creds.port,
      database: creds.database,
      username: creds.user,
      password: creds.password,
      max: 1,
      onnotice: () => undefined,
    });
    try {
      const devices = await sql`SELECT id FROM devices`;
      expect(devices.map((d) => d.id)).toEqual([a.deviceId]);
      expect((await sql`SELECT count(*)::int AS n FROM telemetry`)[0]!.n).toBe(10);
      expect((await sql`SELECT count(*)::int AS n FROM telemetry WHERE device_id = ${b.deviceId}`)[0]!.n).toBe(0);
      await expect(sql`SELECT * FROM public.telemetry`).rejects.toThrow(/permission denied/);
      await expect(sql`SELECT * FROM public.users`).rejects.toThrow(/permission denied/);
      // Alarms and rules: the tenant's own, open and cleared, and none of the other organization's.
      const alarms = await sql`SELECT org_id, device_id, cleared_at IS NULL AS open FROM alarms ORDER BY raised_at`;
      expect(alarms.map((r) => [r.org_id, r.device_id, r.open])).toEqual([
        [a.orgId, a.deviceId, false],
        [a.orgId, a.deviceId, true],
      ]);
      expect((await sql`SELECT count(*)::int AS n FROM alarms WHERE org_id = ${b.orgId}`)[0]!.n).toBe(0);
      expect((await sql`SELECT org_id FROM rules`).map((r) => r.org_id)).toEqual([a.orgId]);
      await expect(sql`SELECT * FROM public.alarms`).rejects.toThrow(/permission denied/);
      // Product events and daily usage: the tenant's own only.
      expect((await sql`SELECT DISTINCT org_id FROM analytics_events`).map((r) => r.org_id)).toEqual([a.orgId]);
      expect((await sql`SELECT count(*)::int AS n FROM analytics_events`)[0]!.n).toBe(3);
      expect((await sql`SELECT DISTINCT org_id FROM usage_daily`).map((r) => r.org_id)).toEqual([a.orgId]);
      expect((await sql`SELECT count(*)::int AS n FROM usage_daily WHERE org_id = ${b.orgId}`)[0]!.n).toBe(0);
      await expect(sql`SELECT * FROM public.analytics_events`).rejects.toThrow(/permission denied/);
      await expect(sql`SELECT * FROM public.usage_daily`).rejects.toThrow(/permission denied/);
      // Costs and people: the tenant's own plan, wallet and members only.
      expect((await sql`SELECT DISTINCT org_id FROM billing_accounts`).every((r) => r.org_id === a.orgId)).toBe(true);
      expect((await sql`SELECT count(*)::int AS n FROM users`)[0]!.n).toBe(1);
      expect(
        (await sql`SELECT count(*)::int AS n FROM ledger_entries WHERE account <> ${`org:${a.orgId}`}`)[0]!.n,
      ).toBe(0);
      await expect(sql`SELECT * FROM public.ledger_entries`).rejects.toThrow(/permission denied/);
      await expect(sql`INSERT INTO devices (id) VALUES (gen_random_uuid())`).rejects.toThrow();

      // Every dashboard query runs for the tenant, unchanged.
      const dir = new URL('../../../grafana/dashboards/', import.meta.url);
      for (const file of readdirSync(dir)) {
        const d = JSON.parse(readFileSync(new URL(file, dir), 'utf8'));
        for (const p of d.panels) {
          for (const t of p.targets ?? []) {
            if (!t.rawSql) continue;
            const query = String(t.rawSql)
              .replace(/\$__timeFilter\(([^)]+)\)/g, "$1 > now() - interval '1 day'")
              .replace(/\$__timeGroupAlias\(([^,]+),[^)]+\)/g, "date_bin('1 minute', $1, 'epoch') AS \"time\"")
              .replaceAll('$org', a.orgId)
              .replaceAll('$device', a.deviceId);
            await sql.unsafe(query);
          }
        }
      }
    } finally {
      await sql.end();
    }
    // Only someone who may change the organization gets credentials; another tenant gets nothing.
    expect((await h.call('POST', `/v1/orgs/${a.orgId}/grafana/credentials`, undefined, b.token)).status).toBe(404);
  });

  it('refuses on the embedded database, saying why', async () => {
    const e = await authHarness({ database: 'embedded' });
    try {
      const token = (await e.signupAndLogin('e@grafana.example')).access_token;
      const orgId = (await e.call('POST', '/v1/orgs', { name: 'E' }, token)).body.id;
      const res = await e.call('POST', `/v1/orgs/${orgId}/grafana/credentials`, undefined, token);
      expect(res.status).toBe(409);
      expect(res.body.detail).toMatch(/needs DATABASE_URL/);
    } finally {
      await e.close();
    }
  });
});
