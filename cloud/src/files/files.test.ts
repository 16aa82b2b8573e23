import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@iotp/db/testing';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../storage/object-store.ts';
import { authHarness } from '../testing.ts';

type Harness = Awaited<ReturnType<typeof authHarness>>;

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('0000000dIHDR fake png body'),
]);
const MB = 1024 * 1024;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** `chunks` chunks of 1 MiB, made as they are read; `onHalf` runs once half have been read. */
function streamed(chunks: number, onHalf?: () => Promise<void>) {
  const hash = createHash('sha256');
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (i === chunks) return controller.close();
      if (i === chunks / 2) await onHalf?.();
      const chunk = Buffer.alloc(MB, i % 251);
      hash.update(chunk);
      controller.enqueue(chunk);
      i++;
    },
  });
  return { body, digest: () => hash.digest('hex') };
}

describe.each(['files', 's3'] as const)('files on the %s store', (kind) => {
  let h: Harness;
  let s3: S3rver | undefined;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let token = '';
  let orgId = '';
  let base = '';

  const raw = (method: string, path: string, body?: BodyInit, headers: Record<string, string> = {}, auth = true) =>
    h.app.request(path, {
      method,
      headers: { ...(auth ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body,
      ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
    } as RequestInit);
  const put = async (path: string, body: BodyInit, type = 'application/octet-stream', at = base) => {
    const res = await raw('PUT', `${at}?path=${encodeURIComponent(path)}`, body, { 'content-type': type });
    return { status: res.status, body: await res.json() };
  };

  beforeAll(async () => {
    dir = await tempDir();
    let objects: S3ObjectStore | undefined;
    if (kind === 's3') {
      s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir.path });
      const { port } = await s3.run();
      objects = new S3ObjectStore({
        endpoint: `http://127.0.0.1:${port}`,
        accessKey: 'S3RVER',
        secretKey: 'S3RVER',
        bucket: 'files',
      });
    }
    h = await authHarness({ objects, env: { FILES_MAX_BYTES: String(20 * MB) } });
    token = (await h.signupAndLogin(`files-${kind}@example.com`)).access_token;
    orgId = (await h.call('POST', '/v1/orgs', { name: 'Files' }, token)).body.id;
    base = `/v1/orgs/${orgId}/files`;
  });
  afterAll(async () => {
    await h?.close();
    await s3?.close();
    await dir?.remove();
  });

  it('stores a file, shows its metadata, serves it, deletes it', async () => {
    const up = await put('docs/readme.txt', 'hello files', 'application/json');
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({
      path: 'docs/readme.txt',
      name: 'readme.txt',
      size: 11,
      content_type: 'text/plain; charset=utf-8',
      sha256: sha256(Buffer.from('hello files')),
      created_by: expect.any(String),
    });
    expect((await h.call('GET', `${base}/${up.body.id}`, undefined, token)).body).toEqual(up.body);
    const got = await raw('GET', `${base}/${up.body.id}/content`);
    expect(got.status).toBe(200);
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    expect(got.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''readme.txt");
    expect(await got.text()).toBe('hello files');
    expect((await raw('DELETE', `${base}/${up.body.id}`)).status).toBe(204);
    expect((await raw('GET', `${base}/${up.body.id}/content`)).status).toBe(404);
  });

  it('serves the type sniffed from the bytes: a PNG sent as text/plain is image/png', async () => {
    const up = await put('pics/a.png', PNG, 'text/plain');
    expect(up.body.content_type).toBe('image/png');
    const got = await raw('GET', `${base}/${up.body.id}/content`);
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(got.headers.get('content-disposition')).toMatch(/^inline/);
    expect(Buffer.from(await got.arrayBuffer()).equals(PNG)).toBe(true);
    // HTML sent as an image is neither an image nor HTML when served.
    const html = await put('pics/evil.png', '<html><script>alert(1)</script></html>', 'image/png');
    expect(html.body.content_type).toBe('text/plain; charset=utf-8');
  });

  it('replaces with PUT, refuses a second POST to the same path with 409', async () => {
    const first = await put('same.bin', 'one');
    const again = await put('same.bin', 'two!');
    expect(again.body).toMatchObject({ id: first.body.id, size: 4 });
    const post = await raw('POST', `${base}?path=same.bin`, 'three', { 'content-type': 'text/plain' });
    expect(post.status).toBe(409);
    expect(await (await raw('GET', `${base}/${first.body.id}/content`)).text()).toBe('two!');
  });

  it('answers Range: first bytes, a suffix, and 416 outside the file', async () => {
    const { body } = await put('range.txt', '0123456789');
    const first = await raw('GET', `${base}/${body.id}/content`, undefined, { range: 'bytes=0-3' });
    expect(first.status).toBe(206);
    expect(first.headers.get('content-range')).toBe('bytes 0-3/10');
    expect(await first.text()).toBe('0123');
    const suffix = await raw('GET', `${base}/${body.id}/content`, undefined, { range: 'bytes=-3' });
    expect(suffix.status).toBe(206);
    expect(await suffix.text()).toBe('789');
    const outside = await raw('GET', `${base}/${body.id}/content`, undefined, { range: 'bytes=50-60' });
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe('bytes */10');
  });

  it('lists in pages, under a prefix', async () => {
    for (const name of ['list/a', 'list/b', 'list/c', 'listless', 'other/x']) await put(name, name);
    const one = await h.call('GET', `${base}?prefix=list/&limit=2`, undefined, token);
    expect(one.body.data.map((f: { path: string }) => f.path)).toEqual(['list/a', 'list/b']);
    const two = await h.call('GET', `${base}?prefix=list/&limit=2&cursor=${one.body.next_cursor}`, undefined, token);
    expect(two.body.data.map((f: { path: string }) => f.path)).toEqual(['list/c']);
    expect(two.body.next_cursor).toBeNull();
  });

  it('streams a 12 MiB upload to disk as it arrives, and back', async () => {
    const tmp = join(h.platform.config.DATA_DIR, 'tmp');
    let spooledMidway = 0;
    const source = streamed(12, async () => {
      // Half the body is sent: it is already on disk, not gathered in memory.
      for (const f of await readdir(tmp)) spooledMidway += (await stat(join(tmp, f))).size;
    });
    const up = await put('big/blob.bin', source.body as unknown as BodyInit);
    expect(up.status).toBe(201);
    expect(spooledMidway).toBeGreaterThan(2 * MB);
    expect(up.body).toMatchObject({ size: 12 * MB, sha256: source.digest() });
    const got = await raw('GET', `${base}/${up.body.id}/content`);
    const hash = createHash('sha256');
    for await (const chunk of got.body as unknown as AsyncIterable<Uint8Array>) hash.update(chunk);
    expect(hash.digest('hex')).toBe(up.body.sha256);
  });

  it('refuses a file past FILES_MAX_BYTES with 413, told or not', async () => {
    const streamedTooBig = await put('too/big', streamed(21).body as unknown as BodyInit);
    expect(streamedTooBig.status).toBe(413);
    expect(streamedTooBig.body.type).toMatch(/payload-too-large$/);
    const told = await raw('PUT', `${base}?path=too/big`, 'x', { 'content-length': String(21 * MB) });
    expect(told.status).toBe(413);
    expect((await h.call('GET', `${base}?prefix=too/`, undefined, token)).body.data).toEqual([]);
  });

  it('takes a multipart upload in 3 parts, with progress, then completes it', async () => {
    const started = await h.call('POST', `${base}/uploads`, { path: 'multi/joined.bin' }, token);
    expect(started.status).toBe(201);
    const parts = [Buffer.alloc(MB, 1), Buffer.alloc(MB, 2), Buffer.from('tail')];
    let received = 0;
    // Out of order: the number places a part, not its arrival.
    for (const n of [2, 1, 3]) {
      const res = await raw('PUT', `${base}/uploads/${started.body.id}/parts/${n}`, parts[n - 1]);
      expect(res.status).toBe(200);
      received += parts[n - 1]!.length;
      expect((await res.json()).received).toBe(received);
    }
    const status = await h.call('GET', `${base}/uploads/${started.body.id}`, undefined, token);
    expect(status.body.parts.map((p: { number: number }) => p.number)).toEqual([1, 2, 3]);
    const done = await h.call('POST', `${base}/uploads/${started.body.id}/complete`, undefined, token);
    expect(done.status).toBe(201);
    const whole = Buffer.concat(parts);
    expect(done.body).toMatchObject({ path: 'multi/joined.bin', size: whole.length, sha256: sha256(whole) });
    expect((await h.call('GET', `${base}/uploads/${started.body.id}`, undefined, token)).status).toBe(404);
    const aborted = await h.call('POST', `${base}/uploads`, { path: 'multi/aborted' }, token);
    await raw('PUT', `${base}/uploads/${aborted.body.id}/parts/1`, 'x');
    expect((await raw('DELETE', `${base}/uploads/${aborted.body.id}`)).status).toBe(204);
    expect((await h.call('POST', `${base}/uploads/${aborted.body.id}/complete`, undefined, token)).status).toBe(404);
  });

  it('expires an upload left unfinished for a week, and sweeps its parts from the store', async () => {
    const left = await h.call('POST', `${base}/uploads`, { path: 'multi/left' }, token);
    for (const n of [1, 2]) await raw('PUT', `${base}/uploads/${left.body.id}/parts/${n}`, `part ${n}`);
    const fresh = await h.call('POST', `${base}/uploads`, { path: 'multi/fresh' }, token);
    await h.db.sql.query("UPDATE file_uploads SET created_at = now() - interval '8 days' WHERE id = $1", [
      left.body.id,
    ]);
    await h.platform.scheduler.runNow('expire-file-uploads');
    expect((await h.call('GET', `${base}/uploads/${left.body.id}`, undefined, token)).status).toBe(404);
    expect((await h.call('GET', `${base}/uploads/${fresh.body.id}`, undefined, token)).status).toBe(200);
    const queued = async () =>
      (
        await h.db.sql.query<{ object_key: string }>(
          'SELECT object_key FROM deleted_objects WHERE object_key LIKE $1 ORDER BY 1',
          [`uploads/org/${orgId}/${left.body.id}/%`],
        )
      ).map((r) => r.object_key);
    expect(await queued()).toEqual([1, 2].map((n) => `uploads/org/${orgId}/${left.body.id}/${n}`));
    await h.platform.scheduler.runNow('sweep-deleted-objects');
    expect(await queued()).toEqual([]);
  });

  it('uploads and downloads through signed URLs, and refuses an expired one', async () => {
    const upUrl = await h.call('POST', `${base}/upload-url`, { path: 'signed/a.txt' }, token);
    expect(upUrl.status).toBe(201);
    const path = (url: string) => url.replace(/^https?:\/\/[^/]+/, '');
    const up = await raw('PUT', path(upUrl.body.url), 'signed bytes', {}, false);
    expect(up.status).toBe(201);
    const file = await up.json();
    expect(file).toMatchObject({ path: 'signed/a.txt', size: 12 });
    // Two seconds: a token's expiry is in whole seconds, so one second can run out before its first use.
    const downUrl = await h.call('POST', `${base}/${file.id}/download-url`, { ttl_s: 2 }, token);
    const down = await raw('GET', path(downUrl.body.url), undefined, { range: 'bytes=0-5' }, false);
    expect(down.status).toBe(206);
    expect(await down.text()).toBe('signed');
    await new Promise((r) => setTimeout(r, 3100));
    const expired = await raw('GET', path(downUrl.body.url), undefined, {}, false);
    expect(expired.status).toBe(403);
    expect((await expired.json()).type).toMatch(/download-url-expired$/);
    const forged = await raw(
      'GET',
      `/v1/files/download?token=${upUrl.body.url.split('token=')[1]}`,
      undefined,
      {},
      false,
    );
    expect(forged.status).toBe(403);
  });

  it('refuses paths that climb or start with /', async () => {
    for (const bad of ['../escape', 'a/../../b', '/etc/passwd', 'a//b', 'a/./b']) {
      const res = await put(bad, 'x');
      expect(res.status, bad).toBe(400);
    }
    expect((await h.call('POST', `${base}/uploads`, { path: 'x/../y' }, token)).status).toBe(400);
    expect((await h.call('POST', `${base}/upload-url`, { path: '../y' }, token)).status).toBe(400);
  });

  it('answers 402 past the bytes and the files of the plan', async () => {
    const quotaOrg = (await h.call('POST', '/v1/orgs', { name: 'Quota' }, token)).body.id;
    await h.db.sql.query(
      `INSERT INTO billing_accounts (org_id, limit_overrides) VALUES ($1, '{"files_count": 2, "files_bytes": 100}')`,
      [quotaOrg],
    );
    const at = `/v1/orgs/${quotaOrg}/files`;
    expect((await put('a', 'x'.repeat(60), undefined, at)).status).toBe(201);
    const bytes = await put('b', 'x'.repeat(60), undefined, at);
    expect(bytes.status).toBe(402);
    expect(bytes.body).toMatchObject({ limit: 'files_bytes', allowed: 100, current: 60 });
    expect((await put('b', 'x'.repeat(10), undefined, at)).status).toBe(201);
    const count = await put('c', 'x', undefined, at);
    expect(count.status).toBe(402);
    expect(count.body).toMatchObject({ limit: 'files_count', allowed: 2, current: 2 });
    // Replacing a file adds no file.
    expect((await put('a', 'y', undefined, at)).status).toBe(201);
  });

  it("keeps each tenant to its own files: another org's user or key neither reads, lists nor overwrites", async () => {
    const mine = await put('secret/plan.txt', 'A only');
    const bob = (await h.signupAndLogin(`bob-${kind}@example.com`)).access_token;
    const bobOrg = (await h.call('POST', '/v1/orgs', { name: 'B' }, bob)).body.id;
    for (const path of [`${base}/${mine.body.id}`, `${base}/${mine.body.id}/content`, base]) {
      expect((await h.call('GET', path, undefined, bob)).status, path).toBe(404);
    }
    const over = await h.app.request(`${base}?path=secret/plan.txt`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${bob}` },
      body: 'B was here',
    });
    expect(over.status).toBe(404);
    // Under B's own organization, A's file id is nobody's.
    expect((await h.call('GET', `/v1/orgs/${bobOrg}/files/${mine.body.id}/content`, undefined, bob)).status).toBe(404);
    expect((await h.call('POST', `/v1/orgs/${bobOrg}/files/${mine.body.id}/download-url`, {}, bob)).status).toBe(404);
    // The same path in B's organization is B's own file.
    const bobs = await h.app.request(`/v1/orgs/${bobOrg}/files?path=secret/plan.txt`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${bob}` },
      body: 'B was here',
    });
    expect((await bobs.json()).id).not.toBe(mine.body.id);
    expect(await (await raw('GET', `${base}/${mine.body.id}/content`)).text()).toBe('A only');
  });

  it('caps an organization API key by its scopes', async () => {
    const key = (await h.call('POST', `/v1/orgs/${orgId}/api-keys`, { name: 'r', scopes: ['files:read'] }, token)).body
      .secret;
    expect((await h.call('GET', base, undefined, key)).status).toBe(200);
    const write = await h.app.request(`${base}?path=k`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${key}` },
      body: 'x',
    });
    expect(write.status).toBe(403);
  });

  it("keeps a user's own files under /v1/me/files", async () => {
    const up = await put('notes/today.md', '# hi', 'text/markdown', '/v1/me/files');
    expect(up.status).toBe(201);
    const list = await h.call('GET', '/v1/me/files?prefix=notes/', undefined, token);
    expect(list.body.data).toEqual([up.body]);
    expect(await (await raw('GET', `/v1/me/files/${up.body.id}/content`)).text()).toBe('# hi');
    expect((await h.call('GET', `${base}/${up.body.id}`, undefined, token)).status).toBe(404);
    expect((await raw('DELETE', `/v1/me/files/${up.body.id}`)).status).toBe(204);
  });
});
