import { mkdir, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@iotp/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Slots, UnsafeArtifact } from './slots.ts';
import { type TarEntry, tarOf } from './testing.ts';

describe('filling a slot', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let slots: Slots;
  let outside: string;
  beforeEach(async () => {
    dir = await tempDir();
    // The slots two levels down, so an archive that climbs two levels lands in `outside`.
    outside = join(dir.path, 'outside');
    await mkdir(outside);
    slots = new Slots(join(dir.path, 'device', 'slots'));
    await slots.state('1.0.0');
  });
  afterEach(async () => dir?.remove());

  const fillWith = async (entries: TarEntry[]) => {
    const artifact = join(dir.path, 'artifact.tar.gz');
    await writeFile(artifact, tarOf(entries));
    return slots.fill('b', artifact, 'app-2.0.0.tar.gz');
  };
  /** Nothing written outside the slot, and the slot left empty. */
  const expectNothingWritten = async () => {
    expect(await readdir(outside)).toEqual([]);
    expect((await readdir(join(dir.path, 'device'))).sort()).toEqual(['slots']);
    expect(await readdir(slots.path('b'))).toEqual([]);
  };

  it('unpacks an archive with folders and links that stay inside', async () => {
    await fillWith([
      { path: './', type: 'Directory' },
      { path: './bin/', type: 'Directory' },
      { path: './bin/app', body: 'run me' },
      { path: './bin/current', type: 'SymbolicLink', linkpath: 'app' },
      { path: './lib/', type: 'Directory' },
      { path: './lib/app', type: 'SymbolicLink', linkpath: '../bin/app' },
      { path: './app.hard', type: 'Link', linkpath: 'bin/app' },
    ]);
    const slot = slots.path('b');
    expect(await readFile(join(slot, 'bin/current'), 'utf8')).toBe('run me');
    expect(await readlink(join(slot, 'lib/app'))).toBe('../bin/app');
    expect(await readFile(join(slot, 'app.hard'), 'utf8')).toBe('run me');
  });

  it.each<[string, TarEntry[]]>([
    ['a path that climbs', [{ path: '../../outside/pwned', body: 'x' }]],
    ['a path that climbs from inside', [{ path: 'bin/../../../outside/pwned', body: 'x' }]],
    ['an absolute path', [{ path: '/outside/pwned', body: 'x' }]],
    [
      'a link out, then a file through it',
      [
        { path: 'out', type: 'SymbolicLink', linkpath: '../../outside' },
        { path: 'out/pwned', body: 'x' },
      ],
    ],
    ['a link to an absolute path', [{ path: 'etc', type: 'SymbolicLink', linkpath: '/etc' }]],
    ['a hard link out', [{ path: 'passwd', type: 'Link', linkpath: '../../../../../etc/passwd' }]],
    ['a hard link to an absolute path', [{ path: 'passwd', type: 'Link', linkpath: '/etc/passwd' }]],
  ])('refuses an archive with %s, writing nothing', async (_what, entries) => {
    await expect(fillWith([{ path: 'app', body: 'fine' }, ...entries])).rejects.toThrow(UnsafeArtifact);
    await expectNothingWritten();
  });

  it.each(['../../outside/pwned.bin', '/tmp/pwned.bin', '..', 'bin/app.bin', 'app\u0000.bin'])(
    'refuses %j as the artifact name of a plain file',
    async (name) => {
      const artifact = join(dir.path, 'artifact.bin');
      await writeFile(artifact, 'firmware');
      await expect(slots.fill('b', artifact, name)).rejects.toThrow(UnsafeArtifact);
      await expectNothingWritten();
    },
  );
});
