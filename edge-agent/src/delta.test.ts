import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tempDir } from '@iotp/db/testing';
import { createDelta } from 'fossil-delta';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyDelta, DeltaFailed } from './delta.ts';

describe('applying a delta', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const base = randomBytes(3 * 1024 * 1024 + 17);
  const target = Buffer.concat([base.subarray(0, 1_000_000), randomBytes(5000), base.subarray(1_200_000)]);
  const paths = { base: '', out: '' };

  beforeAll(async () => {
    dir = await tempDir();
    paths.base = join(dir.path, 'base.bin');
    paths.out = join(dir.path, 'out.bin');
    await writeFile(paths.base, base);
  });
  afterAll(() => dir?.remove());

  it('rebuilds what the fossil-delta package made, streamed to disk, with its SHA-256', async () => {
    const delta = gzipSync(createDelta(base, target));
    expect(delta.length).toBeLessThan(10_000);
    const result = await applyDelta(paths.base, delta, paths.out);
    expect(Buffer.compare(await readFile(paths.out), target)).toBe(0);
    expect(result).toEqual({ sha256: createHash('sha256').update(target).digest('hex'), size: target.length });
  });

  it('refuses a delta that is not gzip, reaches past the base, or ends early', async () => {
    const bad = [
      Buffer.from('not gzip'),
      gzipSync(Buffer.from(`A\n${(64).toString()}@ZZZZ,;`)),
      gzipSync(Buffer.from('Z\n3:ab')),
      gzipSync(Buffer.from('5\n3:abc;')),
    ];
    for (const delta of bad) await expect(applyDelta(paths.base, delta, paths.out)).rejects.toThrow(DeltaFailed);
  });
});
