import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.ts';
import { requestContext } from '../http/env.ts';
import { json, jsonBody, noContent, problems } from '../http/openapi.ts';
import { Password, Preferences, Profile, User } from './auth.schemas.ts';
import { requireAuth } from './authenticate.ts';
import { avatarResponse } from './avatar.ts';
import type { Auth } from './create-auth.ts';
import type { ProfileService } from './profile.service.ts';

const tags = ['me'];
const security = [{ bearer: [] }];

/** The signed-in user's own account: profile, avatar, preferences, password. */
export function profileRoutes({ profile, authenticator }: Pick<Auth, 'profile' | 'authenticator'>) {
  const read = requireAuth(authenticator, { scope: 'profile:read' });
  const write = requireAuth(authenticator, { scope: 'profile:write' });
  const session = requireAuth(authenticator, { sessionOnly: true });
  return new OpenAPIHono<AppEnv>()
    .openapi(
      createRoute({
        method: 'get',
        path: '/v1/me',
        summary: 'Your profile',
        tags,
        security,
        middleware: [read],
        responses: { 200: json(User), ...problems(401, 403) },
      }),
      async (c) => c.json(await profile.get(c.var.principal.userId), 200),
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/v1/me',
        summary: 'Change your name or profile',
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
        return c.json(
          await profile.update(c.var.principal.userId, body as Parameters<ProfileService['update']>[1]),
          200,
        );
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
      async (c) => c.json(await profile.setAvatar(c.var.principal.userId, Buffer.from(await c.req.arrayBuffer())), 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/v1/me/avatar',
        summary: 'Your avatar image',
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
      async (c) => avatarResponse(c, await profile.avatar(c.var.principal.userId)),
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/v1/me/avatar',
        summary: 'Remove your avatar',
        tags,
        security,
        middleware: [write],
        responses: { 204: { description: 'Removed' }, ...problems(401, 403) },
      }),
      (c) => noContent(c, profile.deleteAvatar(c.var.principal.userId)),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/v1/me/preferences',
        summary: 'Your preferences',
        tags,
        security,
        middleware: [read],
        responses: { 200: json(Preferences), ...problems(401, 403) },
      }),
      async (c) => c.json((await profile.preferences(c.var.principal.userId)) as z.infer<typeof Preferences>, 200),
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/v1/me/preferences',
        summary: 'Change your preferences',
        tags,
        security,
        middleware: [write],
        request: { body: jsonBody(Preferences) },
        responses: { 200: json(Preferences), ...problems(400, 401, 403) },
      }),
      async (c) =>
        c.json(
          (await profile.updatePreferences(c.var.principal.userId, c.req.valid('json'))) as z.infer<typeof Preferences>,
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
      (c) => noContent(c, profile.changePassword(c.var.principal, c.req.valid('json'), requestContext(c))),
    );
}
