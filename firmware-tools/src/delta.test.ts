import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { tempDir } from '@iotp/db/testing';
import { applyDelta } from 'fossil-delta';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pack, signManifest, verifyArtifact } from './artifact.ts';
import { keygen } from './keys.ts';

describe('pack --delta-from', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    dir = await tempDir('fw-delta-');
  });
  afterAll(async () => dir?.remove());

  it('writes a signed delta from the old artifact that rebuilds the new one', async () => {
    const image = randomBytes(2 * 1024 * 1024);
    await writeFile(join(dir.path, 'v1.img'), image);
    randomBytes(4096).copy(image, 300_000);
    await writeFile(join(dir.path, 'v2.img'), image);
    const common = { name: 'os', hardware: ['pi4'], outDir: dir.path };
    const old = await pack({ ...common, input: join(dir.path, 'v1.img'), version: '1.0.0' });
    const next = await pack({ ...common, input: join(dir.path, 'v2.img'), version: '1.1.0', deltaFrom: old.artifact });
    expect(next.data.delta).toMatchObject({
      format: 'fossil+gzip',
      artifact: 'os-1.1.0.from-1.0.0.delta',
      base_version: '1.0.0',
      base_sha256: old.data.sha256,
    });
    expect(next.data.delta!.size).toBeLessThan(10_000);
    const delta = await readFile(join(dir.path, next.data.delta!.artifact));
    expect(Buffer.from(applyDelta(await readFile(old.artifact), gunzipSync(delta)))).toEqual(image);

    const keys = await keygen(join(dir.path, 'release'));
    await signManifest(next.manifest, keys.privateKey);
    await expect(verifyArtifact(next.manifest, keys.publicKey)).resolves.toMatchObject({ version: '1.1.0' });
    delta.writeUInt8(delta.readUInt8(delta.length - 1) ^ 1, delta.length - 1);
    await writeFile(join(dir.path, next.data.delta!.artifact), delta);
    await expect(verifyArtifact(next.manifest, keys.publicKey)).rejects.toThrow(/the delta does not match/);
  });

  it('refuses a base of another firmware or one that does not match its manifest', async () => {
    const common = { hardware: ['pi4'], outDir: dir.path, input: join(dir.path, 'v2.img') };
    const other = await pack({ ...common, name: 'other', version: '1.0.0' });
    await expect(pack({ ...common, name: 'os', version: '1.2.0', deltaFrom: other.artifact })).rejects.toThrow(
      /--delta-from is other, not os/,
    );
    await writeFile(other.artifact, 'changed');
    await expect(pack({ ...common, name: 'other', version: '1.2.0', deltaFrom: other.artifact })).rejects.toThrow(
      /does not match its manifest/,
    );
  });
});
