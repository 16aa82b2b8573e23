import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EXPORT_TYPES, type ExportFormat, exportLines } from '../http/export.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { TaskRow } from './task.repository.ts';

/** Where a task's file is kept in the object store. */
const resultKey = (orgId: string, taskId: string, format: ExportFormat) => `exports/${orgId}/${taskId}.${format}`;

/** What an export task stores as its result: `url` downloads the file while it is kept. */
export interface StoredExport extends Record<string, unknown> {
  rows: number;
  format: ExportFormat;
  file: string;
  url: string;
}

/**
 * Writes an export task's rows, as `exportFile` would answer them, to a spool file (never held in
 * memory), then stores it in the object store under the task's key. `onRow` hears each row with
 * its count, to report progress.
 * @example return storeExport({ objects, tmpDir }, task, { format: 'csv', rows, columns: ['ts', 'value'] });
 */
export async function storeExport<T extends object>(
  deps: { objects: ObjectStore; tmpDir: string },
  task: TaskRow,
  o: {
    format: ExportFormat;
    rows: Iterable<T> | AsyncIterable<T>;
    columns?: readonly (keyof T & string)[];
    onRow?: (row: T, count: number) => Promise<void>;
  },
): Promise<StoredExport> {
  await mkdir(deps.tmpDir, { recursive: true });
  const spool = join(deps.tmpDir, `export-${task.id}-${task.attempts}`);
  const out = createWriteStream(spool);
  let rows = 0;
  async function* counted() {
    for await (const row of o.rows) {
      yield row;
      await o.onRow?.(row, ++rows);
    }
  }
  try {
    for await (const line of exportLines(counted(), o.format, o.columns)) {
      if (!out.write(line)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    const file = resultKey(task.orgId, task.id, o.format);
    await deps.objects.putFile(file, spool, EXPORT_TYPES[o.format]);
    return { rows, format: o.format, file, url: `/v1/orgs/${task.orgId}/tasks/${task.id}/result` };
  } finally {
    out.destroy();
    await rm(spool, { force: true });
  }
}
