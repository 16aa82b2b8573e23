import { anyOf, arrayLiteral, type Orm, rowsOf, type SqlClient, schema } from '@iotp/db';
import { and, eq, sql } from 'drizzle-orm';
import { bucketTimes } from './bucket-time.ts';

const { telemetry, telemetryLatest, devices } = schema;

export type Agg = 'avg' | 'min' | 'max' | 'sum' | 'count' | 'first' | 'last';
/** Where a bucketed series is computed from. */
export type Source = 'raw' | 'telemetry_1m' | 'telemetry_1h';

/** A timestamptz column as ISO 8601 text with microseconds, in UTC: Dates would round to milliseconds. */
const isoText = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const numberOrNull = (v: number | string | null) => (v === null ? null : Number(v));

/** What a bucketed read asks: one metric of these devices, in buckets of `bucketS` seconds. */
export interface BucketQuery {
  orgId: string;
  deviceIds: string[];
  metric: string;
  from: string;
  to: string;
  bucketS: number;
  agg: Agg;
  source: Source;
}

/** Aggregates over raw rows: portable SQL, so plain PostgreSQL answers the same. */
const RAW_AGG: Record<Agg, string> = {
  avg: 'avg(value)',
  min: 'min(value)',
  max: 'max(value)',
  sum: 'sum(value)',
  count: 'count(value)',
  first: '(array_agg(value ORDER BY time ASC) FILTER (WHERE value IS NOT NULL))[1]',
  last: '(array_agg(value ORDER BY time DESC) FILTER (WHERE value IS NOT NULL))[1]',
};

/** The same aggregates re-aggregated from a continuous aggregate's columns. */
const CAGG_AGG: Record<Agg, string> = {
  avg: 'sum(sum) / nullif(sum(count), 0)',
  min: 'min(min)',
  max: 'max(max)',
  sum: 'sum(sum)',
  count: 'sum(count)::float8',
  first: 'first(first, bucket)',
  last: 'last(last, bucket)',
};

/**
 * The newest value of each metric of a device, read with its ownership in one round trip; a device
 * that has reported nothing yet joins as one row without a metric. Through the plain SQL client, not
 * drizzle: every dashboard polls it, and mapping drizzle's rows cost more than the statement's run.
 */
export const LATEST_OF_OWNED = `
  SELECT l.metric, ${isoText('l.time')} AS ts, l.value, l.value_bool, l.value_text
  FROM devices d LEFT JOIN telemetry_latest l ON l.device_id = d.id
  WHERE d.id = $1 AND d.org_id = $2
  ORDER BY l.metric`;

/**
 * The statement of a bucketed read of `source`; its parameters: the bucket's width (an interval:
 * `bucketInterval`), the device ids (an array literal), the metric, from, to, the organization and
 * how many devices it must own. Only names from the fixed tables above reach the text, so its
 * variants are few, each prepared once per connection; every value is a parameter. Each bucket's
 * time leaves as seconds since the epoch and is written out by the caller: to_char in the database
 * cost more than the whole grouping. One device's buckets (`withDevice` false) are grouped and
 * sorted on time alone: sorting a month of rows on the device's uuid too, and building the width
 * from seconds on every row (make_interval), made the statement a third slower than plain SQL.
 */
export function bucketSql(source: Source, agg: Agg, withDevice: boolean): string {
  const table = source === 'raw' ? 'telemetry' : source;
  const time = source === 'raw' ? 'time' : 'bucket';
  const device = withDevice ? 'device_id, ' : '';
  return `SELECT ${device}date_part('epoch', bucket) AS t, value
    FROM (
      SELECT ${device}date_bin($1::interval, ${time}, timestamptz 'epoch') AS bucket,
             ${source === 'raw' ? RAW_AGG[agg] : CAGG_AGG[agg]} AS value
      FROM ${table}
      WHERE device_id = ANY($2::uuid[]) AND metric = $3
        AND ${time} >= $4::timestamptz AND ${time} < $5::timestamptz
        AND (SELECT count(*) FROM devices WHERE org_id = $6::uuid AND id = ANY($2::uuid[])) = $7
      GROUP BY ${withDevice ? '1, 2' : '1'}
    ) buckets
    ORDER BY ${withDevice ? 'buckets.device_id, ' : ''}buckets.bucket`;
}

/** A bucket's width as `bucketSql`'s first parameter. */
export const bucketInterval = (seconds: number) => `${seconds} seconds`;

/**
 * Raw points of one device's metric, newest first, in [$4, $5), at most $6; none unless the device
 * ($1) is the organization's ($3), checked once. Through the plain SQL client like `latest`: a day's
 * page is hundreds of rows, and drizzle's mapping of each cost more than the statement.
 */
export const POINTS_OF_OWNED = `
  SELECT ${isoText('time')} AS ts, value, value_bool, value_text
  FROM telemetry
  WHERE device_id = $1 AND metric = $2
    AND EXISTS (SELECT 1 FROM devices WHERE id = $1 AND org_id = $3)
    AND time >= $4::timestamptz AND time < $5::timestamptz
  ORDER BY time DESC
  LIMIT $6`;

export interface PointRow {
  ts: string;
  value: number | null;
  value_bool: boolean | null;
  value_text: string | null;
}

export interface LatestRow {
  metric: string;
  ts: string;
  value: number | null;
  value_bool: boolean | null;
  value_text: string | null;
}

/** Reads of stored telemetry. Callers pass device ids already checked to belong to the organization. */
export class TelemetryRepository {
  constructor(
    private readonly orm: Orm,
    private readonly sql: SqlClient,
  ) {}

  /** Which of these devices belong to the organization, each with the metrics it has reported. */
  async ownedWithMetrics(orgId: string, ids: string[]): Promise<Map<string, string[]>> {
    const owned = new Map<string, string[]>();
    if (ids.length === 0) return owned;
    const rows = await this.orm
      .select({ id: devices.id, metric: telemetryLatest.metric })
      .from(devices)
      .leftJoin(telemetryLatest, eq(telemetryLatest.deviceId, devices.id))
      .where(and(eq(devices.orgId, orgId), anyOf(devices.id, ids)));
    for (const { id, metric } of rows) {
      const metrics = owned.get(id) ?? [];
      if (metric !== null) metrics.push(metric);
      owned.set(id, metrics);
    }
    return owned;
  }

  /** The newest value of each metric; undefined when the device is not the organization's. */
  async latest(orgId: string, deviceId: string): Promise<LatestRow[] | undefined> {
    const rows = await this.sql.query<LatestRow | { metric: null }>(LATEST_OF_OWNED, [deviceId, orgId]);
    if (rows.length === 0) return undefined;
    return rows.filter((r): r is LatestRow => r.metric !== null);
  }

  /**
   * Raw points of one metric, newest first, in [from, to), continuing below `before`; none when the
   * device is not the organization's (checked in the same statement, once, before any row is read).
   */
  async points(
    orgId: string,
    deviceId: string,
    q: { metric: string; from: string; to: string; before?: string; limit: number },
  ): Promise<PointRow[]> {
    const until = q.before && q.before < q.to ? q.before : q.to;
    return this.sql.query<PointRow>(POINTS_OF_OWNED, [deviceId, q.metric, orgId, q.from, until, q.limit]);
  }

  /**
   * One metric of several devices in time buckets aligned to the epoch, oldest first; none unless
   * every device (`deviceIds` without repeats) is the organization's, checked once in the statement.
   * Each bucket names its device; `buckets` of one device leave that out (see `deviceBuckets`).
   */
  async buckets(q: BucketQuery): Promise<{ device_id: string; ts: string; value: number | null }[]> {
    const rows = await this.bucketRows(q, true);
    const ts = bucketTimes();
    return rows.map((r) => ({ device_id: r.device_id!, ts: ts(Number(r.t)), value: numberOrNull(r.value) }));
  }

  /** One device's buckets, as `buckets` gives them, without repeating its id in each. */
  async deviceBuckets(q: Omit<BucketQuery, 'deviceIds'> & { deviceId: string }) {
    const rows = await this.bucketRows({ ...q, deviceIds: [q.deviceId] }, false);
    const ts = bucketTimes();
    return rows.map((r) => ({ ts: ts(Number(r.t)), value: numberOrNull(r.value) }));
  }

  private async bucketRows(q: BucketQuery, withDevice: boolean) {
    return this.sql.query<{ device_id?: string; t: number | string; value: number | string | null }>(
      bucketSql(q.source, q.agg, withDevice),
      [bucketInterval(q.bucketS), arrayLiteral(q.deviceIds), q.metric, q.from, q.to, q.orgId, q.deviceIds.length],
    );
  }

  /** Every raw row of these devices and metrics in [from, to), oldest first, page by page. */
  async *export(q: { deviceIds: string[]; metrics?: string[]; from: string; to: string }) {
    let after: { ts: string; device: string; metric: string } | undefined;
    while (true) {
      const rows = await this.orm
        .select({
          ts: sql<string>`${sql.raw(isoText('telemetry.time'))}`,
          deviceId: telemetry.deviceId,
          metric: telemetry.metric,
          value: telemetry.value,
          valueBool: telemetry.valueBool,
          valueText: telemetry.valueText,
        })
        .from(telemetry)
        .where(
          and(
            anyOf(telemetry.deviceId, q.deviceIds),
            q.metrics?.length ? anyOf(telemetry.metric, q.metrics) : undefined,
            sql`${telemetry.time} >= ${q.from}::timestamptz AND ${telemetry.time} < ${q.to}::timestamptz`,
            after
              ? sql`(${telemetry.time}, ${telemetry.deviceId}, ${telemetry.metric}) > (${after.ts}::timestamptz, ${after.device}::uuid, ${after.metric})`
              : undefined,
          ),
        )
        .orderBy(telemetry.time, telemetry.deviceId, telemetry.metric)
        .limit(5000);
      for (const r of rows) yield r;
      if (rows.length < 5000) return;
      const last = rows[rows.length - 1]!;
      after = { ts: last.ts, device: last.deviceId, metric: last.metric };
    }
  }

  /**
   * Deletes raw readings older than each device's retention: its own `retention_days`, else its
   * organization's setting, else (when given) its plan's. Devices with none keep the database-wide
   * policy (365 days on TimescaleDB). Downsampled aggregates are kept on their own, longer policy.
   */
  async applyRetention(planDays?: Record<string, number>): Promise<number> {
    const plans = Object.entries(planDays ?? {});
    const planTable = plans.length
      ? sql`(VALUES ${sql.join(
          plans.map(([name, days]) => sql`(${name}::text, ${days}::int)`),
          sql`, `,
        )}) AS p(plan, days)`
      : sql`(SELECT NULL::text AS plan, NULL::int AS days) AS p`;
    const defaultPlanDays = planDays?.free ?? null;
    const rows = await this.orm.execute(sql`
      WITH keep AS (
        SELECT d.id, coalesce(d.retention_days, (o.settings->>'retention_days')::int, p.days, ${defaultPlanDays}::int) AS days
        FROM devices d
        JOIN organizations o ON o.id = d.org_id
        LEFT JOIN billing_accounts b ON b.org_id = d.org_id
        LEFT JOIN ${planTable} ON p.plan = coalesce(b.plan, 'free')
      ), expired AS (
        DELETE FROM telemetry t USING keep
        WHERE t.device_id = keep.id AND keep.days IS NOT NULL AND t.time < now() - make_interval(days => keep.days)
        RETURNING 1
      )
      SELECT count(*)::int AS n FROM expired`);
    const list = rowsOf<{ n: number }>(rows);
    return Number(list[0]?.n ?? 0);
  }
}
