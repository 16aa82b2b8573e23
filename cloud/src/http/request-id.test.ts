import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEnv } from './env.ts';
import { requestId } from './request-id.ts';

const app = new Hono<AppEnv>().use(requestId()).get('/', (c) => c.json({ id: c.get('requestId') }));

describe('requestId', () => {
  let server: ReturnType<typeof serve>;
  let url: string;
  beforeAll(async () => {
    server = await new Promise((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("answers behind Node's server with the id the request was logged by, once", async () => {
    const res = await fetch(url);
    const { id } = await res.json();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('x-request-id')).toBe(id);
    const again = await fetch(url, { headers: { 'x-request-id': 'trace-42' } });
    expect(again.headers.get('x-request-id')).toBe('trace-42');
    expect(await again.json()).toEqual({ id: 'trace-42' });
  });

  it('replaces an id that is too long or unsafe in a log line, and answers without a Node server too', async () => {
    for (const given of ['a'.repeat(256), 'two words', 'x\ty']) {
      const res = await app.request('/', { headers: { 'x-request-id': given } });
      const { id } = await res.json();
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers.get('x-request-id')).toBe(id);
    }
  });
});
