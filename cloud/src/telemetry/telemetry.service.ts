import { Invalid, NotFound } from '../http/problem.ts';
import type { Agg, Source, TelemetryRepository } from './telemetry.repository.ts';

export const BUCKETS = { '1m': 60, '5m': 300, '15m': 900, '1h': 3600, '6h': 21_600, '1d': 86_400 } as const;
export type Bucket = keyof typeof BUCKETS;

/** Most points or buckets one answer may hold. */
export const MAX_POINTS = 10_000;
const MAX_DEVICES = 100;

export interface RangeQuery {
  metric: string;
  from: string;
  to: string;
}

/**
 * Telemetry reads: latest values, raw points, bucketed series (from the continuous aggregates when
 * TimescaleDB is present), several devices at once, streamed export.
 */
export class TelemetryService {
  constructor(
    private readonly repo: TelemetryRepository,
    private readonly options: { timescale: boolean },
  ) {}

  async latest(orgId: string, deviceId: string) {
    const rows = await this.repo.latest(orgId, deviceId);
    if (!rows) throw new NotFound(`No such device: ${deviceId}`);
    return Object.fromEntries(
      rows.map((r) => [r.metric, { ts: r.ts, value: r.value ?? r.value_bool ?? r.value_text }]),
    );
  }

  async points(orgId: string, deviceId: string, q: RangeQuery & { limit: number; cursor?: string }) {
    checkRange(q);
    if (q.limit > MAX_POINTS)
      throw new Invalid(`limit: at most ${MAX_POINTS} points a page; follow next_cursor for more`);
    const rows = await this.repo.points(orgId, deviceId, { ...q, before: q.cursor, limit: q.limit + 1 });
    // Points prove the device is the organization's and has the metric; without any, find out why.
    if (rows.length === 0) await this.owned(orgId, [deviceId], q.metric);
    const page = rows.slice(0, q.limit);
    return {
      data: page.map((r) => ({ ts: r.ts, value: r.value ?? r.value_bool ?? r.value_text })),
      next_cursor: rows.length > q.limit ? page[page.length - 1]!.ts : null,
    };
  }

  /** One metric of several devices in buckets, each bucket naming its device. */
  async series(orgId: string, deviceIds: string[], q: RangeQuery & { bucket: Bucket; agg: Agg }) {
    const bucketing = this.bucketing(deviceIds, q);
    const data = await this.repo.buckets({ ...q, ...bucketing, orgId, deviceIds: [...new Set(deviceIds)] });
    // Buckets prove every device is the organization's and the metric known; without any, find out why.
    if (data.length === 0) await this.owned(orgId, deviceIds, q.metric);
    return { source: bucketing.source, bucket: q.bucket, agg: q.agg, data };
  }

  /** One metric of one device in buckets: the device is the question, so its buckets do not repeat it. */
  async deviceSeries(orgId: string, deviceId: string, q: RangeQuery & { bucket: Bucket; agg: Agg }) {
    const bucketing = this.bucketing([deviceId], q);
    const data = await this.repo.deviceBuckets({ ...q, ...bucketing, orgId, deviceId });
    if (data.length === 0) await this.owned(orgId, [deviceId], q.metric);
    return { source: bucketing.source, bucket: q.bucket, agg: q.agg, data };
  }

  /** The bucket's width, and what serves it; refuses a range or device count past the limits. */
  private bucketing(deviceIds: string[], q: RangeQuery & { bucket: Bucket }): { bucketS: number; source: Source } {
    checkRange(q);
    if (deviceIds.length > MAX_DEVICES) throw new Invalid(`device_ids: at most ${MAX_DEVICES} devices in one query`);
    const bucketS = BUCKETS[q.bucket];
    const count = (Date.parse(q.to) - Date.parse(q.from)) / 1000 / bucketS;
    if (count * deviceIds.length > MAX_POINTS) {
      throw new Invalid(
        `bucket: ${q.bucket} makes ${Math.ceil(count * deviceIds.length)} buckets; at most ${MAX_POINTS}: use a larger bucket or a shorter range`,
      );
    }
    const source: Source = !this.options.timescale ? 'raw' : bucketS % 3600 === 0 ? 'telemetry_1h' : 'telemetry_1m';
    return { bucketS, source };
  }

  async *export(orgId: string, deviceIds: string[], q: { metrics?: string[]; from: string; to: string }) {
    checkRange(q);
    await this.owned(orgId, deviceIds);
    for await (const { ts, deviceId, metric, value, valueBool, valueText } of this.repo.export({ deviceIds, ...q }))
      yield { ts, device_id: deviceId, metric, value: value ?? valueBool ?? valueText };
  }

  /** With `planDays`, an organization without its own setting keeps its plan's retention. */
  async applyRetention(planDays?: Record<string, number>): Promise<number> {
    return this.repo.applyRetention(planDays);
  }

  /**
   * Every device must belong to the organization (one that does not is answered as missing) and,
   * with `metric`, one of them must have reported it. One round trip for both.
   */
  private async owned(orgId: string, deviceIds: string[], metric?: string) {
    const found = await this.repo.ownedWithMetrics(orgId, deviceIds);
    const missing = deviceIds.filter((id) => !found.has(id));
    if (missing.length) throw new NotFound(`No such device: ${missing.join(', ')}`);
    if (metric === undefined) return;
    const known = [...new Set([...found.values()].flat())].sort();
    if (!known.includes(metric)) {
      throw new Invalid(
        `metric: ${metric} was never reported by ${deviceIds.length > 1 ? 'these devices' : 'this device'}; known: ${known.join(', ') || 'none yet'}`,
      );
    }
  }
}

function checkRange(q: { from: string; to: string }) {
  if (Date.parse(q.from) >= Date.parse(q.to)) throw new Invalid('from: must be before to');
}
