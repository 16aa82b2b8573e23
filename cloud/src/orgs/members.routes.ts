import { OpenAPIHono, z } from '@hono/zod-openapi';
import { type AppEnv, noteAudit } from '../http/env.ts';
import { jsonBody, noContent, problems, routeShapes } from '../http/openapi.ts';
import { Uuid } from '../http/uuid.ts';
import type { OrgService } from './org.service.ts';
import { orgContext as ctx, OrgId } from './org-route.ts';
import type { OrgRoute } from './orgs.routes.ts';

const tags = ['organizations'];
const Member = z.object({
  user_id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: z.string(),
  since: z.string(),
});
const MemberId = OrgId.extend({ userId: Uuid });

/** `/v1/orgs/{orgId}/members`: who belongs, with which role; removing them, or leaving. */
export function memberRoutes(route: OrgRoute, service: OrgService) {
  const { list, remove } = routeShapes({ tags });
  return new OpenAPIHono<AppEnv>()
    .openapi(
      route(
        'members:read',
        list(
          '/v1/orgs/{orgId}/members',
          Member,
          { summary: "The organization's members and their roles", params: OrgId },
          [401, 403, 404],
        ),
      ),
      async (c) => c.json({ data: await service.members(ctx(c)) }, 200),
    )
    .openapi(
      route('members:manage', {
        method: 'patch',
        path: '/v1/orgs/{orgId}/members/{userId}',
        summary: "Change a member's role",
        tags,
        request: { params: MemberId, body: jsonBody(z.object({ role: z.string().min(1).max(32) })) },
        responses: { 204: { description: 'Changed' }, ...problems(400, 401, 403, 404, 409) },
      }),
      (c) =>
        noContent(
          c,
          service
            .changeRole(ctx(c), c.req.valid('param').userId, c.req.valid('json').role)
            .then((detail) => noteAudit(c, { detail })),
        ),
    )
    .openapi(
      // Leaving needs only membership; removing someone else needs members:manage (checked in the service).
      route(
        'org:read',
        remove(
          '/v1/orgs/{orgId}/members/{userId}',
          'Removed',
          { summary: 'Remove a member, or leave (your own user id)', params: MemberId },
          [401, 403, 404, 409],
        ),
      ),
      (c) =>
        noContent(
          c,
          service.removeMember(ctx(c), c.req.valid('param').userId).then((detail) => noteAudit(c, { detail })),
        ),
    );
}
