import { anyOf, arrayParam, type Orm, rowsOf, schema } from '@iotp/db';
import { and, desc, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { orgRows } from '../orgs/org.repository.ts';

const { webhookEndpoints, webhookDeliveries, events } = schema;

export type EndpointRow = typeof webhookEndpoints.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;

/** What one attempt came to: the receiver's status and time, or why there was none. */
export interface Attempt {
  /** The receiver's status; undefined when there was no answer. */
  status?: number;
  ms: number;
  error?: string;
}

/** Every database access of webhook endpoints and their deliveries; each read is scoped to one organization. */
export class WebhookRepository {
  readonly endpoints: ReturnType<typeof orgRows<typeof webhookEndpoints>>;

  constructor(private readonly orm: Orm) {
    this.endpoints = orgRows(orm, webhookEndpoints);
  }

  async create(values: typeof webhookEndpoints.$inferInsert): Promise<EndpointRow> {
    return (await this.orm.insert(webhookEndpoints).values(values).returning())[0]!;
  }

  list(orgId: string): Promise<EndpointRow[]> {
    return this.orm
      .select()
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.orgId, orgId))
      .orderBy(webhookEndpoints.createdAt);
  }

  /** One pending delivery per event and enabled endpoint that takes the event's type; none twice. */
  async enqueue(list: { id: number; orgId: string; type: string }[]): Promise<number> {
    if (!list.length) return 0;
    // Deliveries in event order, as one event at a time made them.
    const rows = await this.orm.execute(sql`
      INSERT INTO webhook_deliveries (org_id, endpoint_id, event_id)
      SELECT w.org_id, w.id, u.event_id
      FROM unnest(${arrayParam(list.map((e) => String(e.id)))}::int8[], ${arrayParam(list.map((e) => e.orgId))}::uuid[],
        ${arrayParam(list.map((e) => e.type))}::text[]) WITH ORDINALITY AS u(event_id, org_id, type, n)
      JOIN webhook_endpoints w ON w.org_id = u.org_id AND w.enabled AND (u.type = ANY(w.event_types) OR '*' = ANY(w.event_types))
      ORDER BY u.n, w.id
      ON CONFLICT (endpoint_id, event_id) DO NOTHING
      RETURNING id`);
    return rowsOf(rows).length;
  }

  /**
   * Claims up to `limit` due deliveries of enabled endpoints for `leaseS` (other nodes skip them),
   * with their endpoint and event.
   */
  async claimDue(limit: number, leaseS: number) {
    const due = this.orm
      .select({ id: webhookDeliveries.id })
      .from(webhookDeliveries)
      .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
      .where(
        and(
          eq(webhookDeliveries.status, 'pending'),
          lte(webhookDeliveries.nextAttemptAt, sql`now()`),
          or(isNull(webhookDeliveries.lockedUntil), lte(webhookDeliveries.lockedUntil, sql`now()`)),
          eq(webhookEndpoints.enabled, true),
        ),
      )
      .orderBy(webhookDeliveries.nextAttemptAt)
      .limit(limit)
      .for('update', { of: webhookDeliveries, skipLocked: true });
    const claimed = await this.orm
      .update(webhookDeliveries)
      .set({ lockedUntil: sql`now() + make_interval(secs => ${leaseS})` })
      .where(inArray(webhookDeliveries.id, due))
      .returning({ id: webhookDeliveries.id });
    if (!claimed.length) return [];
    return this.orm
      .select({ delivery: webhookDeliveries, endpoint: webhookEndpoints, event: events })
      .from(webhookDeliveries)
      .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
      .innerJoin(events, eq(events.id, webhookDeliveries.eventId))
      .where(
        anyOf(
          webhookDeliveries.id,
          claimed.map((c) => c.id),
        ),
      );
  }

  /** Stores an attempt: succeeded, pending again at `retryAt`, or failed for good (no `retryAt`). */
  async settle(id: string, attempt: Attempt, outcome: 'succeeded' | 'pending' | 'failed', retryAt?: Date) {
    await this.orm
      .update(webhookDeliveries)
      .set({
        status: outcome,
        attempts: sql`${webhookDeliveries.attempts} + 1`,
        responseStatus: attempt.status ?? null,
        responseMs: attempt.ms,
        lastError: attempt.error ?? null,
        lockedUntil: null,
        ...(retryAt ? { nextAttemptAt: retryAt } : {}),
        ...(outcome === 'succeeded' ? { deliveredAt: new Date() } : {}),
      })
      .where(eq(webhookDeliveries.id, id));
  }

  /** Counts a failed attempt against the endpoint, or clears the count; answers the count. */
  async countFailure(endpointId: string, failed: boolean): Promise<number> {
    const [row] = await this.orm
      .update(webhookEndpoints)
      .set({ consecutiveFailures: failed ? sql`${webhookEndpoints.consecutiveFailures} + 1` : 0 })
      .where(eq(webhookEndpoints.id, endpointId))
      .returning({ n: webhookEndpoints.consecutiveFailures });
    return row?.n ?? 0;
  }

  /** Disables an enabled endpoint; true when this call did (so its owners are told once). */
  async disable(endpointId: string, reason: string): Promise<boolean> {
    const rows = await this.orm
      .update(webhookEndpoints)
      .set({ enabled: false, disabledReason: reason })
      .where(and(eq(webhookEndpoints.id, endpointId), eq(webhookEndpoints.enabled, true)))
      .returning({ id: webhookEndpoints.id });
    return rows.length > 0;
  }

  /** An endpoint's deliveries, newest first, before the delivery `before` (the cursor). */
  async deliveries(orgId: string, endpointId: string, limit: number, before?: DeliveryRow) {
    const conditions = [eq(webhookDeliveries.orgId, orgId), eq(webhookDeliveries.endpointId, endpointId)];
    if (before)
      conditions.push(
        or(
          lt(webhookDeliveries.createdAt, before.createdAt),
          and(eq(webhookDeliveries.createdAt, before.createdAt), lt(webhookDeliveries.id, before.id)),
        )!,
      );
    return this.orm
      .select({ delivery: webhookDeliveries, type: events.type })
      .from(webhookDeliveries)
      .innerJoin(events, eq(events.id, webhookDeliveries.eventId))
      .where(and(...conditions))
      .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
      .limit(limit);
  }

  async delivery(orgId: string, endpointId: string, id: string) {
    const [row] = await this.orm
      .select({ delivery: webhookDeliveries, type: events.type })
      .from(webhookDeliveries)
      .innerJoin(events, eq(events.id, webhookDeliveries.eventId))
      .where(
        and(
          eq(webhookDeliveries.orgId, orgId),
          eq(webhookDeliveries.endpointId, endpointId),
          eq(webhookDeliveries.id, id),
        ),
      );
    return row;
  }

  /** Makes a delivery due now, whatever became of it. */
  async redeliver(id: string): Promise<DeliveryRow | undefined> {
    const [row] = await this.orm
      .update(webhookDeliveries)
      .set({ status: 'pending', nextAttemptAt: new Date(), lockedUntil: null })
      .where(eq(webhookDeliveries.id, id))
      .returning();
    return row;
  }
}
