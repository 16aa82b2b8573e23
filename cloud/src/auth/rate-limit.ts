import type { Redis } from 'ioredis';
import { RateLimited } from '../http/problem.ts';

/** Counters with expiry, shared by every process when kept in Redis. */
export interface CounterStore {
  /** Adds one to `key`, whose window starts at its first hit; returns the count and seconds left. */
  incr(key: string, windowS: number): Promise<{ count: number; ttlS: number }>;
  /** Blocks `key` for `seconds`. */
  block(key: string, seconds: number): Promise<void>;
  /** Seconds `key` is still blocked for, 0 when it is not. */
  blockedFor(key: string): Promise<number>;
  reset(key: string): Promise<void>;
}

/** Counters in this process's memory: the default when no Redis is configured. */
export class MemoryCounterStore implements CounterStore {
  private readonly entries = new Map<string, { count: number; until: number }>();

  async incr(key: string, windowS: number) {
    const now = Date.now();
    let e = this.entries.get(key);
    if (!e || e.until <= now) {
      e = { count: 0, until: now + windowS * 1000 };
      this.entries.set(key, e);
    }
    e.count++;
    if (this.entries.size > 100_000) this.sweep(now);
    return { count: e.count, ttlS: Math.ceil((e.until - now) / 1000) };
  }

  async block(key: string, seconds: number) {
    this.entries.set(`block:${key}`, { count: 1, until: Date.now() + seconds * 1000 });
  }

  async blockedFor(key: string) {
    const e = this.entries.get(`block:${key}`);
    const left = e ? Math.ceil((e.until - Date.now()) / 1000) : 0;
    return Math.max(left, 0);
  }

  async reset(key: string) {
    this.entries.delete(key);
  }

  private sweep(now: number) {
    for (const [k, e] of this.entries) if (e.until <= now) this.entries.delete(k);
  }
}

/** Counters in Redis, so limits hold across every API process. */
export class RedisCounterStore implements CounterStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'iotp:rl:',
  ) {}

  async incr(key: string, windowS: number) {
    const k = this.prefix + key;
    const [[, count], , [, ttl]] = (await this.redis.multi().incr(k).expire(k, windowS, 'NX').ttl(k).exec()) as [
      [unknown, number],
      unknown,
      [unknown, number],
    ];
    return { count, ttlS: Math.max(ttl, 1) };
  }

  async block(key: string, seconds: number) {
    await this.redis.set(`${this.prefix}block:${key}`, '1', 'EX', seconds);
  }

  async blockedFor(key: string) {
    const ttl = await this.redis.ttl(`${this.prefix}block:${key}`);
    return Math.max(ttl, 0);
  }

  async reset(key: string) {
    await this.redis.del(this.prefix + key);
  }
}

/** Counts one attempt at `key`; throws RateLimited (with the seconds to wait) past `max` in the window. */
export async function rateLimit(
  store: CounterStore,
  key: string,
  [max, windowS]: readonly [number, number],
): Promise<void> {
  const { count, ttlS } = await store.incr(key, windowS);
  if (count > max) throw new RateLimited(ttlS);
}
