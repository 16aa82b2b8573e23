import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHarness } from '../testing.ts';

type Harness = Awaited<ReturnType<typeof authHarness>>;
const PROBLEM = 'https://iot-platform.dev/problems/';

describe.each(['postgres', 'embedded'] as const)('product analytics on %s', (database) => {
  let h: Harness;
  const a = { token: '', orgId: '', userId: '', key: '', readKey: '' };
  const b = { token: '', orgId: '', key: '' };

  beforeAll(async () => {
    h = await authHarness({ database, env: { ANALYTICS_RATE_PER_MIN: '40' } });
    a.token = (await h.signupAndLogin('ana@a.example')).access_token;
    a.userId = (await h.call('GET', '/v1/me', undefined, a.token)).body.id;
    a.orgId = (await h.call('POST', '/v1/orgs', { name: 'A' }, a.token)).body.id;
    const key = (scopes: string[], org = a.orgId, token = a.token) =>
      h.call('POST', `/v1/orgs/${org}/api-keys`, { name: 'app', scopes }, token).then((r) => r.body.secret as string);
    a.key = await key(['analytics:write']);
    a.readKey = await key(['analytics:read']);
    b.token = (await h.signupAndLogin('ben@b.example')).access_token;
    b.orgId = (await h.call('POST', '/v1/orgs', { name: 'B' }, b.token)).body.id;
    b.key = await key(['analytics:write', 'analytics:read'], b.orgId, b.token);
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it("stores a person's and an app key's events and reads them back in pages, with metrics", async () => {
    const one = await h.call(
      'POST',
      '/v1/analytics/events',
      { org_id: a.orgId, name: 'app.opened', properties: { screen: 'home' }, session_id: 's1' },
      a.token,
    );
    expect(one).toMatchObject({ status: 202, body: { accepted: 1 } });
    const t0 = Date.now() - 3 * 3600_000;
    const events = Array.from({ length: 5 }, (_, i) => ({
      name: i % 2 ? 'button.clicked' : 'app.opened',
      user: `u${i}`,
      time: new Date(t0 + i * 60_000).toISOString(),
    }));
    expect((await h.call('POST', '/v1/analytics/events/batch', { events }, a.key)).body).toEqual({ accepted: 5 });

    const first = await h.call('GET', `/v1/orgs/${a.orgId}/analytics/events?limit=4`, undefined, a.token);
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(4);
    expect(first.body.data[0]).toMatchObject({ name: 'app.opened', user: a.userId, properties: { screen: 'home' } });
    const next = await h.call(
      'GET',
      `/v1/orgs/${a.orgId}/analytics/events?limit=4&cursor=${first.body.next_cursor}`,
      undefined,
      a.token,
    );
    expect(next.body).toMatchObject({ next_cursor: null });
    expect(next.body.data.map((e: { user: string }) => e.user)).toEqual(['u1', 'u0']);
    const clicks = await h.call(
      'GET',
      `/v1/orgs/${a.orgId}/analytics/events?name=button.clicked`,
      undefined,
      a.readKey,
    );
    expect(clicks.body.data.map((e: { user: string }) => e.user)).toEqual(['u3', 'u1']);

    const from = new Date(t0 - 3600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const metrics = await h.call(
      'GET',
      `/v1/orgs/${a.orgId}/analytics/metrics?from=${from}&to=${to}&bucket=1d&by=name`,
      undefined,
      a.token,
    );
    expect(metrics.status).toBe(200);
    const total = (name: string) =>
      metrics.body.data
        .filter((m: { key: string }) => m.key === name)
        .reduce((n: number, m: { count: number }) => n + m.count, 0);
    expect([total('app.opened'), total('button.clicked')]).toEqual([4, 2]);
  });

  it('refuses bad events with problem details, storing none of a batch', async () => {
    const before = await h.db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM analytics_events');
    const cases: [string, unknown][] = [
      ['/v1/analytics/events', { org_id: a.orgId, name: 'x', colour: 'red' }],
      ['/v1/analytics/events', { org_id: a.orgId, name: 'x', time: new Date(Date.now() + 3600_000).toISOString() }],
      ['/v1/analytics/events', { org_id: a.orgId, name: 'x', time: '2000-01-01T00:00:00Z' }],
      ['/v1/analytics/events', { org_id: a.orgId, name: 'x', properties: { blob: 'x'.repeat(9000) } }],
      ['/v1/analytics/events/batch', { org_id: a.orgId, events: Array.from({ length: 501 }, () => ({ name: 'x' })) }],
      ['/v1/analytics/events/batch', { org_id: a.orgId, events: [{ name: 'ok' }, { name: 'x', time: 'soon' }] }],
      ['/v1/analytics/events', { name: 'x' }], // a person names the organization
    ];
    for (const [path, body] of cases) {
      const res = await h.call('POST', path, body, a.token);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body.type).toBe(`${PROBLEM}invalid-request`);
    }
    const after = await h.db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM analytics_events');
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it('needs the analytics:write scope on a key, and a membership for a person', async () => {
    expect((await h.call('POST', '/v1/analytics/events', { name: 'x' })).status).toBe(401);
    const noScope = await h.call('POST', '/v1/analytics/events', { name: 'x' }, a.readKey);
    expect(noScope.status).toBe(403);
    expect(noScope.body.type).toBe(`${PROBLEM}forbidden`);
    // B's key and B's person cannot write into A.
    expect((await h.call('POST', '/v1/analytics/events', { name: 'x', org_id: a.orgId }, b.key)).status).toBe(404);
    expect((await h.call('POST', '/v1/analytics/events', { name: 'x', org_id: a.orgId }, b.token)).status).toBe(404);
    expect((await h.call('POST', '/v1/analytics/events', { name: 'b.only' }, b.key)).status).toBe(202);
  });

  it("keeps each organization's events and metrics to itself", async () => {
    const q = `from=2020-01-01T00:00:00Z&to=${new Date(Date.now() + 60_000).toISOString()}&bucket=1d`;
    for (const token of [b.token, b.key]) {
      expect((await h.call('GET', `/v1/orgs/${a.orgId}/analytics/events`, undefined, token)).status).toBe(404);
      expect((await h.call('GET', `/v1/orgs/${a.orgId}/analytics/metrics?${q}`, undefined, token)).status).toBe(404);
      expect(
        (await h.call('GET', `/v1/orgs/${a.orgId}/usage/summary?from=2026-01-01&to=2026-01-02`, undefined, token))
          .status,
      ).toBe(404);
    }
    const own = await h.call('GET', `/v1/orgs/${b.orgId}/analytics/events`, undefined, b.token);
    expect(own.body.data.map((e: { name: string }) => e.name)).toEqual(['b.only']);
  });

  it('summarizes usage and cost over a period and the one before', async () => {
    await h.platform.meter.flush();
    const today = new Date().toISOString().slice(0, 10);
    const weekAgo = new Date(Date.now() - 6 * 86_400_000).toISOString().slice(0, 10);
    const res = await h.call(
      'GET',
      `/v1/orgs/${a.orgId}/usage/summary?from=${weekAgo}&to=${today}`,
      undefined,
      a.token,
    );
    expect(res.status).toBe(200);
    expect(res.body.dashboard.current.events).toBe(6);
    expect(res.body.dashboard.current.api_calls).toBeGreaterThan(0);
    expect(res.body.dashboard.previous).toMatchObject({
      events: 0,
      to: new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10),
    });
    // The person's events and API calls; what no person did (the organization key's calls) under null.
    const person = res.body.users.find((u: { user_id: string | null }) => u.user_id === a.userId);
    expect(person).toMatchObject({ events: 1, api_calls: expect.any(Number) });
    expect(person.api_calls).toBeGreaterThan(0);
    const byUser = await h.call(
      'GET',
      `/v1/orgs/${a.orgId}/usage?from=${weekAgo}&to=${today}&by=user`,
      undefined,
      a.token,
    );
    expect(byUser.status).toBe(200);
    const calls = (id: string | null) =>
      byUser.body.data
        .filter((r: { user_id: string | null }) => r.user_id === id)
        .reduce((n: number, r: { api_calls: number }) => n + r.api_calls, 0);
    expect(calls(a.userId)).toBe(person.api_calls);
    expect(res.body.cost.plan).toMatchObject({ name: 'free', price: 0 });
    const bad = await h.call(
      'GET',
      `/v1/orgs/${a.orgId}/usage/summary?from=${today}&to=${weekAgo}`,
      undefined,
      a.token,
    );
    expect(bad.status).toBe(400);
  });

  it('drops events past ANALYTICS_RETENTION_DAYS', async () => {
    await h.db.sql.query(
      "INSERT INTO analytics_events (time, org_id, name) VALUES (now() - interval '91 days', $1, 'old'), (now() - interval '89 days', $1, 'kept')",
      [a.orgId],
    );
    if (h.db.timescale) {
      // TimescaleDB drops whole chunks through its policy, set to the configured period.
      const jobs = await h.db.sql.query<{ drop_after: string }>(
        "SELECT config->>'drop_after' AS drop_after FROM timescaledb_information.jobs WHERE hypertable_name = 'analytics_events' AND proc_name = 'policy_retention'",
      );
      expect(jobs.map((j) => j.drop_after)).toEqual(['90 days']);
      expect(h.platform.scheduler.list().map((j) => j.name)).not.toContain('purge-analytics-events');
      await h.platform.embeddedJobs?.runDue(); // the policy, run as the embedded database runs it
    } else {
      await h.platform.scheduler.runNow('purge-analytics-events');
    }
    const names = await h.db.sql.query<{ name: string }>(
      "SELECT name FROM analytics_events WHERE org_id = $1 AND name IN ('old', 'kept')",
      [a.orgId],
    );
    expect(names.map((r) => r.name)).toEqual(['kept']);
  });

  it('limits how often one caller sends', async () => {
    let last = 0;
    for (let i = 0; i < 45 && last !== 429; i++)
      last = (await h.call('POST', '/v1/analytics/events', { name: 'spam' }, b.key)).status;
    expect(last).toBe(429);
    // Another caller is not slowed by it.
    expect((await h.call('POST', '/v1/analytics/events', { name: 'fine' }, a.key)).status).toBe(202);
  });
});
