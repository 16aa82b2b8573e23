import { z } from 'zod';

/**
 * A UUID in its text form (RFC 9562 section 4), any version, lower case: for building patterns.
 * Any version, because the check is about what reaches SQL as a uuid parameter (anything else would
 * be a 500), not about where the id came from; zod's own `uuid()` also checks the version and
 * variant bits, and so disagreed with this one. Compile it with the `i` flag for either case.
 */
export const UUID_SOURCE = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** A UUID in either case: what the HTTP API accepts, as PostgreSQL does. */
export const UUID = new RegExp(`^${UUID_SOURCE}$`, 'i');

/**
 * A UUID as the database prints it: lower case, hyphenated. The only spelling a device id takes on
 * the device protocol, where topics compare as strings (`devices/{id}/`).
 */
export const CANONICAL_UUID = new RegExp(`^${UUID_SOURCE}$`);

/**
 * Whether `s` is a UUID, in either case.
 * @example isUuid(c.req.param('orgId') ?? '')
 */
export function isUuid(s: string): boolean {
  return UUID.test(s);
}

/**
 * Whether `s` is a UUID in its canonical lower-case spelling.
 * @example isCanonicalUuid(clientId) // false for an upper-case spelling of a device id
 */
export function isCanonicalUuid(s: string): boolean {
  return CANONICAL_UUID.test(s);
}

/**
 * A UUID in either case, as a zod schema: the same check as `isUuid`, documented as `format: uuid`.
 * @example z.object({ id: Uuid })
 */
export const Uuid = z.stringFormat('uuid', UUID, { error: 'must be a UUID' });
