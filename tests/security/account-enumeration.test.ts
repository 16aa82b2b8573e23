/**
 * Issue 12, hole 6: whether an email has an account must not show in the answers of sign-up, login
 * and password reset: not in status, body or headers, and not in the time taken. The time is
 * measured by `npm run bench:auth-timing` (no timing thresholds in tests); here, the answers are
 * compared byte for byte, and the work done after answering is checked to have happened.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHarness } from '../../cloud/src/testing.ts';

type Harness = Awaited<ReturnType<typeof authHarness>>;
const PASSWORD = 'correct horse battery';

/** Status, headers and body of an answer, without what differs on every request. */
async function answer(h: Harness, path: string, body: unknown) {
  const res = await h.app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const headers = Object.fromEntries([...res.headers].filter(([name]) => name !== 'x-request-id'));
  const json = await res.json();
  return { status: res.status, headers, body: { ...json, instance: json.instance && 'request id' } };
}

describe('account enumeration through sign-up, login, password reset and deletion cancel', () => {
  let h: Harness;
  const count = async (sql: string, params: unknown[]) =>
    Number((await h.db.sql.query<{ n: string }>(sql, params))[0]!.n);
  const mails = (to: string) => count('SELECT count(*) AS n FROM mail_outbox WHERE "to" = $1', [to]);
  const events = (email: string, type: string) =>
    count(
      'SELECT count(*) AS n FROM user_events e JOIN users u ON u.id = e.user_id WHERE u.email = $1 AND e.type = $2',
      [email, type],
    );

  beforeAll(async () => {
    h = await authHarness();
    await h.call('POST', '/v1/auth/signup', { email: 'owner@example.com', password: PASSWORD });
    await h.service.settled();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers a password reset request identically, and mails only an account holder', async () => {
    const before = await mails('owner@example.com');
    const known = await answer(h, '/v1/auth/password-reset/request', { email: 'owner@example.com' });
    const unknown = await answer(h, '/v1/auth/password-reset/request', { email: 'nobody@example.com' });
    expect(known.status).toBe(202);
    expect(known).toEqual(unknown);
    expect((await h.lastMail('owner@example.com'))!.subject).toBe('Reset your password');
    expect(await mails('owner@example.com')).toBe(before + 1);
    expect(await mails('nobody@example.com')).toBe(0);
    expect(await events('owner@example.com', 'password_reset_requested')).toBe(1);
  });

  it('answers a wrong password for an account exactly as a login for an unknown email', async () => {
    const known = await answer(h, '/v1/auth/login', { email: 'owner@example.com', password: 'not the password' });
    const unknown = await answer(h, '/v1/auth/login', { email: 'nobody@example.com', password: 'not the password' });
    expect(known.status).toBe(401);
    expect(known).toEqual(unknown);
    // The failure is still in the account's activity, written once the answer has gone.
    await h.service.settled();
    expect(await events('owner@example.com', 'login_failed')).toBe(1);
  });

  it('answers a cancellation of a deletion with a wrong password exactly as one for an unknown email', async () => {
    const body = { password: 'not the password' };
    const known = await answer(h, '/v1/auth/deletion/cancel', { ...body, email: 'owner@example.com' });
    const unknown = await answer(h, '/v1/auth/deletion/cancel', { ...body, email: 'nobody@example.com' });
    expect(known.status).toBe(401);
    expect(known).toEqual(unknown);
  });

  it('answers a sign-up with a taken email as a new one, and tells the owner instead', async () => {
    const taken = await answer(h, '/v1/auth/signup', { email: 'owner@example.com', password: PASSWORD });
    const fresh = await answer(h, '/v1/auth/signup', { email: 'newcomer@example.com', password: PASSWORD });
    expect(taken.status).toBe(201);
    expect(taken.headers).toEqual(fresh.headers);
    const varying = { id: expect.any(String), email: expect.any(String), created_at: expect.any(String) };
    expect({ ...taken.body, ...varying }).toEqual({ ...fresh.body, ...varying });
    expect(taken.body.email).toBe('owner@example.com');
    expect(taken.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await h.lastMail('owner@example.com'))!.subject).toMatch(/tried to sign up/);
    expect((await h.lastMail('newcomer@example.com'))!.subject).toBe('Verify your email address');
    expect(await events('newcomer@example.com', 'signup')).toBe(1);
  });
});
