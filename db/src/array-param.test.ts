import { bigserial, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { anyOf, arrayLiteral, numberArrayLiteral } from './array-param.ts';

// What the batch writer sends: each literal must read back as exactly the list it was built from.
describe('array literals', () => {
  const sql = postgres(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', {
    max: 1,
    onnotice: () => undefined,
  });
  afterAll(() => sql.end());

  it('reads back text with quotes, backslashes, commas, braces, spaces, NULL spelled out, and nulls', async () => {
    const list = [
      'plain',
      'null',
      'Null',
      'a-b_c.d:e+f',
      'a "quoted" one',
      'back\\slash',
      'a,b',
      '{braces}',
      ' spaced ',
      'NULL',
      '',
      'ünï',
      null,
    ];
    const rows = await sql.unsafe('SELECT v FROM unnest($1::text[]) WITH ORDINALITY AS u(v, i) ORDER BY i', [
      arrayLiteral(list),
    ]);
    expect(rows.map((r) => r.v)).toEqual(list);
  });

  it('reads back int8 and float8, nulls, NaN and the infinities (-0 as 0, as postgres.js sent it)', async () => {
    const times = [1_796_618_872_199_000, 0, -1, null];
    const values = [24.9, 0.1, 1e21, -0, 5e-324, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, null];
    const read = (type: string, literal: string) =>
      sql.unsafe(`SELECT v::text FROM unnest($1::${type}[]) WITH ORDINALITY AS u(v, i) ORDER BY i`, [literal]);
    const ints = await read('int8', numberArrayLiteral(times));
    expect(ints.map((r) => r.v)).toEqual(['1796618872199000', '0', '-1', null]);
    const floats = await read('float8', numberArrayLiteral(values));
    expect(floats.map((r) => r.v)).toEqual([
      '24.9',
      '0.1',
      '1e+21',
      '0',
      '5e-324',
      'NaN',
      'Infinity',
      '-Infinity',
      null,
    ]);
  });

  it('an empty list is an empty array', async () => {
    const [row] = await sql.unsafe('SELECT $1::text[] AS a, $2::int8[] AS b', [
      arrayLiteral([]),
      numberArrayLiteral([]),
    ]);
    expect(row).toEqual({ a: [], b: [] });
  });
});

describe('anyOf', () => {
  const sql = postgres(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', {
    max: 1,
    onnotice: () => undefined,
  });
  const orm = drizzle(sql);
  const things = pgTable('any_of_things', {
    id: bigserial('id', { mode: 'number' }),
    ref: uuid('ref'),
    name: text('name'),
  });
  afterAll(() => sql.end());

  it('matches a list of any length as one parameter, typed as its column, where inArray cannot send one', async () => {
    await sql`CREATE TEMP TABLE any_of_things (id bigserial, ref uuid, name text)`;
    const [a, b] = await sql<{ id: string; ref: string }[]>`
      INSERT INTO any_of_things (ref, name) VALUES (gen_random_uuid(), 'a "quoted", one'), (gen_random_uuid(), 'b')
      RETURNING id, ref`;
    // A fleet's worth of ids: more than the 65,534 parameters a statement may have.
    const refs = Array.from({ length: 70_000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    refs.push(b!.ref);
    const byRef = await orm.select({ name: things.name }).from(things).where(anyOf(things.ref, refs));
    expect(byRef).toEqual([{ name: 'b' }]);
    const byId = await orm
      .select({ name: things.name })
      .from(things)
      .where(anyOf(things.id, [Number(a!.id), 0]));
    expect(byId).toEqual([{ name: 'a "quoted", one' }]);
    const byName = await orm
      .select({ id: things.id })
      .from(things)
      .where(anyOf(things.name, ['a "quoted", one']));
    expect(byName).toEqual([{ id: Number(a!.id) }]);
    expect(await orm.select().from(things).where(anyOf(things.ref, []))).toEqual([]);
  });
});
