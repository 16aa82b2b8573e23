import { OpenAPIHono } from '@hono/zod-openapi';
import { Scalar } from '@scalar/hono-api-reference';
import { requestId } from 'hono/request-id';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { healthRoutes, type ReadinessChecks } from './health.routes.ts';
import { httpMetrics } from './http/http-metrics.ts';
import { Invalid, NotFound, problemResponse } from './http/problem.ts';
import { requestLog } from './http/request-log.ts';

export interface AppOptions {
  logger: Logger;
  /** Prometheus registry served at /metrics; the broker's metrics register here too. */
  registry: Registry;
  /** Checks behind /readyz. */
  checks?: ReadinessChecks;
}

/** An OpenAPIHono whose request validation failures become `invalid-request` problems. */
export function createRouter() {
  return new OpenAPIHono({
    defaultHook: (result) => {
      if (!result.success) {
        const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
        throw new Invalid(issues.map((i) => `${i.path || '(body)'}: ${i.message}`).join('; '), { errors: issues });
      }
    },
  });
}

/**
 * The platform's HTTP API: every service's routes, health, metrics and docs.
 * @example const app = createApp({ logger, registry }); serve({ fetch: app.fetch, port: 8080 });
 */
export function createApp({ logger, registry, checks = {} }: AppOptions) {
  const log = logger.child({ component: 'http' });
  const app = createRouter();
  app.use(requestId());
  app.use(requestLog({ logger: log }));
  app.use(httpMetrics({ registry }));
  app.onError((err, c) => problemResponse(err, c, log));
  app.notFound((c) => problemResponse(new NotFound(`No route for ${c.req.method} ${c.req.path}`), c, log));

  app.route('/', healthRoutes({ checks }));
  app.get('/metrics', async (c) => c.text(await registry.metrics(), 200, { 'content-type': registry.contentType }));
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'IoT platform API',
      version: '0.1.0',
      description: 'Devices, telemetry, OTA, organizations and billing. Errors are RFC 9457 problem details.',
    },
  });
  app.get('/docs', Scalar({ url: '/openapi.json', pageTitle: 'IoT platform API' }));
  return app;
}

export type App = ReturnType<typeof createApp>;
