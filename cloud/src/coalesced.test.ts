import { describe, expect, it } from 'vitest';
import { coalesced } from './coalesced.ts';

describe('coalesced', () => {
  it('shares one pass between concurrent calls, and runs once more for a call made during it', async () => {
    let passes = 0;
    let release: () => void = () => undefined;
    const drain = coalesced(async () => {
      passes++;
      if (passes === 1) await new Promise<void>((r) => (release = r));
    });
    const first = drain();
    const second = drain(); // during the first pass: one more pass, same promise
    expect(second).toBe(first);
    release();
    await first;
    expect(passes).toBe(2);
    await drain();
    expect(passes).toBe(3);
  });

  it('settles as the pass does, and a later call starts afresh', async () => {
    let fail = true;
    const drain = coalesced(async () => {
      if (fail) throw new Error('boom');
    });
    await expect(drain()).rejects.toThrow('boom');
    fail = false;
    await expect(drain()).resolves.toBeUndefined();
  });
});
