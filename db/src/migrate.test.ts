import pino from 'pino';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, migrate } from './migrate.ts';
import { postgresSqlClient } from './sql-client.ts';
import { createTestDatabase } from './testing.ts';

const logger = pino({ level: 'silent' });

describe('migrate on a PostgreSQL server', () => {
  let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  it('lets several processes migrate a new database at the same moment: one applies, the others wait', async () => {
    const clients = [1, 2, 3].map(() => postgres(testDb.url, { max: 1, onnotice: () => undefined }));
    try {
      // Connected first, so that the migrations start together rather than one connection apart.
      await Promise.all(clients.map((c) => c`SELECT 1`));
      const results = await Promise.all(
        clients.map((c) => migrate({ sql: postgresSqlClient(c), timescale: false, logger, dir: MIGRATIONS_DIR })),
      );
      const applied = results.map((r) => r.applied.length);
      expect(applied.filter((n) => n > 0)).toHaveLength(1);
      const [row] = await clients[0]!<{ n: number }[]>`SELECT count(*)::int AS n FROM schema_migrations`;
      expect(row?.n).toBe(Math.max(...applied));
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });
});
