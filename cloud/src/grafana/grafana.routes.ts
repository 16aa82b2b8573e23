import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Authenticator } from '../auth/authenticator.ts';
import type { AppEnv } from '../http/env.ts';
import { json, noContent, problems, routeShapes } from '../http/openapi.ts';
import type { OrgRepository } from '../orgs/org.repository.ts';
import { orgGuard } from '../orgs/org-guard.ts';
import { OrgId, orgRoutes } from '../orgs/org-route.ts';
import type { GrafanaAccess } from './grafana-access.ts';

const tags = ['grafana'];

/** A read-only database login per organization, for its own Grafana. */
export function grafanaRoutes(auth: Authenticator, orgs: OrgRepository, grafana: GrafanaAccess) {
  const route = orgRoutes((p) => orgGuard(auth, orgs, p));
  const { remove } = routeShapes({ tags });
  return new OpenAPIHono<AppEnv>()
    .openapi(
      route('org:write', {
        method: 'post',
        path: '/v1/orgs/{orgId}/grafana/credentials',
        tags,
        summary:
          "Database credentials for this organization's Grafana: they read only its own data (a new password each call)",
        request: { params: OrgId },
        responses: {
          201: json(
            z.object({
              host: z.string(),
              port: z.number(),
              database: z.string(),
              user: z.string(),
              password: z.string(),
              sslmode: z.string(),
            }),
          ),
          ...problems(401, 403, 404, 409),
        },
      }),
      async (c) => c.json(await grafana.grant(c.get('org').id), 201),
    )
    .openapi(
      route(
        'org:write',
        remove(
          '/v1/orgs/{orgId}/grafana/credentials',
          'Revoked',
          { summary: "Drop the organization's Grafana database login", params: OrgId },
          [401, 403, 404, 409],
        ),
      ),
      (c) => noContent(c, grafana.revoke(c.get('org').id)),
    );
}
