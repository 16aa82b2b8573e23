import { spawnSync } from 'node:child_process';
import { appendFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@iotp/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pack, signManifest, verifyArtifact } from './artifact.ts';
import { keygen } from './keys.ts';

const CLI = new URL('./bin.ts', import.meta.url).pathname;
const ROOT = new URL('../../', import.meta.url).pathname;

describe('firmware-tools', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let keys: Awaited<ReturnType<typeof keygen>>;
  beforeAll(async () => {
    dir = await tempDir('fw-');
    keys = await keygen(join(dir.path, 'release'));
  });
  afterAll(async () => {
    await dir?.remove();
  });

  it('keeps the private key private and refuses to overwrite it', async () => {
    expect((await stat(keys.privateKey)).mode & 0o777).toBe(0o600);
    await expect(keygen(join(dir.path, 'release'))).rejects.toThrow(/exists/);
  });

  it('packs a file and a folder, signs, and verifies', async () => {
    await writeFile(join(dir.path, 'app.bin'), Buffer.alloc(4096, 7));
    const file = await pack({
      input: join(dir.path, 'app.bin'),
      name: 'sensor-fw',
      version: '1.4.2',
      hardware: ['esp32-s3'],
      outDir: dir.path,
    });
    expect(file.data).toMatchObject({
      name: 'sensor-fw',
      version: '1.4.2',
      size: 4096,
      artifact: 'sensor-fw-1.4.2.bin',
    });
    await signManifest(file.manifest, keys.privateKey);
    expect((await verifyArtifact(file.manifest, keys.publicKey)).signature.key_id).toBe(keys.keyId);

    await mkdir(join(dir.path, 'rootfs'));
    await writeFile(join(dir.path, 'rootfs', 'app.py'), 'print("hi")\n');
    const folder = await pack({
      input: join(dir.path, 'rootfs'),
      name: 'gateway',
      version: '2.0.0',
      hardware: ['rpi4'],
      outDir: dir.path,
    });
    expect(folder.data.artifact).toBe('gateway-2.0.0.tar.gz');
    await signManifest(folder.manifest, keys.privateKey);
    await verifyArtifact(folder.manifest, keys.publicKey);
  });

  it('refuses a tampered artifact, a changed manifest, another key, an unsigned manifest, a bad version', async () => {
    await writeFile(join(dir.path, 'b.bin'), 'firmware');
    const p = await pack({
      input: join(dir.path, 'b.bin'),
      name: 'b',
      version: '1.0.0',
      hardware: ['x'],
      outDir: dir.path,
    });
    await expect(verifyArtifact(p.manifest, keys.publicKey)).rejects.toThrow(/not signed/);
    await signManifest(p.manifest, keys.privateKey);
    const other = await keygen(join(dir.path, 'other'));
    await expect(verifyArtifact(p.manifest, other.publicKey)).rejects.toThrow(/signed with key/);
    const original = await readFile(p.manifest, 'utf8');
    await writeFile(p.manifest, original.replace('"1.0.0"', '"9.9.9"'));
    await expect(verifyArtifact(p.manifest, keys.publicKey)).rejects.toThrow(/changed after signing/);
    await writeFile(p.manifest, original);
    await appendFile(p.artifact, 'x');
    await expect(verifyArtifact(p.manifest, keys.publicKey)).rejects.toThrow(/does not match its manifest/);
    await expect(
      pack({ input: join(dir.path, 'b.bin'), name: 'b', version: 'one', hardware: ['x'], outDir: dir.path }),
    ).rejects.toThrow(/semantic version/);
  });

  it('runs as a CLI with examples in --help, --json output, and one-line errors', async () => {
    // From the repository root, where tsx resolves; paths are absolute.
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['--conditions=@iotp/source', '--import', 'tsx', CLI, ...args], {
        cwd: ROOT,
        encoding: 'utf8',
      });
    const help = run('pack', '--help');
    expect(help.stdout).toMatch(/Examples:\n {2}\$ firmware-tools pack/);
    expect(help.stdout).toMatch(/--delta-from <artifact>/);
    expect(run('--version').stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    // pack's --version is the firmware's, as its examples say, not a request for the tool's.
    await writeFile(join(dir.path, 'cli.bin'), 'firmware');
    const packed = run(
      'pack',
      join(dir.path, 'cli.bin'),
      '--name',
      'cli',
      '--version',
      '2.0.0',
      '--hardware',
      'any',
      '--out',
      dir.path,
    );
    expect([packed.status, packed.stdout]).toEqual([0, expect.stringMatching(/^packed \S*cli-2\.0\.0\.bin /)]);
    const base = join(dir.path, 'cli-key');
    const keys = run('--json', 'keygen', base);
    expect(JSON.parse(keys.stdout)).toMatchObject({ privateKey: `${base}.key`, keyId: expect.any(String) });
    const missing = join(dir.path, 'missing.manifest.json');
    const bad = run('verify', missing, '--pub', `${base}.pub`);
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim()).toBe(`firmware-tools: cannot read the manifest ${missing}`);
  });
});
