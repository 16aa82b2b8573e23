import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.ts';
import { ExportFormat, exportContent, exportFile } from '../http/export.ts';
import { pageOf, problems } from '../http/openapi.ts';
import type { OrgService } from './org.service.ts';
import { orgContext as ctx, OrgId } from './org-route.ts';
import type { OrgRoute } from './orgs.routes.ts';

const tags = ['organizations'];
const AuditEntry = z
  .object({
    id: z.string(),
    at: z.string(),
    actor_type: z.string(),
    actor_id: z.string().nullable(),
    action: z.string(),
    target_type: z.string().nullable(),
    target_id: z.string().nullable(),
    result: z.enum(['success', 'failure']),
    status: z.number().nullable(),
    address: z.string().nullable(),
    user_agent: z.string().nullable(),
    request_id: z.string().nullable(),
    detail: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({
        description: 'What changed, as { field: { before, after } }, where the route tells it',
        example: { role: { before: 'viewer', after: 'operator' } },
      }),
  })
  .openapi('AuditEntry');
/** What an audit read or export may be narrowed to. */
export const AuditFilters = z.object({
  actor: z.string().max(100).optional(),
  action: z.string().max(200).optional().openapi({
    description: 'A part of the action, taken literally, e.g. `members` or `PATCH /v1/orgs/{orgId}/members/{userId}`',
  }),
  target: z.string().max(100).optional(),
  from: z.string().datetime({ offset: true }).optional(),
  to: z.string().datetime({ offset: true }).optional(),
});

/** The filters as the service takes them: times as dates. */
export function filters<Q extends z.infer<typeof AuditFilters>>(q: Q) {
  return { ...q, from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined };
}

/** `/v1/orgs/{orgId}/audit`: the audit log, paged or exported whole. */
export function auditRoutes(route: OrgRoute, service: OrgService) {
  return new OpenAPIHono<AppEnv>()
    .openapi(
      route('audit:read', {
        method: 'get',
        path: '/v1/orgs/{orgId}/audit',
        tags,
        summary: 'The audit log, newest first, filtered, with cursor pagination',
        request: {
          params: OrgId,
          query: AuditFilters.extend({
            limit: z.coerce.number().int().min(1).max(500).default(100),
            cursor: z.string().max(200).optional(),
          }),
        },
        responses: {
          200: pageOf(AuditEntry),
          ...problems(400, 401, 403, 404),
        },
      }),
      async (c) => c.json(await service.audit(ctx(c), filters(c.req.valid('query'))), 200),
    )
    .openapi(
      route('audit:read', {
        method: 'get',
        path: '/v1/orgs/{orgId}/audit/export',
        tags,
        summary: 'The whole filtered audit log as CSV or NDJSON, streamed',
        request: { params: OrgId, query: AuditFilters.extend({ format: ExportFormat }) },
        responses: { 200: exportContent('The export'), ...problems(400, 401, 403, 404) },
      }),
      (c) => {
        const { format, ...q } = c.req.valid('query');
        return exportFile(c, { format, name: 'audit', rows: service.auditAll(ctx(c), filters(q)) });
      },
    );
}
