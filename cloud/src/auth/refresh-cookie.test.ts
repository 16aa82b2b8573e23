import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHarness, ISSUER } from '../testing.ts';
import { CSRF_HEADER, REFRESH_COOKIE } from './refresh-cookie.ts';

type Harness = Awaited<ReturnType<typeof authHarness>>;
const PASSWORD = 'correct horse battery';
const CSRF = { [CSRF_HEADER]: '1' };
/** The value the answer set for the refresh cookie, and the whole header. */
const cookieOf = (headers: Headers) => {
  const header = headers.getSetCookie().find((c) => c.startsWith(`${REFRESH_COOKIE}=`)) ?? '';
  return { header, value: /^[^=]+=([^;]*)/.exec(header)?.[1] ?? '' };
};

describe('console sessions: the refresh token in an httpOnly cookie', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await authHarness({ refreshReuseGraceS: 0 });
    await h.call('POST', '/v1/auth/signup', { email: 'cookie@example.com', password: PASSWORD });
  });
  afterAll(async () => {
    await h?.close();
  });
  const login = (headers: Record<string, string> = CSRF) =>
    h.call(
      'POST',
      '/v1/auth/login',
      { email: 'cookie@example.com', password: PASSWORD, refresh_cookie: true },
      undefined,
      headers,
    );
  const refresh = (cookie: string, headers: Record<string, string> = CSRF) =>
    h.call('POST', '/v1/auth/refresh', {}, undefined, { cookie: `${REFRESH_COOKIE}=${cookie}`, ...headers });

  it('sets the cookie httpOnly, SameSite=Strict, on the refresh path, and answers no refresh token', async () => {
    const res = await login();
    expect(res.status).toBe(200);
    expect(res.body.access_token).toBeTruthy();
    expect(res.body).not.toHaveProperty('refresh_token');
    const { header, value } = cookieOf(res.headers);
    expect(value).toMatch(/^rt_/);
    expect(header).toMatch(/; HttpOnly/);
    expect(header).toMatch(/; SameSite=Strict/);
    expect(header).toMatch(/; Path=\/v1\/auth\/refresh/);
    expect(header).toMatch(/; Max-Age=2592000/);
    // PUBLIC_URL is http here: a Secure cookie would never come back.
    expect(header).not.toMatch(/Secure/);
  });

  it('refreshes from the cookie, rotating it, and refuses the old one', async () => {
    const first = cookieOf((await login()).headers).value;
    const res = await refresh(first, { ...CSRF, origin: new URL(ISSUER).origin });
    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty('refresh_token');
    const next = cookieOf(res.headers).value;
    expect(next).toMatch(/^rt_/);
    expect(next).not.toBe(first);
    const me = await h.call('GET', '/v1/me', undefined, res.body.access_token);
    expect(me.body.email).toBe('cookie@example.com');
    // The used token again: refused, without touching the cookie (another tab may hold the new one).
    const again = await refresh(first);
    expect(again.status).toBe(401);
    expect(cookieOf(again.headers).header).toBe('');
  });

  it('refuses a cookie call without the CSRF header, from another origin, or from another site', async () => {
    const cookie = cookieOf((await login()).headers).value;
    const noHeader = await refresh(cookie, {});
    expect(noHeader.status).toBe(403);
    expect(noHeader.headers.get('content-type')).toBe('application/problem+json');
    expect((await refresh(cookie, { ...CSRF, origin: 'https://evil.example' })).status).toBe(403);
    expect((await refresh(cookie, { ...CSRF, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    // Nothing was spent by the refusals: the cookie still works from the platform's origin.
    expect((await refresh(cookie, { ...CSRF, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    // Asking for a cookie session needs the header too.
    expect((await login({})).status).toBe(403);
  });

  it('answers 401 with neither a refresh token nor the cookie', async () => {
    expect((await h.call('POST', '/v1/auth/refresh', {}, undefined, CSRF)).status).toBe(401);
  });

  it('drops the cookie on sign-out, and keeps the JSON refresh token for other clients', async () => {
    const res = await login();
    const out = await h.call('POST', '/v1/auth/logout', undefined, res.body.access_token);
    expect(out.status).toBe(204);
    expect(cookieOf(out.headers).header).toMatch(/Max-Age=0/);
    expect((await refresh(cookieOf(res.headers).value)).status).toBe(401);

    const json = await h.call('POST', '/v1/auth/login', { email: 'cookie@example.com', password: PASSWORD });
    expect(json.body.refresh_token).toMatch(/^rt_/);
    expect(cookieOf(json.headers).header).toBe('');
  });
});

describe('the refresh cookie behind HTTPS', () => {
  it('is Secure when PUBLIC_URL is https', async () => {
    const h = await authHarness({ env: { PUBLIC_URL: 'https://iot.example.com' } });
    try {
      await h.call('POST', '/v1/auth/signup', { email: 'tls@example.com', password: PASSWORD });
      const res = await h.call(
        'POST',
        '/v1/auth/login',
        { email: 'tls@example.com', password: PASSWORD, refresh_cookie: true },
        undefined,
        { ...CSRF, origin: 'https://iot.example.com' },
      );
      expect(res.status).toBe(200);
      expect(cookieOf(res.headers).header).toMatch(/; Secure/);
    } finally {
      await h.close();
    }
  });
});
