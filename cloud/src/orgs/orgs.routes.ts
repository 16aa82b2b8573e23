import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { stream } from 'hono/streaming';
import { ApiKey, TimeZone } from '../auth/auth.schemas.ts';
import type { AuthService } from '../auth/auth.service.ts';
import { requireAuth } from '../auth/authenticate.ts';
import { csvRecord } from '../http/csv.ts';
import type { AppEnv } from '../http/env.ts';
import { json, jsonBody, problems } from '../http/openapi.ts';
import type { OrgRepository } from './org.repository.ts';
import type { OrgContext, OrgService } from './org.service.ts';
import { orgGuard } from './org-guard.ts';
import { orgRoutes } from './org-route.ts';
import { PERMISSIONS } from './permissions.ts';

const tags = ['organizations'];
const OrgId = z.object({ orgId: z.string() });
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
const RoleName = z.string().regex(/^[a-z][a-z0-9_-]{1,31}$/, 'must be 2-32 lower-case letters, digits, _ or -');
const Member = z.object({
  user_id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: z.string(),
  since: z.string(),
});
const Role = z.object({ name: z.string(), permissions: z.array(z.string()), builtin: z.boolean() });
const Invitation = z
  .object({
    id: z.string().uuid(),
    email: z.string(),
    role: z.string(),
    expires_at: z.string(),
    created_at: z.string(),
  })
  .openapi('Invitation');
const AuditEntry = z
  .object({
    id: z.string(),
    at: z.string(),
    actor_type: z.string(),
    actor_id: z.string().nullable(),
    action: z.string(),
    target_type: z.string().nullable(),
    target_id: z.string().nullable(),
    result: z.enum(['success', 'failure']),
    status: z.number().nullable(),
    address: z.string().nullable(),
    user_agent: z.string().nullable(),
    request_id: z.string().nullable(),
  })
  .openapi('AuditEntry');
const AuditFilters = z.object({
  actor: z.string().max(100).optional(),
  action: z.string().max(200).optional(),
  target: z.string().max(100).optional(),
  from: z.string().datetime({ offset: true }).optional(),
  to: z.string().datetime({ offset: true }).optional(),
});

/** What the guard learned, as the service wants it. */
function ctx(c: Context<AppEnv>): OrgContext {
  const org = c.get('org');
  return {
    id: org.id,
    role: org.role,
    permissions: org.permissions,
    userId: org.actor.kind === 'user' ? org.actor.userId : undefined,
  };
}

/** Organizations and everything about them: members, roles, invitations, API keys, audit. */
export function organizationRoutes(auth: AuthService, orgs: OrgRepository, service: OrgService) {
  const route = orgRoutes((p) => orgGuard(auth, orgs, p));
  const signedIn = requireAuth(auth, { sessionOnly: true });
  return new OpenAPIHono<AppEnv>()
    .openapi(
      createRoute({
        method: 'post',
        path: '/v1/orgs',
        tags,
        security: [{ bearer: [] }],
        summary: 'Create an organization; you become its owner',
        middleware: [signedIn],
        request: { body: jsonBody(z.object({ name: z.string().trim().min(1).max(100), slug: Slug.optional() })) },
        responses: { 201: json(Org), ...problems(400, 401, 409) },
      }),
      async (c) => c.json(await service.create(c.var.principal.userId, c.req.valid('json')), 201),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/v1/orgs',
        tags,
        security: [{ bearer: [] }],
        summary: 'Your organizations, with your role in each',
        middleware: [requireAuth(auth)],
        responses: { 200: json(z.object({ data: z.array(Org) })), ...problems(401) },
      }),
      async (c) => c.json({ data: await service.list(c.var.principal.userId) }, 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/v1/invitations/accept',
        tags,
        security: [{ bearer: [] }],
        summary: 'Accept an invitation with its mailed token, as the invited account',
        middleware: [signedIn],
        request: { body: jsonBody(z.object({ token: z.string().min(1).max(200) })) },
        responses: {
          200: json(z.object({ org_id: z.string(), name: z.string().nullable(), role: z.string() })),
          ...problems(400, 401, 402, 403),
        },
      }),
      async (c) => c.json(await service.acceptInvitation(c.var.principal.userId, c.req.valid('json').token), 200),
    )
    .openapi(
      route('org:read', {
        method: 'get',
        path: '/v1/orgs/{orgId}',
        tags,
        request: { params: OrgId },
        responses: { 200: json(Org), ...problems(401, 403, 404) },
      }),
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
      async (c) => c.json(await service.update(ctx(c), c.req.valid('json')), 200),
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
    )
    .openapi(
      route('members:read', {
        method: 'get',
        path: '/v1/orgs/{orgId}/members',
        tags,
        request: { params: OrgId },
        responses: { 200: json(z.object({ data: z.array(Member) })), ...problems(401, 403, 404) },
      }),
      async (c) => c.json({ data: await service.members(ctx(c)) }, 200),
    )
    .openapi(
      route('members:manage', {
        method: 'patch',
        path: '/v1/orgs/{orgId}/members/{userId}',
        tags,
        request: {
          params: OrgId.extend({ userId: z.string().uuid() }),
          body: jsonBody(z.object({ role: z.string().min(1).max(32) })),
        },
        responses: { 204: { description: 'Changed' }, ...problems(400, 401, 403, 404, 409) },
      }),
      async (c) => {
        await service.changeRole(ctx(c), c.req.valid('param').userId, c.req.valid('json').role);
        return c.body(null, 204);
      },
    )
    .openapi(
      // Leaving needs only membership; removing someone else needs members:manage (checked in the service).
      route('org:read', {
        method: 'delete',
        path: '/v1/orgs/{orgId}/members/{userId}',
        tags,
        summary: 'Remove a member, or leave (your own user id)',
        request: { params: OrgId.extend({ userId: z.string().uuid() }) },
        responses: { 204: { description: 'Removed' }, ...problems(401, 403, 404, 409) },
      }),
      async (c) => {
        await service.removeMember(ctx(c), c.req.valid('param').userId);
        return c.body(null, 204);
      },
    )
    .openapi(
      route('members:read', {
        method: 'get',
        path: '/v1/orgs/{orgId}/roles',
        tags,
        request: { params: OrgId },
        responses: { 200: json(z.object({ data: z.array(Role) })), ...problems(401, 403, 404) },
      }),
      async (c) => c.json({ data: await service.roles(ctx(c)) }, 200),
    )
    .openapi(
      route('roles:manage', {
        method: 'put',
        path: '/v1/orgs/{orgId}/roles/{name}',
        tags,
        summary: 'Create or replace a custom role',
        request: {
          params: OrgId.extend({ name: RoleName }),
          body: jsonBody(z.object({ permissions: z.array(z.enum(PERMISSIONS)).min(1) })),
        },
        responses: { 200: json(Role), ...problems(400, 401, 403, 404, 409) },
      }),
      async (c) =>
        c.json(await service.putRole(ctx(c), c.req.valid('param').name, c.req.valid('json').permissions), 200),
    )
    .openapi(
      route('roles:manage', {
        method: 'delete',
        path: '/v1/orgs/{orgId}/roles/{name}',
        tags,
        request: { params: OrgId.extend({ name: RoleName }) },
        responses: { 204: { description: 'Deleted' }, ...problems(401, 403, 404, 409) },
      }),
      async (c) => {
        await service.deleteRole(ctx(c), c.req.valid('param').name);
        return c.body(null, 204);
      },
    )
    .openapi(
      route('members:manage', {
        method: 'post',
        path: '/v1/orgs/{orgId}/invitations',
        tags,
        summary: 'Invite someone by email; they get a single-use link',
        request: {
          params: OrgId,
          body: jsonBody(z.object({ email: z.string().trim().email().max(254), role: z.string().min(1).max(32) })),
        },
        responses: { 201: json(Invitation), ...problems(400, 401, 402, 403, 404) },
      }),
      async (c) => c.json(await service.invite(ctx(c), c.req.valid('json')), 201),
    )
    .openapi(
      route('members:manage', {
        method: 'get',
        path: '/v1/orgs/{orgId}/invitations',
        tags,
        request: { params: OrgId },
        responses: { 200: json(z.object({ data: z.array(Invitation) })), ...problems(401, 403, 404) },
      }),
      async (c) => c.json({ data: await service.invitations(ctx(c)) }, 200),
    )
    .openapi(
      route('members:manage', {
        method: 'post',
        path: '/v1/orgs/{orgId}/invitations/{id}/resend',
        tags,
        request: { params: OrgId.extend({ id: z.string().uuid() }) },
        responses: { 200: json(Invitation), ...problems(401, 403, 404) },
      }),
      async (c) => c.json(await service.resendInvitation(ctx(c), c.req.valid('param').id), 200),
    )
    .openapi(
      route('members:manage', {
        method: 'delete',
        path: '/v1/orgs/{orgId}/invitations/{id}',
        tags,
        request: { params: OrgId.extend({ id: z.string().uuid() }) },
        responses: { 204: { description: 'Revoked' }, ...problems(401, 403, 404) },
      }),
      async (c) => {
        await service.revokeInvitation(ctx(c), c.req.valid('param').id);
        return c.body(null, 204);
      },
    )
    .openapi(
      route('api_keys:manage', {
        method: 'post',
        path: '/v1/orgs/{orgId}/api-keys',
        tags,
        summary: 'An API key that acts for the organization (servers, CI); the secret is shown once',
        request: {
          params: OrgId,
          body: jsonBody(
            z.object({
              name: z.string().trim().min(1).max(100),
              scopes: z.array(z.enum(PERMISSIONS)).min(1),
              expires_at: z.string().datetime({ offset: true }).optional(),
            }),
          ),
        },
        responses: { 201: json(ApiKey.extend({ secret: z.string() })), ...problems(400, 401, 403, 404) },
      }),
      async (c) => c.json(await service.createApiKey(ctx(c), c.req.valid('json')), 201),
    )
    .openapi(
      route('api_keys:manage', {
        method: 'get',
        path: '/v1/orgs/{orgId}/api-keys',
        tags,
        request: { params: OrgId },
        responses: { 200: json(z.object({ data: z.array(ApiKey) })), ...problems(401, 403, 404) },
      }),
      async (c) => c.json({ data: await service.apiKeys(ctx(c)) }, 200),
    )
    .openapi(
      route('api_keys:manage', {
        method: 'delete',
        path: '/v1/orgs/{orgId}/api-keys/{id}',
        tags,
        request: { params: OrgId.extend({ id: z.string().uuid() }) },
        responses: { 204: { description: 'Revoked' }, ...problems(401, 403, 404) },
      }),
      async (c) => {
        await service.revokeApiKey(ctx(c), c.req.valid('param').id);
        return c.body(null, 204);
      },
    )
    .openapi(
      route('audit:read', {
        method: 'get',
        path: '/v1/orgs/{orgId}/audit',
        tags,
        summary: 'The audit log, newest first, filtered, with cursor pagination',
        request: {
          params: OrgId,
          query: AuditFilters.extend({
            limit: z.coerce.number().int().min(1).max(500).default(100),
            cursor: z.string().max(200).optional(),
          }),
        },
        responses: {
          200: json(z.object({ data: z.array(AuditEntry), next_cursor: z.string().nullable() })),
          ...problems(400, 401, 403, 404),
        },
      }),
      async (c) => {
        const q = c.req.valid('query');
        return c.json(
          await service.audit(ctx(c), {
            ...q,
            from: q.from ? new Date(q.from) : undefined,
            to: q.to ? new Date(q.to) : undefined,
          }),
          200,
        );
      },
    )
    .openapi(
      route('audit:read', {
        method: 'get',
        path: '/v1/orgs/{orgId}/audit/export',
        tags,
        summary: 'The whole filtered audit log as CSV or NDJSON, streamed',
        request: { params: OrgId, query: AuditFilters.extend({ format: z.enum(['csv', 'ndjson']).default('ndjson') }) },
        responses: {
          200: {
            description: 'The export',
            content: { 'text/csv': { schema: z.string() }, 'application/x-ndjson': { schema: z.string() } },
          },
          ...problems(400, 401, 403, 404),
        },
      }),
      (c) => {
        const q = c.req.valid('query');
        const rows = service.auditAll(ctx(c), {
          ...q,
          from: q.from ? new Date(q.from) : undefined,
          to: q.to ? new Date(q.to) : undefined,
        });
        const csv = q.format === 'csv';
        c.header('content-type', csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson');
        c.header('content-disposition', `attachment; filename="audit.${csv ? 'csv' : 'ndjson'}"`);
        return stream(c, async (out) => {
          let header = csv;
          for await (const row of rows) {
            if (header) {
              await out.write(csvRecord(Object.keys(row)));
              header = false;
            }
            await out.write(csv ? csvRecord(Object.values(row)) : `${JSON.stringify(row)}\n`);
          }
        });
      },
    );
}
