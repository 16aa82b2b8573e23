import { Readable } from 'node:stream';
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Authenticator } from '../auth/authenticator.ts';
import type { AppEnv } from '../http/env.ts';
import { json, pageOf, problems } from '../http/openapi.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../http/problem.ts';
import { Uuid } from '../http/uuid.ts';
import type { OrgRepository } from '../orgs/org.repository.ts';
import { orgGuard } from '../orgs/org-guard.ts';
import { OrgId, orgRoutes } from '../orgs/org-route.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { TaskRow } from './task.repository.ts';
import type { TaskService } from './task.service.ts';
import { TaskResultExpired } from './task-results.ts';

const tags = ['tasks'];
const Params = OrgId.extend({ taskId: Uuid });
const STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;

export const Task = z
  .object({
    id: z.string(),
    kind: z.string(),
    status: z.enum(STATUSES),
    progress: z.number().int().openapi({ description: '0 to 100' }),
    input: z.record(z.string(), z.unknown()),
    result: z.record(z.string(), z.unknown()).nullable().openapi({
      description:
        'Once succeeded; `url` downloads the file a task made until `expires_at`, after which the file is deleted, `expired_at` is set and `url` answers 410',
    }),
    error: z.string().nullable().openapi({ description: 'Why the last attempt failed' }),
    attempts: z.number().int(),
    created_by: z.string().nullable(),
    created_at: z.string(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
  })
  .openapi('Task');

/** Who a task is recorded as created by: the signed-in person; none for an organization's API key. */
export const createdBy = (org: AppEnv['Variables']['org']): string | undefined =>
  org.actor.kind === 'user' ? org.actor.userId : undefined;

/** A task as the API shows it. */
export function publicTask(t: TaskRow): z.infer<typeof Task> {
  return {
    id: t.id,
    kind: t.kind,
    status: t.status,
    progress: t.progress,
    input: t.input,
    result: t.result ?? null,
    error: t.error,
    attempts: t.attempts,
    created_by: t.createdBy,
    created_at: t.createdAt.toISOString(),
    started_at: t.startedAt?.toISOString() ?? null,
    finished_at: t.finishedAt?.toISOString() ?? null,
  };
}

const cursorOf = (t: TaskRow) => `${t.createdAt.toISOString()}_${t.id}`;
function parseCursor(cursor: string) {
  const [at, id] = cursor.split('_');
  const date = new Date(at ?? '');
  if (Number.isNaN(date.getTime()) || !Uuid.safeParse(id).success)
    throw new Invalid('cursor: not a cursor of this list');
  return { at: date, id: id! };
}

/** `/v1/orgs/{orgId}/tasks`: long work the organization started, its progress, and what it made. */
export function taskRoutes(auth: Authenticator, orgs: OrgRepository, tasks: TaskService, objects: ObjectStore) {
  const route = orgRoutes((p) => orgGuard(auth, orgs, p));
  return new OpenAPIHono<AppEnv>()
    .openapi(
      route('tasks:read', {
        method: 'get',
        path: '/v1/orgs/{orgId}/tasks',
        tags,
        summary: 'Tasks, newest first; `cursor` is the `next_cursor` of the page before',
        request: {
          params: OrgId,
          query: z.object({
            status: z.enum(STATUSES).optional(),
            kind: z.string().max(100).optional(),
            limit: z.coerce.number().int().min(1).max(500).default(100),
            cursor: z.string().max(100).optional(),
          }),
        },
        responses: { 200: pageOf(Task), ...problems(400, 401, 403, 404) },
      }),
      async (c) => {
        const q = c.req.valid('query');
        const rows = await tasks.list(c.get('org').id, {
          status: q.status,
          kind: q.kind,
          before: q.cursor ? parseCursor(q.cursor) : undefined,
          limit: q.limit,
        });
        const last = rows.length === q.limit ? rows.at(-1) : undefined;
        return c.json({ data: rows.map(publicTask), next_cursor: last ? cursorOf(last) : null }, 200);
      },
    )
    .openapi(
      route('tasks:read', {
        method: 'get',
        path: '/v1/orgs/{orgId}/tasks/{taskId}',
        tags,
        summary: 'A task: queued, running with progress, succeeded with its result, or failed with the reason',
        request: { params: Params },
        responses: { 200: json(Task), ...problems(401, 403, 404) },
      }),
      async (c) => c.json(publicTask(await tasks.get(c.get('org').id, c.req.valid('param').taskId)), 200),
    )
    .openapi(
      route('tasks:read', {
        method: 'get',
        path: '/v1/orgs/{orgId}/tasks/{taskId}/result',
        tags,
        summary: 'The file a succeeded task made; 410 `task-result-expired` once its time is up',
        request: { params: Params },
        responses: {
          200: { description: 'The file', content: { 'application/octet-stream': { schema: z.string() } } },
          ...problems(401, 403, 404, 409, 410),
        },
      }),
      async (c) => {
        const org = c.get('org');
        const task = await tasks.get(org.id, c.req.valid('param').taskId);
        const needed = tasks.permissionOf(task.kind);
        if (needed && !org.permissions.has(needed)) throw new Forbidden(`Reading this file takes ${needed}`);
        const file = task.result?.file;
        if (task.status !== 'succeeded') throw new Conflict(`The task is ${task.status}; it has no result yet`);
        if (typeof file !== 'string') throw new NotFound('This task made no file');
        if (typeof task.result?.expired_at === 'string') throw new TaskResultExpired(task.result.expired_at);
        const stored = await objects.get(file);
        if (!stored) throw new NotFound('The file of this task is gone');
        return c.body(Readable.toWeb(stored.body) as ReadableStream, 200, {
          'content-type': stored.contentType,
          'content-length': String(stored.size),
          'content-disposition': `attachment; filename="${file.split('/').at(-1)}"`,
        });
      },
    );
}
