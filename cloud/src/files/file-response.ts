import { Readable } from 'node:stream';
import type { Context } from 'hono';
import parseRange from 'range-parser';
import type { FileRow } from './file.repository.ts';
import type { FileService } from './file.service.ts';

/**
 * A file as the answer to a GET, with `Range` (RFC 9110 §14): 206 for one range, 416 outside it.
 * Served with the type sniffed at upload, never the client's; `nosniff`, a sandbox CSP, and as an
 * attachment unless it is an image, so nothing uploaded runs in the API's origin.
 */
export async function fileResponse(c: Context, files: FileService, file: FileRow): Promise<Response> {
  const size = file.size;
  const image = file.contentType.startsWith('image/');
  const headers: Record<string, string> = {
    'accept-ranges': 'bytes',
    'content-type': file.contentType,
    etag: `"${file.sha256}"`,
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
    'content-disposition': `${image ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(
      file.path.slice(file.path.lastIndexOf('/') + 1),
    )}`,
  };
  const header = c.req.header('range');
  const ranges = header && size > 0 ? parseRange(size, header, { combine: true }) : undefined;
  if (ranges === -1 || (header && size === 0)) return c.body(null, 416, { 'content-range': `bytes */${size}` });
  // If-Range (RFC 9110 §13.1.5): a part only of the file the client began with.
  const ifRange = c.req.header('if-range');
  const range =
    Array.isArray(ranges) && ranges.length === 1 && (!ifRange || ifRange === headers.etag) ? ranges[0] : undefined;
  if (!range) {
    const object = await files.object(file);
    return c.body(Readable.toWeb(object.body) as ReadableStream, 200, { ...headers, 'content-length': String(size) });
  }
  const part = await files.object(file, range);
  return c.body(Readable.toWeb(part.body) as ReadableStream, 206, {
    ...headers,
    'content-length': String(range.end - range.start + 1),
    'content-range': `bytes ${range.start}-${range.end}/${size}`,
  });
}
