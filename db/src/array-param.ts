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

/**
 * A list as a PostgreSQL array literal, e.g. for a prepared statement's `sql.placeholder`, or for
 * a batch's `unnest($n::text[])`: built in one pass, it costs a third of what postgres.js spends on
 * a JS array (a map, two regular expressions per element, a join).
 */
export function arrayLiteral(list: readonly (string | null)[]): string {
  let out = '{';
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (i > 0) out += ',';
    // Quoted elements: the only characters to escape are the quote and the backslash (PostgreSQL 8.15.6).
    out += v === null || v === undefined ? 'NULL' : `"${NEEDS_ESCAPE.test(v) ? v.replace(ESCAPED, '\\$&') : v}"`;
  }
  return `${out}}`;
}

/** Numbers (int8, float8: `NaN` and `Infinity` are valid input) as a PostgreSQL array literal. */
export function numberArrayLiteral(list: readonly (number | null)[]): string {
  let out = '{';
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (i > 0) out += ',';
    out += v === null || v === undefined ? 'NULL' : String(v);
  }
  return `${out}}`;
}

const NEEDS_ESCAPE = /["\\]/;
const ESCAPED = /["\\]/g;
