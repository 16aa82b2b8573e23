import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.ts';
import { requestContext } from '../http/env.ts';
import { json, jsonBody, noContent, problems } from '../http/openapi.ts';
import { Email, MfaChallenge, Password, TokenPair, User } from './auth.schemas.ts';
import { requireAuth } from './authenticate.ts';
import type { Auth } from './create-auth.ts';
import type { TokenService } from './tokens.ts';

const tags = ['auth'];
const Accepted = z.object({ status: z.literal('accepted') });

/** Sign-up, login (with MFA), refresh, logout, email verification, password reset, JWKS. */
export function authRoutes(
  { signIn, sessions, authenticator }: Pick<Auth, 'signIn' | 'sessions' | 'authenticator'>,
  tokens: TokenService,
) {
  const signedIn = requireAuth(authenticator);
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
        request: { body: jsonBody(z.object({ email: Email, password: Password })) },
        responses: {
          200: json(z.union([TokenPair, MfaChallenge]), 'Tokens, or an MFA challenge'),
          ...problems(400, 401, 403, 429),
        },
      }),
      async (c) => c.json(await signIn.login(c.req.valid('json'), requestContext(c)), 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/v1/auth/mfa',
        security: [],
        tags,
        summary: 'Complete a login with a TOTP or recovery code',
        request: { body: jsonBody(z.object({ mfa_token: z.string().min(1), code: z.string().min(6).max(32) })) },
        responses: { 200: json(TokenPair), ...problems(400, 401, 429) },
      }),
      async (c) => c.json(await signIn.completeMfa(c.req.valid('json'), requestContext(c)), 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/v1/auth/refresh',
        security: [],
        tags,
        summary: 'Exchange a refresh token for a new pair (the old one stops working)',
        request: { body: jsonBody(z.object({ refresh_token: z.string().min(1).max(200) })) },
        responses: { 200: json(TokenPair), ...problems(400, 401, 429) },
      }),
      async (c) => c.json(await signIn.refresh(c.req.valid('json').refresh_token, requestContext(c)), 200),
    )
    .openapi(signOut('/v1/auth/logout', 'End this session', 'Signed out'), (c) =>
      noContent(c, signIn.logout(c.var.principal)),
    )
    .openapi(signOut('/v1/auth/logout-all', 'End every session of this account', 'Signed out everywhere'), (c) =>
      noContent(c, sessions.logoutAll(c.var.principal, requestContext(c))),
    )
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
