import type { SqlClient } from './sql-client.ts';

/**
 * Runs `work` holding a lock every process on the same PostgreSQL server respects: a transaction
 * holds `pg_advisory_xact_lock` on the key (hashed to 64 bits) until `work` settles, so a second
 * caller with the key, on any node, waits. Work runs on its own connections; the lock takes one
 * connection of the pool while held. Not for the embedded database, whose one backend would wait
 * for the transaction holding the lock: there, one process needs no lock across processes.
 * @example await withDatabaseLock(db.sql, `rollout:${id}`, () => step(id));
 */
export function withDatabaseLock<T>(sql: SqlClient, key: string, work: () => Promise<T>): Promise<T> {
  return sql.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
    return work();
  });
}
