import { describe, expect, it } from 'vitest';
import { isUuid } from './uuid.ts';

describe('isUuid', () => {
  it('accepts UUIDs in either case and nothing else', () => {
    expect(isUuid('0190a3c2-7b1e-7c3d-9f00-1a2b3c4d5e6f')).toBe(true);
    expect(isUuid('0190A3C2-7B1E-7C3D-9F00-1A2B3C4D5E6F')).toBe(true);
    for (const s of ['', 'x', '0190a3c2-7b1e-7c3d-9f00-1a2b3c4d5e6', '0190a3c2-7b1e-7c3d-9f00-1a2b3c4d5e6f0'])
      expect(isUuid(s)).toBe(false);
  });
});
