import { type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

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
 * `column = ANY($n::type[])`: drizzle's `inArray` for a list whose length is not fixed. `inArray`
 * sends a parameter per element, so a list of more than 65,534 (a rollout or an offline rule over a
 * big fleet) cannot be sent at all, and each length is a statement text of its own, which postgres.js
 * prepares on every connection and the database parses and plans anew. This sends one.
 * @example orm.select().from(devices).where(anyOf(devices.id, ids))
 */
export function anyOf(column: PgColumn, list: readonly (string | number)[]): SQL {
  const type = ARRAY_OF[column.getSQLType()] ?? column.getSQLType();
  return sql`${column} = ANY(${arrayLiteral(list.map(String))}::${sql.raw(type)}[])`;
}

/** Column types that name no element type of an array: serials are their integers. */
const ARRAY_OF: Record<string, string> = { serial: 'int4', bigserial: 'int8', smallserial: 'int2' };

/**
 * A list as a PostgreSQL array literal, e.g. for a prepared statement's `sql.placeholder`, or for
 * a batch's `unnest($n::text[])`: built in one pass, it costs a third of what postgres.js spends on
 * a JS array (a map, two regular expressions per element, a join). Plain words (ids, metric names)
 * go unquoted, as themselves: no new string for each.
 */
export function arrayLiteral(list: readonly (string | null)[]): string {
  const items = new Array<string>(list.length);
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (v === null || v === undefined) items[i] = 'NULL';
    else if (PLAIN.test(v) && !NULL_WORD.test(v)) items[i] = v;
    // Quoted elements: the only characters to escape are the quote and the backslash (PostgreSQL 8.15.6).
    else items[i] = `"${NEEDS_ESCAPE.test(v) ? v.replace(ESCAPED, '\\$&') : v}"`;
  }
  return `{${items.join(',')}}`;
}

/** Numbers (int8, float8: `NaN` and `Infinity` are valid input) as a PostgreSQL array literal. */
export function numberArrayLiteral(list: readonly (number | null)[]): string {
  if (!list.includes(null)) return `{${list.join(',')}}`;
  return `{${list.map((v) => (v === null ? 'NULL' : v)).join(',')}}`;
}

/** What an array literal reads unquoted as itself (no space, brace, comma, quote or backslash). */
const PLAIN = /^[A-Za-z0-9_.:+-]+$/;
/** Unquoted, `NULL` (any case) is a null. */
const NULL_WORD = /^null$/i;
const NEEDS_ESCAPE = /["\\]/;
const ESCAPED = /["\\]/g;
