import { type SQL, sql } from 'drizzle-orm';

/**
 * A list as one parameter of `orm.execute(sql...)`, for `unnest($n::uuid[], ...)` batches: drizzle
 * spreads a JS array into a list of parameters, and postgres.js cannot send one drizzle passes, so
 * the list goes as a PostgreSQL array literal (text) that the query casts.
 * @example orm.execute(sql`UPDATE devices SET online = true WHERE id = ANY(${arrayParam(ids)}::uuid[])`)
 */
export function arrayParam(list: readonly (string | null)[]): SQL {
  return sql`${arrayLiteral(list)}`;
}

/** A list as a PostgreSQL array literal, e.g. for a prepared statement's `sql.placeholder`. */
export function arrayLiteral(list: readonly (string | null)[]): string {
  // Quoted elements: the only characters to escape are the quote and the backslash (PostgreSQL 8.15.6).
  const items = list.map((v) => (v === null ? 'NULL' : `"${v.replace(/["\\]/g, '\\$&')}"`));
  return `{${items.join(',')}}`;
}
