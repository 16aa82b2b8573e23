import { randomUUID } from 'node:crypto';
import { type Orm, schema } from '@iotp/db';
import { Uuid } from '@iotp/protocol';
import { desc, eq, isNull } from 'drizzle-orm';
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  importPKCS8,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';

const { signingKeys } = schema;
const ALG = 'EdDSA';

export interface TokenOptions {
  issuer: string;
  audience: string;
  /** Access token lifetime, seconds. */
  accessTtlS?: number;
  /**
   * An Ed25519 private key (PKCS#8 PEM) to sign with, from configuration: it stays in memory, and
   * only its public part is recorded in the database. Without it, keys are generated and kept there.
   */
  signingKeyPem?: string;
}

/*
 * The claims each kind of token must carry. A token only verifies with our key, but its claims still
 * reach SQL as uuid parameters: a signed token with a malformed one must be refused, not a 500.
 */
const AccessClaims = z.object({ sub: Uuid, sid: Uuid });
const MfaClaims = z.object({ sub: Uuid });
const DownloadClaims = z.object({ sub: Uuid, rel: Uuid, exp: z.number() });
const FileDownloadClaims = z.object({ sub: Uuid, exp: z.number() });
const FileUploadClaims = z.object({
  sub: Uuid,
  own: z.enum(['org', 'user']),
  path: z.string().min(1),
  by: Uuid.nullable(),
  exp: z.number(),
});

/** Who may upload through a signed file URL: to this owner's `path`, as `by`. */
export interface FileUploadGrant {
  owner: { kind: 'org' | 'user'; id: string };
  path: string;
  by: string | null;
}

export type AccessClaims = z.infer<typeof AccessClaims>;

/** Thrown for any token that does not verify; the message is for logs, never for clients. */
export class InvalidToken extends Error {
  override name = 'InvalidToken';
}

interface Key {
  kid: string;
  privateKey?: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
  retiredAt: Date | null;
}

/**
 * Signs and verifies the platform's JWTs with Ed25519 keys kept in the database: generated on first
 * start, rotated by `rotate()`, and published at /.well-known/jwks.json. A retired key no longer
 * signs but still verifies until every token it signed has expired.
 */
export class TokenService {
  private keys = new Map<string, Key>();
  private current: Key | undefined;
  private configured: Key | undefined;
  /** Another process may have rotated: an unknown kid reloads the keys, at most every 10 s. */
  private loadedAt = 0;
  /**
   * Access tokens already verified, until they expire: every API request presents one, and an
   * Ed25519 check costs more than the rest of the authentication. Forgotten when the keys reload.
   * Revocation is not cached here: it is the session's, looked up on every request.
   */
  private readonly verified = new LRUCache<string, AccessClaims & JWTPayload>({ max: 10_000 });
  readonly accessTtlS: number;

  constructor(
    private readonly orm: Orm,
    private readonly options: TokenOptions,
  ) {
    this.accessTtlS = options.accessTtlS ?? 900;
  }

  /** Loads the keys, creating the first one if there is none (or taking the configured one). */
  async init(): Promise<this> {
    if (this.options.signingKeyPem) await this.adoptConfiguredKey(this.options.signingKeyPem);
    await this.load();
    if (!this.current) await this.rotate();
    return this;
  }

  /** Records the configured key's public part as current, retiring the others (they keep verifying). */
  private async adoptConfiguredKey(pem: string): Promise<void> {
    let privateKey: CryptoKey;
    try {
      privateKey = await importPKCS8(pem, ALG, { extractable: true });
    } catch (cause) {
      throw new Error(
        'JWT_SIGNING_KEY must be an Ed25519 private key in PKCS#8 PEM (openssl genpkey -algorithm ed25519)',
        { cause },
      );
    }
    const { d: _private, ...publicPart } = await exportJWK(privateKey);
    const kid = await calculateJwkThumbprint(publicPart);
    const publicJwk = { ...publicPart, kid, alg: ALG, use: 'sig' };
    await this.orm.transaction(async (tx) => {
      const [known] = await tx.select({ kid: signingKeys.kid }).from(signingKeys).where(eq(signingKeys.kid, kid));
      if (known) return;
      await tx.update(signingKeys).set({ retiredAt: new Date() }).where(isNull(signingKeys.retiredAt));
      await tx.insert(signingKeys).values({ kid, alg: ALG, privateJwk: {}, publicJwk });
    });
    this.configured = {
      kid,
      privateKey,
      publicKey: (await importJWK(publicPart, ALG)) as CryptoKey,
      publicJwk,
      retiredAt: null,
    };
  }

  /** Starts signing with a new key; the old one keeps verifying for one token lifetime. */
  async rotate(): Promise<string> {
    if (this.configured) throw new Error('The signing key comes from JWT_SIGNING_KEY: rotate it there');
    const { privateKey, publicKey } = await generateKeyPair(ALG, { crv: 'Ed25519', extractable: true });
    const kid = randomUUID();
    const privateJwk = await exportJWK(privateKey);
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' };
    await this.orm.transaction(async (tx) => {
      await tx.update(signingKeys).set({ retiredAt: new Date() }).where(isNull(signingKeys.retiredAt));
      await tx.insert(signingKeys).values({ kid, alg: ALG, privateJwk, publicJwk });
    });
    await this.load();
    return kid;
  }

  async signAccess(claims: AccessClaims & Record<string, unknown>): Promise<string> {
    return this.sign(claims, 'at+jwt', this.accessTtlS);
  }

  /** A short-lived token that only proves the password step of a login with MFA. */
  async signMfaChallenge(userId: string): Promise<string> {
    return this.sign({ sub: userId }, 'mfa+jwt', 300);
  }

  async verifyAccess(token: string): Promise<AccessClaims & JWTPayload> {
    const known = this.verified.get(token);
    // Expiry by the same clock jose checks: an expired token is verified (and refused) again.
    if (known && (known.exp ?? 0) * 1000 > Date.now()) return known;
    const payload = await this.verify(token, 'at+jwt');
    const verified = { ...payload, ...claims(AccessClaims, payload) };
    this.verified.set(token, verified);
    return verified;
  }

  async verifyMfaChallenge(token: string): Promise<string> {
    return claims(MfaClaims, await this.verify(token, 'mfa+jwt')).sub;
  }

  /** A short-lived token in a firmware download URL: this device may fetch this release. */
  async signDownload(deviceId: string, releaseId: string, ttlS: number): Promise<string> {
    return this.sign({ sub: deviceId, rel: releaseId }, 'ota-download+jwt', ttlS);
  }

  async verifyDownload(token: string): Promise<{ deviceId: string; releaseId: string; expiresAt: number }> {
    const { sub, rel, exp } = claims(DownloadClaims, await this.verify(token, 'ota-download+jwt'));
    return { deviceId: sub, releaseId: rel, expiresAt: exp * 1000 };
  }

  /** A short-lived token in a signed file download URL: whoever holds it may fetch this file. */
  async signFileDownload(fileId: string, ttlS: number): Promise<string> {
    return this.sign({ sub: fileId }, 'file-download+jwt', ttlS);
  }

  async verifyFileDownload(token: string): Promise<{ fileId: string; expiresAt: number }> {
    const { sub, exp } = claims(FileDownloadClaims, await this.verify(token, 'file-download+jwt'));
    return { fileId: sub, expiresAt: exp * 1000 };
  }

  /** A short-lived token in a signed file upload URL: whoever holds it may upload this one path. */
  async signFileUpload(grant: FileUploadGrant, ttlS: number): Promise<string> {
    const { owner, path, by } = grant;
    return this.sign({ sub: owner.id, own: owner.kind, path, by }, 'file-upload+jwt', ttlS);
  }

  async verifyFileUpload(token: string): Promise<FileUploadGrant> {
    const { sub, own, path, by } = claims(FileUploadClaims, await this.verify(token, 'file-upload+jwt'));
    return { owner: { kind: own, id: sub }, path, by };
  }

  /** The public keys that verify current tokens, as a JWK Set. */
  jwks(): { keys: JWK[] } {
    return { keys: [...this.keys.values()].map((k) => k.publicJwk) };
  }

  private async sign(claims: Record<string, unknown>, typ: string, ttlS: number): Promise<string> {
    const key = this.current;
    if (!key?.privateKey) throw new Error('no signing key: call init()');
    // One reading of the clock: read for each claim, a second could turn between them (exp ≠ iat + ttl).
    const iat = Math.floor(Date.now() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: ALG, kid: key.kid, typ })
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(iat + ttlS)
      .setJti(randomUUID())
      .sign(key.privateKey);
  }

  private async verify(token: string, typ: string): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(
        token,
        async (header) => {
          // Keys come only from our own store, never from the token (RFC 8725 §3.10).
          if (header.jwk || header.jku || header.x5u || header.x5c) throw new InvalidToken('key reference in header');
          if (header.kid && !this.keys.has(header.kid) && Date.now() - this.loadedAt > 10_000) await this.load();
          const key = header.kid ? this.keys.get(header.kid) : undefined;
          if (!key) throw new InvalidToken('unknown kid');
          return key.publicKey;
        },
        {
          issuer: this.options.issuer,
          audience: this.options.audience,
          typ,
          algorithms: [ALG],
          requiredClaims: ['exp', 'sub'],
        },
      );
      return payload;
    } catch (err) {
      throw err instanceof InvalidToken ? err : new InvalidToken((err as Error).message);
    }
  }

  private async load(): Promise<void> {
    const rows = await this.orm.select().from(signingKeys).orderBy(desc(signingKeys.createdAt));
    const keys = new Map<string, Key>();
    let current: Key | undefined;
    const graceMs = (this.accessTtlS + 300) * 1000;
    for (const row of rows) {
      if (row.retiredAt && row.retiredAt.getTime() + graceMs < Date.now()) continue;
      const key: Key = {
        kid: row.kid,
        publicKey: (await importJWK(row.publicJwk as JWK, ALG)) as CryptoKey,
        privateKey:
          row.retiredAt || !row.privateJwk.d ? undefined : ((await importJWK(row.privateJwk as JWK, ALG)) as CryptoKey),
        publicJwk: row.publicJwk as JWK,
        retiredAt: row.retiredAt,
      };
      keys.set(row.kid, key);
      if (!row.retiredAt && !current) current = key;
    }
    if (this.configured) keys.set(this.configured.kid, this.configured);
    this.keys = keys;
    this.current = this.configured ?? current;
    this.loadedAt = Date.now();
    this.verified.clear();
  }
}

function claims<T>(schema: z.ZodType<T>, payload: JWTPayload): T {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw new InvalidToken(`bad claims: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
