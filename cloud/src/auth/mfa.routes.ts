import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.ts';
import { requestContext } from '../http/env.ts';
import { json, jsonBody, noContent, problems } from '../http/openapi.ts';
import { requireAuth } from './authenticate.ts';
import type { Auth } from './create-auth.ts';

const tags = ['me'];
const security = [{ bearer: [] }];

/** The signed-in user's second factor: TOTP enrollment and confirmation (with recovery codes), disabling. */
export function mfaRoutes({ mfa, authenticator }: Pick<Auth, 'mfa' | 'authenticator'>) {
  const session = requireAuth(authenticator, { sessionOnly: true });
  return new OpenAPIHono<AppEnv>()
    .openapi(
      createRoute({
        method: 'post',
        path: '/v1/me/mfa/totp',
        tags,
        security,
        summary: 'Start TOTP enrollment: a secret and an otpauth:// URI for a QR code',
        middleware: [session],
        responses: { 200: json(z.object({ secret: z.string(), otpauth_uri: z.string() })), ...problems(401, 403, 409) },
      }),
      async (c) => c.json(await mfa.enrollTotp(c.var.principal), 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/v1/me/mfa/totp/confirm',
        tags,
        security,
        summary: 'Confirm enrollment with a code; returns one-time recovery codes',
        middleware: [session],
        request: { body: jsonBody(z.object({ code: z.string().regex(/^\d{6}$/, 'must be 6 digits') })) },
        responses: { 200: json(z.object({ recovery_codes: z.array(z.string()) })), ...problems(400, 401, 403, 409) },
      }),
      async (c) => c.json(await mfa.confirmTotp(c.var.principal, c.req.valid('json').code, requestContext(c)), 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/v1/me/mfa/totp/disable',
        summary: 'Turn off two-factor authentication, confirmed with a current code',
        tags,
        security,
        middleware: [session],
        request: { body: jsonBody(z.object({ code: z.string().min(6).max(32) })) },
        responses: { 204: { description: 'Disabled' }, ...problems(400, 401, 403, 409) },
      }),
      (c) => noContent(c, mfa.disableTotp(c.var.principal, c.req.valid('json').code, requestContext(c))),
    );
}
