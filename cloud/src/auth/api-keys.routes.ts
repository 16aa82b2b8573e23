import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.ts';
import { requestContext } from '../http/env.ts';
import { json, jsonBody, noContent, problems, routeShapes } from '../http/openapi.ts';
import { API_KEY_SCOPES, ApiKey, IdParam, KeyExpiry } from './auth.schemas.ts';
import { requireAuth } from './authenticate.ts';
import type { Auth } from './create-auth.ts';

const tags = ['me'];
const security = [{ bearer: [] }];

/** The signed-in user's personal API keys: create (the secret is shown once), list, revoke. */
export function personalApiKeyRoutes({ apiKeys, authenticator }: Pick<Auth, 'apiKeys' | 'authenticator'>) {
  // Only a signed-in person manages credentials: an API key cannot mint or revoke keys.
  const session = requireAuth(authenticator, { sessionOnly: true });
  const { list, remove } = routeShapes({ tags, security, middleware: [session] });
  return new OpenAPIHono<AppEnv>()
    .openapi(
      createRoute({
        method: 'post',
        path: '/v1/me/api-keys',
        tags,
        security,
        summary: 'Create an API key; its secret is shown in this response only',
        middleware: [session],
        request: {
          body: jsonBody(
            z.object({
              name: z.string().trim().min(1).max(100),
              scopes: z.array(z.enum(API_KEY_SCOPES)).min(1),
              expires_at: KeyExpiry.optional(),
            }),
          ),
        },
        responses: { 201: json(ApiKey.extend({ secret: z.string() })), ...problems(400, 401, 403) },
      }),
      async (c) => c.json(await apiKeys.create(c.var.principal, c.req.valid('json'), requestContext(c)), 201),
    )
    .openapi(
      createRoute(
        list('/v1/me/api-keys', ApiKey, { summary: 'Your personal API keys (never their secrets)' }, [401, 403]),
      ),
      async (c) => c.json({ data: await apiKeys.list(c.var.principal) }, 200),
    )
    .openapi(
      createRoute(
        remove(
          '/v1/me/api-keys/{id}',
          'Revoked',
          { summary: 'Revoke one of your personal API keys', params: IdParam },
          [401, 403, 404],
        ),
      ),
      (c) => noContent(c, apiKeys.revoke(c.var.principal, c.req.valid('param').id, requestContext(c))),
    );
}
