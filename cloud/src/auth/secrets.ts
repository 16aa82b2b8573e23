import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A random secret of 256 bits, URL-safe, with an optional readable prefix. */
export function newSecret(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url');
}

/** How secrets are stored: SHA-256, hex. Fine for high-entropy secrets; passwords use argon2id. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** A new API key `iot_<12 hex>_<secret>`: the visible prefix, the secret (shown once) and its hash. */
export function newApiKey(): { prefix: string; secret: string; hash: string } {
  const prefix = `iot_${randomBytes(6).toString('hex')}`;
  const secret = `${prefix}_${newSecret()}`;
  return { prefix, secret, hash: sha256(secret) };
}

/** Whether two secrets are equal, in a time that tells nothing of where they differ or how long they are. */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());
}
