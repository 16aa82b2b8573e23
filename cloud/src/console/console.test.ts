import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHarness } from '../testing.ts';

type Harness = Awaited<ReturnType<typeof authHarness>>;
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(4000))});`;

/** A built console as Vite lays it out: index.html, hashed assets, a favicon. */
async function fakeBuild() {
  const dir = await mkdtemp(join(tmpdir(), 'iotp-console-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(
    join(dir, 'index.html'),
    '<!doctype html><script type="module" src="/assets/index-Ab12.js"></script>',
  );
  await writeFile(join(dir, 'assets', 'index-Ab12.js'), SCRIPT);
  await writeFile(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  return dir;
}

describe('the web console served at /', () => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    dir = await fakeBuild();
    h = await authHarness({ env: { CONSOLE_DIR: dir } });
  });
  afterAll(async () => {
    await h?.close();
    await rm(dir, { recursive: true, force: true });
  });
  const get = (path: string, headers: Record<string, string> = {}) => h.app.request(path, { headers });

  it('answers the console routes with its page, revalidated, under a CSP that allows its own scripts only', async () => {
    for (const path of [
      '/',
      '/verify-email?token=abc',
      '/billing?checkout=success',
      '/devices/42',
      '/invitations/accept',
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toContain('/assets/index-Ab12.js');
    }
    const res = await get('/reset-password?token=abc');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves hashed assets immutable and compressed, and revalidates with the ETag', async () => {
    const res = await get('/assets/index-Ab12.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('content-encoding')).toBe('br');
    expect(brotliDecompressSync(Buffer.from(await res.arrayBuffer())).toString()).toBe(SCRIPT);
    const plain = await get('/assets/index-Ab12.js');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(SCRIPT);
    const again = await get('/assets/index-Ab12.js', { 'if-none-match': res.headers.get('etag')! });
    expect(again.status).toBe(304);
    const page = await get('/');
    expect((await get('/', { 'if-none-match': page.headers.get('etag')! })).status).toBe(304);
    expect((await get('/favicon.svg')).headers.get('content-type')).toBe('image/svg+xml');
  });

  it('keeps unknown API paths, other methods and missing assets as problem+json 404s', async () => {
    for (const [method, path] of [
      ['GET', '/v1/nothing-here'],
      ['GET', '/v1'],
      ['GET', '/.well-known/nothing'],
      ['POST', '/devices'],
      ['GET', '/assets/index-gone.js'],
    ] as const) {
      const res = await h.app.request(path, { method });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
    // The API's own routes are untouched.
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/v1/me')).status).toBe(401);
  });

  it('answers HEAD as GET without a body', async () => {
    const res = await h.app.request('/signin', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await res.text()).toBe('');
  });
});

describe('without a built console', () => {
  it('answers / with a problem+json 404 (CONSOLE_DIR=off)', async () => {
    const h = await authHarness({ env: { CONSOLE_DIR: 'off' } });
    try {
      const res = await h.app.request('/');
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    } finally {
      await h.close();
    }
  });
});
