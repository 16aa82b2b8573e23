import { describe, expect, it } from 'vitest';
import { isCanonicalUuid, isUuid, Uuid } from './uuid.ts';

const V4 = '3f2c8a1e-5b7d-4c9e-8a1f-0b2c3d4e5f60';
const V7 = '0190a3c2-7b1e-7c3d-9f00-1a2b3c4d5e6f';
// Version 0 and variant 0: not an RFC 9562 UUID, but PostgreSQL's uuid type takes it.
const ANY = '00000000-0000-0000-0000-000000000001';
const MALFORMED = [
  '',
  'x',
  `${V4}0`,
  V4.slice(0, -1),
  V4.replaceAll('-', ''),
  `{${V4}}`,
  `${V4.slice(0, 8)}${V4.slice(9)}-`,
  V4.replace('3', 'g'),
  ` ${V4}`,
  `${V4}\n`,
];

describe('isUuid', () => {
  it('accepts any version in either case', () => {
    for (const s of [V4, V7, ANY, V4.toUpperCase(), V7.toUpperCase()]) expect(isUuid(s)).toBe(true);
  });

  it('refuses anything else', () => {
    for (const s of MALFORMED) expect(isUuid(s), s).toBe(false);
  });
});

describe('isCanonicalUuid', () => {
  it('accepts only the lower-case spelling', () => {
    for (const s of [V4, V7, ANY]) expect(isCanonicalUuid(s)).toBe(true);
    expect(isCanonicalUuid(V4.toUpperCase())).toBe(false);
    expect(isCanonicalUuid(`${V4.slice(0, 35)}A`)).toBe(false);
    for (const s of MALFORMED) expect(isCanonicalUuid(s), s).toBe(false);
  });
});

describe('Uuid', () => {
  it('agrees with isUuid', () => {
    for (const s of [V4, V7, ANY, V4.toUpperCase(), ...MALFORMED]) expect(Uuid.safeParse(s).success, s).toBe(isUuid(s));
  });

  it('says what is wrong', () => {
    expect(Uuid.safeParse('x').error?.issues[0]?.message).toBe('must be a UUID');
  });
});
