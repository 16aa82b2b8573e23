/** A UUID in its text form (RFC 9562 section 4), any version, either case: for building path patterns. */
export const UUID_SOURCE = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

const UUID = new RegExp(`^${UUID_SOURCE}$`, 'i');

/**
 * Whether `s` is a UUID: ids reach SQL as uuid parameters, where anything else would be a 500.
 * @example isUuid(c.req.param('orgId') ?? '')
 */
export function isUuid(s: string): boolean {
  return UUID.test(s);
}
