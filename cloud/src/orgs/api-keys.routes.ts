import { OpenAPIHono, z } from '@hono/zod-openapi';
import { PERMISSIONS } from '../access/permissions.ts';
import { ApiKey, KeyExpiry } from '../auth/auth.schemas.ts';
import type { AppEnv } from '../http/env.ts';
import { json, jsonBody, noContent, problems, routeShapes } from '../http/openapi.ts';
import { Uuid } from '../http/uuid.ts';
import type { OrgService } from './org.service.ts';
import { orgContext as ctx, OrgId } from './org-route.ts';
import type { OrgRoute } from './orgs.routes.ts';

const tags = ['organizations'];

/** `/v1/orgs/{orgId}/api-keys`: keys that act for the organization itself, capped by their scopes. */
export function orgApiKeyRoutes(route: OrgRoute, service: OrgService) {
  const { list, remove } = routeShapes({ tags });
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
              expires_at: KeyExpiry.optional(),
            }),
          ),
        },
        responses: { 201: json(ApiKey.extend({ secret: z.string() })), ...problems(400, 401, 403, 404) },
      }),
      async (c) => c.json(await service.createApiKey(ctx(c), c.req.valid('json')), 201),
    )
    .openapi(
      route(
        'api_keys:manage',
        list(
          '/v1/orgs/{orgId}/api-keys',
          ApiKey,
          { summary: "The organization's API keys (never their secrets)", params: OrgId },
          [401, 403, 404],
        ),
      ),
      async (c) => c.json({ data: await service.apiKeys(ctx(c)) }, 200),
    )
    .openapi(
      route(
        'api_keys:manage',
        remove(
          '/v1/orgs/{orgId}/api-keys/{id}',
          'Revoked',
          { summary: 'Revoke an organization API key', params: OrgId.extend({ id: Uuid }) },
          [401, 403, 404],
        ),
      ),
      (c) => noContent(c, service.revokeApiKey(ctx(c), c.req.valid('param').id)),
    );
}
