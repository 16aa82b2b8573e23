import { writeFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { tempDir } from '@iotp/db/testing';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileObjectStore, type ObjectStore, S3ObjectStore } from './object-store.ts';

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

  if (kind === 'files') {
    it('refuses keys that climb out of its directory', async () => {
      await expect(store.put('../escape', Buffer.from('x'), 'text/plain')).rejects.toThrow(/escapes/);
    });
  }
});
