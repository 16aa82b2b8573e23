import { Unauthorized } from './problem.ts';

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * The credential of an `Authorization: Bearer <token>` header (RFC 6750 section 2.1); anything
 * else is `Unauthorized`.
 * @example const token = bearerToken(c.req.header('authorization'));
 */
export function bearerToken(header: string | undefined): string {
  const match = BEARER.exec(header ?? '');
  if (!match) throw new Unauthorized('Send Authorization: Bearer <access token or API key>');
  return match[1]!;
}
