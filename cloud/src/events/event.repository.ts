import { arrayLiteral, numberArrayLiteral, type Orm, type SqlClient, schema } from '@iotp/db';
import { and, asc, desc, eq, gt, gte, isNotNull, lt } from 'drizzle-orm';
import type { DomainEvent, EventType, StoredEvent } from './domain-events.ts';

const { events } = schema;

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
    /** Device events and the relay: fixed SQL on the plain client, as they run for every few device connects. */
    private readonly sql: SqlClient,
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
    const column = (f: (e: (typeof list)[number]) => string | null) => arrayLiteral(list.map(f));
    const rows = await this.sql.query(DEVICE_EVENTS, [
      column((e) => e.deviceId),
      column((e) => e.event.type),
      column((e) => e.event.subjectType ?? null),
      column((e) => e.event.subjectId ?? null),
      column((e) => JSON.stringify(e.event.data ?? {})),
    ]);
    return rows.length > 0;
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
    const run = async (sql: SqlClient) => {
      if (this.locking) await sql.query(RELAY_LOCK, ['iotp.events.relay']);
      const rows = await sql.query<UnpublishedRow>(this.locking ? UNPUBLISHED_LOCKED : UNPUBLISHED, [limit]);
      if (!rows.length) return [];
      const done = await work(rows.map(unpublished));
      if (done.length) await sql.query(MARK_PUBLISHED, [numberArrayLiteral(done.map((e) => e.id))]);
      return done;
    };
    return this.locking ? this.sql.transaction(run) : run(this.sql);
  }
}

/** Events of devices, each in its device's organization, in the order given. */
const DEVICE_EVENTS = `
  INSERT INTO events (org_id, type, subject_type, subject_id, data)
  SELECT d.org_id, u.type, u.subject_type, u.subject_id, u.data::jsonb
  FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[])
    WITH ORDINALITY AS u(device_id, type, subject_type, subject_id, data, n)
  JOIN devices d ON d.id = u.device_id
  ORDER BY u.n
  RETURNING id`;

/**
 * The relay's statements, one text each. Built by drizzle, the mark was an IN list of a parameter
 * per event: every batch size a statement of its own, which postgres.js prepared on each
 * connection and the database parsed and planned anew (#17).
 */
const RELAY_LOCK = 'SELECT pg_advisory_xact_lock(hashtext($1))';
const UNPUBLISHED = `
  SELECT id, org_id, type, subject_type, subject_id, data,
    to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at
  FROM events WHERE published_at IS NULL ORDER BY id LIMIT $1`;
const UNPUBLISHED_LOCKED = `${UNPUBLISHED} FOR NO KEY UPDATE SKIP LOCKED`;
const MARK_PUBLISHED = 'UPDATE events SET published_at = now() WHERE id = ANY($1::int8[])';

/**
 * An unpublished event as the plain client reads it: int8 as text (postgres.js) or a number
 * (PGlite); the time as ISO 8601 text in milliseconds, as a Date would print it.
 */
interface UnpublishedRow {
  id: string | number;
  org_id: string;
  type: string;
  subject_type: string | null;
  subject_id: string | null;
  data: Record<string, unknown>;
  created_at: string;
}

function unpublished(r: UnpublishedRow): StoredEvent {
  return {
    id: Number(r.id),
    orgId: r.org_id,
    type: r.type as EventType,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    data: r.data,
    createdAt: r.created_at,
  };
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
