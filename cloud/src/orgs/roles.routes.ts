import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Authenticator } from '../auth/authenticator.ts';
import type { AppEnv } from '../http/env.ts';
import { json, jsonBody, problems } from '../http/openapi.ts';
import type { OrgRepository } from './org.repository.ts';
import type { OrgService } from './org.service.ts';
import { orgGuard } from './org-guard.ts';
import { orgContext as ctx, OrgId, orgRoutes } from './org-route.ts';
import { PERMISSIONS } from './permissions.ts';

const tags = ['organizations'];
const RoleName = z.string().regex(/^[a-z][a-z0-9_-]{1,31}$/, 'must be 2-32 lower-case letters, digits, _ or -');
const Role = z.object({ name: z.string(), permissions: z.array(z.string()), builtin: z.boolean() });

/** `/v1/orgs/{orgId}/roles`: the built-in roles and the organization's own. */
export function roleRoutes(auth: Authenticator, orgs: OrgRepository, service: OrgService) {
  const route = orgRoutes((p) => orgGuard(auth, orgs, p));
  return new OpenAPIHono<AppEnv>()
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
    );
}
