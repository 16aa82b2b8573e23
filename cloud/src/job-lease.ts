import { randomUUID } from 'node:crypto';
import type { SqlClient } from '@iotp/db';
import type { JobLeases } from './scheduler.ts';

/** Takes a lease only where none is held, or the one held has run out (by the database's clock). */
const CLAIM = `
INSERT INTO job_leases (name, holder, expires_at) VALUES ($1, $2, now() + $3::int8 * interval '1 millisecond')
ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
WHERE job_leases.expires_at <= now()
RETURNING holder`;

/**
 * Job leases in the `job_leases` table: every node schedules every job, and a run happens on the
 * node whose claim the database takes, one a period. Times are the database's, so nodes' clocks
 * need not agree.
 * @example new Scheduler(logger, registry, new DatabaseJobLeases(db.sql));
 */
export class DatabaseJobLeases implements JobLeases {
  constructor(
    private readonly sql: SqlClient,
    /** Names this node in the table. */
    readonly holder: string = randomUUID(),
  ) {}

  async claim(name: string, ms: number): Promise<boolean> {
    return (await this.sql.query(CLAIM, [name, this.holder, ms])).length === 1;
  }
}
