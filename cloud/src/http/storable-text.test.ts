import { Hono } from 'hono';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { problemResponse } from './problem.ts';
import { storable, storableText } from './storable-text.ts';

const app = new Hono()
  .use(storableText())
  .onError((err, c) => problemResponse(err, c, pino({ level: 'silent' })))
  .all('/items/:id', async (c) => c.json({ id: c.req.param('id'), body: await c.req.text() }));

const post = (body: string, type = 'application/json') =>
  app.request('/items/1', { method: 'POST', headers: { 'content-type': type }, body });

describe('storableText', () => {
  it('tells text PostgreSQL can store from text it cannot', () => {
    expect(storable('plain, ünïcode and 💥')).toBe(true);
    expect(storable('a\u0000b')).toBe(false);
    expect(storable('\uD800')).toBe(false);
    expect(storable('x\uDC00')).toBe(false);
    expect(storable('\uD83D\uDCA5')).toBe(true); // a pair is one character
  });

  it('refuses U+0000 in the path, a query name or value, with a 400 problem naming where', async () => {
    for (const [url, where] of [
      ['/items/%00', 'path'],
      ['/items/1?q=a%00', 'query.q'],
      ['/items/1?q=a&q=%00', 'query.q'],
      ['/items/1?%00=x', 'query'],
    ]) {
      const res = await app.request(url!);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
      expect((await res.json()).errors).toEqual([{ path: where, message: expect.any(String) }]);
    }
  });

  it('refuses escaped U+0000 and lone surrogates in JSON bodies, keys too, and U+0000 in text bodies', async () => {
    for (const body of ['{"a":"\\u0000"}', '{"\\u0000":1}', '["\\udfff"]', '{"a":{"b":["x\\ud800y"]}}']) {
      expect((await post(body)).status).toBe(400);
    }
    expect((await post('name\na\u0000\n', 'text/csv')).status).toBe(400);
  });

  it('passes everything else on untouched, the body still readable by the route', async () => {
    expect(await (await app.request('/items/%2500?q=%25')).json()).toEqual({ id: '%00', body: '' });
    expect(await (await app.request('/items/plain-1?q=a+b&r')).json()).toEqual({ id: 'plain-1', body: '' });
    expect(await (await post('{"a":"\\\\u0000 \\ud83d\\udca5"}')).json()).toEqual({
      id: '1',
      body: '{"a":"\\\\u0000 \\ud83d\\udca5"}',
    });
    expect((await post('not json')).status).toBe(200); // the route's own validator answers that
    expect((await post('\u0000', 'application/octet-stream')).status).toBe(200); // binary uploads are bytes
  });
});
