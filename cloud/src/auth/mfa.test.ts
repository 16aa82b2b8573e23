import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHarness } from '../testing.ts';

type Harness = Awaited<ReturnType<typeof authHarness>>;

describe('TOTP MFA', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await authHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('enrolls, then asks for a code at login; recovery codes work once; can be disabled', async () => {
    const email = 'mfa@example.com';
    const password = 'correct horse battery';
    const { access_token } = await h.signupAndLogin(email, password);
    const enroll = await h.call('POST', '/v1/me/mfa/totp', undefined, access_token);
    expect(enroll.body.otpauth_uri).toMatch(/^otpauth:\/\/totp\//);
    const secret = enroll.body.secret as string;
    expect((await h.call('POST', '/v1/me/mfa/totp/confirm', { code: '000000' }, access_token)).status).toBe(400);
    const confirm = await h.call('POST', '/v1/me/mfa/totp/confirm', { code: await generate({ secret }) }, access_token);
    expect(confirm.status).toBe(200);
    const recovery = confirm.body.recovery_codes as string[];
    expect(recovery).toHaveLength(10);

    const login = await h.call('POST', '/v1/auth/login', { email, password });
    expect(login.body).toEqual({ mfa_required: true, mfa_token: expect.any(String) });
    expect(login.body.access_token).toBeUndefined();
    const challenge = login.body.mfa_token;
    // The challenge token is not an access token.
    expect((await h.call('GET', '/v1/me', undefined, challenge)).status).toBe(401);
    expect((await h.call('POST', '/v1/auth/mfa', { mfa_token: challenge, code: '123456' })).status).toBe(401);
    const done = await h.call('POST', '/v1/auth/mfa', { mfa_token: challenge, code: await generate({ secret }) });
    expect(done.status).toBe(200);
    expect(done.body.access_token).toBeTruthy();

    const viaRecovery = await h.call('POST', '/v1/auth/mfa', { mfa_token: challenge, code: recovery[0] });
    expect(viaRecovery.status).toBe(200);
    expect((await h.call('POST', '/v1/auth/mfa', { mfa_token: challenge, code: recovery[0] })).status).toBe(401);

    const t = done.body.access_token;
    expect((await h.call('POST', '/v1/me/mfa/totp/disable', { code: await generate({ secret }) }, t)).status).toBe(204);
    expect((await h.call('POST', '/v1/auth/login', { email, password })).body.access_token).toBeTruthy();
  });
});
