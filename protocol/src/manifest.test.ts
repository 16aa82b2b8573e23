import { describe, expect, it } from 'vitest';
import { FileName, Manifest } from './manifest.ts';

/**
 * The manifest schema is the one check of an artifact's name, shared by the CLI, the platform
 * (which refuses the release) and the edge agent (which refuses the job).
 */
describe('artifact names in manifests', () => {
  it.each([
    '../../../avatars/0b6a3c1e-5d7f-4b8e-9a1c-2d3e4f5a6b7c',
    '../../../../../../../etc/passwd',
    '/etc/passwd',
    'firmware/app.bin',
    '..\\..\\app.bin',
    '..',
    '.',
    '',
    'app\u0000.bin',
    'app\n.bin',
    'app\u007f.bin',
    'a'.repeat(256),
  ])('refuses %j', (name) => {
    expect(FileName.safeParse(name).success).toBe(false);
  });

  it.each(['app-1.4.2.tar.gz', 'sensor_fw-2.0.0-rc.1+build.7.bin', '..hidden', 'app..bin'])('accepts %j', (name) => {
    expect(FileName.safeParse(name).success).toBe(true);
  });

  it('refuses a manifest whose artifact or hardware is not plain text', () => {
    const good = {
      name: 'app',
      version: '1.0.0',
      hardware: ['pi4'],
      artifact: 'app-1.0.0.bin',
      size: 1,
      sha256: 'a'.repeat(64),
      created_at: new Date().toISOString(),
    };
    expect(Manifest.safeParse(good).success).toBe(true);
    const bad = Manifest.safeParse({ ...good, artifact: '../app.bin' });
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(['artifact']);
    expect(Manifest.safeParse({ ...good, hardware: ['pi4\u0000'] }).success).toBe(false);
  });
});
