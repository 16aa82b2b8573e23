import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { Counter, Histogram, type Registry } from 'prom-client';

/**
 * Counts requests and times them by method, matched route (not raw path, so ids do not explode
 * the label set) and status.
 */
export function httpMetrics({ registry }: { registry: Registry }): MiddlewareHandler {
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return async (c, next) => {
    const start = performance.now();
    await next();
    const labels = { method: c.req.method, route: routePath(c) || 'unmatched', status: String(c.res.status) };
    requests.inc(labels);
    duration.observe(labels, (performance.now() - start) / 1000);
  };
}
