import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { CallerCache } from './caller-cache.ts';

const logger = pino({ level: 'silent' });

describe('CallerCache', () => {
  it('answers from memory until a change, then looks up again', async () => {
    const cache = new CallerCache({ ttlMs: 60_000, logger });
    let lookups = 0;
    const load = async () => ++lookups;
    expect(await cache.through('s:1', load)).toBe(1);
    expect(await cache.through('s:1', load)).toBe(1);
    cache.changed();
    expect(await cache.through('s:1', load)).toBe(2);
  });

  it('does not remember an answer looked up while a change happened', async () => {
    const cache = new CallerCache({ ttlMs: 60_000, logger });
    let release!: () => void;
    const slow = cache.through('s:1', () => new Promise<string>((r) => (release = () => r('before'))));
    cache.changed(); // the write commits while the old answer is on its way
    release();
    expect(await slow).toBe('before');
    expect(await cache.through('s:1', async () => 'after')).toBe('after');
  });

  it('looks up every time when turned off', async () => {
    const cache = new CallerCache({ ttlMs: 0, logger });
    let lookups = 0;
    await cache.through('s:1', async () => ++lookups);
    await cache.through('s:1', async () => ++lookups);
    expect(lookups).toBe(2);
  });
});
