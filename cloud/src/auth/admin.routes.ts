import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../http/env.ts';
import { requestContext } from '../http/env.ts';
import { json, jsonBody, noContent, pageOf, problems } from '../http/openapi.ts';
import { Email, IdParam, User } from './auth.schemas.ts';
import { requireAuth } from './authenticate.ts';
import type { Auth } from './create-auth.ts';

const tags = ['admin'];

const UserPatch = z
  .object({
    name: z.string().trim().max(100).nullable().optional(),
    email: Email.optional(),
    email_verified: z.boolean().optional(),
    disabled: z.boolean().optional(),
  })
  .strict()
  .openapi('AdminUserPatch', { example: { name: 'Ada Lovelace', email: 'ada@example.com', email_verified: true } });
const security = [{ bearer: [] }];

/** Platform operators: find users, disable and re-enable them, read their activity. */
export function adminRoutes({ admin, account, authenticator }: Pick<Auth, 'admin' | 'account' | 'authenticator'>) {
  const operator = requireAuth(authenticator, { sessionOnly: true, admin: true });
  const setDisabled = (disabled: boolean) =>
    createRoute({
      method: 'post',
      path: `/v1/admin/users/{id}/${disabled ? 'disable' : 'enable'}`,
      summary: disabled
        ? 'Disable a user: their sessions end and signing in is refused (operators only)'
        : 'Enable a disabled user again (operators only)',
      tags,
      security,
      middleware: [operator],
      request: { params: IdParam },
      responses: { 200: json(User), ...problems(401, 403, 404) },
    });
  const actor = (c: Context<AppEnv>) => ({
    ...requestContext(c),
    userId: c.var.principal.userId,
    requestId: c.get('requestId'),
  });
  return new OpenAPIHono<AppEnv>()
    .openapi(
      createRoute({
        method: 'patch',
        path: '/v1/admin/users/{id}',
        tags,
        security,
        summary: 'Change a user: name, email (unverified again unless email_verified is sent), verification, disabling',
        middleware: [operator],
        request: { params: IdParam, body: jsonBody(UserPatch) },
        responses: { 200: json(User), ...problems(400, 401, 403, 404, 409) },
      }),
      async (c) => c.json(await admin.update(c.req.valid('param').id, c.req.valid('json'), actor(c)), 200),
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/v1/admin/users/{id}',
        tags,
        security,
        summary:
          'Purge a user now (memberships, sessions, keys, personal data); refused while they are the last owner of an organization',
        middleware: [operator],
        request: { params: IdParam },
        responses: { 204: { description: 'Purged' }, ...problems(401, 403, 404, 409) },
      }),
      (c) => noContent(c, account.purgeNow(c.req.valid('param').id, actor(c))),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/v1/admin/users',
        summary: "The platform's users (operators only)",
        tags,
        security,
        middleware: [operator],
        request: {
          query: z.object({
            search: z.string().max(100).optional(),
            limit: z.coerce.number().int().min(1).max(200).default(50),
            cursor: z.string().uuid().optional(),
          }),
        },
        responses: {
          200: pageOf(User),
          ...problems(400, 401, 403),
        },
      }),
      async (c) => {
        const q = c.req.valid('query');
        return c.json(await admin.listUsers({ search: q.search, limit: q.limit, after: q.cursor }), 200);
      },
    )
    .openapi(setDisabled(true), async (c) =>
      c.json(await admin.setDisabled(c.req.valid('param').id, true, requestContext(c)), 200),
    )
    .openapi(setDisabled(false), async (c) =>
      c.json(await admin.setDisabled(c.req.valid('param').id, false, requestContext(c)), 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/v1/admin/users/{id}/activity',
        summary: "A user's recent account activity (operators only)",
        tags,
        security,
        middleware: [operator],
        request: { params: IdParam, query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }) },
        responses: {
          200: json(
            z.object({
              data: z.array(
                z.object({
                  type: z.string(),
                  address: z.string().nullable(),
                  user_agent: z.string().nullable(),
                  detail: z.unknown(),
                  at: z.string(),
                }),
              ),
            }),
          ),
          ...problems(401, 403, 404),
        },
      }),
      async (c) => c.json({ data: await admin.activity(c.req.valid('param').id, c.req.valid('query').limit) }, 200),
    );
}
