import type { MiddlewareHandler } from 'hono';
import { bearerToken } from '../http/bearer.ts';
import type { AppEnv } from '../http/env.ts';
import { Forbidden } from '../http/problem.ts';
import type { Authenticator } from './authenticator.ts';

export interface RequireAuthOptions {
  /** The API-key scope the route needs; session tokens carry every scope. */
  scope?: string;
  /** Only a signed-in person, never an API key (managing credentials). */
  sessionOnly?: boolean;
  /** Platform operators only. */
  admin?: boolean;
}

/**
 * Resolves `Authorization: Bearer <access token | API key>` to `c.var.principal`, and checks it.
 * @example router.use('/v1/me/*', requireAuth(auth, { scope: 'profile:read' }));
 */
export function requireAuth(
  auth: Pick<Authenticator, 'authenticate'>,
  { scope, sessionOnly, admin }: RequireAuthOptions = {},
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = await auth.authenticate(bearerToken(c.req.header('authorization')));
    c.set('actor', principal);
    if (sessionOnly && !principal.sessionId) throw new Forbidden('This needs a signed-in session, not an API key');
    if (admin && !principal.isAdmin) throw new Forbidden('Platform operators only');
    if (scope && principal.scopes !== '*' && !principal.scopes.includes(scope)) {
      throw new Forbidden(`This API key lacks the scope ${scope}`);
    }
    c.set('principal', principal);
    await next();
  };
}
