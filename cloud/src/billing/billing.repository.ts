import { randomUUID } from 'node:crypto';
import { type Orm, rowsOf, schema } from '@iotp/db';
import { and, asc, desc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { CountedLimit } from './plans.ts';

const {
  billingAccounts,
  stripeEvents,
  ledgerEntries,
  ledgerTransactions,
  devices,
  usageDaily,
  orders,
  usageReports,
  memberships,
  invitations,
  rollouts,
} = schema;

export type OrderRow = typeof orders.$inferSelect;

export type AccountRow = typeof billingAccounts.$inferSelect;

/** The wallet's other side in the ledger. */
export const SALES = 'platform:sales';
export const USAGE = 'platform:usage';
/** Credits operators grant (support, trials, installs without Stripe). */
export const GRANTS = 'platform:grants';
export const wallet = (orgId: string) => `org:${orgId}`;

/** Billing accounts, processed Stripe events and the credit ledger. */
export class BillingRepository {
  constructor(private readonly orm: Orm) {}

  async account(orgId: string): Promise<AccountRow> {
    const [row] = await this.orm.select().from(billingAccounts).where(eq(billingAccounts.orgId, orgId));
    return (
      row ?? {
        orgId,
        plan: 'free',
        status: 'active',
        stripeCustomerId: null,
        stripeSubscriptionId: null,
        currentPeriodEnd: null,
        pastDueSince: null,
        limitOverrides: null,
        extraDevices: 0,
        updatedAt: new Date(),
      }
    );
  }

  async accountByCustomer(customerId: string): Promise<AccountRow | undefined> {
    return (await this.orm.select().from(billingAccounts).where(eq(billingAccounts.stripeCustomerId, customerId)))[0];
  }

  async saveAccount(orgId: string, values: Partial<Omit<AccountRow, 'orgId'>>): Promise<AccountRow> {
    const [row] = await this.orm
      .insert(billingAccounts)
      .values({ orgId, ...values, updatedAt: new Date() })
      .onConflictDoUpdate({ target: billingAccounts.orgId, set: { ...values, updatedAt: new Date() } })
      .returning();
    return row!;
  }

  async deviceCount(orgId: string): Promise<number> {
    const [row] = await this.orm
      .select({ n: sql<number>`count(*)::int` })
      .from(devices)
      .where(eq(devices.orgId, orgId));
    return Number(row?.n ?? 0);
  }

  /** How much of a counted limit the organization uses now. */
  async countOf(orgId: string, limit: CountedLimit): Promise<number> {
    if (limit === 'devices') return this.deviceCount(orgId);
    const query =
      limit === 'seats'
        ? sql`SELECT (SELECT count(*) FROM ${memberships} WHERE ${memberships.orgId} = ${orgId})
               + (SELECT count(*) FROM ${invitations} WHERE ${invitations.orgId} = ${orgId}
                  AND ${invitations.acceptedAt} IS NULL AND ${invitations.revokedAt} IS NULL
                  AND ${invitations.expiresAt} > now()) AS n`
        : // Rollouts created this calendar month (UTC), whatever became of them.
          sql`SELECT count(*) AS n FROM ${rollouts} WHERE ${rollouts.orgId} = ${orgId}
               AND ${rollouts.createdAt} >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`;
    const [row] = rowsOf<{ n: string | number }>(await this.orm.execute(query));
    return Number(row?.n ?? 0);
  }

  /** Stores a verified event once; false when it was stored before (a replay). */
  async recordEvent(id: string, type: string, payload: Record<string, unknown>): Promise<boolean> {
    const rows = await this.orm
      .insert(stripeEvents)
      .values({ id, type, payload })
      .onConflictDoNothing()
      .returning({ id: stripeEvents.id });
    return rows.length > 0;
  }

  async unprocessedEvents(limit: number) {
    return this.orm
      .select()
      .from(stripeEvents)
      .where(and(isNull(stripeEvents.processedAt), lt(stripeEvents.attempts, 10)))
      .orderBy(asc(stripeEvents.receivedAt))
      .limit(limit);
  }

  async markEvent(id: string, error?: string): Promise<void> {
    await this.orm
      .update(stripeEvents)
      .set(
        error
          ? { attempts: sql`${stripeEvents.attempts} + 1`, lastError: error }
          : { processedAt: new Date(), lastError: null },
      )
      .where(eq(stripeEvents.id, id));
  }

  async balance(orgId: string): Promise<number> {
    const [row] = await this.orm
      .select({ n: sql<string>`coalesce(sum(${ledgerEntries.amount}), 0)::text` })
      .from(ledgerEntries)
      .where(eq(ledgerEntries.account, wallet(orgId)));
    return Number(row?.n ?? 0);
  }

  /**
   * Moves `amount` between an organization's wallet and another account as one balanced
   * transaction, once per idempotency key. `amount` > 0 credits the wallet, < 0 debits it; a debit
   * that would leave a negative balance is refused. Concurrent mutations of one wallet are
   * serialized by an advisory lock, so the check and the write cannot interleave.
   */
  async move(
    orgId: string,
    input: { amount: number; counterpart: string; kind: string; memo?: string; idempotencyKey: string },
  ): Promise<{ txId: string; replayed: boolean } | 'insufficient'> {
    return this.orm.transaction(async (tx) => {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`wallet:${orgId}`}, 0))`);
      const [seen] = await tx
        .select({ id: ledgerTransactions.id })
        .from(ledgerTransactions)
        .where(and(eq(ledgerTransactions.orgId, orgId), eq(ledgerTransactions.idempotencyKey, input.idempotencyKey)));
      if (seen) return { txId: seen.id, replayed: true };
      if (input.amount < 0) {
        const [row] = await tx
          .select({ n: sql<string>`coalesce(sum(${ledgerEntries.amount}), 0)::text` })
          .from(ledgerEntries)
          .where(eq(ledgerEntries.account, wallet(orgId)));
        if (Number(row?.n ?? 0) + input.amount < 0) return 'insufficient';
      }
      const txId = randomUUID();
      await tx
        .insert(ledgerTransactions)
        .values({ id: txId, orgId, idempotencyKey: input.idempotencyKey, kind: input.kind, amount: input.amount });
      await tx.insert(ledgerEntries).values([
        { txId, account: wallet(orgId), amount: input.amount, kind: input.kind, memo: input.memo },
        { txId, account: input.counterpart, amount: -input.amount, kind: input.kind, memo: input.memo },
      ]);
      return { txId, replayed: false };
    });
  }

  async statement(orgId: string) {
    return this.orm
      .select({
        at: ledgerEntries.createdAt,
        txId: ledgerEntries.txId,
        amount: ledgerEntries.amount,
        kind: ledgerEntries.kind,
        memo: ledgerEntries.memo,
      })
      .from(ledgerEntries)
      .where(eq(ledgerEntries.account, wallet(orgId)))
      .orderBy(asc(ledgerEntries.createdAt));
  }

  /** How many of the organization's devices were registered before this one. */
  async deviceRank(orgId: string, deviceId: string): Promise<number> {
    // Through rowsOf: a bare cast read PGlite's answer as empty and let every device in.
    const [row] = rowsOf<{ n: number }>(
      await this.orm.execute(sql`
        SELECT count(*)::int AS n FROM devices
        WHERE org_id = ${orgId} AND created_at < (SELECT created_at FROM devices WHERE id = ${deviceId})`),
    );
    return Number(row?.n ?? 0);
  }

  /** Usage per day in [from, to], per device when asked. */
  async usage(orgId: string, q: { from: string; to: string; byDevice: boolean }) {
    const totals = {
      messages: sql<string>`sum(${usageDaily.messages})::text`,
      points: sql<string>`sum(${usageDaily.points})::text`,
      bytes: sql<string>`sum(${usageDaily.bytes})::text`,
      apiCalls: sql<string>`sum(${usageDaily.apiCalls})::text`,
    };
    const where = and(eq(usageDaily.orgId, orgId), sql`${usageDaily.day} BETWEEN ${q.from} AND ${q.to}`);
    if (q.byDevice) {
      return this.orm
        .select({ day: usageDaily.day, deviceId: usageDaily.deviceId, ...totals })
        .from(usageDaily)
        .where(where)
        .groupBy(usageDaily.day, usageDaily.deviceId)
        .orderBy(usageDaily.day, usageDaily.deviceId);
    }
    return this.orm
      .select({ day: usageDaily.day, ...totals })
      .from(usageDaily)
      .where(where)
      .groupBy(usageDaily.day)
      .orderBy(usageDaily.day);
  }

  async createOrder(values: typeof orders.$inferInsert): Promise<OrderRow> {
    return (await this.orm.insert(orders).values(values).returning())[0]!;
  }

  /** Moves an order forward by its checkout session; a step already taken is not taken again. */
  async advanceOrder(
    checkoutId: string,
    status: OrderRow['status'],
    from: OrderRow['status'][],
    extra: { ledgerTxId?: string; paymentIntent?: string } = {},
  ): Promise<OrderRow | undefined> {
    return (
      await this.orm
        .update(orders)
        .set({
          status,
          updatedAt: new Date(),
          ...(extra.ledgerTxId ? { ledgerTxId: extra.ledgerTxId } : {}),
          ...(extra.paymentIntent ? { stripePaymentIntent: extra.paymentIntent } : {}),
        })
        .where(and(eq(orders.stripeCheckoutId, checkoutId), inArray(orders.status, from)))
        .returning()
    )[0];
  }

  /** Marks the order paid by this payment intent refunded, once. */
  async refundOrder(paymentIntent: string): Promise<OrderRow | undefined> {
    return (
      await this.orm
        .update(orders)
        .set({ status: 'refunded', updatedAt: new Date() })
        .where(and(eq(orders.stripePaymentIntent, paymentIntent), inArray(orders.status, ['paid', 'fulfilled'])))
        .returning()
    )[0];
  }

  /** Buys device licenses with credits: the debit, the order and the extra devices in one transaction. */
  async buyLicenses(
    orgId: string,
    quantity: number,
    credits: number,
    idempotencyKey: string,
  ): Promise<OrderRow | 'insufficient'> {
    const moved = await this.move(orgId, {
      amount: -credits,
      counterpart: SALES,
      kind: 'order',
      memo: `${quantity} device licenses`,
      idempotencyKey,
    });
    if (moved === 'insufficient') return 'insufficient';
    return this.orm.transaction(async (tx) => {
      const [existing] = await tx.select().from(orders).where(eq(orders.ledgerTxId, moved.txId));
      if (existing) return existing; // a replay of the same request
      const [order] = await tx
        .insert(orders)
        .values({
          orgId,
          kind: 'licenses',
          item: `${quantity} device licenses`,
          quantity,
          status: 'fulfilled',
          ledgerTxId: moved.txId,
        })
        .returning();
      await tx
        .insert(billingAccounts)
        .values({ orgId, extraDevices: quantity })
        .onConflictDoUpdate({
          target: billingAccounts.orgId,
          set: { extraDevices: sql`${billingAccounts.extraDevices} + ${quantity}`, updatedAt: new Date() },
        });
      return order!;
    });
  }
  async orders(orgId: string): Promise<OrderRow[]> {
    return this.orm.select().from(orders).where(eq(orders.orgId, orgId)).orderBy(desc(orders.createdAt)).limit(200);
  }

  /** Data points per organization on one day, with the Stripe customer and what was reported already. */
  async pointsByOrg(day: string) {
    const rows = await this.orm.execute(sql`
      SELECT u.org_id::text AS org_id, sum(u.points)::text AS points, b.stripe_customer_id, b.plan,
             coalesce(r.reported_points, 0)::text AS reported
      FROM usage_daily u
      LEFT JOIN billing_accounts b ON b.org_id = u.org_id
      LEFT JOIN usage_reports r ON r.org_id = u.org_id AND r.day = u.day
      WHERE u.day = ${day}
      GROUP BY u.org_id, b.stripe_customer_id, b.plan, r.reported_points`);
    const list = rowsOf<{
      org_id: string;
      points: string;
      stripe_customer_id: string | null;
      plan: string | null;
      reported: string;
    }>(rows);
    return list.map((r) => ({
      orgId: r.org_id,
      points: Number(r.points),
      customer: r.stripe_customer_id,
      plan: r.plan ?? 'free',
      reported: Number(r.reported),
    }));
  }

  async markReported(orgId: string, day: string, points: number): Promise<void> {
    await this.orm
      .insert(usageReports)
      .values({ orgId, day, reportedPoints: points })
      .onConflictDoUpdate({
        target: [usageReports.orgId, usageReports.day],
        set: { reportedPoints: points, updatedAt: new Date() },
      });
  }
}
