import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { schema } from '@iotp/db';
import { requireAuth } from '../auth/authenticate.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import type { AppEnv } from '../http/env.ts';
import { json, jsonBody, noContent, pageOf, problems, routeShapes } from '../http/openapi.ts';
import { SSE_RESPONSE, sseStream } from '../http/sse.ts';
import { Uuid } from '../http/uuid.ts';
import type { OrgRepository } from '../orgs/org.repository.ts';
import { orgGuard } from '../orgs/org-guard.ts';
import { OrgId, orgRoutes } from '../orgs/org-route.ts';
import { CHANNELS } from './channels.ts';
import type { NotificationService } from './notification.service.ts';

const Notification = z
  .object({
    id: z.string().uuid(),
    org_id: z.string().uuid().nullable(),
    kind: z.string(),
    severity: z.enum(schema.SEVERITIES).nullable(),
    title: z.string(),
    body: z.string().nullable(),
    link: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
    created_at: z.string(),
    read_at: z.string().nullable(),
  })
  .openapi('Notification');
const Route = z
  .object({
    id: z.string().uuid(),
    min_severity: z.enum(schema.SEVERITIES),
    roles: z.array(z.string()),
    channels: z.array(z.string()),
    created_at: z.string(),
  })
  .openapi('NotificationRoute');
const RouteBody = z
  .object({
    min_severity: z.enum(schema.SEVERITIES),
    roles: z.array(z.string().trim().min(1).max(100)).min(1).max(20),
    channels: z.array(z.enum(CHANNELS)).min(1),
  })
  .strict();

/** `/v1/me/notifications`: the signed-in user's inbox, paged, counted, marked read and streamed. */
export function inboxRoutes(authenticator: Authenticator, inbox: NotificationService) {
  const shared = { tags: ['notifications'], security: [{ bearer: [] }] };
  const read = { ...shared, middleware: [requireAuth(authenticator, { scope: 'profile:read' })] };
  const write = { ...shared, middleware: [requireAuth(authenticator, { scope: 'profile:write' })] };
  return new OpenAPIHono<AppEnv>()
    .openapi(
      createRoute({
        ...read,
        method: 'get',
        path: '/v1/me/notifications',
        summary: 'Notifications, newest first; `cursor` is the `next_cursor` of the page before',
        request: {
          query: z.object({
            unread: z.enum(['true', 'false']).optional(),
            limit: z.coerce.number().int().min(1).max(200).default(50),
            cursor: z.string().max(64).optional(),
          }),
        },
        responses: { 200: pageOf(Notification), ...problems(400, 401, 403) },
      }),
      async (c) => {
        const q = c.req.valid('query');
        const page = await inbox.list(c.var.principal.userId, { ...q, unread: q.unread === 'true' });
        return c.json(page, 200);
      },
    )
    .openapi(
      createRoute({
        ...read,
        method: 'get',
        path: '/v1/me/notifications/unread-count',
        summary: 'How many of your notifications are unread',
        responses: { 200: json(z.object({ unread: z.number().int() })), ...problems(401, 403) },
      }),
      async (c) => c.json(await inbox.unreadCount(c.var.principal.userId), 200),
    )
    .openapi(
      createRoute({
        ...read,
        method: 'get',
        path: '/v1/me/notifications/stream',
        summary: 'New notifications as server-sent events (`event: notification`), from the moment of connecting',
        responses: {
          200: SSE_RESPONSE,
          ...problems(401, 403),
        },
      }),
      (c) => {
        const userId = c.var.principal.userId;
        return sseStream(
          c,
          (send) => inbox.follow(userId, (n) => send({ id: n.id, event: 'notification', data: JSON.stringify(n) })),
          { event: 'ready', data: '{}' },
        );
      },
    )
    .openapi(
      createRoute({
        ...write,
        method: 'post',
        path: '/v1/me/notifications/read-all',
        summary: 'Mark all your notifications read',
        responses: { 200: json(z.object({ marked: z.number().int() })), ...problems(401, 403) },
      }),
      async (c) => c.json(await inbox.markAllRead(c.var.principal.userId), 200),
    )
    .openapi(
      createRoute({
        ...write,
        method: 'post',
        path: '/v1/me/notifications/{id}/read',
        summary: 'Mark one notification read',
        request: { params: z.object({ id: Uuid }) },
        responses: { 200: json(Notification), ...problems(400, 401, 403, 404) },
      }),
      async (c) => c.json(await inbox.markRead(c.var.principal.userId, c.req.valid('param').id), 200),
    );
}

/**
 * `/v1/orgs/{orgId}/notification-routes`: who hears of which severity, on which channels. Without
 * any, owners and admins hear of `major` and above in the inbox and by mail (`DEFAULT_ROUTES`).
 */
export function notificationRouteRoutes(auth: Authenticator, orgs: OrgRepository, service: NotificationService) {
  const route = orgRoutes((p) => orgGuard(auth, orgs, p));
  const tags = ['notifications'];
  const { list, show, remove } = routeShapes({ tags });
  const Id = OrgId.extend({ id: Uuid });
  const org = (c: { get(k: 'org'): { id: string } }) => c.get('org').id;
  return new OpenAPIHono<AppEnv>()
    .openapi(
      route(
        'org:read',
        list(
          '/v1/orgs/{orgId}/notification-routes',
          Route,
          { summary: "The organization's notification routes: which events reach whom, and how", params: OrgId },
          [401, 403, 404],
        ),
      ),
      async (c) => c.json({ data: await service.listRoutes(org(c)) }, 200),
    )
    .openapi(
      route('org:write', {
        method: 'post',
        path: '/v1/orgs/{orgId}/notification-routes',
        summary: 'Add a notification route',
        tags,
        request: { params: OrgId, body: jsonBody(RouteBody) },
        responses: { 201: json(Route), ...problems(400, 401, 403, 404) },
      }),
      async (c) => c.json(await service.createRoute(org(c), c.req.valid('json')), 201),
    )
    .openapi(
      route(
        'org:read',
        show(
          '/v1/orgs/{orgId}/notification-routes/{id}',
          Route,
          { summary: 'One notification route', params: Id },
          [400, 401, 403, 404],
        ),
      ),
      async (c) => c.json(await service.getRoute(org(c), c.req.valid('param').id), 200),
    )
    .openapi(
      route('org:write', {
        method: 'patch',
        path: '/v1/orgs/{orgId}/notification-routes/{id}',
        summary: 'Change a notification route',
        tags,
        request: { params: Id, body: jsonBody(RouteBody.partial()) },
        responses: { 200: json(Route), ...problems(400, 401, 403, 404) },
      }),
      async (c) => c.json(await service.updateRoute(org(c), c.req.valid('param').id, c.req.valid('json')), 200),
    )
    .openapi(
      route(
        'org:write',
        remove(
          '/v1/orgs/{orgId}/notification-routes/{id}',
          'Deleted',
          { summary: 'Delete a notification route', params: Id },
          [400, 401, 403, 404],
        ),
      ),
      (c) => noContent(c, service.deleteRoute(org(c), c.req.valid('param').id)),
    );
}
