import type { ExportFormat } from '../http/export.ts';
import type { AuditQuery } from '../orgs/org.repository.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { storeExport } from './stored-export.ts';
import type { TaskHandler } from './task.service.ts';

export const AUDIT_EXPORT = 'audit-export';

/** What an audit export task is asked for: the range fixed when it was queued. */
export interface AuditExportInput {
  actor?: string;
  action?: string;
  target?: string;
  from: string;
  to: string;
  format: ExportFormat;
}

/** One audit entry as the API shows it, newest first (see `OrgService.auditAll`). */
type AuditEntry = { at: string } & Record<(typeof COLUMNS)[number], unknown>;

const COLUMNS = [
  'id',
  'at',
  'actor_type',
  'actor_id',
  'action',
  'target_type',
  'target_id',
  'result',
  'status',
  'address',
  'user_agent',
  'request_id',
] as const;

/**
 * Stores an organization's filtered audit log as a file, the same entries and columns as
 * `GET /audit/export`; progress is how far back from `to` towards `from` the entries have come.
 * @example tasks.handle(AUDIT_EXPORT, auditExport({ audit: (orgId, q) => orgs.auditAll(...), objects, tmpDir }));
 */
export function auditExport(deps: {
  /** Every matching entry of one organization, newest first. */
  audit: (orgId: string, q: Omit<AuditQuery, 'before' | 'limit'>) => AsyncIterable<AuditEntry>;
  objects: ObjectStore;
  tmpDir: string;
}): TaskHandler {
  return async ({ task, progress }) => {
    const { format, ...input } = task.input as unknown as AuditExportInput;
    const from = new Date(input.from);
    const to = new Date(input.to);
    const span = Math.max(to.getTime() - from.getTime(), 1);
    return storeExport(deps, task, {
      format,
      rows: deps.audit(task.orgId, { ...input, from, to }),
      columns: COLUMNS,
      onRow: async (row, n) => {
        if (n % 1000 === 0) await progress(((to.getTime() - Date.parse(row.at)) / span) * 100);
      },
    });
  };
}
