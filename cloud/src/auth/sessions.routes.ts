import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.ts';
import { noContent, routeShapes } from '../http/openapi.ts';
import { IdParam, Session } from './auth.schemas.ts';
import { requireAuth } from './authenticate.ts';
import type { Auth } from './create-auth.ts';

const tags = ['me'];

/** The signed-in user's sessions: list them, end one (ending all is `/v1/auth/logout-all`). */
export function sessionRoutes({ sessions, authenticator }: Pick<Auth, 'sessions' | 'authenticator'>) {
  const session = requireAuth(authenticator, { sessionOnly: true });
  const { list, remove } = routeShapes({ tags, security: [{ bearer: [] }], middleware: [session] });
  return new OpenAPIHono<AppEnv>()
    .openapi(
      createRoute(
        list('/v1/me/sessions', Session, { summary: 'Your signed-in sessions, one per device or browser' }, [401, 403]),
      ),
      async (c) => c.json({ data: await sessions.list(c.var.principal) }, 200),
    )
    .openapi(
      createRoute(
        remove(
          '/v1/me/sessions/{id}',
          'Revoked',
          { summary: 'Sign out one of your sessions', params: IdParam },
          [401, 403, 404],
        ),
      ),
      (c) => noContent(c, sessions.revoke(c.var.principal, c.req.valid('param').id)),
    );
}
