import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Authenticator } from '../auth/authenticator.ts';
import type { AppEnv } from '../http/env.ts';
import { ExportFormat } from '../http/export.ts';
import { json, jsonBody, problems } from '../http/openapi.ts';
import { Invalid } from '../http/problem.ts';
import type { OrgRepository } from '../orgs/org.repository.ts';
import { orgGuard } from '../orgs/org-guard.ts';
import { OrgId, orgRoutes } from '../orgs/org-route.ts';
import { Metric, Time } from '../telemetry/telemetry.routes.ts';
import type { TelemetryService } from '../telemetry/telemetry.service.ts';
import type { TaskService } from './task.service.ts';
import { createdBy, publicTask, Task } from './tasks.routes.ts';
import { TELEMETRY_EXPORT, type TelemetryExportInput } from './telemetry-export.task.ts';

/** `POST /v1/orgs/{orgId}/telemetry/exports`: a large export as a task, its file downloaded when done. */
export function telemetryExportRoutes(
  auth: Authenticator,
  orgs: OrgRepository,
  deps: {
    tasks: TaskService;
    telemetry: TelemetryService;
    groupDeviceIds: (orgId: string, groupId: string) => Promise<string[]>;
  },
) {
  const route = orgRoutes((p) => orgGuard(auth, orgs, p));
  return new OpenAPIHono<AppEnv>().openapi(
    route('telemetry:read', {
      method: 'post',
      path: '/v1/orgs/{orgId}/telemetry/exports',
      tags: ['telemetry', 'tasks'],
      summary: 'Exports raw rows of several devices to a file, as a task; follow it at its `tasks/{taskId}`',
      request: {
        params: OrgId,
        body: jsonBody(
          z.object({
            device_ids: z.array(z.string().uuid()).min(1).max(10_000).optional(),
            group_id: z.string().uuid().optional(),
            metrics: z.array(Metric).max(100).optional(),
            from: Time,
            to: Time.optional(),
            format: ExportFormat,
          }),
        ),
      },
      responses: { 202: json(Task, 'Queued'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const org = c.get('org');
      const deviceIds = body.group_id ? await deps.groupDeviceIds(org.id, body.group_id) : (body.device_ids ?? []);
      if (!deviceIds.length) throw new Invalid('device_ids: name devices, or a group_id with devices');
      const input: TelemetryExportInput = {
        device_ids: deviceIds,
        metrics: body.metrics,
        from: body.from,
        to: body.to ?? new Date().toISOString(),
        format: body.format,
      };
      // Refused now, not in the worker: a range too long or a device of another organization.
      await deps.telemetry.export(org.id, deviceIds, input).next();
      const task = await deps.tasks.enqueue(org.id, TELEMETRY_EXPORT, { ...input }, createdBy(org));
      return c.json(publicTask(task), 202);
    },
  );
}
