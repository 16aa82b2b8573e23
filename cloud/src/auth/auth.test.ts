import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHarness } from '../testing.ts';

type Harness = Awaited<ReturnType<typeof authHarness>>;
const PASSWORD = 'correct horse battery';

describe('accounts and sessions', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await authHarness({ refreshReuseGraceS: 0 });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('signs up, signs in at once, and verifies the email with a single-use token', async () => {
    const signup = await h.call('POST', '/v1/auth/signup', {
      email: 'Ada@Example.com',
      password: PASSWORD,
      name: 'Ada',
    });
    expect(signup.status).toBe(201);
    expect(signup.body).toMatchObject({ email: 'ada@example.com', name: 'Ada', email_verified: false });
    expect(JSON.stringify(signup.body)).not.toMatch(/password|hash/i);

    const login = await h.call('POST', '/v1/auth/login', { email: 'ada@example.com', password: PASSWORD });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ token_type: 'Bearer', expires_in: 900 });

    const token = h.tokenIn((await h.lastMail('ada@example.com'))!.text);
    expect((await h.call('POST', '/v1/auth/verify-email', { token })).status).toBe(204);
    expect((await h.call('POST', '/v1/auth/verify-email', { token })).status).toBe(400);
    const me = await h.call('GET', '/v1/me', undefined, login.body.access_token);
    expect(me.body.email_verified).toBe(true);
  });

  it('answers sign-up, login and reset the same for known and unknown emails', async () => {
    await h.call('POST', '/v1/auth/signup', { email: 'known@example.com', password: PASSWORD });
    const again = await h.call('POST', '/v1/auth/signup', { email: 'known@example.com', password: PASSWORD });
    const fresh = await h.call('POST', '/v1/auth/signup', { email: 'fresh@example.com', password: PASSWORD });
    expect(again.status).toBe(fresh.status);
    expect(Object.keys(again.body).sort()).toEqual(Object.keys(fresh.body).sort());
    // Both sign-ups mail after answering, in either order: the verification and the warning.
    await h.platform.auth.settled();
    const mails = await h.db.sql.query<{ subject: string }>('SELECT subject FROM mail_outbox WHERE "to" = $1', [
      'known@example.com',
    ]);
    expect(mails.map((m) => m.subject)).toEqual(
      expect.arrayContaining([expect.stringMatching(/tried to sign up/), expect.stringMatching(/Verify/)]),
    );

    const wrong = await h.call('POST', '/v1/auth/login', { email: 'known@example.com', password: 'not the password' });
    const unknown = await h.call('POST', '/v1/auth/login', {
      email: 'nobody@example.com',
      password: 'not the password',
    });
    expect(wrong.status).toBe(401);
    expect({ ...wrong.body, instance: 0 }).toEqual({ ...unknown.body, instance: 0 });

    const r1 = await h.call('POST', '/v1/auth/password-reset/request', { email: 'known@example.com' });
    const r2 = await h.call('POST', '/v1/auth/password-reset/request', { email: 'nobody@example.com' });
    expect([r1.status, r1.body]).toEqual([r2.status, r2.body]);
  });

  it('refuses short and common passwords, naming the field', async () => {
    const short = await h.call('POST', '/v1/auth/signup', { email: 'a1@example.com', password: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.type).toBe('https://iot-platform.dev/problems/invalid-request');
    expect(short.body.detail).toMatch(/^password: must be at least 10/);
    const common = await h.call('POST', '/v1/auth/signup', { email: 'a2@example.com', password: 'password123' });
    expect(common.body.detail).toMatch(/most common passwords/);
    const long = await h.call('POST', '/v1/auth/signup', {
      email: 'a3@example.com',
      password: 'x'.repeat(30) + 'y'.repeat(34),
    });
    expect(long.status).toBe(201); // 64 characters are fine
  });

  it('rotates refresh tokens; a used one no longer works, and reusing it ends the whole family', async () => {
    const first = await h.signupAndLogin('rot@example.com');
    const second = await h.call('POST', '/v1/auth/refresh', { refresh_token: first.refresh_token });
    expect(second.status).toBe(200);
    const third = await h.call('POST', '/v1/auth/refresh', { refresh_token: second.body.refresh_token });
    expect(third.status).toBe(200);
    // Theft: the first token comes back. The family is revoked, the newest pair included.
    expect((await h.call('POST', '/v1/auth/refresh', { refresh_token: first.refresh_token })).status).toBe(401);
    expect((await h.call('POST', '/v1/auth/refresh', { refresh_token: third.body.refresh_token })).status).toBe(401);
    expect((await h.call('GET', '/v1/me', undefined, third.body.access_token)).status).toBe(401);
  });

  it('logs out one session, or all of them', async () => {
    const a = await h.signupAndLogin('out@example.com');
    const b = (await h.call('POST', '/v1/auth/login', { email: 'out@example.com', password: PASSWORD })).body;
    const sessions = await h.call('GET', '/v1/me/sessions', undefined, a.access_token);
    expect(sessions.body.data).toHaveLength(2);
    expect(sessions.body.data.filter((s: { current: boolean }) => s.current)).toHaveLength(1);

    expect((await h.call('POST', '/v1/auth/logout', undefined, a.access_token)).status).toBe(204);
    expect((await h.call('GET', '/v1/me', undefined, a.access_token)).status).toBe(401);
    expect((await h.call('POST', '/v1/auth/refresh', { refresh_token: a.refresh_token })).status).toBe(401);
    expect((await h.call('GET', '/v1/me', undefined, b.access_token)).status).toBe(200);

    const c = (await h.call('POST', '/v1/auth/login', { email: 'out@example.com', password: PASSWORD })).body;
    const list = await h.call('GET', '/v1/me/sessions', undefined, c.access_token);
    const other = list.body.data.find((s: { current: boolean }) => !s.current);
    expect((await h.call('DELETE', `/v1/me/sessions/${other.id}`, undefined, c.access_token)).status).toBe(204);
    expect((await h.call('GET', '/v1/me', undefined, b.access_token)).status).toBe(401);
    expect((await h.call('POST', '/v1/auth/logout-all', undefined, c.access_token)).status).toBe(204);
    expect((await h.call('GET', '/v1/me', undefined, c.access_token)).status).toBe(401);
  });

  it('updates the profile and preferences, checking each field', async () => {
    const { access_token } = await h.signupAndLogin('prof@example.com');
    const patched = await h.call(
      'PATCH',
      '/v1/me',
      { name: 'Prof', profile: { bio: 'hi', website: 'https://x.dev' } },
      access_token,
    );
    expect(patched.status).toBe(200);
    expect(patched.body.profile).toEqual({ bio: 'hi', website: 'https://x.dev' });
    const bad = await h.call('PATCH', '/v1/me', { profile: { website: 'not a url' } }, access_token);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('profile.website');
    const defaults = await h.call('GET', '/v1/me/preferences', undefined, access_token);
    expect(defaults.body).toEqual({
      language: 'en',
      timezone: 'UTC',
      theme: 'system',
      date_format: 'YYYY-MM-DD',
      time_format: '24h',
      notification_channels: ['email', 'sms', 'push', 'webhook'],
      notification_mute: [],
    });
    const prefs = await h.call(
      'PATCH',
      '/v1/me/preferences',
      { timezone: 'Europe/Paris', theme: 'dark' },
      access_token,
    );
    expect(prefs.body).toEqual({ ...defaults.body, timezone: 'Europe/Paris', theme: 'dark' });
    const badTz = await h.call('PATCH', '/v1/me/preferences', { timezone: 'Mars/Olympus' }, access_token);
    expect(badTz.status).toBe(400);
    expect((await h.call('GET', '/v1/me/preferences', undefined, access_token)).body.theme).toBe('dark');
  });

  it('takes an avatar image, checked by its content, and serves it back', async () => {
    const { access_token } = await h.signupAndLogin('face@example.com');
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);
    const put = (body: Buffer, type: string) =>
      h.app.request('/v1/me/avatar', {
        method: 'PUT',
        body: new Uint8Array(body),
        headers: { 'content-type': type, authorization: `Bearer ${access_token}` },
      });
    const ok = await put(png, 'image/png');
    expect(ok.status).toBe(200);
    expect((await ok.json()).avatar_url).toBe('/v1/me/avatar');
    const got = await h.app.request('/v1/me/avatar', { headers: { authorization: `Bearer ${access_token}` } });
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await got.arrayBuffer()).equals(png)).toBe(true);

    const notImage = await put(Buffer.from('<script>alert(1)</script>'), 'image/png');
    expect(notImage.status).toBe(415);
    expect((await put(png, 'text/html')).status).toBe(415);
    const big = await put(Buffer.concat([png, Buffer.alloc(1024 * 1024)]), 'image/png');
    expect(big.status).toBe(413);
  });

  it('changes the password, ending the other sessions', async () => {
    const a = await h.signupAndLogin('chg@example.com');
    const b = (await h.call('POST', '/v1/auth/login', { email: 'chg@example.com', password: PASSWORD })).body;
    const wrong = await h.call(
      'PUT',
      '/v1/me/password',
      { current_password: 'nope', new_password: 'another good passphrase' },
      a.access_token,
    );
    expect(wrong.status).toBe(400);
    const ok = await h.call(
      'PUT',
      '/v1/me/password',
      { current_password: PASSWORD, new_password: 'another good passphrase' },
      a.access_token,
    );
    expect(ok.status).toBe(204);
    expect((await h.call('GET', '/v1/me', undefined, a.access_token)).status).toBe(200);
    expect((await h.call('GET', '/v1/me', undefined, b.access_token)).status).toBe(401);
  });

  it('resets a forgotten password with a mailed single-use token, ending every session', async () => {
    const a = await h.signupAndLogin('reset@example.com');
    await h.call('POST', '/v1/auth/password-reset/request', { email: 'reset@example.com' });
    const token = h.tokenIn((await h.lastMail('reset@example.com'))!.text);
    expect(
      (await h.call('POST', '/v1/auth/password-reset', { token, password: 'a brand new passphrase' })).status,
    ).toBe(204);
    expect(
      (await h.call('POST', '/v1/auth/password-reset', { token, password: 'a brand new passphrase' })).status,
    ).toBe(400);
    expect((await h.call('GET', '/v1/me', undefined, a.access_token)).status).toBe(401);
    expect(
      (await h.call('POST', '/v1/auth/login', { email: 'reset@example.com', password: 'a brand new passphrase' }))
        .status,
    ).toBe(200);
  });

  it('mails verification and reset whatever the notification preferences, and never into the inbox', async () => {
    const { access_token } = await h.signupAndLogin('quiet@example.com');
    const muted = await h.call(
      'PATCH',
      '/v1/me/preferences',
      { notification_channels: [], notification_mute: ['alarm.raised', 'rule.fired', 'webhook.disabled'] },
      access_token,
    );
    expect(muted.status).toBe(200);
    expect(muted.body.notification_mute).toEqual(['alarm.raised', 'rule.fired', 'webhook.disabled']);
    const unknown = await h.call(
      'PATCH',
      '/v1/me/preferences',
      { notification_mute: ['device.created'] },
      access_token,
    );
    expect(unknown.status).toBe(400);

    await h.call('POST', '/v1/auth/verify-email/request', undefined, access_token);
    expect((await h.lastMail('quiet@example.com'))!.subject).toBe('Verify your email address');
    await h.call('POST', '/v1/auth/password-reset/request', { email: 'quiet@example.com' });
    expect((await h.lastMail('quiet@example.com'))!.subject).toBe('Reset your password');
    const inbox = await h.call('GET', '/v1/me/notifications', undefined, access_token);
    expect(inbox.body.data).toEqual([]);
  });

  it('answers bad input with problem+json: invalid JSON, wrong type, missing field, huge body', async () => {
    const invalid = await h.call('POST', '/v1/auth/login', '{"email": ');
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('content-type')).toBe('application/problem+json');
    const missing = await h.call('POST', '/v1/auth/login', { email: 'x@example.com' });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([{ path: 'password', message: expect.any(String) }]);
    const wrongType = await h.call('POST', '/v1/auth/login', { email: 42, password: 'x' });
    expect(wrongType.body.errors[0].path).toBe('email');
    const media = await h.call('POST', '/v1/auth/login', 'email=x', undefined, {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(media.status).toBe(415);
    const huge = await h.call('POST', '/v1/auth/login', {
      email: 'x@example.com',
      password: 'p'.repeat(2 * 1024 * 1024),
    });
    expect(huge.status).toBe(413);
    expect(huge.body.type).toBe('https://iot-platform.dev/problems/payload-too-large');
  });
});

describe('API keys', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await authHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('shows the secret once, works as a bearer token within its scopes, and can be revoked', async () => {
    const { access_token } = await h.signupAndLogin('keys@example.com');
    const created = await h.call('POST', '/v1/me/api-keys', { name: 'ci', scopes: ['profile:read'] }, access_token);
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^iot_[0-9a-f]{12}_[\w-]{43}$/);
    expect(created.body.secret.startsWith(created.body.prefix)).toBe(true);
    const list = await h.call('GET', '/v1/me/api-keys', undefined, access_token);
    expect(list.body.data).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toContain(created.body.secret);
    const stored = await h.db.sql.query<{ key_hash: string }>('SELECT key_hash FROM api_keys');
    expect(stored[0]!.key_hash).not.toContain(created.body.secret.slice(17));

    const key = created.body.secret;
    expect((await h.call('GET', '/v1/me', undefined, key)).status).toBe(200);
    expect((await h.call('PATCH', '/v1/me', { name: 'x' }, key)).status).toBe(403); // no profile:write
    expect((await h.call('GET', '/v1/me/sessions', undefined, key)).status).toBe(403); // credentials need a session
    expect((await h.call('GET', '/v1/me/api-keys', undefined, access_token)).body.data[0].last_used_at).not.toBeNull();

    expect((await h.call('DELETE', `/v1/me/api-keys/${created.body.id}`, undefined, access_token)).status).toBe(204);
    expect((await h.call('GET', '/v1/me', undefined, key)).status).toBe(401);
    expect((await h.call('GET', '/v1/me', undefined, `${key.slice(0, -1)}x`)).status).toBe(401);
  });

  it('refuses an expiry in the past at creation, and says a key expired when it is used after', async () => {
    const { access_token } = await h.signupAndLogin('expiring@example.com');
    const past = await h.call(
      'POST',
      '/v1/me/api-keys',
      { name: 'old', scopes: ['profile:read'], expires_at: '2020-01-01T00:00:00Z' },
      access_token,
    );
    expect(past.status).toBe(400);
    expect(past.body.errors[0]).toMatchObject({ path: 'expires_at', message: 'must be in the future' });
    const soon = new Date(Date.now() + 3_600_000).toISOString();
    const created = await h.call(
      'POST',
      '/v1/me/api-keys',
      { name: 'soon', scopes: ['profile:read'], expires_at: soon },
      access_token,
    );
    expect(created.status).toBe(201);
    expect((await h.call('GET', '/v1/me', undefined, created.body.secret)).status).toBe(200);
    await h.db.sql.query("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1", [
      created.body.id,
    ]);
    const expired = await h.call('GET', '/v1/me', undefined, created.body.secret);
    expect(expired.status).toBe(401);
    expect(expired.body.detail).toMatch(/expired at .*create another/);
  });
});

describe('parallel refresh', () => {
  it('lets exactly one of many concurrent refreshes of one token succeed, without ending the session', async () => {
    const h = await authHarness(); // default grace: a race is not theft
    try {
      const first = await h.signupAndLogin('race@example.com');
      const results = await Promise.all(
        Array.from({ length: 8 }, () => h.call('POST', '/v1/auth/refresh', { refresh_token: first.refresh_token })),
      );
      const ok = results.filter((r) => r.status === 200);
      expect(ok).toHaveLength(1);
      expect(results.filter((r) => r.status === 401)).toHaveLength(7);
      expect((await h.call('GET', '/v1/me', undefined, ok[0]!.body.access_token)).status).toBe(200);
      expect((await h.call('POST', '/v1/auth/refresh', { refresh_token: ok[0]!.body.refresh_token })).status).toBe(200);
    } finally {
      await h.close();
    }
  });
});
