import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { stream } from 'hono/streaming';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { csvRecord } from './csv.ts';

/**
 * Files the API hands out (audit log, telemetry, device credentials, wallet statement): every one
 * goes through `exportFile`, as CSV or NDJSON, streamed record by record.
 */

export type ExportFormat = 'csv' | 'ndjson';

/** The content type of each format. */
export const EXPORT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson',
};

/** The `format` query parameter of an export that offers both. */
export const ExportFormat = z.enum(['csv', 'ndjson']).default('ndjson');

/** The OpenAPI description of an export's answer, in the formats it offers. */
export function exportContent(description: string, formats: readonly ExportFormat[] = ['csv', 'ndjson']) {
  const kinds = { csv: 'text/csv', ndjson: 'application/x-ndjson' } as const;
  return { description, content: Object.fromEntries(formats.map((f) => [kinds[f], { schema: z.string() }])) };
}

export interface ExportOptions<T extends object> {
  format: ExportFormat;
  /** The attachment's name without its extension: `audit` becomes `audit.csv` or `audit.ndjson`. */
  name: string;
  rows: Iterable<T> | AsyncIterable<T>;
  /** The CSV header and the cells of each record, in order; without it, the first row's keys. */
  columns?: readonly (keyof T & string)[];
  status?: ContentfulStatusCode;
}

/**
 * The text of an export, record by record: the CSV header (`columns`, or the first row's keys)
 * and each row, or one JSON line per row. The first row is read before anything is yielded, so
 * a refused query throws on the first `next()`. With `columns`, a CSV of no rows still has its header.
 * @example for await (const line of exportLines(rows, 'csv', ['ts', 'value'])) out.write(line);
 */
export async function* exportLines<T extends object>(
  rows: Iterable<T> | AsyncIterable<T>,
  format: ExportFormat,
  columns?: readonly (keyof T & string)[],
): AsyncGenerator<string> {
  const it = Symbol.asyncIterator in rows ? rows[Symbol.asyncIterator]() : rows[Symbol.iterator]();
  let r = await it.next();
  let header = format === 'csv' ? columns : undefined;
  if (format === 'csv' && !header && !r.done) header = Object.keys(r.value) as (keyof T & string)[];
  if (header) yield csvRecord(header);
  for (; !r.done; r = await it.next()) {
    const row = r.value as Record<string, unknown>;
    yield header ? csvRecord(header.map((k) => row[k])) : `${JSON.stringify(row)}\n`;
  }
}

/**
 * Answers with the rows as an attachment. The first row is read before the answer starts, so a
 * refused query is a problem response, not a broken stream. With `columns`, a CSV of no rows still
 * has its header line.
 * @example return exportFile(c, { format: 'csv', name: 'audit', rows: service.auditAll(org, q) });
 */
export async function exportFile<T extends object>(
  c: Context,
  { format, name, rows, columns, status = 200 }: ExportOptions<T>,
): Promise<Response> {
  const lines = exportLines(rows, format, columns);
  const first = await lines.next();
  c.status(status);
  c.header('content-type', EXPORT_TYPES[format]);
  c.header('content-disposition', `attachment; filename="${name}.${format}"`);
  return stream(c, async (out) => {
    for (let l = first; !l.done; l = await lines.next()) await out.write(l.value);
  });
}
