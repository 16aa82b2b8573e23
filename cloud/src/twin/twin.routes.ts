import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Authenticator } from '../auth/authenticator.ts';
import type { DeviceService } from '../devices/device.service.ts';
import type { AppEnv } from '../http/env.ts';
import { json, jsonBody, listOf, problems, routeShapes } from '../http/openapi.ts';
import { Uuid } from '../http/uuid.ts';
import type { OrgRepository } from '../orgs/org.repository.ts';
import { orgGuard } from '../orgs/org-guard.ts';
import { orgRoutes } from '../orgs/org-route.ts';
import type { TwinService } from './twin.service.ts';

const tags = ['twin and commands'];
const Params = z.object({ orgId: z.string(), id: Uuid });
const Doc = z
  .record(z.string(), z.unknown())
  .refine((d) => JSON.stringify(d).length <= 32_768, 'must be at most 32 KiB as JSON');
const Twin = z
  .object({
    desired: z.record(z.string(), z.unknown()),
    reported: z.record(z.string(), z.unknown()),
    delta: z.record(z.string(), z.unknown()),
    version: z.number().int(),
    desired_at: z.string().nullable(),
    reported_at: z.string().nullable(),
  })
  .openapi('Twin');
const SendCommand = z.object({
  name: z.string().regex(/^[\w.:-]{1,64}$/, 'must be 1-64 letters, digits, _ . : -'),
  params: z.unknown().optional(),
  timeout_s: z.number().min(0).max(30).default(10),
  ttl_s: z
    .number()
    .int()
    .min(1)
    .max(30 * 86_400)
    .default(3600),
});
const Command = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    params: z.unknown(),
    status: z.enum(['pending', 'delivered', 'succeeded', 'failed', 'expired']),
    result: z.unknown(),
    created_at: z.string(),
    expires_at: z.string(),
    completed_at: z.string().nullable(),
  })
  .openapi('Command');

/** `/v1/orgs/{orgId}/devices/{id}/twin` and `/commands`. */
export function twinRoutes(auth: Authenticator, orgs: OrgRepository, twins: TwinService, devices: DeviceService) {
  const route = orgRoutes((p) => orgGuard(auth, orgs, p));
  const { list, show } = routeShapes({ tags });
  return new OpenAPIHono<AppEnv>()
    .openapi(
      route(
        'devices:read',
        show(
          '/v1/orgs/{orgId}/devices/{id}/twin',
          Twin,
          { summary: 'Desired and reported state, their delta and the version', params: Params },
          [401, 403, 404],
        ),
      ),
      async (c) => c.json(await twins.get(c.get('org').id, c.req.valid('param').id), 200),
    )
    .openapi(
      route('devices:write', {
        method: 'patch',
        path: '/v1/orgs/{orgId}/devices/{id}/twin',
        tags,
        summary: 'Merge into the desired state (null clears a key); with version, only if unchanged since',
        request: {
          params: Params,
          body: jsonBody(z.object({ desired: Doc, version: z.number().int().min(0).optional() }).strict()),
        },
        responses: { 200: json(Twin), ...problems(400, 401, 403, 404, 409) },
      }),
      async (c) => {
        const body = c.req.valid('json');
        return c.json(
          await twins.patchDesired(c.get('org').id, c.req.valid('param').id, body.desired, body.version),
          200,
        );
      },
    )
    .openapi(
      route('devices:write', {
        method: 'post',
        path: '/v1/orgs/{orgId}/devices/{id}/commands',
        tags,
        summary:
          'Send a command: 200 with the answer, or 202 with a stored command for a device offline or slow to answer',
        request: { params: Params, body: jsonBody(SendCommand) },
        responses: { 200: json(Command), 202: json(Command, 'Stored; poll it'), ...problems(400, 401, 403, 404) },
      }),
      async (c) => {
        const { done, command } = await twins.send(c.get('org').id, c.req.valid('param').id, c.req.valid('json'));
        return done ? c.json(command, 200) : c.json(command, 202);
      },
    )
    .openapi(
      route(
        'devices:read',
        list(
          '/v1/orgs/{orgId}/devices/{id}/commands',
          Command,
          {
            summary: 'Commands sent to a device, newest first, with their answers',
            params: Params,
            query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
          },
          [401, 403, 404],
        ),
      ),
      async (c) =>
        c.json(
          { data: await twins.commands(c.get('org').id, c.req.valid('param').id, c.req.valid('query').limit) },
          200,
        ),
    )
    .openapi(
      route(
        'devices:read',
        show(
          '/v1/orgs/{orgId}/devices/{id}/commands/{commandId}',
          Command,
          { summary: 'One command sent to a device and its answer', params: Params.extend({ commandId: Uuid }) },
          [401, 403, 404],
        ),
      ),
      async (c) => {
        const p = c.req.valid('param');
        return c.json(await twins.command(c.get('org').id, p.id, p.commandId), 200);
      },
    )
    .openapi(
      route('devices:write', {
        method: 'post',
        path: '/v1/orgs/{orgId}/groups/{groupId}/commands',
        tags,
        summary: "Send a command to every device of a group; each is stored and answered on the device's own command",
        request: {
          params: z.object({ orgId: z.string(), groupId: Uuid }),
          body: jsonBody(SendCommand.omit({ timeout_s: true })),
        },
        responses: {
          202: listOf(Command.extend({ device_id: z.string() })),
          ...problems(400, 401, 403, 404),
        },
      }),
      async (c) => {
        const orgId = c.get('org').id;
        const ids = await devices.groupDeviceIds(orgId, c.req.valid('param').groupId);
        const body = c.req.valid('json');
        const sent = await Promise.all(
          ids.map(async (id) => ({
            device_id: id,
            ...(await twins.send(orgId, id, { ...body, timeout_s: 0 })).command,
          })),
        );
        return c.json({ data: sent }, 202);
      },
    );
}
