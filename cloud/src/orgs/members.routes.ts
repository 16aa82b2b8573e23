import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Authenticator } from '../auth/authenticator.ts';
import type { AppEnv } from '../http/env.ts';
import { json, jsonBody, problems } from '../http/openapi.ts';
import type { OrgRepository } from './org.repository.ts';
import type { OrgService } from './org.service.ts';
import { orgGuard } from './org-guard.ts';
import { orgContext as ctx, OrgId, orgRoutes } from './org-route.ts';

const tags = ['organizations'];
const Member = z.object({
  user_id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: z.string(),
  since: z.string(),
});
const MemberId = OrgId.extend({ userId: z.string().uuid() });

/** `/v1/orgs/{orgId}/members`: who belongs, with which role; removing them, or leaving. */
export function memberRoutes(auth: Authenticator, orgs: OrgRepository, service: OrgService) {
  const route = orgRoutes((p) => orgGuard(auth, orgs, p));
  return new OpenAPIHono<AppEnv>()
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
        request: { params: MemberId, body: jsonBody(z.object({ role: z.string().min(1).max(32) })) },
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
        request: { params: MemberId },
        responses: { 204: { description: 'Removed' }, ...problems(401, 403, 404, 409) },
      }),
      async (c) => {
        await service.removeMember(ctx(c), c.req.valid('param').userId);
        return c.body(null, 204);
      },
    );
}
