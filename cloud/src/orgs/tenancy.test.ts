import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHarness, until } from '../testing.ts';

type Harness = Awaited<ReturnType<typeof authHarness>>;
type Operation = { 'x-required-permission'?: string };

/** Every operation under /v1/orgs/{orgId}, from the OpenAPI document the app serves. */
async function orgOperations(h: Harness) {
  const doc = (await h.call('GET', '/openapi.json')).body as { paths: Record<string, Record<string, Operation>> };
  return Object.entries(doc.paths)
    .filter(([path]) => path.startsWith('/v1/orgs/{orgId}'))
    .flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method: method.toUpperCase(), op })));
}

describe('tenancy', () => {
  let h: Harness;
  const a = {
    token: '',
    orgId: '',
    deviceId: '',
    userId: '',
    invitationId: '',
    keyId: '',
    orgKey: '',
    caId: '',
    fileId: '',
    uploadId: '',
  };
  const b = { token: '', orgId: '', orgKey: '' };
  /** A's rows, to prove nothing of A changed. */
  const snapshot = async () =>
    h.db.sql.query(
      `SELECT (SELECT json_agg(d ORDER BY id) FROM devices d WHERE org_id = $1) AS devices,
              (SELECT json_agg(m ORDER BY user_id) FROM memberships m WHERE org_id = $1) AS members,
              (SELECT json_agg(i ORDER BY id) FROM invitations i WHERE org_id = $1) AS invitations,
              (SELECT json_agg(k ORDER BY id) FROM api_keys k WHERE org_id = $1) AS keys,
              (SELECT json_agg(r) FROM org_roles r WHERE org_id = $1) AS roles,
              (SELECT json_agg(c ORDER BY id) FROM device_cas c WHERE org_id = $1) AS cas,
              (SELECT json_agg(r ORDER BY serial) FROM revoked_certificates r
                 JOIN device_cas c ON c.id = r.ca_id WHERE c.org_id = $1) AS revoked,
              (SELECT json_agg(o ORDER BY id) FROM orders o WHERE org_id = $1) AS orders,
              (SELECT json_agg(f ORDER BY id) FROM files f WHERE org_id = $1) AS files,
              (SELECT json_agg(u ORDER BY id) FROM file_uploads u WHERE org_id = $1) AS uploads,
              (SELECT json_agg(e ORDER BY id) FROM analytics_events e WHERE org_id = $1) AS analytics,
              (SELECT row_to_json(o) FROM organizations o WHERE id = $1) AS org`,
      [a.orgId],
    );

  beforeAll(async () => {
    h = await authHarness({ env: { DEVICE_CA_KEY_SECRET: 'tenancy test secret' } });
    a.token = (await h.signupAndLogin('alice@a.example')).access_token;
    a.userId = (await h.call('GET', '/v1/me', undefined, a.token)).body.id;
    a.orgId = (await h.call('POST', '/v1/orgs', { name: 'A' }, a.token)).body.id;
    a.deviceId = (await h.call('POST', `/v1/orgs/${a.orgId}/devices`, { name: 'a-device' }, a.token)).body.id;
    a.invitationId = (
      await h.call('POST', `/v1/orgs/${a.orgId}/invitations`, { email: 'x@a.example', role: 'viewer' }, a.token)
    ).body.id;
    const key = (await h.call('POST', `/v1/orgs/${a.orgId}/api-keys`, { name: 'k', scopes: ['devices:read'] }, a.token))
      .body;
    a.keyId = key.id;
    a.orgKey = key.secret;
    a.caId = (await h.call('POST', `/v1/orgs/${a.orgId}/device-cas`, { name: 'ca', generate: true }, a.token)).body.id;
    expect(a.caId).toMatch(/^[0-9a-f-]{36}$/);
    await h.call('POST', `/v1/orgs/${a.orgId}/device-cas/${a.caId}/revocations`, { serial: '0a' }, a.token);
    await h.call('PUT', `/v1/orgs/${a.orgId}/roles/custom`, { permissions: ['devices:read'] }, a.token);
    const file = await h.app.request(`/v1/orgs/${a.orgId}/files?path=a/secret.txt`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${a.token}` },
      body: 'A only',
    });
    a.fileId = (await file.json()).id;
    expect(a.fileId).toMatch(/^[0-9a-f-]{36}$/);
    a.uploadId = (await h.call('POST', `/v1/orgs/${a.orgId}/files/uploads`, { path: 'a/big' }, a.token)).body.id;
    await h.db.sql.query(
      "INSERT INTO telemetry (time, device_id, metric, value) VALUES (now() - interval '1 minute', $1, 'temp', 1)",
      [a.deviceId],
    );

    await h.call('POST', '/v1/analytics/events', { org_id: a.orgId, name: 'a.secret', user: a.deviceId }, a.token);

    b.token = (await h.signupAndLogin('bob@b.example')).access_token;
    b.orgId = (await h.call('POST', '/v1/orgs', { name: 'B' }, b.token)).body.id;
    b.orgKey = (
      await h.call(
        'POST',
        `/v1/orgs/${b.orgId}/api-keys`,
        { name: 'k', scopes: ['org:read', 'devices:read', 'devices:write', 'members:manage', 'audit:read'] },
        b.token,
      )
    ).body.secret;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('walks every organization route the app mounts: each is in the OpenAPI document', async () => {
    const documented = new Set((await orgOperations(h)).map(({ method, path }) => `${method} ${path}`));
    const mounted = [
      ...new Set(
        h.app.routes
          .filter((r) => r.method !== 'ALL' && r.path.startsWith('/v1/orgs/:orgId'))
          .map((r) => `${r.method} ${r.path.replace(/:(\w+)(\{[^}]*\})?/g, '{$1}')}`),
      ),
    ];
    // The twin and command routes too: the harness is the platform production builds.
    expect(mounted).toEqual(expect.arrayContaining(['GET /v1/orgs/{orgId}/devices/{id}/twin']));
    expect(mounted.filter((r) => !documented.has(r))).toEqual([]);
  });

  it('declares a permission on every organization route', async () => {
    const ops = await orgOperations(h);
    expect(ops.length).toBeGreaterThan(20);
    const unguarded = ops
      .filter(({ op }) => !op['x-required-permission'])
      .map(({ method, path }) => `${method} ${path}`);
    expect(unguarded).toEqual([]);
  });

  it("answers every organization route with 404 to another tenant's user and key, and changes nothing", async () => {
    const before = await snapshot();
    const fill = (path: string) =>
      path
        .replace('{orgId}', a.orgId)
        .replace(
          '{id}',
          path.includes('/devices/')
            ? a.deviceId
            : path.includes('/files/')
              ? a.fileId
              : path.includes('/invitations/')
                ? a.invitationId
                : path.includes('/device-cas/')
                  ? a.caId
                  : a.keyId,
        )
        .replace('{userId}', a.userId)
        .replace('{uploadId}', a.uploadId)
        .replace('{number}', '1')
        .replace('{name}', 'custom');
    const bodies: Record<string, unknown> = {
      POST: { name: 'x', email: 'y@b.example', role: 'viewer', scopes: ['devices:read'], token: 'x' },
      PATCH: { name: 'stolen', role: 'admin' },
      // Files: a new one at A's path, and signed URLs.
      'POST /v1/orgs/{orgId}/files/uploads': { path: 'a/secret.txt' },
      'POST /v1/orgs/{orgId}/files/upload-url': { path: 'a/secret.txt' },
      // Device CAs: a revocation, a certificate for A's device, a deactivation.
      'POST /v1/orgs/{orgId}/device-cas/{id}/revocations': { serial: '0b' },
      'POST /v1/orgs/{orgId}/device-cas/{id}/certificates': { device_id: a.deviceId },
      'PATCH /v1/orgs/{orgId}/device-cas/{id}': { active: false },
      // An order of something A could buy (B's wallet path would otherwise fulfil it at once).
      'POST /v1/orgs/{orgId}/orders': { item_id: 'credits-100', quantity: 1 },
      PUT: { permissions: ['devices:read'] },
      DELETE: { confirmation_token: 'x' },
    };
    const query = '?metric=temp&from=2020-01-01T00:00:00Z';
    const leaks: string[] = [];
    for (const { method, path } of await orgOperations(h)) {
      for (const [who, token] of [
        ['user', b.token],
        ['org key', b.orgKey],
      ] as const) {
        const body = bodies[`${method} ${path}`] ?? bodies[method];
        const res = await h.call(method, fill(path) + (method === 'GET' ? query : ''), body, token);
        if (res.status !== 404) leaks.push(`${who} ${method} ${path}: ${res.status}`);
        if (JSON.stringify(res.body ?? '').includes(a.deviceId))
          leaks.push(`${who} ${method} ${path}: body names A's device`);
      }
      const anonymous = await h.call(method, fill(path), bodies[method]);
      if (anonymous.status !== 401) leaks.push(`anonymous ${method} ${path}: ${anonymous.status}`);
    }
    expect(leaks).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it("keeps every operator route (/v1/admin) from everyone else, an organization's owner included", async () => {
    const doc = (await h.call('GET', '/openapi.json')).body as { paths: Record<string, Record<string, Operation>> };
    const ops = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/v1/admin/'))
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ path, method: method.toUpperCase() })));
    expect(ops.map((o) => `${o.method} ${o.path}`)).toEqual(
      expect.arrayContaining([
        'POST /v1/admin/orgs/{orgId}/credits',
        'PUT /v1/admin/orgs/{orgId}/limits',
        'POST /v1/admin/catalog',
        'PATCH /v1/admin/catalog/{id}',
        'DELETE /v1/admin/catalog/{id}',
      ]),
    );
    const body = { credits: 1000, reason: 'free money', seats: null, count: 1 };
    const leaks: string[] = [];
    for (const { method, path } of ops) {
      const filled = path.replace('{orgId}', a.orgId).replace('{id}', a.userId);
      for (const [who, token, status] of [
        ["A's owner", a.token, 403],
        ['org key', a.orgKey, 403],
        ['anonymous', undefined, 401],
      ] as const) {
        const res = await h.call(method, filled, method === 'GET' ? undefined : body, token);
        if (res.status !== status) leaks.push(`${who} ${method} ${path}: ${res.status}`);
      }
    }
    expect(leaks).toEqual([]);
    expect((await h.call('GET', `/v1/orgs/${a.orgId}/wallet`, undefined, a.token)).body.credits).toBe(0);
    const log = await h.call('GET', `/v1/orgs/${a.orgId}/audit?action=/v1/admin/`, undefined, a.token);
    expect(log.body.data.length).toBeGreaterThan(0); // attempts on the organization are in its log
  });

  it("does not let B reach A's resources through B's own organization either", async () => {
    const paths = [
      `/v1/orgs/${b.orgId}/devices/${a.deviceId}`,
      `/v1/orgs/${b.orgId}/devices/${a.deviceId}/telemetry/latest`,
      `/v1/orgs/${b.orgId}/devices/${a.deviceId}/telemetry?metric=temp&from=2020-01-01T00:00:00Z`,
      `/v1/orgs/${b.orgId}/invitations/${a.invitationId}/resend`,
    ];
    for (const p of paths) {
      const method = p.endsWith('resend') ? 'POST' : 'GET';
      expect((await h.call(method, p, undefined, b.token)).status, p).toBe(404);
    }
    expect((await h.call('DELETE', `/v1/orgs/${b.orgId}/api-keys/${a.keyId}`, undefined, b.token)).status).toBe(404);
    expect((await h.call('PATCH', `/v1/orgs/${b.orgId}/members/${a.userId}`, { role: 'viewer' }, b.token)).status).toBe(
      404,
    );
    // A's device CA, through B's organization: not found, and nothing signed or changed.
    const ca = `/v1/orgs/${b.orgId}/device-cas/${a.caId}`;
    for (const [method, path, body] of [
      ['GET', ca, undefined],
      ['PATCH', ca, { active: false }],
      ['DELETE', ca, undefined],
      ['GET', `${ca}/revocations`, undefined],
      ['POST', `${ca}/revocations`, { serial: '0c' }],
      ['POST', `${ca}/certificates`, { device_id: a.deviceId }],
    ] as const)
      expect((await h.call(method, path, body, b.token)).status, `${method} ${path}`).toBe(404);
    expect((await h.call('GET', `/v1/orgs/${b.orgId}/device-cas`, undefined, b.token)).body.data).toEqual([]);
    // A's product events, through B's organization: none of them.
    const events = await h.call('GET', `/v1/orgs/${b.orgId}/analytics/events`, undefined, b.token);
    expect(events.body.data).toEqual([]);
    const list = await h.call('GET', `/v1/orgs/${b.orgId}/devices`, undefined, b.token);
    expect(list.body.data).toEqual([]);
    // A's org key is A's alone.
    expect((await h.call('GET', `/v1/orgs/${b.orgId}/devices`, undefined, a.orgKey)).status).toBe(404);
  });

  it("does not show A's people to B through the org-less user routes", async () => {
    for (const search of ['alice@a.example', 'alice', 'a.example', 'x@a.example']) {
      const res = await h.call('GET', `/v1/users?search=${encodeURIComponent(search)}`, undefined, b.token);
      expect(res.body, search).toEqual({ data: [], next_cursor: null });
    }
    expect((await h.call('GET', `/v1/users/${a.userId}/avatar`, undefined, b.token)).status).toBe(404);
    // An organization's key is no person: it finds nobody, A's key included.
    expect((await h.call('GET', '/v1/users?search=alice', undefined, b.orgKey)).status).toBe(403);
    expect((await h.call('GET', '/v1/users?search=alice', undefined, a.orgKey)).status).toBe(403);
    // A finds A's own, and not B's owner.
    const own = await h.call('GET', '/v1/users?search=example', undefined, a.token);
    expect(own.body.data.map((u: { id: string }) => u.id)).toEqual([a.userId]);
  });

  it("keeps A's devices from B's applications on MQTT, and B's key out of A's topics", async () => {
    const port = await h.platform.broker.listen(0, '127.0.0.1');
    const key = (
      await h.call('POST', `/v1/orgs/${b.orgId}/api-keys`, { name: 'app', scopes: ['telemetry:subscribe'] }, b.token)
    ).body.secret as string;
    const app = (clientId: string) =>
      mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
        clientId,
        username: 'apikey',
        password: key,
        reconnectPeriod: 0,
      });
    // Not under A's prefix, nor as A's device.
    await expect(app(`${a.orgId}:spy`)).rejects.toThrow(/Identifier rejected/);
    await expect(app(a.deviceId)).rejects.toThrow(/Identifier rejected/);
    const spy = await app(`${b.orgId}:spy`);
    try {
      for (const filter of [`devices/${a.deviceId}/#`, `orgs/${a.orgId}/#`, '#', `$SYS/#`])
        await expect(spy.subscribeAsync(filter, { qos: 0 }), filter).rejects.toThrow(/Unspecified error/);
      const heard: string[] = [];
      spy.on('message', (topic) => heard.push(topic));
      await spy.subscribeAsync(['devices/+/telemetry', `orgs/${b.orgId}/events/#`], { qos: 0 });
      const secret = (
        await h.call('POST', `/v1/orgs/${a.orgId}/devices/${a.deviceId}/credentials/rotate`, undefined, a.token)
      ).body.mqtt.password as string;
      const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
        clientId: a.deviceId,
        username: a.deviceId,
        password: secret,
        reconnectPeriod: 0,
        protocolVersion: 4,
      });
      await device.publishAsync(`devices/${a.deviceId}/telemetry`, '{"temp": 3}', { qos: 1 });
      await device.endAsync();
      // B's own device, after A's: once B's application hears it, A's reading would have come first.
      const own = (await h.call('POST', `/v1/orgs/${b.orgId}/devices`, { name: 'b-device' }, b.token)).body;
      await h.platform.events.relay(); // device.created reaches the index of B's devices
      const mine = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
        clientId: own.id,
        username: own.id,
        password: own.mqtt.password,
        reconnectPeriod: 0,
        protocolVersion: 4,
      });
      await mine.publishAsync(`devices/${own.id}/telemetry`, '{"temp": 4}', { qos: 1 });
      await mine.endAsync();
      await until(() => heard.includes(`devices/${own.id}/telemetry`));
      expect(heard.filter((t) => t.startsWith('devices/'))).toEqual([`devices/${own.id}/telemetry`]);
    } finally {
      await spy.endAsync();
    }
  });

  it("records the outsider's attempts in A's audit log", async () => {
    const log = await h.call('GET', `/v1/orgs/${a.orgId}/audit?limit=500`, undefined, a.token);
    const bobId = (await h.call('GET', '/v1/me', undefined, b.token)).body.id;
    const attempts = log.body.data.filter(
      (e: { actor_id: string; result: string }) => e.actor_id === bobId && e.result === 'failure',
    );
    expect(attempts.length).toBeGreaterThan(10);
  });
});
