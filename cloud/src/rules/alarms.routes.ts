import { OpenAPIHono, z } from '@hono/zod-openapi';
import { schema } from '@iotp/db';
import type { Authenticator } from '../auth/authenticator.ts';
import type { AppEnv } from '../http/env.ts';
import { json, jsonBody, pageOf, problems, routeShapes } from '../http/openapi.ts';
import { Uuid } from '../http/uuid.ts';
import type { OrgRepository } from '../orgs/org.repository.ts';
import { orgGuard } from '../orgs/org-guard.ts';
import { OrgId, orgRoutes } from '../orgs/org-route.ts';
import type { AlarmService } from './alarm.service.ts';

const tags = ['alarms'];
const Severity = z.enum(schema.SEVERITIES);
const Alarm = z
  .object({
    id: z.string().uuid(),
    rule_id: z.string().uuid(),
    device_id: z.string().uuid(),
    severity: Severity,
    state: z.enum(['open', 'cleared']),
    detail: z.record(z.string(), z.unknown()),
    raised_at: z.string(),
    acknowledged_at: z.string().nullable(),
    acknowledged_by: z.string().nullable(),
    acknowledge_note: z.string().nullable(),
    cleared_at: z.string().nullable(),
    /** Null on a cleared alarm: the condition ended. */
    cleared_by: z.string().nullable(),
    clear_note: z.string().nullable(),
  })
  .openapi('Alarm');
const AlarmParams = OrgId.extend({ id: Uuid });
const Note = jsonBody(z.object({ note: z.string().trim().max(1000).optional() }).strict());

/** Who acts: the user, or the organization's API key. */
function actor(c: { get(k: 'org'): { actor: { kind: string; userId?: string; apiKeyId?: string } } }) {
  const a = c.get('org').actor;
  return a.userId ?? a.apiKeyId ?? null;
}

/** `/v1/orgs/{orgId}/alarms`: what rules raised, with its history; acknowledged and cleared by people. */
export function alarmRoutes(auth: Authenticator, orgs: OrgRepository, alarms: AlarmService) {
  const route = orgRoutes((p) => orgGuard(auth, orgs, p));
  const { show } = routeShapes({ tags });
  const org = (c: { get(k: 'org'): { id: string } }) => c.get('org').id;
  return new OpenAPIHono<AppEnv>()
    .openapi(
      route('alarms:read', {
        method: 'get',
        path: '/v1/orgs/{orgId}/alarms',
        tags,
        summary: 'Alarms, newest first, filtered, with cursor pagination',
        request: {
          params: OrgId,
          query: z.object({
            state: z.enum(['open', 'cleared', 'all']).default('all'),
            severity: Severity.optional(),
            acknowledged: z
              .enum(['true', 'false'])
              .optional()
              .openapi({ description: 'Only alarms a person acknowledged (true), or not yet (false)' }),
            device_id: Uuid.optional(),
            rule_id: Uuid.optional(),
            limit: z.coerce.number().int().min(1).max(500).default(100),
            cursor: z.string().max(300).optional(),
          }),
        },
        responses: { 200: pageOf(Alarm), ...problems(400, 401, 403, 404) },
      }),
      async (c) => {
        const { device_id, rule_id, acknowledged, ...q } = c.req.valid('query');
        return c.json(
          await alarms.list(org(c), {
            ...q,
            acknowledged: acknowledged === undefined ? undefined : acknowledged === 'true',
            deviceId: device_id,
            ruleId: rule_id,
          }),
          200,
        );
      },
    )
    .openapi(
      route(
        'alarms:read',
        show(
          '/v1/orgs/{orgId}/alarms/counts',
          z.object({ open: z.number().int(), by_severity: z.record(z.string(), z.number().int()) }),
          { params: OrgId, summary: 'Open alarms, in all and by severity' },
          [401, 403, 404],
        ),
      ),
      async (c) => c.json(await alarms.counts(org(c)), 200),
    )
    .openapi(
      route(
        'alarms:read',
        show('/v1/orgs/{orgId}/alarms/{id}', Alarm, { summary: 'One alarm', params: AlarmParams }, [401, 403, 404]),
      ),
      async (c) => c.json(await alarms.get(org(c), c.req.valid('param').id), 200),
    )
    .openapi(
      route('alarms:write', {
        method: 'post',
        path: '/v1/orgs/{orgId}/alarms/{id}/acknowledge',
        tags,
        summary: 'Acknowledges an open alarm: who, when, and a note',
        request: { params: AlarmParams, body: Note },
        responses: { 200: json(Alarm), ...problems(400, 401, 403, 404, 409) },
      }),
      async (c) =>
        c.json(await alarms.acknowledge(org(c), c.req.valid('param').id, actor(c), c.req.valid('json').note), 200),
    )
    .openapi(
      route('alarms:write', {
        method: 'post',
        path: '/v1/orgs/{orgId}/alarms/{id}/clear',
        tags,
        summary: 'Clears an open alarm by hand; the rule raises it again if its condition holds anew',
        request: { params: AlarmParams, body: Note },
        responses: { 200: json(Alarm), ...problems(400, 401, 403, 404, 409) },
      }),
      async (c) => c.json(await alarms.clear(org(c), c.req.valid('param').id, actor(c), c.req.valid('json').note), 200),
    );
}
