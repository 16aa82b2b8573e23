import { arrayParam, type Orm, rowsOf, schema } from '@iotp/db';
import { and, asc, desc, eq, gt, gte, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { DomainEvent, EventType, StoredEvent } from './domain-events.ts';

const { events, devices } = schema;

type EventRow = typeof events.$inferSelect;

export interface EventQuery {
  type?: string;
  subjectId?: string;
  since?: Date;
  /** Events older than this id (the cursor: pages go newest first). */
  before?: number;
  limit: number;
}

/** Every database access of the outbox of domain events. */
export class EventRepository {
  constructor(
    private readonly orm: Orm,
    /**
     * Whether the relay holds row locks while it works (`FOR NO KEY UPDATE SKIP LOCKED`, so nodes share the
     * outbox). Off on the embedded database: one process, and its one connection would wait on itself.
     */
    private readonly locking = true,
  ) {}

  async insert(list: DomainEvent[], tx?: Orm): Promise<void> {
    await (tx ?? this.orm).insert(events).values(list.map(toRow));
  }

  /**
   * Records events of devices, each in its device's organization, in the order given (ids follow
   * it); nothing for a device that is gone. True when any was stored.
   */
  async insertForDevices(list: { deviceId: string; event: Omit<DomainEvent, 'orgId'> }[]): Promise<boolean> {
    const column = (f: (e: (typeof list)[number]) => string | null) => arrayParam(list.map(f));
    const rows = await this.orm.execute(sql`
      INSERT INTO events (org_id, type, subject_type, subject_id, data)
      SELECT d.org_id, u.type, u.subject_type, u.subject_id, u.data::jsonb
      FROM unnest(${column((e) => e.deviceId)}::uuid[], ${column((e) => e.event.type)}::text[],
        ${column((e) => e.event.subjectType ?? null)}::text[], ${column((e) => e.event.subjectId ?? null)}::text[],
        ${column((e) => JSON.stringify(e.event.data ?? {}))}::text[]) WITH ORDINALITY AS u(device_id, type, subject_type, subject_id, data, n)
      JOIN ${devices} d ON d.id = u.device_id
      ORDER BY u.n
      RETURNING id`);
    return rowsOf(rows).length > 0;
  }

  /** An organization's events, newest first. */
  async page(orgId: string, q: EventQuery): Promise<StoredEvent[]> {
    const conditions = [eq(events.orgId, orgId)];
    if (q.type) conditions.push(eq(events.type, q.type));
    if (q.subjectId) conditions.push(eq(events.subjectId, q.subjectId));
    if (q.since) conditions.push(gte(events.createdAt, q.since));
    if (q.before !== undefined) conditions.push(lt(events.id, q.before));
    const rows = await this.orm
      .select()
      .from(events)
      .where(and(...conditions))
      .orderBy(desc(events.id))
      .limit(q.limit);
    return rows.map(stored);
  }

  /** Published events after `afterId`, oldest first: what a resumed stream missed. */
  async publishedAfter(orgId: string, afterId: number, limit: number): Promise<StoredEvent[]> {
    const rows = await this.orm
      .select()
      .from(events)
      .where(and(eq(events.orgId, orgId), gt(events.id, afterId), isNotNull(events.publishedAt)))
      .orderBy(asc(events.id))
      .limit(limit);
    return rows.map(stored);
  }

  /**
   * Hands up to `limit` unpublished events, in id order, to `work`, and marks published the ones it
   * returns; on a server inside one transaction that holds the relay's advisory lock, so the nodes
   * relay one at a time and what was committed first goes out first (with rows skipped instead, a
   * node could publish a later event while another still held an earlier one). NO KEY
   * UPDATE, not UPDATE: handlers insert rows that reference these (webhook deliveries), and the
   * foreign key check's KEY SHARE lock would wait on this transaction for ever.
   */
  async publishBatch(limit: number, work: (batch: StoredEvent[]) => Promise<StoredEvent[]>): Promise<StoredEvent[]> {
    const run = async (orm: Orm) => {
      if (this.locking) await orm.execute(sql`SELECT pg_advisory_xact_lock(hashtext('iotp.events.relay'))`);
      const query = orm.select().from(events).where(isNull(events.publishedAt)).orderBy(asc(events.id)).limit(limit);
      const rows = this.locking ? await query.for('no key update', { skipLocked: true }) : await query;
      if (!rows.length) return [];
      const done = await work(rows.map(stored));
      if (done.length)
        await orm
          .update(events)
          .set({ publishedAt: new Date() })
          .where(
            inArray(
              events.id,
              done.map((e) => e.id),
            ),
          );
      return done;
    };
    return this.locking ? this.orm.transaction((tx) => run(tx as unknown as Orm)) : run(this.orm);
  }
}

function toRow(e: DomainEvent): typeof events.$inferInsert {
  return { orgId: e.orgId, type: e.type, subjectType: e.subjectType, subjectId: e.subjectId, data: e.data ?? {} };
}

function stored(r: EventRow): StoredEvent {
  return {
    id: r.id,
    orgId: r.orgId,
    type: r.type as EventType,
    subjectType: r.subjectType,
    subjectId: r.subjectId,
    data: r.data,
    createdAt: r.createdAt.toISOString(),
  };
}
