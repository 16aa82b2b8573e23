import { type SqlClient, withDatabaseLock } from '@iotp/db';
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { TaskJob, TaskQueue } from './task-queue.ts';

const QUEUE = 'platform-tasks';

/**
 * Task runs on pg-boss in the PostgreSQL server: a job survives a restart, runs on one worker of
 * the cluster, and is retried with exponential backoff (`retryBackoff`). Started on first use, so
 * nodes that only enqueue never poll.
 * @example const queue = new PgBossQueue({ url: process.env.DATABASE_URL, logger });
 */
export class PgBossQueue implements TaskQueue {
  private readonly boss: PgBoss;
  private readonly polling: number;
  private started?: Promise<unknown>;
  private readonly sql: SqlClient;

  constructor(options: {
    url: string;
    /** The platform's own connection, whose database lock lets one node at a time install pg-boss's schema. */
    sql: SqlClient;
    logger: Logger;
    /** Connections pg-boss holds apart from the platform's pool. */
    poolSize?: number;
    /** How often an idle worker looks for jobs. */
    pollingIntervalS?: number;
    /** A run not finished in this time (its node died) is tried again. */
    expireInS?: number;
  }) {
    const { url, logger, poolSize = 3, expireInS = 15 * 60 } = options;
    this.sql = options.sql;
    this.boss = new PgBoss({ connectionString: url, max: poolSize, expireInSeconds: expireInS });
    this.boss.on('error', (err) => logger.warn({ err: err.message }, 'task queue error'));
    this.polling = options.pollingIntervalS ?? 1;
  }

  private open() {
    // Nodes starting together on a new database deadlocked in pg-boss's schema install: one at a time.
    this.started ??= withDatabaseLock(this.sql, 'pg-boss:start', async () => {
      await this.boss.start();
      if (!(await this.boss.getQueue(QUEUE))) await this.boss.createQueue(QUEUE);
    });
    return this.started;
  }

  async send({ taskId, retryLimit, retryDelayS }: TaskJob) {
    await this.open();
    await this.boss.send(QUEUE, { taskId }, { retryLimit, retryDelay: retryDelayS, retryBackoff: true });
  }

  async work(run: (taskId: string) => Promise<void>) {
    await this.open();
    await this.boss.work<{ taskId: string }>(
      QUEUE,
      { batchSize: 1, pollingIntervalSeconds: this.polling },
      async ([job]) => {
        if (job) await run(job.data.taskId);
      },
    );
  }

  async stop(leftMs: number) {
    if (!this.started) return;
    await this.started.catch(() => undefined);
    await this.boss.stop({ graceful: true, wait: true, timeout: Math.max(leftMs - 500, 1000) });
  }
}
