import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { requireAuth } from '../auth/authenticate.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import { type AppEnv, noteAudit } from '../http/env.ts';
import { json, jsonBody, noContent, problems, routeShapes } from '../http/openapi.ts';
import { Uuid } from '../http/uuid.ts';
import type { OrgService } from './org.service.ts';
import { orgContext as ctx, OrgId } from './org-route.ts';
import type { OrgRoute } from './orgs.routes.ts';

const tags = ['organizations'];
const Invitation = z
  .object({
    id: z.string().uuid(),
    email: z.string(),
    role: z.string(),
    expires_at: z.string(),
    created_at: z.string(),
  })
  .openapi('Invitation');
const InvitationId = OrgId.extend({ id: Uuid });

/** Invitations by email: sent, listed, resent and revoked by the organization, accepted by the invited. */
export function invitationRoutes(auth: Authenticator, route: OrgRoute, service: OrgService) {
  const { list, remove } = routeShapes({ tags });
  return new OpenAPIHono<AppEnv>()
    .openapi(
      createRoute({
        method: 'post',
        path: '/v1/invitations/accept',
        tags,
        security: [{ bearer: [] }],
        summary: 'Accept an invitation with its mailed token, as the invited account',
        middleware: [requireAuth(auth, { sessionOnly: true })],
        request: { body: jsonBody(z.object({ token: z.string().min(1).max(200) })) },
        responses: {
          200: json(z.object({ org_id: z.string(), name: z.string().nullable(), role: z.string() })),
          ...problems(400, 401, 402, 403),
        },
      }),
      async (c) => {
        const joined = await service.acceptInvitation(c.var.principal.userId, c.req.valid('json').token);
        noteAudit(c, { orgId: joined.org_id, detail: { role: { before: null, after: joined.role } } });
        return c.json(joined, 200);
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
      route(
        'members:manage',
        list(
          '/v1/orgs/{orgId}/invitations',
          Invitation,
          { summary: 'Pending invitations to the organization', params: OrgId },
          [401, 403, 404],
        ),
      ),
      async (c) => c.json({ data: await service.invitations(ctx(c)) }, 200),
    )
    .openapi(
      route('members:manage', {
        method: 'post',
        path: '/v1/orgs/{orgId}/invitations/{id}/resend',
        summary: 'Send a pending invitation again',
        tags,
        request: { params: InvitationId },
        responses: { 200: json(Invitation), ...problems(401, 403, 404) },
      }),
      async (c) => c.json(await service.resendInvitation(ctx(c), c.req.valid('param').id), 200),
    )
    .openapi(
      route(
        'members:manage',
        remove(
          '/v1/orgs/{orgId}/invitations/{id}',
          'Revoked',
          { summary: 'Withdraw a pending invitation', params: InvitationId },
          [401, 403, 404],
        ),
      ),
      (c) => noContent(c, service.revokeInvitation(ctx(c), c.req.valid('param').id)),
    );
}
