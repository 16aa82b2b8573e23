import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.ts';
import { requestContext } from '../http/env.ts';
import { exportContent, exportFile } from '../http/export.ts';
import { json, jsonBody, pageOf, problems } from '../http/openapi.ts';
import { Email, IdParam, Password } from './auth.schemas.ts';
import { requireAuth } from './authenticate.ts';
import { avatarResponse } from './avatar.ts';
import type { Auth } from './create-auth.ts';

const security = [{ bearer: [] }];

const MfaCode = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .optional()
  .openapi({ description: 'A TOTP code or a recovery code; required when MFA is on', example: '123456' });

export const DeletionRequest = z
  .object({ password: Password.openapi({ example: 'correct horse battery' }), code: MfaCode })
  .strict()
  .openapi('DeletionRequest', { example: { password: 'correct horse battery', code: '123456' } });

export const DeletionScheduled = z
  .object({ status: z.literal('scheduled'), purge_after: z.string() })
  .openapi('DeletionScheduled', { example: { status: 'scheduled', purge_after: '2026-12-20T10:00:00.000Z' } });

export const DeletionCancel = z
  .object({
    email: Email.openapi({ example: 'ada@example.com' }),
    password: Password.openapi({ example: 'correct horse battery' }),
    code: MfaCode,
  })
  .strict()
  .openapi('DeletionCancel', { example: { email: 'ada@example.com', password: 'correct horse battery' } });

export const UserSummary = z
  .object({
    id: z.string().uuid(),
    name: z.string().nullable(),
    email: z.string(),
    avatar_url: z.string().nullable(),
  })
  .openapi('UserSummary', {
    example: {
      id: '0f8fad5b-d9cb-469f-a165-70867728950e',
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      avatar_url: '/v1/users/0f8fad5b-d9cb-469f-a165-70867728950e/avatar',
    },
  });

/** The account's own lifecycle (deletion, export) and finding the people one works with. */
export function accountRoutes({ account, authenticator }: Pick<Auth, 'account' | 'authenticator'>) {
  const session = requireAuth(authenticator, { sessionOnly: true });
  const read = requireAuth(authenticator, { scope: 'profile:read' });
  return new OpenAPIHono<AppEnv>()
    .openapi(
      createRoute({
        method: 'post',
        path: '/v1/me/deletion',
        tags: ['me'],
        security,
        summary:
          'Delete my account after a grace period (ACCOUNT_DELETION_GRACE_DAYS); every session and API key ends now',
        middleware: [session],
        request: { body: jsonBody(DeletionRequest) },
        responses: { 202: json(DeletionScheduled, 'Scheduled'), ...problems(400, 401, 403, 409, 429) },
      }),
      async (c) =>
        c.json(await account.requestDeletion(c.var.principal.userId, c.req.valid('json'), requestContext(c)), 202),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/v1/auth/deletion/cancel',
        security: [],
        tags: ['auth'],
        summary: 'Keep an account whose deletion is pending; sign in again afterwards',
        request: { body: jsonBody(DeletionCancel) },
        responses: {
          200: json(z.object({ status: z.literal('cancelled') }).openapi({ example: { status: 'cancelled' } })),
          ...problems(400, 401, 409, 429),
        },
      }),
      async (c) => c.json(await account.cancelDeletion(c.req.valid('json'), requestContext(c)), 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/v1/me/export',
        tags: ['me'],
        security,
        summary:
          'My data as an NDJSON attachment: one record a line (profile, preferences, session, api_key, membership, activity, notification)',
        middleware: [session],
        responses: { 200: exportContent('The export', ['ndjson']), ...problems(401, 403, 429) },
      }),
      (c) => exportFile(c, { format: 'ndjson', name: 'account-export', rows: account.export(c.var.principal.userId) }),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/v1/users',
        tags: ['users'],
        security,
        summary: 'Find people who share an organization with me, by a part of their name or email',
        middleware: [read],
        request: {
          query: z.object({
            search: z.string().trim().min(1).max(100).openapi({ example: 'ada' }),
            limit: z.coerce.number().int().min(1).max(100).default(20),
            cursor: z.string().uuid().optional().openapi({ description: 'next_cursor of the previous page' }),
          }),
        },
        responses: { 200: pageOf(UserSummary), ...problems(400, 401, 403) },
      }),
      async (c) => {
        const q = c.req.valid('query');
        return c.json(
          await account.search(c.var.principal.userId, { search: q.search, limit: q.limit, after: q.cursor }),
          200,
        );
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/v1/users/{id}/avatar',
        summary: "Another user's avatar image",
        tags: ['users'],
        security,
        middleware: [read],
        request: { params: IdParam },
        responses: {
          200: {
            description: 'The image',
            content: { 'image/*': { schema: z.string().openapi({ format: 'binary' }) } },
          },
          ...problems(401, 403, 404),
        },
      }),
      async (c) => avatarResponse(c, await account.avatar(c.var.principal.userId, c.req.valid('param').id)),
    );
}
