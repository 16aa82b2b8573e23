import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Authenticator } from '../auth/authenticator.ts';
import type { AppEnv } from '../http/env.ts';
import { ExportFormat, exportContent, exportFile } from '../http/export.ts';
import { json, problems } from '../http/openapi.ts';
import { Invalid } from '../http/problem.ts';
import { Uuid } from '../http/uuid.ts';
import type { OrgRepository } from '../orgs/org.repository.ts';
import { orgGuard } from '../orgs/org-guard.ts';
import { OrgId, orgRoutes } from '../orgs/org-route.ts';
import { BUCKETS, type Bucket, type TelemetryService } from './telemetry.service.ts';

const tags = ['telemetry'];
const Params = OrgId.extend({ id: Uuid });
/** A closed set of choices whose error names them all, and says when the parameter is missing. */
function choice<T extends string>(values: readonly [T, ...T[]]) {
  const list = values.join(', ');
  return z.enum(values, {
    error: (issue) => (issue.input === undefined ? `is required: one of ${list}` : `must be one of ${list}`),
  });
}

export const Metric = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a metric name') })
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.:/-]{0,63}$/, 'must be a metric name')
  .openapi({ example: 'temp' });
export const Time = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required: an ISO 8601 time' : 'must be a time') })
  .datetime({ offset: true, error: 'must be an ISO 8601 time with a zone, e.g. 2026-12-01T00:00:00Z' })
  .openapi({ example: '2026-12-01T00:00:00Z' });
const Value = z.union([z.number(), z.boolean(), z.string(), z.null()]);
const BucketParam = choice(Object.keys(BUCKETS) as [Bucket, ...Bucket[]]).openapi({
  description: 'Bucket width: a bucketed series instead of raw points',
  example: '1h',
});
const AggParam = choice(['avg', 'min', 'max', 'sum', 'count', 'first', 'last'] as const).openapi({
  description: 'How each bucket is summarised; `avg` when left out',
});
const DeviceIds = z
  .string()
  .transform((v) => v.split(',').filter(Boolean))
  .pipe(z.array(z.string().uuid('must be device ids separated by commas')).min(1));
const bucketed = <T extends z.ZodRawShape>(point: T) =>
  z.object({
    source: z.enum(['raw', 'telemetry_1m', 'telemetry_1h']).openapi({ description: 'What served the query' }),
    bucket: z.string(),
    agg: z.string(),
    data: z.array(z.object({ ...point, ts: z.string(), value: z.number().nullable() })),
  });
const Series = bucketed({ device_id: z.string() }).openapi('TelemetrySeries');
/** One device's buckets: the device is in the path, not in each bucket. */
const DeviceSeries = bucketed({}).openapi('DeviceTelemetrySeries');

/** Telemetry of one device (latest, raw or bucketed) and of several (series, export). */
export function telemetryRoutes(
  auth: Authenticator,
  orgs: OrgRepository,
  telemetry: TelemetryService,
  groupDeviceIds: (orgId: string, groupId: string) => Promise<string[]>,
) {
  /** `device_ids`, or the devices of `group_id`. */
  const targets = async (orgId: string, q: { device_ids?: string[]; group_id?: string }) => {
    if (q.group_id) return groupDeviceIds(orgId, q.group_id);
    if (q.device_ids) return q.device_ids;
    throw new Invalid('device_ids: name devices (comma-separated ids) or a group_id');
  };
  const route = orgRoutes((p) => orgGuard(auth, orgs, p));
  const now = () => new Date().toISOString();
  return new OpenAPIHono<AppEnv>()
    .openapi(
      route('telemetry:read', {
        method: 'get',
        path: '/v1/orgs/{orgId}/devices/{id}/telemetry/latest',
        tags,
        summary: 'The newest value of each metric',
        request: { params: Params },
        responses: {
          200: json(z.record(z.string(), z.object({ ts: z.string(), value: Value }))),
          ...problems(401, 403, 404),
        },
      }),
      async (c) => c.json(await telemetry.latest(c.get('org').id, c.req.valid('param').id), 200),
    )
    .openapi(
      route('telemetry:read', {
        method: 'get',
        path: '/v1/orgs/{orgId}/devices/{id}/telemetry',
        tags,
        summary: 'Raw points, newest first with a cursor; or, with bucket and agg, a bucketed series',
        request: {
          params: Params,
          query: z.object({
            metric: Metric,
            from: Time.openapi({ description: 'Start of the range, inclusive (required)' }),
            to: Time.optional().openapi({ description: 'End of the range, exclusive; now when left out' }),
            bucket: BucketParam.optional(),
            agg: AggParam.default('avg'),
            limit: z.coerce
              .number()
              .int()
              .min(1)
              .default(1000)
              .openapi({ description: 'Points per page; 1,000 when left out' }),
            cursor: Time.optional(),
          }),
        },
        responses: {
          200: json(
            z.union([
              z.object({
                data: z.array(z.object({ ts: z.string(), value: Value })),
                next_cursor: z.string().nullable(),
              }),
              DeviceSeries,
            ]),
          ),
          ...problems(400, 401, 403, 404),
        },
      }),
      async (c) => {
        const q = c.req.valid('query');
        const id = c.req.valid('param').id;
        const range = { metric: q.metric, from: q.from, to: q.to ?? now() };
        if (q.bucket)
          return c.json(
            await telemetry.deviceSeries(c.get('org').id, id, { ...range, bucket: q.bucket, agg: q.agg }),
            200,
          );
        return c.json(await telemetry.points(c.get('org').id, id, { ...range, limit: q.limit, cursor: q.cursor }), 200);
      },
    )
    .openapi(
      route('telemetry:read', {
        method: 'get',
        path: '/v1/orgs/{orgId}/telemetry',
        tags,
        summary: 'One metric of several devices (device_ids or group_id), bucketed',
        request: {
          params: OrgId,
          query: z.object({
            device_ids: DeviceIds.optional(),
            group_id: z.string().uuid().optional(),
            metric: Metric,
            from: Time.openapi({ description: 'Start of the range, inclusive (required)' }),
            to: Time.optional().openapi({ description: 'End of the range, exclusive; now when left out' }),
            bucket: BucketParam,
            agg: AggParam.default('avg'),
          }),
        },
        responses: { 200: json(Series), ...problems(400, 401, 403, 404) },
      }),
      async (c) => {
        const q = c.req.valid('query');
        const orgId = c.get('org').id;
        return c.json(await telemetry.series(orgId, await targets(orgId, q), { ...q, to: q.to ?? now() }), 200);
      },
    )
    .openapi(
      route('telemetry:read', {
        method: 'get',
        path: '/v1/orgs/{orgId}/telemetry/export',
        tags,
        summary: 'Raw rows of several devices in a range, oldest first, streamed as CSV or NDJSON',
        request: {
          params: OrgId,
          query: z.object({
            device_ids: DeviceIds.optional(),
            group_id: z.string().uuid().optional(),
            metrics: z
              .string()
              .transform((v) => v.split(',').filter(Boolean))
              .pipe(z.array(Metric))
              .optional(),
            from: Time.openapi({ description: 'Start of the range, inclusive (required)' }),
            to: Time.optional().openapi({ description: 'End of the range, exclusive; now when left out' }),
            format: ExportFormat,
          }),
        },
        responses: {
          200: exportContent('The rows'),
          ...problems(400, 401, 403, 404),
        },
      }),
      async (c) => {
        const q = c.req.valid('query');
        const orgId = c.get('org').id;
        const rows = telemetry.export(orgId, await targets(orgId, q), {
          metrics: q.metrics,
          from: q.from,
          to: q.to ?? now(),
        });
        return exportFile(c, {
          format: q.format,
          name: 'telemetry',
          rows,
          columns: ['ts', 'device_id', 'metric', 'value'],
        });
      },
    );
}
