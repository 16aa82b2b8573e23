import { OpenAPIHono, z } from '@hono/zod-openapi';
import { json, jsonBody, problems } from '../auth/auth.schemas.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { AppEnv } from '../http/env.ts';
import type { OrgRepository } from '../orgs/org.repository.ts';
import { orgGuard } from '../orgs/org-guard.ts';
import { orgRoutes } from '../orgs/org-route.ts';
import type { DeviceService } from './device.service.ts';

const tags = ['devices'];
const Params = z.object({ orgId: z.string(), id: z.string().uuid() });
const OrgId = z.object({ orgId: z.string() });
const Tag = z.string().regex(/^[\w.:-]{1,64}$/, 'must be 1-64 letters, digits, _ . : -');
const Attributes = z
  .record(z.string().max(64), z.unknown())
  .refine((a) => JSON.stringify(a).length <= 16_384, 'must be at most 16 KiB as JSON');
const Device = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    type: z.string().nullable(),
    tags: z.array(z.string()),
    attributes: z.record(z.string(), z.unknown()),
    online: z.boolean(),
    last_seen: z.string().nullable(),
    last_address: z.string().nullable(),
    firmware_version: z.string().nullable(),
    credentials_revoked: z.boolean(),
    created_at: z.string(),
  })
  .openapi('Device');
const Mqtt = z
  .object({ host: z.string(), port: z.number(), client_id: z.string(), username: z.string(), password: z.string() })
  .openapi('MqttCredentials');

/** `/v1/orgs/{orgId}/devices`: the registry, credentials, latest values and raw telemetry. */
export function deviceRoutes(auth: AuthService, orgs: OrgRepository, devices: DeviceService) {
  const route = orgRoutes((p) => orgGuard(auth, orgs, p));
  const org = (c: { get(k: 'org'): { id: string } }) => c.get('org').id;
  return new OpenAPIHono<AppEnv>()
    .openapi(
      route('devices:write', {
        method: 'post',
        path: '/v1/orgs/{orgId}/devices',
        tags,
        summary: 'Register a device; its MQTT password is in this answer only',
        request: {
          params: OrgId,
          body: jsonBody(
            z.object({
              name: z.string().trim().min(1).max(100),
              type: z.string().trim().max(64).optional(),
              tags: z.array(Tag).max(32).optional(),
              attributes: Attributes.optional(),
            }),
          ),
        },
        responses: { 201: json(Device.extend({ mqtt: Mqtt })), ...problems(400, 401, 403, 404) },
      }),
      async (c) => c.json(await devices.create(org(c), c.req.valid('json')), 201),
    )
    .openapi(
      route('devices:read', {
        method: 'get',
        path: '/v1/orgs/{orgId}/devices',
        tags,
        summary: 'List devices, filtered by tag, type, online state or name, with cursor pagination',
        request: {
          params: OrgId,
          query: z.object({
            tag: Tag.optional(),
            type: z.string().max(64).optional(),
            online: z.enum(['true', 'false']).optional(),
            q: z.string().max(100).optional(),
            limit: z.coerce.number().int().min(1).max(500).default(100),
            cursor: z.string().uuid().optional(),
          }),
        },
        responses: {
          200: json(z.object({ data: z.array(Device), next_cursor: z.string().nullable() })),
          ...problems(400, 401, 403, 404),
        },
      }),
      async (c) => {
        const q = c.req.valid('query');
        const online = q.online === undefined ? undefined : q.online === 'true';
        return c.json(
          await devices.list(org(c), {
            tag: q.tag,
            type: q.type,
            online,
            search: q.q,
            after: q.cursor,
            limit: q.limit,
          }),
          200,
        );
      },
    )
    .openapi(
      route('devices:read', {
        method: 'get',
        path: '/v1/orgs/{orgId}/devices/{id}',
        tags,
        request: { params: Params },
        responses: { 200: json(Device), ...problems(401, 403, 404) },
      }),
      async (c) => c.json(await devices.get(org(c), c.req.valid('param').id), 200),
    )
    .openapi(
      route('devices:write', {
        method: 'patch',
        path: '/v1/orgs/{orgId}/devices/{id}',
        tags,
        request: {
          params: Params,
          body: jsonBody(
            z
              .object({
                name: z.string().trim().min(1).max(100),
                type: z.string().trim().max(64).nullable(),
                tags: z.array(Tag).max(32),
                attributes: Attributes,
              })
              .partial()
              .strict(),
          ),
        },
        responses: { 200: json(Device), ...problems(400, 401, 403, 404) },
      }),
      async (c) => c.json(await devices.update(org(c), c.req.valid('param').id, c.req.valid('json')), 200),
    )
    .openapi(
      route('devices:write', {
        method: 'delete',
        path: '/v1/orgs/{orgId}/devices/{id}',
        tags,
        request: { params: Params },
        responses: { 204: { description: 'Deleted' }, ...problems(401, 403, 404) },
      }),
      async (c) => {
        await devices.delete(org(c), c.req.valid('param').id);
        return c.body(null, 204);
      },
    )
    .openapi(
      route('devices:write', {
        method: 'post',
        path: '/v1/orgs/{orgId}/devices/{id}/credentials/rotate',
        tags,
        summary: 'New MQTT password; the old one stops working and its live connection is dropped',
        request: { params: Params },
        responses: { 200: json(z.object({ mqtt: Mqtt })), ...problems(401, 403, 404) },
      }),
      async (c) => c.json(await devices.rotate(org(c), c.req.valid('param').id), 200),
    )
    .openapi(
      route('devices:write', {
        method: 'post',
        path: '/v1/orgs/{orgId}/devices/{id}/credentials/revoke',
        tags,
        summary: 'Revoke the credentials: the device is disconnected and refused until rotated',
        request: { params: Params },
        responses: { 204: { description: 'Revoked' }, ...problems(401, 403, 404) },
      }),
      async (c) => {
        await devices.revoke(org(c), c.req.valid('param').id);
        return c.body(null, 204);
      },
    );
}
