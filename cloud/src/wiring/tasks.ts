import { join } from 'node:path';
import type { ObjectStore } from '../storage/object-store.ts';
import { InProcessQueue } from '../tasks/in-process-queue.ts';
import { PgBossQueue } from '../tasks/pg-boss-queue.ts';
import { TaskRepository } from '../tasks/task.repository.ts';
import { TaskService } from '../tasks/task.service.ts';
import { TELEMETRY_EXPORT, telemetryExport } from '../tasks/telemetry-export.task.ts';
import type { TelemetryService } from '../telemetry/telemetry.service.ts';
import type { Wiring } from './wiring.ts';

/**
 * Background tasks: pg-boss on a PostgreSQL server; on the embedded database an in-process queue
 * that picks up the unfinished tasks of the `tasks` table when it starts. Every node enqueues;
 * `start` runs them on nodes with the worker role.
 */
export function wireTasks(
  { config, logger, db, runs, onClose }: Wiring,
  parts: { telemetry: TelemetryService; objects: ObjectStore },
) {
  const log = logger.child({ component: 'tasks' });
  const queue = config.DATABASE_URL
    ? new PgBossQueue({ url: config.DATABASE_URL, sql: db.sql, logger: log })
    : new InProcessQueue({ logger: log });
  const tasks = new TaskService({ repo: new TaskRepository(db.orm), queue, logger: log });
  tasks.handle(
    TELEMETRY_EXPORT,
    telemetryExport({ telemetry: parts.telemetry, objects: parts.objects, tmpDir: join(config.DATA_DIR, 'tmp') }),
  );
  // Registered now, run after the HTTP listener closes: runs under way finish within the budget.
  onClose((leftMs) => tasks.stop(leftMs));
  return {
    tasks,
    /** Starts the worker on nodes with the worker role. */
    start: async () => {
      if (runs('worker')) await tasks.start();
    },
  };
}
