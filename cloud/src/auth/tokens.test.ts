import { createHmac } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHarness, ISSUER } from '../testing.ts';

type Harness = Awaited<ReturnType<typeof authHarness>>;
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('access tokens', () => {
  let h: Harness;
  let good: string;
  let claims: Record<string, unknown>;
  let header: Record<string, unknown>;
  beforeAll(async () => {
    h = await authHarness();
    good = (await h.signupAndLogin('tok@example.com')).access_token;
    const [hd, pl] = good.split('.');
    header = JSON.parse(Buffer.from(hd!, 'base64url').toString());
    claims = JSON.parse(Buffer.from(pl!, 'base64url').toString());
  });
  afterAll(async () => {
    await h?.close();
  });
  const status = async (token: string) => (await h.call('GET', '/v1/me', undefined, token)).status;

  it('carries kid, iss, aud, exp, iat, jti and verifies with the published JWKS', async () => {
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt', kid: expect.any(String) });
    expect(claims).toMatchObject({
      iss: ISSUER,
      aud: 'iot-platform',
      sub: expect.any(String),
      sid: expect.any(String),
    });
    expect(claims.exp).toBe((claims.iat as number) + 900);
    expect(claims.jti).toBeTruthy();
    const jwks = await h.call('GET', '/.well-known/jwks.json');
    expect(jwks.body.keys).toEqual([expect.objectContaining({ kid: header.kid, kty: 'OKP', crv: 'Ed25519' })]);
    expect(JSON.stringify(jwks.body)).not.toMatch(/"d":/); // no private part
    expect(await status(good)).toBe(200);
  });

  it('rejects alg none, HS256 keyed with the public key, and a tampered payload', async () => {
    expect(await status(`${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(claims)}.`)).toBe(401);
    const jwk = (await h.call('GET', '/.well-known/jwks.json')).body.keys[0];
    const input = `${b64({ ...header, alg: 'HS256' })}.${b64(claims)}`;
    const mac = createHmac('sha256', JSON.stringify(jwk)).update(input).digest('base64url');
    expect(await status(`${input}.${mac}`)).toBe(401);
    const macX = createHmac('sha256', Buffer.from(jwk.x, 'base64url')).update(input).digest('base64url');
    expect(await status(`${input}.${macX}`)).toBe(401);
    const [hd, , sig] = good.split('.');
    expect(await status(`${hd}.${b64({ ...claims, sub: '00000000-0000-4000-8000-000000000000' })}.${sig}`)).toBe(401);
  });

  it('rejects wrong issuer, audience or type, expired and not-yet-valid tokens, unknown kid, embedded keys', async () => {
    // Signed by an attacker's key: whatever the header says, only our own keys verify.
    const attacker = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const attackerJwk = await exportJWK(attacker.publicKey);
    const forge = (h2: Record<string, unknown>, c: Record<string, unknown>) =>
      new SignJWT(c).setProtectedHeader({ alg: 'EdDSA', ...h2 }).sign(attacker.privateKey);
    expect(await status(await forge({ kid: header.kid, typ: 'at+jwt' }, claims))).toBe(401);
    expect(await status(await forge({ typ: 'at+jwt', jwk: attackerJwk }, claims))).toBe(401);
    expect(await status(await forge({ typ: 'at+jwt', jku: 'https://evil.example/jwks.json', kid: 'x' }, claims))).toBe(
      401,
    );
    expect(await status(await forge({ typ: 'at+jwt', kid: 'unknown-kid' }, claims))).toBe(401);

    // Signed by our own key with one thing wrong at a time.
    const [row] = await h.db.sql.query<{ kid: string; private_jwk: JWK }>('SELECT kid, private_jwk FROM signing_keys');
    const ours = await importJWK(row!.private_jwk, 'EdDSA');
    const now = Math.floor(Date.now() / 1000);
    const sign = (patch: Record<string, unknown>, typ = 'at+jwt') =>
      new SignJWT({
        iss: ISSUER,
        aud: 'iot-platform',
        sub: String(claims.sub),
        sid: claims.sid,
        iat: now,
        exp: now + 60,
        ...patch,
      })
        .setProtectedHeader({ alg: 'EdDSA', kid: row!.kid, typ })
        .sign(ours);
    expect(await status(await sign({}))).toBe(200); // the control
    expect(await status(await sign({}, 'mfa+jwt'))).toBe(401);
    expect(await status(await sign({}, 'JWT'))).toBe(401);
    expect(await status(await sign({ exp: now - 120 }))).toBe(401);
    expect(await status(await sign({ nbf: now + 3600, exp: now + 7200 }))).toBe(401);
    expect(await status(await sign({ iss: 'https://other.example' }))).toBe(401);
    expect(await status(await sign({ aud: 'another-api' }))).toBe(401);
    expect(await status(await sign({ exp: undefined }))).toBe(401);
  });

  it('rotates keys: new tokens get the new kid, old ones keep verifying, JWKS lists both', async () => {
    const kid = await h.tokens.rotate();
    expect(kid).not.toBe(header.kid);
    expect(await status(good)).toBe(200);
    const fresh = (
      await h.call('POST', '/v1/auth/login', { email: 'tok@example.com', password: 'correct horse battery' })
    ).body;
    expect(JSON.parse(Buffer.from(fresh.access_token.split('.')[0], 'base64url').toString()).kid).toBe(kid);
    const kids = (await h.call('GET', '/.well-known/jwks.json')).body.keys.map((k: { kid: string }) => k.kid);
    expect(kids.sort()).toEqual([kid, header.kid].sort());
  });
});

describe('a signing key from configuration', () => {
  it('signs with it, keeps its private part out of the database, and refuses rotation', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { TokenService } = await import('./tokens.ts');
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const h = await authHarness();
    try {
      const generated = (h.tokens.jwks().keys[0] as { kid: string }).kid;
      const configured = await new TokenService(h.db.orm, {
        issuer: ISSUER,
        audience: 'iot-platform',
        signingKeyPem: pem,
      }).init();
      const token = await configured.signAccess({ sub: '00000000-0000-4000-8000-000000000000', sid: 'x' });
      const kid = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid;
      expect(kid).not.toBe(generated);
      expect(configured.jwks().keys.map((k) => k.kid)).toEqual(expect.arrayContaining([kid, generated]));
      const [row] = await h.db.sql.query<{ private_jwk: Record<string, unknown> }>(
        'SELECT private_jwk FROM signing_keys WHERE kid = $1',
        [kid],
      );
      expect(row!.private_jwk).toEqual({});
      await expect(configured.rotate()).rejects.toThrow(/JWT_SIGNING_KEY/);
      await expect(
        new TokenService(h.db.orm, { issuer: ISSUER, audience: 'x', signingKeyPem: 'nonsense' }).init(),
      ).rejects.toThrow(/PKCS#8/);
    } finally {
      await h.close();
    }
  });
});
