import { createHash } from 'node:crypto';
import type { Context } from 'hono';

/**
 * Answers `body` as JSON that shared caches may keep for `maxAgeS`, with a strong ETag of its bytes;
 * 304 without a body when `If-None-Match` names that tag (RFC 9110 §13.1.2, any listed tag, or `*`).
 * @example return cacheable(c, { data: items, next_cursor: null });
 */
export function cacheable(c: Context, body: unknown, { maxAgeS = 60 }: { maxAgeS?: number } = {}) {
  const text = JSON.stringify(body);
  const tag = `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`;
  const headers = { ETag: tag, 'Cache-Control': `public, max-age=${maxAgeS}` };
  const wanted = c.req.header('if-none-match');
  // Weak comparison, as §13.1.2 asks for If-None-Match.
  const tags = wanted?.split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (tags?.some((t) => t === tag || t === '*')) return c.body(null, 304, headers);
  return c.body(text, 200, { ...headers, 'content-type': 'application/json' });
}
