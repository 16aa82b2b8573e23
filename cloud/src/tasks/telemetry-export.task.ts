import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { csvRecord } from '../http/csv.ts';
import type { ExportFormat } from '../http/export.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { TelemetryService } from '../telemetry/telemetry.service.ts';
import type { TaskHandler } from './task.service.ts';

export const TELEMETRY_EXPORT = 'telemetry-export';

/** What a telemetry export task is asked for: devices resolved when it was queued. */
export interface TelemetryExportInput {
  device_ids: string[];
  metrics?: string[];
  from: string;
  to: string;
  format: ExportFormat;
}

const TYPES: Record<ExportFormat, string> = { csv: 'text/csv; charset=utf-8', ndjson: 'application/x-ndjson' };
const COLUMNS = ['ts', 'device_id', 'metric', 'value'] as const;

/** Where a task's file is kept in the object store. */
export const resultKey = (orgId: string, taskId: string, format: ExportFormat) =>
  `exports/${orgId}/${taskId}.${format}`;

/**
 * Writes the rows of a telemetry range to a spool file (never held in memory), then stores it in
 * the object store; progress is how far through the time range the rows have come.
 * @example tasks.handle(TELEMETRY_EXPORT, telemetryExport({ telemetry, objects, tmpDir }));
 */
export function telemetryExport(deps: {
  telemetry: TelemetryService;
  objects: ObjectStore;
  tmpDir: string;
}): TaskHandler {
  return async ({ task, progress }) => {
    const input = task.input as unknown as TelemetryExportInput;
    const from = Date.parse(input.from);
    const span = Math.max(Date.parse(input.to) - from, 1);
    await mkdir(deps.tmpDir, { recursive: true });
    const spool = join(deps.tmpDir, `export-${task.id}-${task.attempts}`);
    const out = createWriteStream(spool);
    const write = async (s: string) => {
      if (!out.write(s)) await once(out, 'drain');
    };
    let rows = 0;
    try {
      if (input.format === 'csv') await write(csvRecord(COLUMNS));
      for await (const row of deps.telemetry.export(task.orgId, input.device_ids, input)) {
        await write(input.format === 'csv' ? csvRecord(COLUMNS.map((k) => row[k])) : `${JSON.stringify(row)}\n`);
        if (++rows % 1000 === 0) await progress(((new Date(row.ts).getTime() - from) / span) * 100);
      }
      out.end();
      await once(out, 'finish');
      const key = resultKey(task.orgId, task.id, input.format);
      await deps.objects.putFile(key, spool, TYPES[input.format]);
      return {
        rows,
        format: input.format,
        file: key,
        url: `/v1/orgs/${task.orgId}/tasks/${task.id}/result`,
      };
    } finally {
      out.destroy();
      await rm(spool, { force: true });
    }
  };
}
