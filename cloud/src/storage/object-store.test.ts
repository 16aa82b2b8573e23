import { randomBytes } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { buffer, text } from 'node:stream/consumers';
import { tempDir } from '@iotp/db/testing';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FileObjectStore,
  InvalidObjectKey,
  MIN_PART_BYTES,
  type ObjectStore,
  objectKeyProblem,
  S3ObjectStore,
} from './object-store.ts';

describe.each(['files', 's3'] as const)('%s object store', (kind) => {
  let store: ObjectStore;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let s3: S3rver | undefined;
  beforeAll(async () => {
    dir = await tempDir();
    if (kind === 's3') {
      s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir.path });
      const { port } = await s3.run();
      store = new S3ObjectStore({
        endpoint: `http://127.0.0.1:${port}`,
        accessKey: 'S3RVER',
        secretKey: 'S3RVER',
        bucket: 'test-bucket',
      });
    } else store = new FileObjectStore(dir.path);
  });
  afterAll(async () => {
    await s3?.close();
    await dir?.remove();
  });

  it('puts, gets with its content type, and deletes', async () => {
    await store.put('avatars/a', Buffer.from('hello'), 'image/png');
    const got = await store.get('avatars/a');
    expect(got?.contentType).toBe('image/png');
    expect(got?.size).toBe(5);
    expect(await text(got!.body)).toBe('hello');
    await store.delete('avatars/a');
    expect(await store.get('avatars/a')).toBeUndefined();
  });

  it('stores a file and reads a byte range of it', async () => {
    const path = `${dir.path}/artifact.bin`;
    await writeFile(path, Buffer.from('0123456789'));
    await store.putFile('firmware/x', path, 'application/octet-stream');
    const part = await store.get('firmware/x', { start: 3, end: 6 });
    expect(part?.size).toBe(10);
    expect(await text(part!.body)).toBe('3456');
  });

  it('joins a multipart upload that a second store on the same backing continued', async () => {
    const first = randomBytes(MIN_PART_BYTES);
    const last = randomBytes(1000);
    const id = await store.createMultipart('firmware/multi', 'application/octet-stream');
    const etag1 = await store.putPart('firmware/multi', id, 1, first);
    // Another node: its own client on the same bucket or directory.
    const other = kind === 's3' ? store : new FileObjectStore(dir.path);
    const etag2 = await other.putPart('firmware/multi', id, 2, last);
    await other.completeMultipart('firmware/multi', id, [etag1, etag2]);
    const got = await store.get('firmware/multi');
    expect(got?.size).toBe(first.length + last.length);
    expect((await buffer(got!.body)).equals(Buffer.concat([first, last]))).toBe(true);
    // s3rver has no AbortMultipartUpload (S3 and MinIO do): only the file store's is tried here.
    if (kind === 's3') return;
    const dropped = await store.createMultipart('firmware/dropped', 'application/octet-stream');
    await store.putPart('firmware/dropped', dropped, 1, last);
    await store.abortMultipart('firmware/dropped', dropped);
    expect(await store.get('firmware/dropped')).toBeUndefined();
  });

  it.each([
    ['climbs out of the store', '../escape'],
    ['climbs out from deeper', 'firmware/org/release/../../../../escape'],
    ['climbs to another object', 'firmware/b/release/../../../avatars/user'],
    ['is absolute', '/etc/passwd'],
    ['has a dot segment', 'avatars/./user'],
    ['has an empty segment', 'avatars//user'],
    ['ends in a slash', 'avatars/'],
    ['has a backslash', 'avatars\\..\\..\\escape'],
    ['has a NUL', 'avatars/user\u0000.png'],
    ['has a control character', 'avatars/us\ner'],
    ['is empty', ''],
  ])('refuses a key that %s, on every operation', async (_what, key) => {
    await expect(store.put(key, Buffer.from('x'), 'text/plain')).rejects.toThrow(InvalidObjectKey);
    await expect(store.putFile(key, `${dir.path}/none`, 'text/plain')).rejects.toThrow(InvalidObjectKey);
    await expect(store.get(key)).rejects.toThrow(InvalidObjectKey);
    await expect(store.delete(key)).rejects.toThrow(InvalidObjectKey);
    if (store.presignedUrl) await expect(store.presignedUrl(key, 60)).rejects.toThrow(InvalidObjectKey);
  });

  if (kind === 'files') {
    it('writes nothing outside its directory', async () => {
      const root = `${dir.path}/store`;
      const files = new FileObjectStore(root);
      await expect(files.put('../outside', Buffer.from('x'), 'text/plain')).rejects.toThrow(InvalidObjectKey);
      expect(await readdir(dir.path)).not.toContain('outside');
    });
  }
});

describe('objectKeyProblem', () => {
  it('accepts the keys the platform generates, and those older releases were stored under', () => {
    for (const key of [
      'avatars/0b6a3c1e-5d7f-4b8e-9a1c-2d3e4f5a6b7c',
      'firmware/0b6a3c1e-5d7f-4b8e-9a1c-2d3e4f5a6b7c/1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
      'firmware/0b6a3c1e-5d7f-4b8e-9a1c-2d3e4f5a6b7c/1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f/app-1.4.2+build.7.tar.gz',
    ])
      expect(objectKeyProblem(key)).toBeUndefined();
  });
});
