import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHarness } from '../testing.ts';

type Harness = Awaited<ReturnType<typeof authHarness>>;

describe('operators', () => {
  let h: Harness;
  let admin: string;
  beforeAll(async () => {
    h = await authHarness({ adminEmails: ['ops@example.com'] });
    await h.call('POST', '/v1/auth/signup', { email: 'ops@example.com', password: 'correct horse battery' });
    // An operator email counts only once verified, so nobody can claim it by signing up first.
    const early = (
      await h.call('POST', '/v1/auth/login', { email: 'ops@example.com', password: 'correct horse battery' })
    ).body;
    expect((await h.call('GET', '/v1/admin/users', undefined, early.access_token)).status).toBe(403);
    await h.call('POST', '/v1/auth/verify-email', { token: h.tokenIn((await h.lastMail('ops@example.com'))!.text) });
    admin = (await h.call('POST', '/v1/auth/login', { email: 'ops@example.com', password: 'correct horse battery' }))
      .body.access_token;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('lists and searches users with cursor pagination', async () => {
    for (const n of ['a', 'b', 'c'])
      await h.call('POST', '/v1/auth/signup', { email: `user-${n}@example.com`, password: 'correct horse battery' });
    const page1 = await h.call('GET', '/v1/admin/users?search=user-&limit=2', undefined, admin);
    expect(page1.body.data).toHaveLength(2);
    const page2 = await h.call(
      'GET',
      `/v1/admin/users?search=user-&limit=2&cursor=${page1.body.next_cursor}`,
      undefined,
      admin,
    );
    expect(page2.body.data).toHaveLength(1);
    expect(page2.body.next_cursor).toBeNull();
  });

  it('disables a user (sessions end, login refused) and enables them again; shows their activity', async () => {
    const victim = await h.signupAndLogin('bad@example.com');
    const id = (await h.call('GET', '/v1/me', undefined, victim.access_token)).body.id;
    await h.call('POST', '/v1/auth/login', { email: 'bad@example.com', password: 'wrong password!' });
    expect((await h.call('POST', `/v1/admin/users/${id}/disable`, undefined, admin)).body.disabled).toBe(true);
    expect((await h.call('GET', '/v1/me', undefined, victim.access_token)).status).toBe(401);
    expect(
      (await h.call('POST', '/v1/auth/login', { email: 'bad@example.com', password: 'correct horse battery' })).status,
    ).toBe(403);
    expect((await h.call('POST', `/v1/admin/users/${id}/enable`, undefined, admin)).body.disabled).toBe(false);
    expect(
      (await h.call('POST', '/v1/auth/login', { email: 'bad@example.com', password: 'correct horse battery' })).status,
    ).toBe(200);
    const activity = await h.call('GET', `/v1/admin/users/${id}/activity`, undefined, admin);
    expect(activity.body.data.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['signup', 'login', 'login_failed', 'disabled', 'enabled']),
    );
  });

  it('keeps non-operators out', async () => {
    const user = await h.signupAndLogin('plain@example.com');
    expect((await h.call('GET', '/v1/admin/users', undefined, user.access_token)).status).toBe(403);
    expect((await h.call('GET', '/v1/admin/users')).status).toBe(401);
  });
});
