import { Hono } from 'hono';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { DownloadUrlExpired, Invalid, type Problem, problemResponse, Unauthorized } from './problem.ts';

const secret = new Error('token signature mismatch at key k-123 (internal detail)');

/** An app that throws the given error from `GET /`, answered by the one `onError`. */
function answer(err: Error) {
  const app = new Hono()
    .use(async (c, next) => {
      c.set('requestId' as never, 'req-1' as never);
      await next();
    })
    .onError((e, c) => problemResponse(e, c, pino({ level: 'silent' })))
    .get('/', () => {
      throw err;
    });
  return app.request('/');
}

describe('Problem', () => {
  it('keeps the error it replaced as cause, as Error does', () => {
    const problems: Problem[] = [
      new Unauthorized('The access token is invalid or expired', { cause: secret }),
      new Invalid('The body is not valid JSON', undefined, { cause: secret }),
      new DownloadUrlExpired(undefined, { cause: secret }),
    ];
    for (const p of problems) expect(p.cause).toBe(secret);
    expect(new Unauthorized().cause).toBeUndefined();
  });

  it('renders problem+json without the cause', async () => {
    const res = await answer(new DownloadUrlExpired(undefined, { cause: secret }));
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      type: 'https://iot-platform.dev/problems/download-url-expired',
      title: 'The download URL is invalid or expired',
      status: 403,
      detail: 'Ask for the job again (publish to devices/{id}/ota/request) to get a fresh URL',
      instance: 'req-1',
    });
    expect(text).not.toContain('cause');
    expect(text).not.toContain('k-123');
  });

  it('renders extension members but not the cause', async () => {
    const res = await answer(new Invalid('name: Required', { errors: [{ path: 'name' }] }, { cause: secret }));
    const body = await res.json();
    expect(body).toMatchObject({ status: 400, errors: [{ path: 'name' }] });
    expect(body).not.toHaveProperty('cause');
    expect(JSON.stringify(body)).not.toContain('k-123');
  });

  it('answers an unknown error with a plain 500 that does not repeat its message', async () => {
    const res = await answer(secret);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ type: 'https://iot-platform.dev/problems/internal', status: 500 });
    expect(text).not.toContain('k-123');
  });
});
