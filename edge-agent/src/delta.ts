import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';

/** The delta formats this agent applies (the manifest's `delta.format`). */
export const DELTA_FORMATS = ['fossil+gzip'] as const;

/** A delta that cannot be applied to this base: the caller downloads the full artifact instead. */
export class DeltaFailed extends Error {
  override name = 'DeltaFailed';
}

// Fossil's integers: base-64 digits 0-9 A-Z _ a-z ~, most significant first.
const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~';
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < DIGITS.length; i++) VALUE[DIGITS.charCodeAt(i)] = i;
const CHUNK = 1 << 20;

/**
 * Applies a gzipped Fossil delta (https://fossil-scm.org/home/doc/trunk/www/delta_format.wiki:
 * `size\n`, then `count@offset,` copies from the base and `count:bytes` inserts, ending
 * `checksum;`) to the file `basePath`, writing `outPath`. Streams: copies are read from the base
 * file by offset and the output goes straight to disk, so a 50 MB image needs no 50 MB in memory
 * (the npm `fossil-delta` apply builds the output in a JS array). Fossil's own checksum is left
 * to the SHA-256 returned, which the caller compares with the signed manifest.
 */
export async function applyDelta(
  basePath: string,
  gzipped: Buffer,
  outPath: string,
): Promise<{ sha256: string; size: number }> {
  let delta: Buffer;
  try {
    delta = await promisify(gunzip)(gzipped);
  } catch (err) {
    throw new DeltaFailed(`the delta is not gzip: ${(err as Error).message}`);
  }
  let pos = 0;
  const int = () => {
    let v = 0;
    const start = pos;
    for (let c = delta[pos]; c !== undefined && c < 0x80 && VALUE[c]! >= 0; c = delta[++pos]) v = v * 64 + VALUE[c]!;
    if (pos === start) throw new DeltaFailed(`a number was expected at byte ${start} of the delta`);
    return v;
  };
  const char = () => (pos < delta.length ? String.fromCharCode(delta[pos++]!) : '');
  const base = await open(basePath, 'r').catch((err) => {
    throw new DeltaFailed(`cannot read the base artifact: ${(err as Error).message}`);
  });
  const out = await open(outPath, 'w');
  const hash = createHash('sha256');
  const write = async (bytes: Buffer) => {
    hash.update(bytes);
    await out.write(bytes);
  };
  try {
    const baseSize = (await base.stat()).size;
    const limit = int();
    if (char() !== '\n') throw new DeltaFailed('the size is not followed by a newline');
    let total = 0;
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const count = int();
      const op = char();
      if (op === ';') break;
      total += count;
      if (total > limit) throw new DeltaFailed('the delta writes past the size it announced');
      if (op === '@') {
        const offset = int();
        if (char() !== ',') throw new DeltaFailed('a copy is not followed by a comma');
        if (offset + count > baseSize) throw new DeltaFailed('a copy reaches past the end of the base');
        for (let done = 0; done < count; ) {
          const n = Math.min(CHUNK, count - done);
          const { bytesRead } = await base.read(buffer, 0, n, offset + done);
          if (bytesRead !== n) throw new DeltaFailed('the base ended early');
          await write(buffer.subarray(0, n));
          done += n;
        }
      } else if (op === ':') {
        if (pos + count > delta.length) throw new DeltaFailed('an insert reaches past the end of the delta');
        await write(delta.subarray(pos, pos + count));
        pos += count;
      } else throw new DeltaFailed(`unknown delta operator ${JSON.stringify(op)}`);
    }
    if (total !== limit) throw new DeltaFailed(`the delta wrote ${total} bytes, not the ${limit} it announced`);
    return { sha256: hash.digest('hex'), size: total };
  } finally {
    await base.close();
    await out.close();
  }
}
