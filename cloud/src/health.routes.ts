import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { json } from './http/openapi.ts';
import { withTimeout } from './with-timeout.ts';

/** A named dependency check; resolves when the dependency works, throws saying why not. */
export type ReadinessChecks = Record<string, () => Promise<void>>;

const Health = z.object({ status: z.literal('ok') }).openapi('Health');
const Readiness = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    checks: z.record(z.string(), z.object({ ok: z.boolean(), error: z.string().optional() })),
  })
  .openapi('Readiness');

const healthz = createRoute({
  method: 'get',
  path: '/healthz',
  security: [],
  tags: ['health'],
  summary: 'Liveness: the process answers',
  responses: { 200: json(Health, 'Alive') },
});

const readyz = createRoute({
  method: 'get',
  path: '/readyz',
  security: [],
  tags: ['health'],
  summary: 'Readiness: the database answers and the broker listens',
  responses: {
    200: json(Readiness, 'Ready'),
    503: json(Readiness, 'A dependency is down'),
  },
});

/** `/healthz` and `/readyz`. */
export function healthRoutes({ checks }: { checks: ReadinessChecks }) {
  return new OpenAPIHono()
    .openapi(healthz, (c) => c.json({ status: 'ok' as const }, 200))
    .openapi(readyz, async (c) => {
      const results = await Promise.all(
        Object.entries(checks).map(async ([name, check]) => {
          try {
            await withTimeout(check(), 2000);
            return [name, { ok: true }] as const;
          } catch (err) {
            return [name, { ok: false, error: (err as Error).message }] as const;
          }
        }),
      );
      const ready = results.every(([, r]) => r.ok);
      const body = { status: ready ? ('ready' as const) : ('not_ready' as const), checks: Object.fromEntries(results) };
      return ready ? c.json(body, 200) : c.json(body, 503);
    });
}
