import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { Authenticator } from '../auth/authenticator.ts';
import { bearerToken } from '../http/bearer.ts';
import type { AppEnv } from '../http/env.ts';
import { json, jsonBody, listOf, pageOf, problems } from '../http/openapi.ts';
import type { OrgRepository } from '../orgs/org.repository.ts';
import { orgGuard } from '../orgs/org-guard.ts';
import { OrgId, orgRoutes } from '../orgs/org-route.ts';
import { Accepted, AnalyticsEvent, EventBatch, Instant, Metric, SingleEvent } from './analytics.schemas.ts';
import { type AnalyticsService, BUCKETS } from './analytics.service.ts';
import type { UsageSummary } from './usage-summary.ts';

const tags = ['analytics'];
/** The ingest paths: not audited per request (like device telemetry), metered as API calls. */
export const ANALYTICS_INGEST_PATH = /^\/v1\/analytics\/events(\/batch)?$/;
const INGEST = {
  method: 'post' as const,
  tags,
  security: [{ bearer: [] }],
  responses: { 202: json(Accepted, 'Stored'), ...problems(400, 401, 403, 404, 413, 415, 429) },
};
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day like 2026-01-31');

/** Authenticates an ingest request before its body is read; the organization is the key's, or the person's `org_id`. */
function caller(auth: Authenticator): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('actor', await auth.authenticateAny(bearerToken(c.req.header('authorization'))));
    await next();
  };
}

/** Marks the organization the events went to, for the API-call meter. */
function metered(c: Context<AppEnv>, orgId: string) {
  c.set('org', { id: orgId, permissions: new Set(), actor: c.get('actor') });
}

/**
 * `POST /v1/analytics/events[/batch]` (apps send product events) and the organization's reads:
 * `/v1/orgs/{orgId}/analytics/events`, `/analytics/metrics`, `/usage/summary`.
 */
export function analyticsRoutes(
  auth: Authenticator,
  orgs: OrgRepository,
  analytics: AnalyticsService,
  usage: UsageSummary,
) {
  const route = orgRoutes((p) => orgGuard(auth, orgs, p));
  return new OpenAPIHono<AppEnv>()
    .openapi(
      createRoute({
        ...INGEST,
        middleware: [caller(auth)] as const,
        path: '/v1/analytics/events',
        summary: "One product event: an organization key's (scope analytics:write), or a person's for `org_id`",
        request: { body: jsonBody(SingleEvent) },
      }),
      async (c) => {
        const { org_id, ...event } = c.req.valid('json');
        const actor = c.get('actor');
        const accepted = await analytics.ingest(actor, org_id, [event]);
        metered(c, org_id ?? (actor.kind === 'org_key' ? actor.orgId : ''));
        return c.json({ accepted }, 202);
      },
    )
    .openapi(
      createRoute({
        ...INGEST,
        middleware: [caller(auth)] as const,
        path: '/v1/analytics/events/batch',
        summary: 'Up to 500 product events, all stored or none',
        request: { body: jsonBody(EventBatch) },
      }),
      async (c) => {
        const { org_id, events } = c.req.valid('json');
        const actor = c.get('actor');
        const accepted = await analytics.ingest(actor, org_id, events);
        metered(c, org_id ?? (actor.kind === 'org_key' ? actor.orgId : ''));
        return c.json({ accepted }, 202);
      },
    )
    .openapi(
      route('analytics:read', {
        method: 'get',
        path: '/v1/orgs/{orgId}/analytics/events',
        tags,
        summary: 'Product events, newest first; `cursor` is the `next_cursor` of the page before',
        request: {
          params: OrgId,
          query: z.object({
            name: z.string().max(200).optional(),
            user: z.string().max(200).optional(),
            from: Instant.optional(),
            to: Instant.optional(),
            limit: z.coerce.number().int().min(1).max(1000).default(100),
            cursor: z.string().max(200).optional(),
          }),
        },
        responses: { 200: pageOf(AnalyticsEvent), ...problems(400, 401, 403, 404) },
      }),
      async (c) => c.json(await analytics.list(c.get('org').id, c.req.valid('query')), 200),
    )
    .openapi(
      route('analytics:read', {
        method: 'get',
        path: '/v1/orgs/{orgId}/analytics/metrics',
        tags,
        summary: 'Events per hour or day, per event name or user, in [from, to)',
        request: {
          params: OrgId,
          query: z.object({
            from: Instant,
            to: Instant,
            bucket: z.enum(Object.keys(BUCKETS) as ['1h', '1d']).default('1h'),
            by: z.enum(['name', 'user']).default('name'),
          }),
        },
        responses: { 200: listOf(Metric), ...problems(400, 401, 403, 404) },
      }),
      async (c) => c.json({ data: await analytics.metrics(c.get('org').id, c.req.valid('query')) }, 200),
    )
    .openapi(
      route('billing:read', {
        method: 'get',
        path: '/v1/orgs/{orgId}/usage/summary',
        tags,
        summary:
          'Events and metered usage per UTC day, user and device, the cost (plan, metered, wallet), totals against the period before',
        request: { params: OrgId, query: z.object({ from: Day, to: Day }) },
        responses: { 200: json(UsageSummaryShape), ...problems(400, 401, 403, 404) },
      }),
      async (c) => {
        const q = c.req.valid('query');
        return c.json(await usage.summary(c.get('org').id, q.from, q.to), 200);
      },
    );
}

const Totals = z.object({
  events: z.number(),
  api_calls: z.number(),
  messages: z.number(),
  data_points: z.number(),
  wallet_spend_credits: z.number(),
});

const UsageSummaryShape = z
  .object({
    from: z.string(),
    to: z.string(),
    days: z.array(
      z.object({
        day: z.string(),
        events: z.number(),
        api_calls: z.number(),
        messages: z.number(),
        data_points: z.number(),
      }),
    ),
    users: z.array(z.object({ user_id: z.string().nullable(), events: z.number(), api_calls: z.number() })),
    devices: z.array(
      z.object({ device_id: z.string(), messages: z.number(), data_points: z.number(), bytes: z.number() }),
    ),
    cost: z.object({
      plan: z.object({ name: z.string(), status: z.string(), price: z.number(), currency: z.string() }),
      metered_credits: z.number(),
      wallet_spend: z.array(z.object({ kind: z.string(), credits: z.number() })),
    }),
    dashboard: z.object({ current: Totals, previous: Totals.extend({ from: z.string(), to: z.string() }) }),
  })
  .openapi('UsageSummary', {
    example: {
      from: '2026-11-01',
      to: '2026-11-30',
      days: [{ day: '2026-11-01', events: 120, api_calls: 340, messages: 5000, data_points: 20000 }],
      users: [{ user_id: '7d1c3f9a-2b8e-4f0d-a6c5-1e9b8d7a6c54', events: 120, api_calls: 340 }],
      devices: [
        { device_id: '0b6f7c1e-5a4e-4c7a-9d55-6f3f1b2c9e10', messages: 5000, data_points: 20000, bytes: 180000 },
      ],
      cost: {
        plan: { name: 'pro', status: 'active', price: 4900, currency: 'usd' },
        metered_credits: 2,
        wallet_spend: [{ kind: 'overage', credits: 2 }],
      },
      dashboard: {
        current: { events: 120, api_calls: 340, messages: 5000, data_points: 20000, wallet_spend_credits: 2 },
        previous: {
          from: '2026-10-02',
          to: '2026-10-31',
          events: 90,
          api_calls: 300,
          messages: 4000,
          data_points: 16000,
          wallet_spend_credits: 0,
        },
      },
    },
  });
