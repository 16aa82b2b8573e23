import { randomUUID } from 'node:crypto';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { requireAuth } from '../auth/authenticate.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import type { AppEnv } from '../http/env.ts';
import { exportFile } from '../http/export.ts';
import { json, jsonBody, problems, routeShapes } from '../http/openapi.ts';
import type { OrgRepository } from '../orgs/org.repository.ts';
import { orgGuard } from '../orgs/org-guard.ts';
import { AdminOrgId, OrgId, orgRoutes } from '../orgs/org-route.ts';
import { CheckoutSession } from './billing.routes.ts';
import type { BillingService } from './billing.service.ts';
import { NewOrder, Order } from './catalog.schemas.ts';

const tags = ['billing'];

/**
 * The credit wallet: balance, top-up through Stripe, spending, the statement, operators' grants;
 * and orders, such as device licenses bought with credits.
 */
export function walletRoutes(auth: Authenticator, orgs: OrgRepository, billing: BillingService) {
  const route = orgRoutes((p) => orgGuard(auth, orgs, p));
  const { list } = routeShapes({ tags });
  const operator = requireAuth(auth, { sessionOnly: true, admin: true });
  const { wallet } = billing;
  return new OpenAPIHono<AppEnv>()
    .openapi(
      route('billing:manage', {
        method: 'post',
        path: '/v1/orgs/{orgId}/orders',
        tags,
        summary:
          'Order an item of the catalog: plans and items priced in money through Stripe Checkout (the order is pending until paid), items priced in credits from the wallet at once',
        request: { params: OrgId, body: jsonBody(NewOrder) },
        responses: {
          201: json(Order, 'The order; with checkout, where to pay'),
          ...problems(400, 401, 402, 403, 404, 409, 503),
        },
      }),
      async (c) => {
        const { item_id = 'device-license', quantity, idempotency_key = `order:${randomUUID()}` } = c.req.valid('json');
        return c.json(await billing.catalog.order(c.get('org').id, { item_id, quantity, idempotency_key }), 201);
      },
    )
    .openapi(
      route(
        'billing:read',
        list(
          '/v1/orgs/{orgId}/orders',
          Order,
          {
            summary: 'What was bought: pending, paid, fulfilled, failed or refunded, with its Stripe and ledger links',
            params: OrgId,
          },
          [401, 403, 404],
        ),
      ),
      async (c) => c.json({ data: await wallet.orders(c.get('org').id) }, 200),
    )
    .openapi(
      route('billing:read', {
        method: 'get',
        path: '/v1/orgs/{orgId}/wallet',
        summary: "The wallet's balance of prepaid credits",
        tags,
        request: { params: OrgId },
        responses: { 200: json(z.object({ credits: z.number() })), ...problems(401, 403, 404) },
      }),
      async (c) => c.json(await wallet.balance(c.get('org').id), 200),
    )
    .openapi(
      route('billing:manage', {
        method: 'post',
        path: '/v1/orgs/{orgId}/wallet/top-up',
        tags,
        summary: 'Buy credits through Stripe Checkout; they arrive when the payment does',
        request: { params: OrgId, body: jsonBody(z.object({ credits: z.number().int().min(1).max(1_000_000) })) },
        responses: { 200: json(CheckoutSession), ...problems(400, 401, 403, 404) },
      }),
      async (c) => c.json(await billing.checkouts.topUp(c.get('org').id, c.req.valid('json').credits), 200),
    )
    .openapi(
      route('billing:manage', {
        method: 'post',
        path: '/v1/orgs/{orgId}/wallet/spend',
        tags,
        summary: 'Spend credits, once per idempotency key; never below zero (402)',
        request: {
          params: OrgId,
          body: jsonBody(
            z.object({
              credits: z.number().positive().max(1_000_000),
              reason: z.string().min(1).max(200),
              idempotency_key: z.string().min(8).max(100),
            }),
          ),
        },
        responses: {
          200: json(z.object({ transaction_id: z.string(), replayed: z.boolean(), credits: z.number() })),
          ...problems(400, 401, 402, 403, 404),
        },
      }),
      async (c) => c.json(await wallet.spend(c.get('org').id, c.req.valid('json')), 200),
    )
    .openapi(
      route('billing:read', {
        method: 'get',
        path: '/v1/orgs/{orgId}/wallet/statement',
        tags,
        summary: 'Every movement of the wallet, oldest first, as JSON or CSV',
        request: { params: OrgId, query: z.object({ format: z.enum(['json', 'csv']).default('json') }) },
        responses: {
          200: {
            description: 'The movements',
            content: {
              'application/json': { schema: z.object({ data: z.array(z.record(z.string(), z.unknown())) }) },
              'text/csv': { schema: z.string() },
            },
          },
          ...problems(401, 403, 404),
        },
      }),
      async (c) => {
        const rows = await wallet.statement(c.get('org').id);
        if (c.req.valid('query').format === 'json') return c.json({ data: rows }, 200);
        return exportFile(c, {
          format: 'csv',
          name: 'wallet-statement',
          rows,
          columns: ['at', 'transaction_id', 'credits', 'kind', 'memo'],
        });
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/v1/admin/orgs/{orgId}/credits',
        tags: ['admin'],
        security: [{ bearer: [] }],
        summary: "Grant credits to an organization's wallet (operators; audited in its log): with or without Stripe",
        middleware: [operator],
        request: {
          params: AdminOrgId,
          body: jsonBody(
            z.object({
              credits: z.number().positive().max(1_000_000),
              reason: z.string().trim().min(1).max(200),
              idempotency_key: z
                .string()
                .min(8)
                .max(100)
                .optional()
                .openapi({ description: 'The same key grants once; without one, each request grants' }),
            }),
          ),
        },
        responses: {
          201: json(z.object({ transaction_id: z.string(), replayed: z.boolean(), credits: z.number() })),
          ...problems(400, 401, 403, 404),
        },
      }),
      async (c) => {
        const { idempotency_key = `grant:${randomUUID()}`, ...grant } = c.req.valid('json');
        return c.json(await wallet.grantCredits(c.req.valid('param').orgId, { ...grant, idempotency_key }), 201);
      },
    );
}
