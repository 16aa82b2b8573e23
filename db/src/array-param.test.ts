import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { arrayLiteral, numberArrayLiteral } from './array-param.ts';

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
