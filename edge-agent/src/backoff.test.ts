import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.ts';

describe('reconnect backoff', () => {
  it('doubles its ceiling from 1 s up to 60 s, and starts again after a reset', () => {
    const b = new Backoff({ initialMs: 1000, maxMs: 60_000, random: () => 0.999_999 });
    const waits = Array.from({ length: 9 }, () => b.next());
    expect(waits).toEqual([999, 1999, 3999, 7999, 15_999, 31_999, 59_999, 59_999, 59_999]);
    b.reset();
    expect(b.next()).toBe(999);
  });

  it('spreads each wait over the whole range below its ceiling (full jitter)', () => {
    const draws = [0, 0.5, 0.25];
    const b = new Backoff({ initialMs: 1000, maxMs: 60_000, random: () => draws.shift()! });
    expect([b.next(), b.next(), b.next()]).toEqual([0, 1000, 1000]);
  });

  it('never waits past the cap however long the refusals last', () => {
    const b = new Backoff({ initialMs: 1000, maxMs: 60_000 });
    for (let i = 0; i < 2000; i++) expect(b.next()).toBeLessThan(60_000);
    expect(b.ceiling).toBe(60_000);
  });

  it('refuses a cap below the first wait', () => {
    expect(() => new Backoff({ initialMs: 5000, maxMs: 1000 })).toThrow(RangeError);
    expect(() => new Backoff({ initialMs: 0 })).toThrow(RangeError);
  });
});
