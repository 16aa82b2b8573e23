import { OpenAPIHono, z } from '@hono/zod-openapi';
import { PERMISSIONS } from '../access/permissions.ts';
import { type AppEnv, noteAudit } from '../http/env.ts';
import { json, jsonBody, noContent, problems, routeShapes } from '../http/openapi.ts';
import type { OrgService } from './org.service.ts';
import { orgContext as ctx, OrgId } from './org-route.ts';
import type { OrgRoute } from './orgs.routes.ts';

const tags = ['organizations'];
const RoleName = z.string().regex(/^[a-z][a-z0-9_-]{1,31}$/, 'must be 2-32 lower-case letters, digits, _ or -');
const Role = z.object({ name: z.string(), permissions: z.array(z.string()), builtin: z.boolean() });

/** `/v1/orgs/{orgId}/roles`: the built-in roles and the organization's own. */
export function roleRoutes(route: OrgRoute, service: OrgService) {
  const { list, remove } = routeShapes({ tags });
  return new OpenAPIHono<AppEnv>()
    .openapi(
      route(
        'members:read',
        list(
          '/v1/orgs/{orgId}/roles',
          Role,
          { summary: "The organization's roles, built-in and custom, with their permissions", params: OrgId },
          [401, 403, 404],
        ),
      ),
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
      async (c) => {
        const { role, changes } = await service.putRole(
          ctx(c),
          c.req.valid('param').name,
          c.req.valid('json').permissions,
        );
        noteAudit(c, { detail: changes });
        return c.json(role, 200);
      },
    )
    .openapi(
      route(
        'roles:manage',
        remove(
          '/v1/orgs/{orgId}/roles/{name}',
          'Deleted',
          { summary: 'Delete a custom role', params: OrgId.extend({ name: RoleName }) },
          [401, 403, 404, 409],
        ),
      ),
      (c) => noContent(c, service.deleteRole(ctx(c), c.req.valid('param').name)),
    );
}
