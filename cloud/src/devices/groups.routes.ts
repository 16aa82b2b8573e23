import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Authenticator } from '../auth/authenticator.ts';
import type { AppEnv } from '../http/env.ts';
import { json, jsonBody, noContent, problems, routeShapes } from '../http/openapi.ts';
import { Uuid } from '../http/uuid.ts';
import type { OrgRepository } from '../orgs/org.repository.ts';
import { orgGuard } from '../orgs/org-guard.ts';
import { OrgId, orgRoutes } from '../orgs/org-route.ts';
import { Device, Tag } from './device.schemas.ts';
import type { GroupService } from './group.service.ts';

const tags = ['groups'];
const Group = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    kind: z.enum(['static', 'dynamic']),
    tags: z.array(z.string()),
    created_at: z.string(),
  })
  .openapi('DeviceGroup');
const GroupParams = OrgId.extend({ groupId: Uuid });

/** `/v1/orgs/{orgId}/groups`: groups of devices, and which devices are in them. */
export function groupRoutes(auth: Authenticator, orgs: OrgRepository, groups: GroupService) {
  const route = orgRoutes((p) => orgGuard(auth, orgs, p));
  const { list, remove } = routeShapes({ tags });
  const org = (c: { get(k: 'org'): { id: string } }) => c.get('org').id;
  return new OpenAPIHono<AppEnv>()
    .openapi(
      route('devices:write', {
        method: 'post',
        path: '/v1/orgs/{orgId}/groups',
        tags,
        summary: 'A static group (devices added by hand) or a dynamic one (every device with all the tags)',
        request: {
          params: OrgId,
          body: jsonBody(
            z.object({
              name: z.string().trim().min(1).max(100),
              kind: z.enum(['static', 'dynamic']),
              tags: z.array(Tag).max(16).optional(),
            }),
          ),
        },
        responses: { 201: json(Group), ...problems(400, 401, 403, 404, 409) },
      }),
      async (c) => c.json(await groups.create(org(c), c.req.valid('json')), 201),
    )
    .openapi(
      route(
        'devices:read',
        list(
          '/v1/orgs/{orgId}/groups',
          Group,
          { summary: "The organization's device groups", params: OrgId },
          [401, 403, 404],
        ),
      ),
      async (c) => c.json({ data: await groups.list(org(c)) }, 200),
    )
    .openapi(
      route('devices:write', {
        method: 'patch',
        path: '/v1/orgs/{orgId}/groups/{groupId}',
        summary: "Rename a group or change a dynamic group's tags",
        tags,
        request: {
          params: GroupParams,
          body: jsonBody(
            z
              .object({ name: z.string().trim().min(1).max(100), tags: z.array(Tag).max(16) })
              .partial()
              .strict(),
          ),
        },
        responses: { 200: json(Group), ...problems(400, 401, 403, 404) },
      }),
      async (c) => c.json(await groups.update(org(c), c.req.valid('param').groupId, c.req.valid('json')), 200),
    )
    .openapi(
      route(
        'devices:write',
        remove(
          '/v1/orgs/{orgId}/groups/{groupId}',
          'Deleted',
          { summary: 'Delete a group (its devices stay)', params: GroupParams },
          [401, 403, 404],
        ),
      ),
      (c) => noContent(c, groups.delete(org(c), c.req.valid('param').groupId)),
    )
    .openapi(
      route(
        'devices:read',
        list(
          '/v1/orgs/{orgId}/groups/{groupId}/devices',
          Device,
          { summary: 'The devices in a group', params: GroupParams },
          [401, 403, 404],
        ),
      ),
      async (c) => c.json({ data: await groups.groupDevices(org(c), c.req.valid('param').groupId) }, 200),
    )
    .openapi(
      route('devices:write', {
        method: 'put',
        path: '/v1/orgs/{orgId}/groups/{groupId}/devices/{id}',
        summary: 'Add a device to a static group',
        tags,
        request: { params: GroupParams.extend({ id: Uuid }) },
        responses: { 204: { description: 'Added' }, ...problems(401, 403, 404, 409) },
      }),
      async (c) => {
        const p = c.req.valid('param');
        await groups.addDevice(org(c), p.groupId, p.id);
        return c.body(null, 204);
      },
    )
    .openapi(
      route(
        'devices:write',
        remove(
          '/v1/orgs/{orgId}/groups/{groupId}/devices/{id}',
          'Removed',
          { summary: 'Take a device out of a static group', params: GroupParams.extend({ id: Uuid }) },
          [401, 403, 404],
        ),
      ),
      async (c) => {
        const p = c.req.valid('param');
        await groups.removeDevice(org(c), p.groupId, p.id);
        return c.body(null, 204);
      },
    );
}
