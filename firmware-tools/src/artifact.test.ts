import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@iotp/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pack, signManifest, verifyArtifact } from './artifact.ts';
import { keygen } from './keys.ts';

/** Names are checked by the manifest schema (@iotp/protocol) wherever the CLI reads or writes one. */
describe('firmware-tools and hostile names', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    dir = await tempDir('fw-');
  });
  afterAll(async () => dir?.remove());

  it('pack checks the name before it writes anything', async () => {
    const out = join(dir.path, 'out');
    await writeFile(join(dir.path, 'app.bin'), 'firmware');
    await expect(
      pack({ input: join(dir.path, 'app.bin'), name: '../escape', version: '1.0.0', hardware: ['pi4'], outDir: out }),
    ).rejects.toThrow(/name/);
    expect((await readdir(dir.path)).sort()).toEqual(['app.bin']);
  });

  it('sign and verify refuse a manifest that names a file elsewhere', async () => {
    const keys = await keygen(join(dir.path, 'release'));
    const packed = await pack({
      input: join(dir.path, 'app.bin'),
      name: 'app',
      version: '1.0.0',
      hardware: ['pi4'],
      outDir: dir.path,
    });
    await signManifest(packed.manifest, keys.privateKey);
    const signed = JSON.parse(await readFile(packed.manifest, 'utf8'));
    await writeFile(packed.manifest, JSON.stringify({ ...signed, artifact: '../../etc/passwd' }));
    await expect(verifyArtifact(packed.manifest, keys.publicKey)).rejects.toThrow(
      /artifact: must be a plain file name/,
    );
    await expect(signManifest(packed.manifest, keys.privateKey)).rejects.toThrow(/artifact: must be a plain file name/);
  });
});
