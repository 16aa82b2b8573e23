import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Authenticator } from '../auth/authenticator.ts';
import { EVENT_TYPES } from '../events/domain-events.ts';
import type { AppEnv } from '../http/env.ts';
import { json, jsonBody, noContent, pageOf, problems, routeShapes } from '../http/openapi.ts';
import { Uuid } from '../http/uuid.ts';
import type { OrgRepository } from '../orgs/org.repository.ts';
import { orgGuard } from '../orgs/org-guard.ts';
import { OrgId, orgRoutes } from '../orgs/org-route.ts';
import type { WebhookService } from './webhook.service.ts';

const tags = ['webhooks'];
const Id = OrgId.extend({ id: Uuid });
const DeliveryId = Id.extend({ deliveryId: Uuid });
const Endpoint = z
  .object({
    id: z.string().uuid(),
    url: z.string(),
    event_types: z.array(z.string()),
    enabled: z.boolean(),
    disabled_reason: z.string().nullable(),
    consecutive_failures: z.number().int(),
    created_at: z.string(),
  })
  .openapi('WebhookEndpoint');
const Delivery = z
  .object({
    id: z.string().uuid(),
    event_id: z.number().int(),
    event_type: z.string(),
    status: z.enum(['pending', 'succeeded', 'failed']),
    attempts: z.number().int(),
    next_attempt_at: z.string().nullable(),
    response_status: z.number().int().nullable(),
    response_ms: z.number().int().nullable(),
    error: z.string().nullable(),
    created_at: z.string(),
    delivered_at: z.string().nullable(),
  })
  .openapi('WebhookDelivery');
const Url = z
  .string()
  .max(2000)
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http or https URL');
const EventTypes = z
  .array(z.enum(['*', ...EVENT_TYPES]))
  .min(1)
  .max(50);

/** `/v1/orgs/{orgId}/webhooks`: endpoints that receive the organization's events, signed, and their delivery log. */
export function webhookRoutes(auth: Authenticator, orgs: OrgRepository, webhooks: WebhookService) {
  const route = orgRoutes((p) => orgGuard(auth, orgs, p));
  const { list, show, remove } = routeShapes({ tags });
  const org = (c: { get(k: 'org'): { id: string } }) => c.get('org').id;
  return new OpenAPIHono<AppEnv>()
    .openapi(
      route('webhooks:write', {
        method: 'post',
        path: '/v1/orgs/{orgId}/webhooks',
        tags,
        summary: 'An endpoint for events; its signing secret is in this answer only',
        request: {
          params: OrgId,
          body: jsonBody(
            z.object({ url: Url, event_types: EventTypes.default(['*']), enabled: z.boolean().optional() }),
          ),
        },
        responses: { 201: json(Endpoint.extend({ secret: z.string() })), ...problems(400, 401, 403, 404) },
      }),
      async (c) => c.json(await webhooks.create(org(c), c.req.valid('json')), 201),
    )
    .openapi(
      route(
        'webhooks:read',
        list(
          '/v1/orgs/{orgId}/webhooks',
          Endpoint,
          { summary: "The organization's webhook endpoints", params: OrgId },
          [401, 403, 404],
        ),
      ),
      async (c) => c.json({ data: await webhooks.list(org(c)) }, 200),
    )
    .openapi(
      route(
        'webhooks:read',
        show(
          '/v1/orgs/{orgId}/webhooks/{id}',
          Endpoint,
          { summary: 'One webhook endpoint', params: Id },
          [401, 403, 404],
        ),
      ),
      async (c) => c.json(await webhooks.get(org(c), c.req.valid('param').id), 200),
    )
    .openapi(
      route('webhooks:write', {
        method: 'patch',
        path: '/v1/orgs/{orgId}/webhooks/{id}',
        tags,
        summary: 'Changes an endpoint; enabling a disabled one clears its failures',
        request: {
          params: Id,
          body: jsonBody(z.object({ url: Url, event_types: EventTypes, enabled: z.boolean() }).partial().strict()),
        },
        responses: { 200: json(Endpoint), ...problems(400, 401, 403, 404) },
      }),
      async (c) => c.json(await webhooks.update(org(c), c.req.valid('param').id, c.req.valid('json')), 200),
    )
    .openapi(
      route(
        'webhooks:write',
        remove(
          '/v1/orgs/{orgId}/webhooks/{id}',
          'Deleted',
          { summary: 'Delete a webhook endpoint', params: Id },
          [401, 403, 404],
        ),
      ),
      (c) => noContent(c, webhooks.delete(org(c), c.req.valid('param').id)),
    )
    .openapi(
      route('webhooks:read', {
        method: 'get',
        path: '/v1/orgs/{orgId}/webhooks/{id}/deliveries',
        tags,
        summary: 'The delivery log, newest first, with cursor pagination',
        request: {
          params: Id,
          query: z.object({
            limit: z.coerce.number().int().min(1).max(500).default(100),
            cursor: Uuid.optional(),
          }),
        },
        responses: { 200: pageOf(Delivery), ...problems(400, 401, 403, 404) },
      }),
      async (c) => {
        const { limit, cursor } = c.req.valid('query');
        return c.json(await webhooks.deliveries(org(c), c.req.valid('param').id, limit, cursor), 200);
      },
    )
    .openapi(
      route('webhooks:write', {
        method: 'post',
        path: '/v1/orgs/{orgId}/webhooks/{id}/deliveries/{deliveryId}/redeliver',
        tags,
        summary: 'Sends a delivery again, now',
        request: { params: DeliveryId },
        responses: { 202: json(Delivery, 'Queued'), ...problems(401, 403, 404) },
      }),
      async (c) => {
        const { id, deliveryId } = c.req.valid('param');
        return c.json(await webhooks.redeliver(org(c), id, deliveryId), 202);
      },
    );
}
