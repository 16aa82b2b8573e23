import { type Orm, rowsOf, schema } from '@iotp/db';
import { and, desc, eq, gte, lt, or, type SQL, sql } from 'drizzle-orm';

const { analyticsEvents } = schema;

export type AnalyticsEventRow = typeof analyticsEvents.$inferSelect;
export type NewAnalyticsEvent = Omit<typeof analyticsEvents.$inferInsert, 'id' | 'receivedAt'>;

export interface EventFilter {
  name?: string;
  userId?: string;
  from?: Date;
  to?: Date;
  /** The last row of the page before: rows older than it (time, then id) follow. */
  before?: { time: Date; id: string };
  limit: number;
}

/** Product events: stored in batches, read in pages and as counts per time bucket. */
export class AnalyticsRepository {
  constructor(private readonly orm: Orm) {}

  async insert(rows: NewAnalyticsEvent[]): Promise<number> {
    if (rows.length === 0) return 0;
    await this.orm.insert(analyticsEvents).values(rows);
    return rows.length;
  }

  /** Newest first. */
  async list(orgId: string, f: EventFilter): Promise<AnalyticsEventRow[]> {
    const where: (SQL | undefined)[] = [eq(analyticsEvents.orgId, orgId)];
    if (f.name) where.push(eq(analyticsEvents.name, f.name));
    if (f.userId) where.push(eq(analyticsEvents.userId, f.userId));
    if (f.from) where.push(gte(analyticsEvents.time, f.from));
    if (f.to) where.push(lt(analyticsEvents.time, f.to));
    if (f.before) {
      const { time, id } = f.before;
      where.push(or(lt(analyticsEvents.time, time), and(eq(analyticsEvents.time, time), lt(analyticsEvents.id, id))));
    }
    return this.orm
      .select()
      .from(analyticsEvents)
      .where(and(...where))
      .orderBy(desc(analyticsEvents.time), desc(analyticsEvents.id))
      .limit(f.limit);
  }

  /** Events per bucket (epoch-aligned, `bucketS` seconds) in [from, to), per name or user. */
  async counts(orgId: string, q: { from: Date; to: Date; bucketS: number; by: 'name' | 'user' }) {
    const key = q.by === 'name' ? sql`name` : sql`coalesce(user_id, '')`;
    const rows = await this.orm.execute(sql`
      SELECT to_timestamp(floor(extract(epoch FROM time) / ${q.bucketS}) * ${q.bucketS}) AS bucket,
             ${key} AS key, count(*)::text AS count
      FROM analytics_events
      WHERE org_id = ${orgId} AND time >= ${q.from.toISOString()}::timestamptz AND time < ${q.to.toISOString()}::timestamptz
      GROUP BY 1, 2 ORDER BY 1, 2`);
    return rowsOf<{ bucket: Date | string; key: string; count: string }>(rows).map((r) => ({
      bucket: new Date(r.bucket),
      key: r.key,
      count: Number(r.count),
    }));
  }

  /** Events per UTC day, and per user over the whole range, in [from, to). */
  async usage(orgId: string, from: Date, to: Date) {
    const range = sql`org_id = ${orgId} AND time >= ${from.toISOString()}::timestamptz AND time < ${to.toISOString()}::timestamptz`;
    const days = rowsOf<{ day: string; count: string }>(
      await this.orm.execute(sql`
        SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*)::text AS count
        FROM analytics_events WHERE ${range} GROUP BY 1 ORDER BY 1`),
    );
    const users = rowsOf<{ user_id: string | null; count: string }>(
      await this.orm.execute(sql`
        SELECT user_id, count(*)::text AS count FROM analytics_events WHERE ${range}
        GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1000`),
    );
    return {
      days: days.map((r) => ({ day: r.day, events: Number(r.count) })),
      users: users.map((r) => ({ user_id: r.user_id, events: Number(r.count) })),
    };
  }

  /** Deletes events older than `before` (plain PostgreSQL: TimescaleDB's retention policy drops chunks instead). */
  async purgeBefore(before: Date): Promise<number> {
    const rows = await this.orm
      .delete(analyticsEvents)
      .where(lt(analyticsEvents.time, before))
      .returning({ id: analyticsEvents.id });
    return rows.length;
  }

  /** Makes TimescaleDB's retention policy on the hypertable drop chunks older than `days`. */
  async setRetentionPolicy(days: number): Promise<void> {
    await this.orm.execute(sql`SELECT remove_retention_policy('analytics_events', if_exists => true)`);
    await this.orm.execute(sql`SELECT add_retention_policy('analytics_events', make_interval(days => ${days}::int))`);
  }
}
