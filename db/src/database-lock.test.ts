import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDatabaseLock } from './database-lock.ts';
import { postgresSqlClient } from './sql-client.ts';
import { createTestDatabase } from './testing.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('withDatabaseLock', () => {
  let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  it('lets one holder of a key work at a time across connection pools (nodes), and frees the key when work throws', async () => {
    const pools = [0, 1, 2].map(() => postgres(testDb.url, { max: 2, onnotice: () => undefined }));
    try {
      const nodes = pools.map(postgresSqlClient);
      let inside = 0;
      let most = 0;
      const order: number[] = [];
      const work = (i: number) => async () => {
        most = Math.max(most, ++inside);
        await sleep(20);
        order.push(i);
        inside--;
        return i;
      };
      const results = await Promise.all(
        [0, 1, 2, 3, 4, 5].map((i) => withDatabaseLock(nodes[i % 3]!, 'rollout:r1', work(i))),
      );
      expect(results).toEqual([0, 1, 2, 3, 4, 5]);
      expect(order.length).toBe(6);
      expect(most).toBe(1);

      await expect(
        withDatabaseLock(nodes[0]!, 'rollout:r1', async () => {
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      // Released with the rolled-back transaction: another node takes it at once.
      expect(await withDatabaseLock(nodes[1]!, 'rollout:r1', async () => 'free')).toBe('free');
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });
});
