import type { SqlClient } from '@iotp/db';
import type { Logger } from 'pino';
import type { ObjectStore } from './object-store.ts';

export interface DeletedObjectsOptions {
  sql: SqlClient;
  objects: ObjectStore;
  logger: Logger;
  /** Keys taken per sweep. */
  batch?: number;
}

/**
 * Deletes from the object store what no row names any more: the keys that triggers put in
 * `deleted_objects` when a file, a release or an account went (migration 0029), in the deleting
 * transaction. A key the store would not delete stays for the next sweep, counted in `attempts`.
 * @example scheduler.add({ name: 'sweep-deleted-objects', everyMs: 60_000, run: () => sweeper.sweep() });
 */
export class DeletedObjects {
  private readonly log: Logger;
  constructor(private readonly o: DeletedObjectsOptions) {
    this.log = o.logger.child({ component: 'deleted-objects' });
  }

  /** One pass: deletes up to `batch` objects, oldest first; returns how many went. */
  async sweep(): Promise<number> {
    const keys = await this.o.sql.query<{ object_key: string }>(
      'SELECT object_key FROM deleted_objects ORDER BY attempts, deleted_at LIMIT $1',
      [this.o.batch ?? 500],
    );
    const done: string[] = [];
    const failed: string[] = [];
    for (const { object_key: key } of keys) {
      try {
        await this.o.objects.delete(key);
        done.push(key);
      } catch (err) {
        failed.push(key);
        this.log.warn({ err, key }, 'object not deleted from the store; tried again on the next sweep');
      }
    }
    if (done.length) await this.o.sql.query('DELETE FROM deleted_objects WHERE object_key = ANY($1::text[])', [done]);
    if (failed.length)
      await this.o.sql.query('UPDATE deleted_objects SET attempts = attempts + 1 WHERE object_key = ANY($1::text[])', [
        failed,
      ]);
    if (done.length) this.log.info({ objects: done.length }, 'deleted objects removed from the store');
    return done.length;
  }
}
