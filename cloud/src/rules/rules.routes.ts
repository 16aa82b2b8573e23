import { OpenAPIHono } from '@hono/zod-openapi';
import type { Authenticator } from '../auth/authenticator.ts';
import type { AppEnv } from '../http/env.ts';
import { json, jsonBody, noContent, problems, routeShapes } from '../http/openapi.ts';
import { Uuid } from '../http/uuid.ts';
import type { OrgRepository } from '../orgs/org.repository.ts';
import { orgGuard } from '../orgs/org-guard.ts';
import { OrgId, orgRoutes } from '../orgs/org-route.ts';
import { Rule, RuleInput, RulePatch } from './rule.schemas.ts';
import type { RuleService } from './rule.service.ts';

const tags = ['rules'];
const RuleParams = OrgId.extend({ id: Uuid });

/** `/v1/orgs/{orgId}/rules`: rules on live telemetry (threshold, range, rate) and on silence (absence, offline). */
export function ruleRoutes(auth: Authenticator, orgs: OrgRepository, rules: RuleService) {
  const route = orgRoutes((p) => orgGuard(auth, orgs, p));
  const { list, show, remove } = routeShapes({ tags });
  const org = (c: { get(k: 'org'): { id: string } }) => c.get('org').id;
  return new OpenAPIHono<AppEnv>()
    .openapi(
      route('rules:write', {
        method: 'post',
        path: '/v1/orgs/{orgId}/rules',
        tags,
        summary: 'A rule: its kind, metric and params, the devices it watches, its severity and actions',
        request: { params: OrgId, body: jsonBody(RuleInput) },
        responses: { 201: json(Rule), ...problems(400, 401, 403, 404) },
      }),
      async (c) => c.json(await rules.create(org(c), c.req.valid('json')), 201),
    )
    .openapi(
      route(
        'rules:read',
        list(
          '/v1/orgs/{orgId}/rules',
          Rule,
          { summary: "The organization's rules on telemetry", params: OrgId },
          [401, 403, 404],
        ),
      ),
      async (c) => c.json({ data: await rules.list(org(c)) }, 200),
    )
    .openapi(
      route(
        'rules:read',
        show('/v1/orgs/{orgId}/rules/{id}', Rule, { summary: 'One rule', params: RuleParams }, [401, 403, 404]),
      ),
      async (c) => c.json(await rules.get(org(c), c.req.valid('param').id), 200),
    )
    .openapi(
      route('rules:write', {
        method: 'patch',
        path: '/v1/orgs/{orgId}/rules/{id}',
        tags,
        summary: 'Changes a rule; a new kind comes with its metric and params',
        request: { params: RuleParams, body: jsonBody(RulePatch) },
        responses: { 200: json(Rule), ...problems(400, 401, 403, 404) },
      }),
      async (c) => c.json(await rules.update(org(c), c.req.valid('param').id, c.req.valid('json')), 200),
    )
    .openapi(
      route(
        'rules:write',
        remove(
          '/v1/orgs/{orgId}/rules/{id}',
          'Deleted',
          { summary: 'Delete a rule', params: RuleParams },
          [401, 403, 404],
        ),
      ),
      (c) => noContent(c, rules.delete(org(c), c.req.valid('param').id)),
    );
}
