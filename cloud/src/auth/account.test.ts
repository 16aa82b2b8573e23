import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHarness } from '../testing.ts';

type Harness = Awaited<ReturnType<typeof authHarness>>;

const PASSWORD = 'correct horse battery';

describe.each(['postgres', 'embedded'] as const)('account management (%s)', (database) => {
  let h: Harness;
  let admin: string;
  /** Signs up and logs in `email`; answers its token and id. */
  const person = async (email: string) => {
    const token = (await h.signupAndLogin(email)).access_token;
    return { token, id: (await h.call('GET', '/v1/me', undefined, token)).body.id as string };
  };
  /** An organization owned by `owner`, with each of `members` joined by invitation with `role`. */
  const orgOf = async (owner: string, name: string, members: { email: string; token: string }[], role = 'viewer') => {
    const orgId = (await h.call('POST', '/v1/orgs', { name }, owner)).body.id as string;
    for (const m of members) {
      await h.call('POST', `/v1/orgs/${orgId}/invitations`, { email: m.email, role }, owner);
      const token = h.tokenIn((await h.lastMail(m.email))!.text);
      expect((await h.call('POST', '/v1/invitations/accept', { token }, m.token)).status).toBe(200);
    }
    return orgId;
  };

  beforeAll(async () => {
    // No grace: a deletion is due at once, so the purge job can be run here.
    h = await authHarness({
      database,
      adminEmails: ['ops@example.com'],
      env: { ACCOUNT_DELETION_GRACE_DAYS: '0' },
      rateLimits: { exportPerUser: [2, 3600] },
    });
    await h.call('POST', '/v1/auth/signup', { email: 'ops@example.com', password: PASSWORD });
    await h.call('POST', '/v1/auth/verify-email', { token: h.tokenIn((await h.lastMail('ops@example.com'))!.text) });
    admin = (await h.call('POST', '/v1/auth/login', { email: 'ops@example.com', password: PASSWORD })).body
      .access_token;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('deletes an account: confirmed by password and MFA code, refused while last owner, then cancelled or purged', async () => {
    const email = 'leaving@example.com';
    const me = await person(email);
    const key = (await h.call('POST', '/v1/me/api-keys', { name: 'ci', scopes: ['profile:read'] }, me.token)).body
      .secret as string;
    const friend = { email: 'friend@example.com', ...(await person('friend@example.com')) };
    const orgId = await orgOf(me.token, 'Leaving Ltd', [friend]);

    // Wrong password, then the last owner of an organization: refused, the organizations named.
    const wrong = await h.call('POST', '/v1/me/deletion', { password: 'not my password' }, me.token);
    expect(wrong.status).toBe(400);
    expect(wrong.body.type).toMatch(/invalid-request$/);
    const owner = await h.call('POST', '/v1/me/deletion', { password: PASSWORD }, me.token);
    expect(owner.status).toBe(409);
    expect(owner.body.type).toMatch(/\/last-owner$/);
    expect(owner.body.organizations).toEqual([{ id: orgId, name: 'Leaving Ltd' }]);
    expect(owner.body.detail).toContain('Leaving Ltd');

    // MFA on: the code is needed too.
    const secret = (await h.call('POST', '/v1/me/mfa/totp', undefined, me.token)).body.secret as string;
    await h.call('POST', '/v1/me/mfa/totp/confirm', { code: await generate({ secret }) }, me.token);
    await h.call('PATCH', `/v1/orgs/${orgId}/members/${friend.id}`, { role: 'owner' }, me.token);
    const noCode = await h.call('POST', '/v1/me/deletion', { password: PASSWORD }, me.token);
    expect(noCode.status).toBe(400);
    expect(noCode.body.detail).toMatch(/^code: is required/);
    const bad = await h.call('POST', '/v1/me/deletion', { password: PASSWORD, code: '000000' }, me.token);
    expect(bad.status).toBe(400);
    const done = await h.call(
      'POST',
      '/v1/me/deletion',
      { password: PASSWORD, code: await generate({ secret }) },
      me.token,
    );
    expect(done.status).toBe(202);
    expect(done.body).toEqual({ status: 'scheduled', purge_after: expect.any(String) });
    expect((await h.lastMail(email))!.subject).toBe('Your account will be deleted');

    // Every session and key ended; signing in says when the account goes and how to keep it.
    expect((await h.call('GET', '/v1/me', undefined, me.token)).status).toBe(401);
    expect((await h.call('GET', '/v1/me', undefined, key)).status).toBe(401);
    const login = await h.call('POST', '/v1/auth/login', { email, password: PASSWORD });
    expect(login.status).toBe(403);
    expect(login.body).toMatchObject({
      type: expect.stringMatching(/\/account-deletion-pending$/),
      purge_after: done.body.purge_after,
      cancel: 'POST /v1/auth/deletion/cancel',
    });
    // A wrong password still answers as a wrong login: nothing told.
    expect((await h.call('POST', '/v1/auth/login', { email, password: 'not my password' })).status).toBe(401);

    // Cancelled: wrong password and missing code refused, then it works and sign-in works again.
    const cancel = { email, password: PASSWORD };
    expect((await h.call('POST', '/v1/auth/deletion/cancel', { ...cancel, password: 'nope nope nope' })).status).toBe(
      401,
    );
    expect((await h.call('POST', '/v1/auth/deletion/cancel', cancel)).status).toBe(401);
    const kept = await h.call('POST', '/v1/auth/deletion/cancel', { ...cancel, code: await generate({ secret }) });
    expect(kept.body).toEqual({ status: 'cancelled' });
    expect(
      (await h.call('POST', '/v1/auth/deletion/cancel', { ...cancel, code: await generate({ secret }) })).status,
    ).toBe(409);
    const again = await h.call('POST', '/v1/auth/login', { email, password: PASSWORD });
    expect(again.body.mfa_required).toBe(true);

    // Requested again and purged by the job: memberships and personal data go, the audit trail stays without the email.
    const mfa = await h.call('POST', '/v1/auth/mfa', {
      mfa_token: again.body.mfa_token,
      code: await generate({ secret }),
    });
    const token = mfa.body.access_token as string;
    // MFA off this time: the password alone confirms.
    await h.call('POST', '/v1/me/mfa/totp/disable', { code: await generate({ secret }) }, token);
    // An avatar and a file of the user's own: their objects leave the store after the purge.
    const upload = (path: string, body: Uint8Array<ArrayBuffer>, type: string) =>
      h.app.request(path, {
        method: 'PUT',
        body,
        headers: { 'content-type': type, authorization: `Bearer ${token}` },
      });
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array(64).fill(1)]);
    expect((await upload('/v1/me/avatar', png, 'image/png')).status).toBe(200);
    const file = await upload('/v1/me/files?path=notes/a.txt', new TextEncoder().encode('mine'), 'text/plain');
    expect(file.status).toBe(201);
    const objects = join(h.platform.config.DATA_DIR, 'objects');
    const stored = async () =>
      (await readdir(objects, { recursive: true, withFileTypes: true }))
        .filter((f) => f.isFile() && join(f.parentPath, f.name).includes(me.id))
        .map((f) => f.name);
    expect((await stored()).length).toBeGreaterThanOrEqual(2);
    expect((await h.call('POST', '/v1/me/deletion', { password: PASSWORD }, token)).status).toBe(202);
    // What the hourly cluster-wide job runs.
    expect(h.platform.scheduler.list()).toContainEqual({ name: 'purge-deleted-accounts', everyMs: 3600_000 });
    expect(await h.service.account.purgeDue()).toEqual([me.id]);
    expect((await h.lastMail(email))!.subject).toBe('Your account has been deleted');
    const outbox = await h.db.sql.query<{ subject: string }>('SELECT subject FROM mail_outbox WHERE "to" = $1', [
      email,
    ]);
    expect(outbox.map((m) => m.subject)).toEqual(['Your account has been deleted']);
    const left = await h.db.sql.query<{ users: number; members: number; events: number }>(
      `SELECT (SELECT count(*)::int FROM users WHERE id = $1) AS users,
              (SELECT count(*)::int FROM memberships WHERE user_id = $1) AS members,
              (SELECT count(*)::int FROM user_events WHERE user_id = $1) AS events`,
      [me.id],
    );
    expect(left[0]).toEqual({ users: 0, members: 0, events: 0 });
    // What the cluster-wide job `sweep-deleted-objects` runs every minute.
    expect(h.platform.scheduler.list()).toContainEqual({ name: 'sweep-deleted-objects', everyMs: 60_000 });
    expect(await h.platform.deletedObjects.sweep()).toBeGreaterThanOrEqual(2);
    expect(await stored()).toEqual([]);
    expect(await h.db.sql.query('SELECT 1 FROM deleted_objects')).toEqual([]);
    const trail = await h.db.sql.query<{ action: string; row: string }>(
      'SELECT action, row_to_json(a)::text AS row FROM audit_log a WHERE org_id = $1',
      [orgId],
    );
    expect(trail.map((r) => r.action)).toContain('account purged');
    expect(trail.filter((r) => r.row.includes(email))).toEqual([]);
    expect((await h.call('POST', '/v1/auth/login', { email, password: PASSWORD })).status).toBe(401);
    expect((await h.call('GET', `/v1/orgs/${orgId}/members`, undefined, friend.token)).body.data).toHaveLength(1);
  });

  it('exports my own data as an NDJSON attachment, never a secret or hash, and rate-limits it', async () => {
    const me = await person('export@example.com');
    const key = (await h.call('POST', '/v1/me/api-keys', { name: 'ci', scopes: ['profile:read'] }, me.token)).body;
    await orgOf(me.token, 'Export Co', []);
    const res = await h.app.request('/v1/me/export', { headers: { authorization: `Bearer ${me.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="account-export.ndjson"');
    const text = await res.text();
    const records = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { record: string; [k: string]: unknown });
    expect(records[0]).toMatchObject({ record: 'profile', email: 'export@example.com' });
    expect(new Set(records.map((r) => r.record))).toEqual(
      new Set(['profile', 'preferences', 'session', 'api_key', 'membership', 'activity']),
    );
    expect(records.find((r) => r.record === 'api_key')).toMatchObject({ prefix: key.prefix, name: 'ci' });
    expect(records.find((r) => r.record === 'membership')).toMatchObject({ org_name: 'Export Co', role: 'owner' });
    expect(text).not.toContain(key.secret);
    expect(text).not.toMatch(/key_hash|password_hash|mfa_secret|token_hash/);
    // An API key cannot export; a third export within the hour is refused.
    expect((await h.call('GET', '/v1/me/export', undefined, key.secret)).status).toBe(403);
    await h.app.request('/v1/me/export', { headers: { authorization: `Bearer ${me.token}` } });
    const limited = await h.call('GET', '/v1/me/export', undefined, me.token);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeTruthy();
  });

  it('finds only people who share an organization with me, by a part of name or email, paged', async () => {
    const alice = await person('alice@search.example');
    const bob = { email: 'bob@search.example', ...(await person('bob@search.example')) };
    const bea = { email: 'bea@search.example', ...(await person('bea@search.example')) };
    const carol = await person('carol@outside.example');
    await h.call('PATCH', '/v1/me', { name: 'Bob Builder' }, bob.token);
    await orgOf(alice.token, 'Search A', [bob, bea]);
    await h.call('POST', '/v1/orgs', { name: 'Carol only' }, carol.token);

    const byName = await h.call('GET', '/v1/users?search=BUILDER', undefined, alice.token);
    expect(byName.body).toEqual({
      data: [{ id: bob.id, name: 'Bob Builder', email: bob.email, avatar_url: null }],
      next_cursor: null,
    });
    const page1 = await h.call('GET', '/v1/users?search=@search.example&limit=2', undefined, alice.token);
    expect(page1.body.data).toHaveLength(2);
    const page2 = await h.call(
      'GET',
      `/v1/users?search=@search.example&limit=2&cursor=${page1.body.next_cursor}`,
      undefined,
      alice.token,
    );
    expect(page2.body).toMatchObject({ next_cursor: null });
    expect([...page1.body.data, ...page2.body.data].map((u: { id: string }) => u.id).sort()).toEqual(
      [alice.id, bob.id, bea.id].sort(),
    );
    // Outsiders do not exist, whichever side searches; wildcards are taken literally.
    for (const [token, search] of [
      [alice.token, 'carol@outside.example'],
      [alice.token, 'outside'],
      [carol.token, 'alice'],
      [carol.token, 'search.example'],
      [alice.token, '%'],
      [alice.token, '_'],
    ] as const) {
      const res = await h.call('GET', `/v1/users?search=${encodeURIComponent(search)}`, undefined, token);
      expect(res.body, search).toEqual({ data: [], next_cursor: null });
    }
    expect((await h.call('GET', '/v1/users?search=a&cursor=nope', undefined, alice.token)).status).toBe(400);
    expect((await h.call('GET', '/v1/users?search=', undefined, alice.token)).status).toBe(400);
    expect((await h.call('GET', '/v1/users?search=a&limit=0', undefined, alice.token)).status).toBe(400);
    expect((await h.call('GET', '/v1/users?search=a')).status).toBe(401);
    expect((await h.call('GET', `/v1/users/${alice.id}/avatar`, undefined, carol.token)).status).toBe(404);
  });

  it('lets operators change and purge users, recorded in the trail of their organizations', async () => {
    const owner = await person('boss@admin.example');
    const user = { email: 'worker@admin.example', ...(await person('worker@admin.example')) };
    const orgId = await orgOf(owner.token, 'Admin Co', [user]);
    await person('taken@admin.example');
    const path = `/v1/admin/users/${user.id}`;

    expect((await h.call('PATCH', path, { name: 'x' }, owner.token)).status).toBe(403);
    expect((await h.call('DELETE', path, undefined, owner.token)).status).toBe(403);
    // An empty PATCH changes nothing and answers the user, as every PATCH does.
    expect((await h.call('PATCH', path, {}, admin)).body).toMatchObject({ id: user.id, email: user.email });
    expect((await h.call('PATCH', path, { role: 'admin' }, admin)).status).toBe(400);
    expect((await h.call('PATCH', path, { email: 'not an email' }, admin)).status).toBe(400);
    const dup = await h.call('PATCH', path, { email: 'Taken@Admin.example' }, admin);
    expect(dup.status).toBe(409);
    expect(dup.body.detail).toMatch(/^email:/);

    const changed = await h.call('PATCH', path, { name: 'Wendy Worker', email: ' Wendy@Admin.Example ' }, admin);
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ name: 'Wendy Worker', email: 'wendy@admin.example', email_verified: false });
    expect((await h.call('PATCH', path, { email_verified: true, disabled: true }, admin)).body).toMatchObject({
      email_verified: true,
      disabled: true,
    });
    expect((await h.call('GET', '/v1/me', undefined, user.token)).status).toBe(401);
    const activity = await h.call('GET', `${path}/activity`, undefined, admin);
    expect(activity.body.data[0]).toMatchObject({ type: 'updated_by_admin' });
    const trail = await h.call('GET', `/v1/orgs/${orgId}/audit?action=/v1/admin/users`, undefined, owner.token);
    expect(trail.body.data.map((e: { detail: unknown }) => e.detail)).toEqual(
      expect.arrayContaining([
        { fields: ['email_verified', 'disabled'] },
        { fields: ['name', 'email', 'email_verified'] },
      ]),
    );
    expect(JSON.stringify(trail.body)).not.toContain('wendy@admin.example');

    // The last owner stays; another user goes at once.
    const refused = await h.call('DELETE', `/v1/admin/users/${owner.id}`, undefined, admin);
    expect(refused.status).toBe(409);
    expect(refused.body.organizations).toEqual([{ id: orgId, name: 'Admin Co' }]);
    expect((await h.call('DELETE', path, undefined, admin)).status).toBe(204);
    expect((await h.call('DELETE', path, undefined, admin)).status).toBe(404);
    expect((await h.lastMail('wendy@admin.example'))!.subject).toBe('Your account has been deleted');
    const members = await h.call('GET', `/v1/orgs/${orgId}/members`, undefined, owner.token);
    expect(members.body.data.map((m: { user_id: string }) => m.user_id)).toEqual([owner.id]);
    const after = await h.call('GET', `/v1/orgs/${orgId}/audit?action=DELETE /v1/admin/users`, undefined, owner.token);
    expect(after.body.data[0]).toMatchObject({ target_id: user.id });
  });
});
