import { describe, expect, it } from 'vitest';
import { bucketTimes } from './bucket-time.ts';

const byDate = (seconds: number) => `${new Date(Math.floor(seconds) * 1000).toISOString().slice(0, 19)}Z`;

describe('bucketTimes', () => {
  it('writes what toISOString writes, to the second, in order and out of order', () => {
    const ts = bucketTimes();
    // Every 7 minutes over two years, a leap day among them, then back to before the epoch.
    const start = Date.parse('2027-12-30T00:00:00Z') / 1000;
    for (let s = start; s < start + 2 * 366 * 86_400; s += 420) expect(ts(s)).toBe(byDate(s));
    for (const s of [0, -1, -86_400, -86_401, 951_782_400, 1_777_726_800.75, 4_102_444_799, 86_399, 86_400])
      expect(ts(s), String(s)).toBe(byDate(s));
  });
});
