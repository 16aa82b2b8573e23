import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../http/env.ts';
import { requestContext } from '../http/env.ts';
import { json, jsonBody, noContent, problems } from '../http/openapi.ts';
import { Unauthorized } from '../http/problem.ts';
import { CookieTokens, Email, MfaChallenge, Password, TokenPair, User } from './auth.schemas.ts';
import { requireAuth } from './authenticate.ts';
import type { Auth } from './create-auth.ts';
import { CSRF_HEADER, REFRESH_COOKIE, REFRESH_COOKIE_PATH } from './refresh-cookie.ts';
import type { TokenPair as Pair } from './sign-in.service.ts';
import type { TokenService } from './tokens.ts';

const tags = ['auth'];
const Accepted = z.object({ status: z.literal('accepted') });
const RefreshCookieFlag = z
  .boolean()
  .optional()
  .openapi({
    description: `true: the refresh token is set as the httpOnly cookie \`${REFRESH_COOKIE}\` (path ${REFRESH_COOKIE_PATH}) instead of answered; send the header \`${CSRF_HEADER}: 1\``,
  });

/** Sign-up, login (with MFA), refresh, logout, email verification, password reset, JWKS. */
export function authRoutes(
  {
    signIn,
    sessions,
    authenticator,
    refreshCookie,
  }: Pick<Auth, 'signIn' | 'sessions' | 'authenticator' | 'refreshCookie'>,
  tokens: TokenService,
) {
  const signedIn = requireAuth(authenticator);
  /**
   * Runs a step that ends in tokens. With `refresh_cookie` (the console) it is taken from the
   * platform's own pages only, and the refresh token goes into the cookie rather than the answer.
   */
  const tokensFor = async <T extends Pair | z.infer<typeof MfaChallenge>>(
    c: Context,
    cookie: boolean | undefined,
    work: () => Promise<T>,
  ): Promise<T | Omit<Pair, 'refresh_token'>> => {
    if (cookie) refreshCookie.guard(c);
    const result = await work();
    if (!cookie || !('refresh_token' in result)) return result;
    const { refresh_token, ...rest } = result as Pair;
    refreshCookie.set(c, refresh_token);
    return rest;
  };
  /** Ending sessions: signed in, nothing to answer. */
  const signOut = <P extends string>(path: P, summary: string, description: string) =>
    createRoute({
      method: 'post',
      path,
      tags,
      summary,
      middleware: [signedIn],
      security: [{ bearer: [] }],
      responses: { 204: { description }, ...problems(401) },
    });
  return new OpenAPIHono<AppEnv>()
    .openapi(
      createRoute({
        method: 'post',
        path: '/v1/auth/signup',
        security: [],
        tags,
        summary: 'Create an account',
        request: {
          body: jsonBody(z.object({ email: Email, password: Password, name: z.string().trim().max(100).optional() })),
        },
        responses: { 201: json(User, 'Created; a verification mail is sent'), ...problems(400, 415, 429) },
      }),
      async (c) => c.json(await signIn.signup(c.req.valid('json'), requestContext(c)), 201),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/v1/auth/login',
        security: [],
        tags,
        summary: 'Sign in with email and password',
        request: {
          body: jsonBody(z.object({ email: Email, password: Password, refresh_cookie: RefreshCookieFlag })),
        },
        responses: {
          200: json(z.union([TokenPair, CookieTokens, MfaChallenge]), 'Tokens, or an MFA challenge'),
          ...problems(400, 401, 403, 429),
        },
      }),
      async (c) => {
        const body = c.req.valid('json');
        return c.json(await tokensFor(c, body.refresh_cookie, () => signIn.login(body, requestContext(c))), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/v1/auth/mfa',
        security: [],
        tags,
        summary: 'Complete a login with a TOTP or recovery code',
        request: {
          body: jsonBody(
            z.object({
              mfa_token: z.string().min(1),
              code: z.string().min(6).max(32),
              refresh_cookie: RefreshCookieFlag,
            }),
          ),
        },
        responses: { 200: json(z.union([TokenPair, CookieTokens])), ...problems(400, 401, 403, 429) },
      }),
      async (c) => {
        const body = c.req.valid('json');
        return c.json(await tokensFor(c, body.refresh_cookie, () => signIn.completeMfa(body, requestContext(c))), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/v1/auth/refresh',
        security: [],
        tags,
        summary: 'Exchange a refresh token for a new pair (the old one stops working)',
        description: `Without \`refresh_token\`, the one in the cookie \`${REFRESH_COOKIE}\` (a console session): the call must then send \`${CSRF_HEADER}: 1\` and come from the platform's origin, and the new refresh token replaces the cookie.`,
        request: { body: jsonBody(z.object({ refresh_token: z.string().min(1).max(200).optional() })) },
        responses: { 200: json(z.union([TokenPair, CookieTokens])), ...problems(400, 401, 403, 429) },
      }),
      async (c) => {
        const { refresh_token } = c.req.valid('json');
        if (refresh_token) return c.json(await signIn.refresh(refresh_token, requestContext(c)), 200);
        const fromCookie = async () => {
          const cookie = refreshCookie.read(c);
          if (!cookie) throw new Unauthorized('Send refresh_token, or sign in again');
          // A refused cookie is left as it is: with two tabs refreshing at once, the one that lost
          // the race must not delete the cookie the winner has just set in the shared jar.
          return signIn.refresh(cookie, requestContext(c));
        };
        return c.json(await tokensFor(c, true, fromCookie), 200);
      },
    )
    .openapi(signOut('/v1/auth/logout', 'End this session', 'Signed out'), (c) => {
      // The cookie goes too; it is not read: the bearer token says which session ends.
      refreshCookie.clear(c);
      return noContent(c, signIn.logout(c.var.principal));
    })
    .openapi(signOut('/v1/auth/logout-all', 'End every session of this account', 'Signed out everywhere'), (c) => {
      refreshCookie.clear(c);
      return noContent(c, sessions.logoutAll(c.var.principal, requestContext(c)));
    })
    .openapi(
      createRoute({
        method: 'post',
        path: '/v1/auth/verify-email/request',
        tags,
        summary: 'Send the verification mail again',
        middleware: [signedIn],
        security: [{ bearer: [] }],
        responses: { 202: json(Accepted), ...problems(401, 409, 429) },
      }),
      async (c) => {
        await signIn.requestVerification(c.var.principal.userId);
        return c.json({ status: 'accepted' as const }, 202);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/v1/auth/verify-email',
        security: [],
        tags,
        summary: 'Verify an email address with the mailed token',
        request: { body: jsonBody(z.object({ token: z.string().min(1).max(200) })) },
        responses: { 204: { description: 'Verified' }, ...problems(400) },
      }),
      (c) => noContent(c, signIn.verifyEmail(c.req.valid('json').token)),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/v1/auth/password-reset/request',
        security: [],
        tags,
        summary: 'Mail a password reset link (the same answer whether or not the account exists)',
        request: { body: jsonBody(z.object({ email: Email })) },
        responses: { 202: json(Accepted), ...problems(400, 429) },
      }),
      async (c) => {
        await signIn.requestPasswordReset(c.req.valid('json').email, requestContext(c));
        return c.json({ status: 'accepted' as const }, 202);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/v1/auth/password-reset',
        security: [],
        tags,
        summary: 'Set a new password with the mailed token; ends every session',
        request: { body: jsonBody(z.object({ token: z.string().min(1).max(200), password: Password })) },
        responses: { 204: { description: 'Password changed' }, ...problems(400, 429) },
      }),
      (c) => noContent(c, signIn.resetPassword(c.req.valid('json'), requestContext(c))),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/.well-known/jwks.json',
        security: [],
        tags,
        summary: 'Public keys that verify access tokens',
        responses: { 200: json(z.object({ keys: z.array(z.record(z.string(), z.unknown())) })) },
      }),
      (c) => c.json(tokens.jwks() as { keys: Record<string, unknown>[] }, 200),
    );
}
