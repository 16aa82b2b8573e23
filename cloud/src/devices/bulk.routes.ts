import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Authenticator } from '../auth/authenticator.ts';
import type { AppEnv } from '../http/env.ts';
import { json, jsonBody, problems } from '../http/openapi.ts';
import { Conflict, Invalid, NotFound } from '../http/problem.ts';
import type { OrgRepository } from '../orgs/org.repository.ts';
import { orgGuard } from '../orgs/org-guard.ts';
import { OrgId, orgRoutes } from '../orgs/org-route.ts';
import type { TaskService } from '../tasks/task.service.ts';
import { createdBy, publicTask, Task } from '../tasks/tasks.routes.ts';
import { type BulkInput, DEVICE_BULK } from './bulk.task.ts';
import { Tag } from './device.schemas.ts';
import type { DeviceService } from './device.service.ts';

const Tags = z.array(Tag).min(1).max(32);
const Operation = z.discriminatedUnion('type', [
  z.object({ type: z.literal('add_tags'), tags: Tags }),
  z.object({ type: z.literal('remove_tags'), tags: Tags }),
  z.object({
    type: z.literal('move_to_group'),
    group_id: z.string().uuid().openapi({ description: 'A static group' }),
    from_group_id: z.string().uuid().optional().openapi({ description: 'Left, where the device is in it' }),
  }),
  z.object({ type: z.literal('disable') }).openapi({ description: 'Revokes the credentials, as `credentials/revoke`' }),
  z.object({ type: z.literal('delete') }),
]);
const Selector = z
  .object({
    device_ids: z.array(z.string().uuid()).min(1).max(10_000).optional(),
    tag: Tag.optional(),
    group_id: z.string().uuid().optional(),
  })
  .strict()
  .refine((s) => Object.keys(s).length === 1, 'name exactly one of device_ids, tag, group_id');

/** `POST /v1/orgs/{orgId}/devices/bulk-operations`: one change to many devices, as a task. */
export function bulkDeviceRoutes(
  auth: Authenticator,
  orgs: OrgRepository,
  deps: { tasks: TaskService; devices: DeviceService },
) {
  const route = orgRoutes((p) => orgGuard(auth, orgs, p));
  return new OpenAPIHono<AppEnv>().openapi(
    route('devices:write', {
      method: 'post',
      path: '/v1/orgs/{orgId}/devices/bulk-operations',
      tags: ['devices', 'tasks'],
      summary:
        'Tags, moves, disables or deletes many devices as a task, in batches; a device refused is listed in the result (`failures`), the others are changed. Follow it at its `tasks/{taskId}`',
      request: {
        params: OrgId,
        body: jsonBody(
          z.object({ operation: Operation, selector: Selector }).openapi({
            example: { operation: { type: 'add_tags', tags: ['field-test'] }, selector: { tag: 'site-north' } },
          }),
        ),
      },
      responses: { 202: json(Task, 'Queued'), ...problems(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      const org = c.get('org');
      const input = c.req.valid('json') as BulkInput;
      // Refused now, not in the worker: a group of another organization, or one that takes no members.
      const groups = new Map((await deps.devices.groups.list(org.id)).map((g) => [g.id, g]));
      const { operation: op, selector } = input;
      if ('group_id' in selector && !groups.has(selector.group_id)) throw new NotFound('No such group');
      if (op.type === 'move_to_group') {
        const to = groups.get(op.group_id);
        if (!to) throw new NotFound('No such group');
        if (to.kind === 'dynamic') throw new Conflict('A dynamic group takes its devices from their tags');
        if (op.from_group_id === op.group_id) throw new Invalid('from_group_id: is the group moved to');
        if (op.from_group_id && !groups.has(op.from_group_id)) throw new NotFound('No such group');
      }
      const by = createdBy(org);
      return c.json(publicTask(await deps.tasks.enqueue(org.id, DEVICE_BULK, { ...input }, by)), 202);
    },
  );
}
