import pino from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createApp } from './app.ts';

const logger = pino({ level: 'silent' });

function app(checks = {}) {
  return createApp({ logger, registry: new Registry(), checks });
}

describe('the HTTP app', () => {
  it('answers liveness', async () => {
    const res = await app().request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('reports readiness per dependency, 503 when one fails', async () => {
    const ok = await app({ database: async () => {} }).request('/readyz');
    expect(ok.status).toBe(200);
    const down = await app({
      database: async () => {},
      broker: async () => {
        throw new Error('not listening');
      },
    }).request('/readyz');
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({
      status: 'not_ready',
      checks: { database: { ok: true }, broker: { ok: false, error: 'not listening' } },
    });
  });

  it('answers unknown routes with problem+json carrying the request id', async () => {
    const res = await app().request('/nowhere', { headers: { 'x-request-id': 'req-123' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({
      type: 'https://iot-platform.dev/problems/not-found',
      status: 404,
      instance: 'req-123',
    });
  });

  it('counts requests by route in Prometheus metrics', async () => {
    const a = app();
    await a.request('/healthz');
    const res = await a.request('/metrics');
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/healthz",status="200"\} 1/);
    expect(text).toMatch(/http_request_duration_seconds_bucket/);
  });

  it('keeps /metrics to the holder of METRICS_TOKEN when one is set', async () => {
    const a = createApp({ logger, registry: new Registry(), checks: {}, metricsToken: 'a metrics token of length' });
    expect((await a.request('/metrics')).status).toBe(401);
    const wrong = await a.request('/metrics', { headers: { authorization: 'Bearer not the token at all' } });
    expect(wrong.status).toBe(401);
    const right = await a.request('/metrics', { headers: { authorization: 'Bearer a metrics token of length' } });
    expect(right.status).toBe(200);
  });

  it('answers a CORS preflight from a configured origin only', async () => {
    const a = createApp({ logger, registry: new Registry(), checks: {}, corsOrigins: ['https://app.example.com'] });
    const preflight = (origin: string) =>
      a.request('/v1/me', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
    const allowed = await preflight('https://app.example.com');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    // Without CORS_ORIGINS no origin is allowed.
    const none = await app().request('/v1/me', { method: 'OPTIONS', headers: { origin: 'https://app.example.com' } });
    expect(none.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('publishes OpenAPI 3.1 and readable docs', async () => {
    const a = app();
    const doc = await (await a.request('/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz']));
    expect(doc.paths['/healthz'].get).toMatchObject({ operationId: 'getHealthz', security: [] });
    expect(doc.servers).toEqual([{ url: 'http://localhost:8080', description: 'This installation' }]);
    expect(doc.components.schemas.Problem).toBeDefined();
    const docs = await a.request('/docs');
    expect(docs.status).toBe(200);
    // Every asset from this origin: the page works offline.
    const html = await docs.text();
    const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(urls.length).toBeGreaterThanOrEqual(3);
    for (const url of urls) expect(url).toMatch(/^\/docs\/assets\//);
    expect(docs.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(docs.headers.get('content-security-policy')).not.toMatch(/https?:/);
    const types: Record<string, RegExp> = { css: /^text\/css/, js: /^text\/javascript/, png: /^image\/png/ };
    for (const url of urls) {
      const res = await a.request(url);
      expect(res.status, url).toBe(200);
      expect(res.headers.get('content-type'), url).toMatch(types[url.split('.').at(-1) ?? ''] ?? /^$/);
      expect(res.headers.get('cache-control'), url).toMatch(/immutable/);
      expect((await res.arrayBuffer()).byteLength, url).toBeGreaterThan(100);
    }
    // The starter script points Swagger UI at our document.
    const start = urls.find((u) => u.endsWith('start.js')) ?? '';
    expect(await (await a.request(start)).text()).toMatch(/openapi\.json/);
    expect((await a.request('/docs/assets/5.35.0/package.json')).status).toBe(404);
  });
});
