import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.ts';
import { json, problems } from '../http/openapi.ts';
import { IdParam, Session } from './auth.schemas.ts';
import { requireAuth } from './authenticate.ts';
import type { Auth } from './create-auth.ts';

const tags = ['me'];
const security = [{ bearer: [] }];

/** The signed-in user's sessions: list them, end one (ending all is `/v1/auth/logout-all`). */
export function sessionRoutes({ sessions, authenticator }: Pick<Auth, 'sessions' | 'authenticator'>) {
  const session = requireAuth(authenticator, { sessionOnly: true });
  return new OpenAPIHono<AppEnv>()
    .openapi(
      createRoute({
        method: 'get',
        path: '/v1/me/sessions',
        tags,
        security,
        middleware: [session],
        responses: { 200: json(z.object({ data: z.array(Session) })), ...problems(401, 403) },
      }),
      async (c) => c.json({ data: await sessions.list(c.var.principal) }, 200),
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/v1/me/sessions/{id}',
        tags,
        security,
        middleware: [session],
        request: { params: IdParam },
        responses: { 204: { description: 'Revoked' }, ...problems(401, 403, 404) },
      }),
      async (c) => {
        await sessions.revoke(c.var.principal, c.req.valid('param').id);
        return c.body(null, 204);
      },
    );
}
