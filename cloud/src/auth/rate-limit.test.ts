import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHarness } from '../testing.ts';
import { type CounterStore, MemoryCounterStore, RedisCounterStore } from './rate-limit.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe.each(['memory', 'redis'] as const)('%s counter store', (kind) => {
  let redis: Redis | undefined;
  let store: CounterStore;
  beforeAll(async () => {
    if (kind === 'redis') {
      redis = new Redis(REDIS_URL);
      store = new RedisCounterStore(redis, `test:${randomUUID()}:`);
    } else store = new MemoryCounterStore();
  });
  afterAll(() => {
    redis?.disconnect();
  });

  it('counts within a window and reports the time left', async () => {
    expect(await store.incr('k', 60)).toEqual({ count: 1, ttlS: 60 });
    const second = await store.incr('k', 60);
    expect(second.count).toBe(2);
    expect(second.ttlS).toBeGreaterThan(0);
    await store.reset('k');
    expect((await store.incr('k', 60)).count).toBe(1);
  });

  it('blocks a key for a while', async () => {
    expect(await store.blockedFor('b')).toBe(0);
    await store.block('b', 30);
    expect(await store.blockedFor('b')).toBeGreaterThan(25);
  });
});

describe('credential endpoints under attack', () => {
  it('limits logins per address with Retry-After, then locks the account for a growing time', async () => {
    const redis = new Redis(REDIS_URL);
    const limits = new RedisCounterStore(redis, `test:${randomUUID()}:`);
    const h = await authHarness({ limits, rateLimits: { loginPerAccount: [100, 60], loginPerAddress: [100, 60] } });
    try {
      await h.signupAndLogin('victim@example.com');
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        statuses.push(
          (await h.call('POST', '/v1/auth/login', { email: 'victim@example.com', password: `guess ${i}` })).status,
        );
      }
      // Five failures are answered as failures; then the account is locked, for everyone.
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
      const locked = await h.call('POST', '/v1/auth/login', {
        email: 'victim@example.com',
        password: 'correct horse battery',
      });
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(locked.body.type).toBe('https://iot-platform.dev/problems/rate-limited');
      // An unknown account locks the same way, so a lock does not reveal that an account exists.
      const unknown: number[] = [];
      for (let i = 0; i < 6; i++) {
        unknown.push(
          (await h.call('POST', '/v1/auth/login', { email: 'ghost@example.com', password: `guess ${i}` })).status,
        );
      }
      expect(unknown).toEqual(statuses);
    } finally {
      await h.close();
      redis.disconnect();
    }
  });

  it('limits each credential endpoint per address', async () => {
    const tight = {
      signupPerAddress: [2, 60],
      refreshPerAddress: [2, 60],
      resetPerAddress: [2, 60],
      loginPerAddress: [2, 60],
    } as const;
    const h = await authHarness({ rateLimits: tight as never });
    try {
      const hit = async (path: string, body: unknown) => {
        const out: number[] = [];
        for (let i = 0; i < 3; i++) out.push((await h.call('POST', path, body)).status);
        return out;
      };
      expect((await hit('/v1/auth/signup', { email: `x${Math.random()}@example.com`, password: 'short' })).at(-1)).toBe(
        429,
      );
      expect((await hit('/v1/auth/refresh', { refresh_token: 'rt_nothing' })).at(-1)).toBe(429);
      expect((await hit('/v1/auth/password-reset/request', { email: 'a@example.com' })).at(-1)).toBe(429);
      expect((await hit('/v1/auth/login', { email: 'a@example.com', password: 'x' })).at(-1)).toBe(429);
    } finally {
      await h.close();
    }
  });
});
