import { join } from 'node:path';
import { DEVICE_BULK, deviceBulk } from '../devices/bulk.task.ts';
import type { DeviceService } from '../devices/device.service.ts';
import type { OrgService } from '../orgs/org.service.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { AUDIT_EXPORT, auditExport } from '../tasks/audit-export.task.ts';
import { InProcessQueue } from '../tasks/in-process-queue.ts';
import { PgBossQueue } from '../tasks/pg-boss-queue.ts';
import { TaskRepository } from '../tasks/task.repository.ts';
import { TaskService } from '../tasks/task.service.ts';
import { TaskResults } from '../tasks/task-results.ts';
import { TELEMETRY_EXPORT, telemetryExport } from '../tasks/telemetry-export.task.ts';
import type { TelemetryService } from '../telemetry/telemetry.service.ts';
import type { Wiring } from './wiring.ts';

/**
 * Background tasks: pg-boss on a PostgreSQL server; on the embedded database an in-process queue
 * that picks up the unfinished tasks of the `tasks` table when it starts. Every node enqueues;
 * `start` runs them on nodes with the worker role. The kinds: telemetry and audit exports, bulk
 * device operations; the files exports make are deleted TASK_RESULT_TTL_HOURS after.
 */
export function wireTasks(
  { config, logger, db, runs, onClose, scheduler }: Wiring,
  parts: { telemetry: TelemetryService; objects: ObjectStore; orgs: OrgService; devices: DeviceService },
) {
  const log = logger.child({ component: 'tasks' });
  const queue = config.DATABASE_URL
    ? new PgBossQueue({ url: config.DATABASE_URL, sql: db.sql, logger: log })
    : new InProcessQueue();
  const repo = new TaskRepository(db.orm);
  const resultTtlMs = config.TASK_RESULT_TTL_HOURS * 3600_000;
  const tasks = new TaskService({ repo, queue, logger: log, resultTtlMs });
  const { objects } = parts;
  const tmpDir = join(config.DATA_DIR, 'tmp');
  tasks.handle(TELEMETRY_EXPORT, telemetryExport({ telemetry: parts.telemetry, objects, tmpDir }), {
    permission: 'telemetry:read',
  });
  // The task reads as the organization itself: the route checked `audit:read`, as its file does.
  const audit = (orgId: string, q: Parameters<OrgService['auditAll']>[1]) =>
    parts.orgs.auditAll({ id: orgId, permissions: new Set() }, q);
  tasks.handle(AUDIT_EXPORT, auditExport({ audit, objects, tmpDir }), { permission: 'audit:read' });
  tasks.handle(DEVICE_BULK, deviceBulk({ devices: parts.devices }));
  const results = new TaskResults({ repo, objects, logger: log });
  scheduler.add({ name: 'expire-task-results', everyMs: 10 * 60_000, run: () => results.expireDue() });
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
