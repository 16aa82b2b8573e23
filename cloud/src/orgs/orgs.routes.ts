import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { TimeZone } from '../auth/auth.schemas.ts';
import { requireAuth } from '../auth/authenticate.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import { type AppEnv, noteAudit } from '../http/env.ts';
import { json, jsonBody, listOf, problems, routeShapes } from '../http/openapi.ts';
import { orgApiKeyRoutes } from './api-keys.routes.ts';
import { auditRoutes } from './audit.routes.ts';
import { invitationRoutes } from './invitations.routes.ts';
import { memberRoutes } from './members.routes.ts';
import type { OrgRepository } from './org.repository.ts';
import type { OrgService } from './org.service.ts';
import { orgGuard } from './org-guard.ts';
import { orgContext as ctx, OrgId, orgRoutes } from './org-route.ts';
import { roleRoutes } from './roles.routes.ts';

const tags = ['organizations'];
const Slug = z
  .string()
  .regex(/^[a-z0-9](-?[a-z0-9])*$/, 'must be lower-case letters, digits and single dashes')
  .min(2)
  .max(63);
const Settings = z
  .object({
    retention_days: z.number().int().min(1).max(3650),
    timezone: TimeZone,
  })
  .partial()
  .strict();
const Org = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    slug: z.string().nullable(),
    settings: z.record(z.string(), z.unknown()),
    created_at: z.string(),
    role: z.string().nullable(),
  })
  .openapi('Organization');

/** Declares an organization route guarded by the permission it names; built once, shared by the sub-apps below. */
export type OrgRoute = ReturnType<typeof orgRoutes>;

/** Organizations and everything about them: members, roles, invitations, API keys, audit. */
export function organizationRoutes(auth: Authenticator, orgs: OrgRepository, service: OrgService) {
  // One guard for all of them: each route names the permission it needs.
  const route = orgRoutes((p) => orgGuard(auth, orgs, p));
  return new OpenAPIHono<AppEnv>()
    .route('/', orgsRoutes(auth, route, service))
    .route('/', memberRoutes(route, service))
    .route('/', roleRoutes(route, service))
    .route('/', invitationRoutes(auth, route, service))
    .route('/', orgApiKeyRoutes(route, service))
    .route('/', auditRoutes(route, service));
}

/** `/v1/orgs`: create, list, read, rename and settings, and deletion in two steps. */
function orgsRoutes(auth: Authenticator, route: OrgRoute, service: OrgService) {
  const { show } = routeShapes({ tags });
  return new OpenAPIHono<AppEnv>()
    .openapi(
      createRoute({
        method: 'post',
        path: '/v1/orgs',
        tags,
        security: [{ bearer: [] }],
        summary: 'Create an organization; you become its owner',
        middleware: [requireAuth(auth, { sessionOnly: true })],
        request: { body: jsonBody(z.object({ name: z.string().trim().min(1).max(100), slug: Slug.optional() })) },
        responses: { 201: json(Org), ...problems(400, 401, 409) },
      }),
      async (c) => {
        const org = await service.create(c.var.principal.userId, c.req.valid('json'));
        // The path names no organization: the entry goes to the new one's log.
        noteAudit(c, { orgId: org.id });
        return c.json(org, 201);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/v1/orgs',
        tags,
        security: [{ bearer: [] }],
        summary: 'Your organizations, with your role in each',
        middleware: [requireAuth(auth)],
        responses: { 200: listOf(Org), ...problems(401) },
      }),
      async (c) => c.json({ data: await service.list(c.var.principal.userId) }, 200),
    )
    .openapi(
      route(
        'org:read',
        show(
          '/v1/orgs/{orgId}',
          Org,
          { summary: 'One organization, with your role in it', params: OrgId },
          [401, 403, 404],
        ),
      ),
      async (c) => c.json(await service.get(ctx(c)), 200),
    )
    .openapi(
      route('org:write', {
        method: 'patch',
        path: '/v1/orgs/{orgId}',
        tags,
        summary: 'Rename, change the slug or the settings (default retention, timezone)',
        request: {
          params: OrgId,
          body: jsonBody(
            z
              .object({
                name: z.string().trim().min(1).max(100).optional(),
                slug: Slug.optional(),
                settings: Settings.optional(),
              })
              .strict(),
          ),
        },
        responses: { 200: json(Org), ...problems(400, 401, 403, 404, 409) },
      }),
      async (c) => {
        const { org, changes } = await service.update(ctx(c), c.req.valid('json'));
        noteAudit(c, { detail: changes });
        return c.json(org, 200);
      },
    )
    .openapi(
      route('org:delete', {
        method: 'post',
        path: '/v1/orgs/{orgId}/deletion',
        tags,
        summary: 'Step one of deleting: a confirmation token valid for ten minutes',
        request: { params: OrgId },
        responses: {
          200: json(z.object({ confirmation_token: z.string(), expires_in: z.number() })),
          ...problems(401, 403, 404),
        },
      }),
      async (c) => c.json(await service.requestDeletion(ctx(c)), 200),
    )
    .openapi(
      route('org:delete', {
        method: 'delete',
        path: '/v1/orgs/{orgId}',
        tags,
        summary: "Step two: devices' credentials stop working at once; data is purged after a grace period",
        request: { params: OrgId, body: jsonBody(z.object({ confirmation_token: z.string().min(1) })) },
        responses: {
          202: json(z.object({ status: z.literal('deleted'), purge_after: z.string() })),
          ...problems(400, 401, 403, 404),
        },
      }),
      async (c) => c.json(await service.confirmDeletion(ctx(c), c.req.valid('json').confirmation_token), 202),
    );
}
