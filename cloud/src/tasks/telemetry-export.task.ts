import type { ExportFormat } from '../http/export.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { TelemetryService } from '../telemetry/telemetry.service.ts';
import { storeExport } from './stored-export.ts';
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

/**
 * Stores the rows of a telemetry range as a file; progress is how far through the time range the
 * rows have come.
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
    return storeExport(deps, task, {
      format: input.format,
      rows: deps.telemetry.export(task.orgId, input.device_ids, input),
      columns: ['ts', 'device_id', 'metric', 'value'],
      onRow: async (row, n) => {
        if (n % 1000 === 0) await progress(((new Date(row.ts).getTime() - from) / span) * 100);
      },
    });
  };
}
