import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new signing secret, shown once: `whsec_` and 32 random bytes. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/**
 * The `Webhook-Signature` header as Stripe forms its own: `t={unix seconds},v1={hex HMAC-SHA256
 * of "{t}.{body}" keyed with the secret}`. The timestamp in the signed text stops replays.
 * @example signWebhook(secret, body) // 't=1735689600,v1=5257a8...'
 */
export function signWebhook(secret: string, body: string, at = Date.now()): string {
  const t = Math.floor(at / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/** What a receiver does: true when a `v1` matches and `t` is within `toleranceS` of now. */
export function verifyWebhook(secret: string, body: string, header: string, toleranceS = 300, now = Date.now()) {
  const parts = header.split(',').map((p) => p.split('=') as [string, string]);
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(now / 1000 - t) > toleranceS) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
  return parts
    .filter(([k]) => k === 'v1')
    .some(([, v]) => v.length === expected.length && timingSafeEqual(Buffer.from(v), expected));
}
