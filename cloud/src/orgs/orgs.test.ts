import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHarness } from '../testing.ts';

type Harness = Awaited<ReturnType<typeof authHarness>>;

describe('organizations', () => {
  let h: Harness;
  let owner: string;
  let orgId: string;
  /** Signs up `email` and makes them a member of the org with `role`, through a real invitation. */
  const member = async (email: string, role: string) => {
    await h.call('POST', `/v1/orgs/${orgId}/invitations`, { email, role }, owner);
    const token = h.tokenIn((await h.lastMail(email))!.text);
    const access = (await h.signupAndLogin(email)).access_token;
    expect((await h.call('POST', '/v1/invitations/accept', { token }, access)).status).toBe(200);
    return access;
  };

  beforeAll(async () => {
    h = await authHarness();
    owner = (await h.signupAndLogin('owner@example.com')).access_token;
    const created = await h.call('POST', '/v1/orgs', { name: 'Acme', slug: 'acme' }, owner);
    expect(created.status).toBe(201);
    expect(created.body.role).toBe('owner');
    orgId = created.body.id;
    await h.onPlan(orgId, 'pro'); // more members than the free plan's seats
  });
  afterAll(async () => {
    await h?.close();
  });

  it('lists your organizations with your role, and refuses a taken slug', async () => {
    const list = await h.call('GET', '/v1/orgs', undefined, owner);
    expect(list.body.data).toEqual([expect.objectContaining({ id: orgId, name: 'Acme', role: 'owner' })]);
    expect((await h.call('POST', '/v1/orgs', { name: 'Other', slug: 'acme' }, owner)).status).toBe(409);
    const patched = await h.call(
      'PATCH',
      `/v1/orgs/${orgId}`,
      { settings: { retention_days: 30, timezone: 'Europe/Paris' } },
      owner,
    );
    expect(patched.body.settings).toEqual({ retention_days: 30, timezone: 'Europe/Paris' });
  });

  it('invites by email: a person without an account signs up, accepts, and joins with the role', async () => {
    const invite = await h.call(
      'POST',
      `/v1/orgs/${orgId}/invitations`,
      { email: 'New.Person@example.com', role: 'operator' },
      owner,
    );
    expect(invite.status).toBe(201);
    const mail = (await h.lastMail('new.person@example.com'))!;
    expect(mail.text).toMatch(/Sign up with this email address first/);
    const token = h.tokenIn(mail.text);

    const stranger = (await h.signupAndLogin('stranger@example.com')).access_token;
    expect((await h.call('POST', '/v1/invitations/accept', { token }, stranger)).status).toBe(403); // wrong account

    const person = (await h.signupAndLogin('new.person@example.com')).access_token;
    const accepted = await h.call('POST', '/v1/invitations/accept', { token }, person);
    expect(accepted.body).toEqual({ org_id: orgId, name: 'Acme', role: 'operator' });
    expect((await h.call('POST', '/v1/invitations/accept', { token }, person)).status).toBe(400); // reuse
    expect((await h.call('GET', '/v1/me', undefined, person)).body.email_verified).toBe(true);
    const members = await h.call('GET', `/v1/orgs/${orgId}/members`, undefined, person);
    expect(members.body.data.map((m: { email: string; role: string }) => [m.email, m.role])).toEqual(
      expect.arrayContaining([['new.person@example.com', 'operator']]),
    );
  });

  it('refuses expired, revoked and superseded invitations', async () => {
    const person = (await h.signupAndLogin('late@example.com')).access_token;
    // An invitation is transactional: mailed whatever the invitee's notification preferences.
    await h.call('PATCH', '/v1/me/preferences', { notification_channels: [] }, person);
    const inv = (
      await h.call('POST', `/v1/orgs/${orgId}/invitations`, { email: 'late@example.com', role: 'viewer' }, owner)
    ).body;
    const first = h.tokenIn((await h.lastMail('late@example.com'))!.text);
    await h.call('POST', `/v1/orgs/${orgId}/invitations/${inv.id}/resend`, undefined, owner);
    const second = h.tokenIn((await h.lastMail('late@example.com'))!.text);
    expect(second).not.toBe(first);
    expect((await h.call('POST', '/v1/invitations/accept', { token: first }, person)).status).toBe(400);
    await h.db.sql.query("UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE id = $1", [inv.id]);
    expect((await h.call('POST', '/v1/invitations/accept', { token: second }, person)).status).toBe(400);

    const inv2 = (
      await h.call('POST', `/v1/orgs/${orgId}/invitations`, { email: 'late@example.com', role: 'viewer' }, owner)
    ).body;
    const third = h.tokenIn((await h.lastMail('late@example.com'))!.text);
    expect((await h.call('DELETE', `/v1/orgs/${orgId}/invitations/${inv2.id}`, undefined, owner)).status).toBe(204);
    expect((await h.call('POST', '/v1/invitations/accept', { token: third }, person)).status).toBe(400);
    expect((await h.call('GET', `/v1/orgs/${orgId}`, undefined, person)).status).toBe(404);
    expect((await h.call('GET', '/v1/me/notifications', undefined, person)).body.data).toEqual([]);
  });

  it('checks each role against each permission', async () => {
    const viewer = await member('viewer@example.com', 'viewer');
    const operator = await member('op@example.com', 'operator');
    const billing = await member('bill@example.com', 'billing');
    const admin = await member('admin@example.com', 'admin');
    /** Refused to every role but admin, which gets `status`. */
    const onlyAdmin = (status: number) => ({ viewer: 403, operator: 403, billing: 403, admin: status });
    const cases: [string, string, string, unknown, Record<string, number>][] = [
      [
        'GET',
        `/v1/orgs/${orgId}/members`,
        'members:read',
        undefined,
        { viewer: 200, operator: 200, billing: 403, admin: 200 },
      ],
      [
        'POST',
        `/v1/orgs/${orgId}/invitations`,
        'members:manage',
        { email: 'z@example.com', role: 'viewer' },
        onlyAdmin(201),
      ],
      ['GET', `/v1/orgs/${orgId}/audit`, 'audit:read', undefined, onlyAdmin(200)],
      ['PATCH', `/v1/orgs/${orgId}`, 'org:write', { name: 'Acme' }, onlyAdmin(200)],
      ['POST', `/v1/orgs/${orgId}/deletion`, 'org:delete', undefined, onlyAdmin(403)],
      ['PUT', `/v1/orgs/${orgId}/roles/auditor`, 'roles:manage', { permissions: ['audit:read'] }, onlyAdmin(200)],
    ];
    const tokens: Record<string, string> = { viewer, operator, billing, admin };
    for (const [method, path, , body, expected] of cases) {
      for (const [role, status] of Object.entries(expected)) {
        expect((await h.call(method, path, body, tokens[role])).status, `${role} ${method} ${path}`).toBe(status);
      }
    }
    // A custom role grants exactly its permissions.
    const auditor = await member('auditor@example.com', 'auditor');
    expect((await h.call('GET', `/v1/orgs/${orgId}/audit`, undefined, auditor)).status).toBe(200);
    expect((await h.call('GET', `/v1/orgs/${orgId}/members`, undefined, auditor)).status).toBe(403);
    // Nobody grants more than they hold: an admin cannot make an owner.
    const me = (await h.call('GET', '/v1/me', undefined, viewer)).body.id;
    expect((await h.call('PATCH', `/v1/orgs/${orgId}/members/${me}`, { role: 'owner' }, admin)).status).toBe(403);
  });

  it('keeps the last owner', async () => {
    const ownerId = (await h.call('GET', '/v1/me', undefined, owner)).body.id;
    expect((await h.call('DELETE', `/v1/orgs/${orgId}/members/${ownerId}`, undefined, owner)).status).toBe(409);
    expect((await h.call('PATCH', `/v1/orgs/${orgId}/members/${ownerId}`, { role: 'admin' }, owner)).status).toBe(409);
  });

  it('gives organization API keys their scopes on their organization only', async () => {
    const created = await h.call('POST', `/v1/orgs/${orgId}/api-keys`, { name: 'ci', scopes: ['members:read'] }, owner);
    expect(created.status).toBe(201);
    const key = created.body.secret as string;
    expect((await h.call('GET', `/v1/orgs/${orgId}/members`, undefined, key)).status).toBe(200);
    expect((await h.call('GET', `/v1/orgs/${orgId}/audit`, undefined, key)).status).toBe(403);
    expect((await h.call('GET', '/v1/me', undefined, key)).status).toBe(403);
    const other = (await h.call('POST', '/v1/orgs', { name: 'Other Co' }, owner)).body.id;
    expect((await h.call('GET', `/v1/orgs/${other}/members`, undefined, key)).status).toBe(404);
    // A personal key is capped by both its scopes and its owner's role.
    const personal = (await h.call('POST', '/v1/me/api-keys', { name: 'p', scopes: ['members:read'] }, owner)).body
      .secret;
    expect((await h.call('GET', `/v1/orgs/${orgId}/members`, undefined, personal)).status).toBe(200);
    expect((await h.call('GET', `/v1/orgs/${orgId}/audit`, undefined, personal)).status).toBe(403);
    expect((await h.call('DELETE', `/v1/orgs/${orgId}/api-keys/${created.body.id}`, undefined, owner)).status).toBe(
      204,
    );
    expect((await h.call('GET', `/v1/orgs/${orgId}/members`, undefined, key)).status).toBe(401);
  });

  it('records who did what in an append-only audit log, filtered, paged and exported', async () => {
    const page = await h.call('GET', `/v1/orgs/${orgId}/audit?limit=3`, undefined, owner);
    expect(page.body.data).toHaveLength(3);
    const next = await h.call(
      'GET',
      `/v1/orgs/${orgId}/audit?limit=3&cursor=${page.body.next_cursor}`,
      undefined,
      owner,
    );
    expect(next.body.data[0].id).not.toBe(page.body.data[0].id);
    const invites = await h.call('GET', `/v1/orgs/${orgId}/audit?action=invitations&limit=500`, undefined, owner);
    expect(invites.body.data.length).toBeGreaterThan(0);
    expect(invites.body.data[0]).toMatchObject({
      action: expect.stringMatching(/invitations/),
      actor_type: 'user',
      request_id: expect.any(String),
    });
    const denied = await h.call('GET', `/v1/orgs/${orgId}/audit?limit=500`, undefined, owner);
    expect(
      denied.body.data.some((e: { result: string; status: number }) => e.result === 'failure' && e.status === 403),
    ).toBe(true);

    const csv = await h.app.request(`/v1/orgs/${orgId}/audit/export?format=csv`, {
      headers: { authorization: `Bearer ${owner}` },
    });
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toMatch(/^id,at,actor_type/);
    const nd = await h.app.request(`/v1/orgs/${orgId}/audit/export`, { headers: { authorization: `Bearer ${owner}` } });
    const rows = (await nd.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.length).toBe(lines.length - 1);

    await expect(h.db.sql.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
    await expect(h.db.sql.query("UPDATE audit_log SET action = 'x'")).rejects.toThrow(/append-only/);
  });

  it('says in the audit log what changed, records creation and joining in the organization, and filters literally', async () => {
    type Entry = { action: string; actor_id: string | null; detail: Record<string, unknown> | null };
    const log = async (query: string) =>
      (await h.call('GET', `/v1/orgs/${orgId}/audit?limit=500&${query}`, undefined, owner)).body.data as Entry[];
    // Made in the first test and the invitation test above.
    const created = await log(`action=${encodeURIComponent('POST /v1/orgs')}`);
    expect(created.map((e) => e.action)).toContain('POST /v1/orgs');
    const patches = (await log(`action=${encodeURIComponent('PATCH /v1/orgs/{orgId}')}`)).filter((e) =>
      e.action.endsWith('{orgId}'),
    );
    expect(patches.map((e) => e.detail)).toContainEqual({
      settings: { before: {}, after: { retention_days: 30, timezone: 'Europe/Paris' } },
    });
    expect((await log('action=invitations/accept')).map((e) => e.detail)).toContainEqual({
      role: { before: null, after: 'operator' },
    });

    const member = (await h.signupAndLogin('audited@example.com')).access_token;
    const me = (await h.call('GET', '/v1/me', undefined, member)).body.id as string;
    await h.db.sql.query("INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, 'viewer')", [orgId, me]);
    expect((await h.call('PATCH', `/v1/orgs/${orgId}/members/${me}`, { role: 'operator' }, owner)).status).toBe(204);
    expect((await h.call('DELETE', `/v1/orgs/${orgId}/members/${me}`, undefined, owner)).status).toBe(204);
    const changes = await log(`action=${encodeURIComponent('/members/{userId}')}`);
    expect(changes.slice(0, 2).map((e) => [e.action, e.detail])).toEqual([
      ['DELETE /v1/orgs/{orgId}/members/{userId}', { role: { before: 'operator', after: null } }],
      ['PATCH /v1/orgs/{orgId}/members/{userId}', { role: { before: 'viewer', after: 'operator' } }],
    ]);
    const roleMade = await h.call('PUT', `/v1/orgs/${orgId}/roles/inspector`, { permissions: ['audit:read'] }, owner);
    expect(roleMade.status).toBe(200);
    expect((await log('action=/roles/'))[0]?.detail).toEqual({ permissions: { before: null, after: ['audit:read'] } });
    // `_` is no wildcard: "api_keys" is not "api-keys".
    expect(await log('action=api_keys')).toEqual([]);
  });

  it('deletes in two steps: devices lose their credentials at once, data goes after the grace period', async () => {
    const doomed = (await h.call('POST', '/v1/orgs', { name: 'Doomed' }, owner)).body.id;
    await h.db.sql.query("INSERT INTO devices (org_id, name, secret_hash) VALUES ($1, 'd1', 'abc')", [doomed]);
    // A file's row: its object is queued for the store's sweep when the purge cascades to it.
    const objectKey = `files/org/${doomed}/${crypto.randomUUID()}`;
    await h.db.sql.query(
      "INSERT INTO files (org_id, path, size, content_type, sha256, object_key) VALUES ($1, 'a.bin', 1, 'application/octet-stream', 'x', $2)",
      [doomed, objectKey],
    );
    expect((await h.call('DELETE', `/v1/orgs/${doomed}`, { confirmation_token: 'guess' }, owner)).status).toBe(400);
    const step1 = await h.call('POST', `/v1/orgs/${doomed}/deletion`, undefined, owner);
    const step2 = await h.call(
      'DELETE',
      `/v1/orgs/${doomed}`,
      { confirmation_token: step1.body.confirmation_token },
      owner,
    );
    expect(step2.status).toBe(202);
    expect((await h.call('GET', `/v1/orgs/${doomed}`, undefined, owner)).status).toBe(404);
    const [device] = await h.db.sql.query<{ disabled: boolean; secret_hash: string }>(
      'SELECT disabled_at IS NOT NULL AS disabled, secret_hash FROM devices WHERE org_id = $1',
      [doomed],
    );
    expect(device).toEqual({ disabled: true, secret_hash: '' });
    await h.db.sql.query("UPDATE organizations SET purge_after = now() - interval '1 second' WHERE id = $1", [doomed]);
    expect(await h.orgService.purgeDue()).toEqual([doomed]);
    expect(await h.db.sql.query('SELECT 1 FROM devices WHERE org_id = $1', [doomed])).toEqual([]);
    expect(await h.db.sql.query('SELECT 1 FROM deleted_objects WHERE object_key = $1', [objectKey])).toHaveLength(1);
  });
});
