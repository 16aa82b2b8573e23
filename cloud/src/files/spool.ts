import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PayloadTooLarge } from '../http/problem.ts';
import { SNIFF_BYTES } from '../storage/sniff.ts';

/** A body written to a local file: where, how big, its SHA-256 and its first bytes (for sniffing). */
export interface Spooled {
  path: string;
  size: number;
  sha256: string;
  head: Buffer;
  /** Removes the file if it is still there (a store's `putFile` may have moved it). */
  remove(): Promise<void>;
}

/**
 * Streams `body` into a file under `dir`, hashing and counting as it goes, never holding it in
 * memory; past `maxBytes` it stops reading and throws a 413.
 * @example const s = await spool(c.req.raw.body, '/data/tmp', 100 * 1024 ** 2);
 */
export async function spool(
  body: ReadableStream<Uint8Array> | Readable | null,
  dir: string,
  maxBytes: number,
): Promise<Spooled> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${randomUUID()}.part`);
  const remove = () => rm(path, { force: true });
  const hash = createHash('sha256');
  const head: Buffer[] = [];
  let headSize = 0;
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, next) {
      size += chunk.length;
      if (size > maxBytes)
        return next(new PayloadTooLarge(`A file may hold at most ${maxBytes} bytes`, 'File too large'));
      hash.update(chunk);
      if (headSize < SNIFF_BYTES) {
        head.push(chunk.subarray(0, SNIFF_BYTES - headSize));
        headSize += Math.min(chunk.length, SNIFF_BYTES - headSize);
      }
      next(null, chunk);
    },
  });
  const source = body === null ? Readable.from([]) : body instanceof Readable ? body : Readable.fromWeb(body as never);
  try {
    await pipeline(source, meter, createWriteStream(path));
  } catch (err) {
    await remove();
    throw err;
  }
  return { path, size, sha256: hash.digest('hex'), head: Buffer.concat(head), remove };
}
