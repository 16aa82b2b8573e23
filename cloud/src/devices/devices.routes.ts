import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Authenticator } from '../auth/authenticator.ts';
import { parseCsv } from '../http/csv.ts';
import type { AppEnv } from '../http/env.ts';
import { exportFile } from '../http/export.ts';
import { json, jsonBody, noContent, pageOf, problems, routeShapes } from '../http/openapi.ts';
import { Invalid } from '../http/problem.ts';
import { Uuid } from '../http/uuid.ts';
import type { OrgRepository } from '../orgs/org.repository.ts';
import { orgGuard } from '../orgs/org-guard.ts';
import { OrgId, orgRoutes } from '../orgs/org-route.ts';
import { Attributes, Device, RetentionDays, Tag } from './device.schemas.ts';
import type { DeviceService } from './device.service.ts';

const tags = ['devices'];
const Params = OrgId.extend({ id: Uuid });
const NewDevice = z.object({
  name: z.string().trim().min(1).max(100),
  type: z.string().trim().max(64).optional(),
  tags: z.array(Tag).max(32).optional(),
  attributes: Attributes.optional(),
  retention_days: RetentionDays.optional(),
});
const Mqtt = z
  .object({ host: z.string(), port: z.number(), client_id: z.string(), username: z.string(), password: z.string() })
  .openapi('MqttCredentials');

/** `/v1/orgs/{orgId}/devices`: the registry, credentials and connection history. */
export function deviceRoutes(auth: Authenticator, orgs: OrgRepository, devices: DeviceService) {
  const route = orgRoutes((p) => orgGuard(auth, orgs, p));
  const { remove, show } = routeShapes({ tags });
  const org = (c: { get(k: 'org'): { id: string } }) => c.get('org').id;
  return new OpenAPIHono<AppEnv>()
    .openapi(
      route('devices:write', {
        method: 'post',
        path: '/v1/orgs/{orgId}/devices',
        tags,
        summary: 'Register a device; its MQTT password is in this answer only',
        request: { params: OrgId, body: jsonBody(NewDevice) },
        responses: { 201: json(Device.extend({ mqtt: Mqtt })), ...problems(400, 401, 402, 403, 404) },
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
          200: pageOf(Device),
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
      route(
        'devices:read',
        show('/v1/orgs/{orgId}/devices/{id}', Device, { summary: 'One device', params: Params }, [401, 403, 404]),
      ),
      async (c) => c.json(await devices.get(org(c), c.req.valid('param').id), 200),
    )
    .openapi(
      route('devices:write', {
        method: 'patch',
        path: '/v1/orgs/{orgId}/devices/{id}',
        summary: 'Rename a device, or change its type, tags, attributes or retention',
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
                retention_days: RetentionDays.nullable(),
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
      route(
        'devices:write',
        remove(
          '/v1/orgs/{orgId}/devices/{id}',
          'Deleted',
          { summary: 'Delete a device', params: Params },
          [401, 403, 404],
        ),
      ),
      (c) => noContent(c, devices.delete(org(c), c.req.valid('param').id)),
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
      (c) => noContent(c, devices.revoke(org(c), c.req.valid('param').id)),
    )
    .openapi(
      route('devices:write', {
        method: 'post',
        path: '/v1/orgs/{orgId}/devices/bulk',
        tags,
        summary: 'Register up to 1,000 devices at once, from JSON or CSV (name,type,tags with tags split by ;)',
        request: {
          params: OrgId,
          query: z.object({
            format: z
              .enum(['json', 'csv'])
              .default('json')
              .openapi({ description: 'Format of the credentials file back' }),
          }),
          body: {
            required: true,
            content: {
              // The validator sees a CSV body as {}: the handler parses and checks both kinds itself.
              'application/json': {
                schema: z
                  .record(z.string(), z.unknown())
                  .openapi({ description: '{"devices": [{name, type?, tags?, attributes?, retention_days?}, ...]}' }),
                example: {
                  devices: [{ name: 'greenhouse-1', type: 'pi4', tags: ['greenhouse'] }, { name: 'greenhouse-2' }],
                },
              },
              'text/csv': {
                schema: z.string(),
                example: 'name,type,tags\ngreenhouse-1,pi4,greenhouse;north\ngreenhouse-2,pi4,greenhouse\n',
              },
            },
          },
        },
        responses: {
          201: {
            description: 'The devices with their credentials',
            content: {
              'application/json': { schema: z.object({ data: z.array(Device.extend({ mqtt: Mqtt })) }) },
              'text/csv': { schema: z.string() },
            },
          },
          ...problems(400, 401, 402, 403, 404, 413, 415),
        },
      }),
      async (c) => {
        const inputs = await bulkInput(c.req.header('content-type') ?? '', await c.req.text());
        const created = await devices.createMany(org(c), inputs);
        if (c.req.valid('query').format !== 'csv') return c.json({ data: created }, 201);
        return exportFile(c, {
          format: 'csv',
          name: 'device-credentials',
          status: 201,
          rows: created.map(({ id, name, mqtt }) => ({ id, name, ...mqtt })),
          columns: ['id', 'name', 'host', 'port', 'client_id', 'username', 'password'],
        });
      },
    )
    .openapi(
      route('devices:read', {
        method: 'get',
        path: '/v1/orgs/{orgId}/devices/{id}/connections',
        tags,
        summary: 'Connection history: when, from where, until when; newest first',
        request: { params: Params, query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }) },
        responses: {
          200: json(
            z.object({
              data: z.array(
                z.object({
                  address: z.string().nullable(),
                  connected_at: z.string(),
                  disconnected_at: z.string().nullable(),
                }),
              ),
            }),
          ),
          ...problems(401, 403, 404),
        },
      }),
      async (c) =>
        c.json({ data: await devices.connections(org(c), c.req.valid('param').id, c.req.valid('query').limit) }, 200),
    );
}

/** The devices of a bulk request, from JSON or CSV, checked as one by one creation would be. */
async function bulkInput(contentType: string, text: string) {
  let raw: unknown;
  /** For CSV, the line each device came from, so an error names it. */
  let lines: number[] | undefined;
  if (/^text\/csv/i.test(contentType)) {
    const { header, rows } = parseCsv(text);
    if (!header.includes('name'))
      throw new Invalid('The CSV needs a header line with at least: name (and optionally type, tags)');
    if (rows.length === 0) throw new Invalid('The CSV holds no devices under its header line');
    lines = rows.map((r) => r.line);
    raw = {
      devices: rows.map(({ cells }) => ({
        name: cells.name,
        type: cells.type || undefined,
        tags: cells.tags?.split(';').filter(Boolean),
      })),
    };
  } else {
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new Invalid('The body is not valid JSON', undefined, { cause: err });
    }
  }
  const parsed = z.object({ devices: z.array(NewDevice).min(1).max(1000) }).safeParse(raw);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => {
      const [, index, ...field] = i.path;
      const line = lines && typeof index === 'number' ? lines[index] : undefined;
      return line
        ? { path: i.path.join('.'), line, message: `${field.join('.')}: ${i.message}` }
        : { path: i.path.join('.'), message: i.message };
    });
    throw new Invalid(
      errors.map((e) => ('line' in e ? `CSV line ${e.line}: ${e.message}` : `${e.path}: ${e.message}`)).join('; '),
      { errors },
    );
  }
  return parsed.data.devices;
}
