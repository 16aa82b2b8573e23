import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';

/**
 * Each request timed once, then told twice: one structured log line carrying the request id set
 * by `requestId()`, and Prometheus counts and durations by method, matched route (not the raw
 * path, so ids do not explode the label set) and status.
 */
export function requestLog({ logger, registry }: { logger: Logger; registry: Registry }): MiddlewareHandler {
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
    const ms = performance.now() - start;
    const status = c.res.status;
    const labels = { method: c.req.method, route: routePath(c) || 'unmatched', status: String(status) };
    requests.inc(labels);
    duration.observe(labels, ms / 1000);
    logger.info(
      { requestId: c.get('requestId'), method: c.req.method, path: c.req.path, status, ms: Math.round(ms * 10) / 10 },
      'request',
    );
  };
}
