import { OpenAPIHono } from '@hono/zod-openapi';
import type { Authenticator } from '../auth/authenticator.ts';
import type { AppEnv } from '../http/env.ts';
import { ExportFormat } from '../http/export.ts';
import { json, jsonBody, problems } from '../http/openapi.ts';
import { Invalid, NotFound } from '../http/problem.ts';
import { AuditFilters } from '../orgs/audit.routes.ts';
import type { OrgRepository } from '../orgs/org.repository.ts';
import { orgGuard } from '../orgs/org-guard.ts';
import { OrgId, orgRoutes } from '../orgs/org-route.ts';
import { AUDIT_EXPORT, type AuditExportInput } from './audit-export.task.ts';
import type { TaskService } from './task.service.ts';
import { createdBy, publicTask, Task } from './tasks.routes.ts';

/** `POST /v1/orgs/{orgId}/audit/exports`: the audit log as a file made by a task, for logs too long to stream. */
export function auditExportRoutes(auth: Authenticator, orgs: OrgRepository, tasks: TaskService) {
  const route = orgRoutes((p) => orgGuard(auth, orgs, p));
  return new OpenAPIHono<AppEnv>().openapi(
    route('audit:read', {
      method: 'post',
      path: '/v1/orgs/{orgId}/audit/exports',
      tags: ['organizations', 'tasks'],
      summary:
        'Exports the filtered audit log to a file, as a task; follow it at its `tasks/{taskId}`. `to` defaults to now, `from` to the creation of the organization',
      request: {
        params: OrgId,
        body: jsonBody(
          AuditFilters.extend({ format: ExportFormat }).openapi({
            example: { action: 'DELETE', from: '2026-01-01T00:00:00Z', format: 'csv' },
          }),
        ),
      },
      responses: { 202: json(Task, 'Queued'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const org = c.get('org');
      const created = (await orgs.find(org.id))?.createdAt;
      if (!created) throw new NotFound('No such organization');
      // Fixed now: the file holds the log as it was asked for, not entries written while it runs.
      const input: AuditExportInput = {
        ...body,
        from: body.from ?? created.toISOString(),
        to: body.to ?? new Date().toISOString(),
      };
      if (Date.parse(input.from) > Date.parse(input.to)) throw new Invalid('from: must not be after to');
      const by = createdBy(org);
      return c.json(publicTask(await tasks.enqueue(org.id, AUDIT_EXPORT, { ...input }, by)), 202);
    },
  );
}
