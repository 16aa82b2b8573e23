import { OpenAPIHono, z } from '@hono/zod-openapi';
import { ApiKey } from '../auth/auth.schemas.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import type { AppEnv } from '../http/env.ts';
import { json, jsonBody, problems } from '../http/openapi.ts';
import type { OrgRepository } from './org.repository.ts';
import type { OrgService } from './org.service.ts';
import { orgGuard } from './org-guard.ts';
import { orgContext as ctx, OrgId, orgRoutes } from './org-route.ts';
import { PERMISSIONS } from './permissions.ts';

const tags = ['organizations'];

/** `/v1/orgs/{orgId}/api-keys`: keys that act for the organization itself, capped by their scopes. */
export function orgApiKeyRoutes(auth: Authenticator, orgs: OrgRepository, service: OrgService) {
  const route = orgRoutes((p) => orgGuard(auth, orgs, p));
  return new OpenAPIHono<AppEnv>()
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
    );
}
