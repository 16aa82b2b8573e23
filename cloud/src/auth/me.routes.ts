import { Readable } from 'node:stream';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.ts';
import { requestContext } from '../http/env.ts';
import { json, jsonBody, problems } from '../http/openapi.ts';
import { API_KEY_SCOPES, ApiKey, Password, Preferences, Profile, Session, User } from './auth.schemas.ts';
import type { AuthService } from './auth.service.ts';
import { requireAuth } from './authenticate.ts';

const tags = ['me'];
const security = [{ bearer: [] }];
const Id = z.object({ id: z.string().uuid() });

/** The signed-in user's own account: profile, preferences, password, sessions, API keys, MFA. */
export function meRoutes(auth: AuthService) {
  const read = requireAuth(auth, { scope: 'profile:read' });
  const write = requireAuth(auth, { scope: 'profile:write' });
  const session = requireAuth(auth, { sessionOnly: true });
  return new OpenAPIHono<AppEnv>()
    .openapi(
      createRoute({
        method: 'get',
        path: '/v1/me',
        tags,
        security,
        middleware: [read],
        responses: { 200: json(User), ...problems(401, 403) },
      }),
      async (c) => c.json(await auth.me(c.var.principal.userId), 200),
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/v1/me',
        tags,
        security,
        middleware: [write],
        request: {
          body: jsonBody(
            z.object({ name: z.string().trim().max(100).optional(), profile: Profile.optional() }).strict(),
          ),
        },
        responses: { 200: json(User), ...problems(400, 401, 403) },
      }),
      async (c) => {
        const body = c.req.valid('json');
        return c.json(await auth.updateMe(c.var.principal.userId, body as Parameters<AuthService['updateMe']>[1]), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'put',
        path: '/v1/me/avatar',
        tags,
        security,
        summary: 'Upload an avatar: a PNG, JPEG, GIF or WebP file as the raw body, at most 1 MiB',
        middleware: [write],
        request: {
          body: {
            required: true,
            content: { 'image/*': { schema: z.string().openapi({ type: 'string', format: 'binary' }) } },
          },
        },
        responses: { 200: json(User), ...problems(400, 401, 403, 413, 415) },
      }),
      async (c) => c.json(await auth.setAvatar(c.var.principal.userId, Buffer.from(await c.req.arrayBuffer())), 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/v1/me/avatar',
        tags,
        security,
        middleware: [read],
        responses: {
          200: {
            description: 'The image',
            content: { 'image/*': { schema: z.string().openapi({ format: 'binary' }) } },
          },
          ...problems(401, 403, 404),
        },
      }),
      async (c) => {
        const image = await auth.avatar(c.var.principal.userId);
        return c.body(Readable.toWeb(image.body) as ReadableStream, 200, {
          'content-type': image.contentType,
          'content-length': String(image.size),
          'x-content-type-options': 'nosniff',
        });
      },
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/v1/me/avatar',
        tags,
        security,
        middleware: [write],
        responses: { 204: { description: 'Removed' }, ...problems(401, 403) },
      }),
      async (c) => {
        await auth.deleteAvatar(c.var.principal.userId);
        return c.body(null, 204);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/v1/me/preferences',
        tags,
        security,
        middleware: [read],
        responses: { 200: json(Preferences), ...problems(401, 403) },
      }),
      async (c) => c.json((await auth.preferences(c.var.principal.userId)) as z.infer<typeof Preferences>, 200),
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/v1/me/preferences',
        tags,
        security,
        middleware: [write],
        request: { body: jsonBody(Preferences) },
        responses: { 200: json(Preferences), ...problems(400, 401, 403) },
      }),
      async (c) =>
        c.json(
          (await auth.updatePreferences(c.var.principal.userId, c.req.valid('json'))) as z.infer<typeof Preferences>,
          200,
        ),
    )
    .openapi(
      createRoute({
        method: 'put',
        path: '/v1/me/password',
        tags,
        security,
        summary: 'Change the password; ends every other session',
        middleware: [session],
        request: { body: jsonBody(z.object({ current_password: Password, new_password: Password })) },
        responses: { 204: { description: 'Changed' }, ...problems(400, 401, 403) },
      }),
      async (c) => {
        await auth.changePassword(c.var.principal, c.req.valid('json'), requestContext(c));
        return c.body(null, 204);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/v1/me/sessions',
        tags,
        security,
        middleware: [session],
        responses: { 200: json(z.object({ data: z.array(Session) })), ...problems(401, 403) },
      }),
      async (c) => c.json({ data: await auth.sessions(c.var.principal) }, 200),
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/v1/me/sessions/{id}',
        tags,
        security,
        middleware: [session],
        request: { params: Id },
        responses: { 204: { description: 'Revoked' }, ...problems(401, 403, 404) },
      }),
      async (c) => {
        await auth.revokeSession(c.var.principal, c.req.valid('param').id);
        return c.body(null, 204);
      },
    )
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
              expires_at: z.string().datetime({ offset: true }).optional(),
            }),
          ),
        },
        responses: { 201: json(ApiKey.extend({ secret: z.string() })), ...problems(400, 401, 403) },
      }),
      async (c) => c.json(await auth.createApiKey(c.var.principal, c.req.valid('json'), requestContext(c)), 201),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/v1/me/api-keys',
        tags,
        security,
        middleware: [session],
        responses: { 200: json(z.object({ data: z.array(ApiKey) })), ...problems(401, 403) },
      }),
      async (c) => c.json({ data: await auth.apiKeys(c.var.principal) }, 200),
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/v1/me/api-keys/{id}',
        tags,
        security,
        middleware: [session],
        request: { params: Id },
        responses: { 204: { description: 'Revoked' }, ...problems(401, 403, 404) },
      }),
      async (c) => {
        await auth.revokeApiKey(c.var.principal, c.req.valid('param').id, requestContext(c));
        return c.body(null, 204);
      },
    )
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
      async (c) => c.json(await auth.enrollTotp(c.var.principal), 200),
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
      async (c) => c.json(await auth.confirmTotp(c.var.principal, c.req.valid('json').code, requestContext(c)), 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/v1/me/mfa/totp/disable',
        tags,
        security,
        middleware: [session],
        request: { body: jsonBody(z.object({ code: z.string().min(6).max(32) })) },
        responses: { 204: { description: 'Disabled' }, ...problems(400, 401, 403, 409) },
      }),
      async (c) => {
        await auth.disableTotp(c.var.principal, c.req.valid('json').code, requestContext(c));
        return c.body(null, 204);
      },
    );
}
