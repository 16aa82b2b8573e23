import { describe, expect, it } from 'vitest';
import { bearerToken } from './bearer.ts';
import { Unauthorized } from './problem.ts';

describe('bearerToken', () => {
  it('takes the token of a Bearer header, in any case of the scheme', () => {
    expect(bearerToken('Bearer abc.def')).toBe('abc.def');
    expect(bearerToken('bearer  iot_x')).toBe('iot_x');
  });

  it('refuses anything else as Unauthorized', () => {
    for (const header of [undefined, '', 'Basic dXNlcjpwdw==', 'Bearer', 'Bearer a b'])
      expect(() => bearerToken(header)).toThrow(Unauthorized);
  });
});
