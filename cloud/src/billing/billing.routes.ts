import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { requireAuth } from '../auth/authenticate.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import type { AppEnv } from '../http/env.ts';
import { json, jsonBody, listOf, problems, routeShapes } from '../http/openapi.ts';
import type { OrgRepository } from '../orgs/org.repository.ts';
import { orgGuard } from '../orgs/org-guard.ts';
import { AdminOrgId, OrgId, orgRoutes } from '../orgs/org-route.ts';
import type { BillingService } from './billing.service.ts';
import { PAID_PLANS } from './plans.ts';

const tags = ['billing'];
const adminTags = ['admin'];
const security = [{ bearer: [] }];
/** Where to send the user: a Stripe page (null when Stripe gives none). */
const Url = z.object({ url: z.string().nullable() });
/** A Stripe Checkout session: its id and page. */
export const CheckoutSession = Url.extend({ id: z.string() });
const Limit = z.number().int().min(0).nullable();
/** Invoices and usage are passed on as Stripe and the usage tables give them. */
const Row = z.record(z.string(), z.unknown());

/**
 * Plans, Stripe checkout and portal, invoices, usage, Stripe's webhook, and the limits operators
 * agree beyond a plan. The wallet and orders are in `walletRoutes`.
 */
export function billingRoutes(auth: Authenticator, orgs: OrgRepository, billing: BillingService) {
  const route = orgRoutes((p) => orgGuard(auth, orgs, p));
  const { list } = routeShapes({ tags });
  const operator = requireAuth(auth, { sessionOnly: true, admin: true });
  return new OpenAPIHono<AppEnv>()
    .openapi(
      route('billing:read', {
        method: 'get',
        path: '/v1/orgs/{orgId}/billing',
        tags,
        summary: 'Plan, status, period, limits and usage against them, credits',
        request: { params: OrgId },
        responses: {
          200: json(z.object({ plan: z.string(), status: z.string() }).passthrough()),
          ...problems(401, 403, 404),
        },
      }),
      async (c) => c.json(await billing.summary(c.get('org').id), 200),
    )
    .openapi(
      route('billing:manage', {
        method: 'post',
        path: '/v1/orgs/{orgId}/billing/checkout',
        tags,
        summary: 'A Stripe Checkout session for a plan',
        request: { params: OrgId, body: jsonBody(z.object({ plan: z.enum(PAID_PLANS) })) },
        responses: { 200: json(CheckoutSession), ...problems(400, 401, 403, 404) },
      }),
      async (c) => c.json(await billing.checkouts.checkout(c.get('org').id, c.req.valid('json').plan), 200),
    )
    .openapi(
      route('billing:manage', {
        method: 'post',
        path: '/v1/orgs/{orgId}/billing/portal',
        tags,
        summary: 'A Stripe customer portal session (payment methods, invoices, cancellation)',
        request: { params: OrgId },
        responses: { 200: json(Url), ...problems(401, 403, 404) },
      }),
      async (c) => c.json(await billing.checkouts.portal(c.get('org').id), 200),
    )
    .openapi(
      route(
        'billing:read',
        list(
          '/v1/orgs/{orgId}/billing/invoices',
          Row,
          { summary: "The organization's invoices from Stripe", params: OrgId },
          [401, 403, 404],
        ),
      ),
      async (c) => c.json({ data: await billing.checkouts.invoices(c.get('org').id) }, 200),
    )
    .openapi(
      route('billing:read', {
        method: 'get',
        path: '/v1/orgs/{orgId}/usage',
        tags,
        summary:
          'Messages, data points, bytes and API calls per UTC day; per device with by=device, API calls per user with by=user',
        request: {
          params: OrgId,
          query: z.object({
            from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day like 2026-01-31'),
            to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day like 2026-01-31'),
            by: z.enum(['day', 'device', 'user']).default('day'),
          }),
        },
        responses: { 200: listOf(Row), ...problems(400, 401, 403, 404) },
      }),
      async (c) => {
        const q = c.req.valid('query');
        return c.json({ data: await billing.usage(c.get('org').id, { from: q.from, to: q.to, by: q.by }) }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'put',
        path: '/v1/admin/orgs/{orgId}/limits',
        tags: adminTags,
        security,
        summary: 'Set the limits agreed beyond the plan (operators; audited): they replace earlier ones; null: none',
        middleware: [operator],
        request: {
          params: AdminOrgId,
          body: jsonBody(
            z
              .object({
                devices: Limit,
                messages_per_day: Limit,
                data_points_per_day: Limit,
                rollouts_per_month: Limit,
                seats: Limit,
                files_bytes: Limit,
                files_count: Limit,
                retention_days: z.number().int().min(1).max(3650),
              })
              .partial()
              .strict(),
          ),
        },
        responses: {
          200: json(z.object({ plan: z.string(), limits: z.record(z.string(), z.unknown()) }).passthrough()),
          ...problems(400, 401, 403, 404),
        },
      }),
      async (c) => c.json(await billing.setLimitOverrides(c.req.valid('param').orgId, c.req.valid('json')), 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/v1/billing/stripe/webhook',
        security: [],
        tags,
        summary: "Stripe's events, checked against the raw body's signature; answered at once, handled from a queue",
        responses: {
          200: json(z.object({ received: z.literal(true), duplicate: z.boolean() })),
          ...problems(400, 503),
        },
      }),
      async (c) => {
        const { duplicate } = await billing.receiveWebhook(await c.req.text(), c.req.header('stripe-signature'));
        return c.json({ received: true as const, duplicate }, 200);
      },
    );
}
