import { type Orm, rowsOf, schema } from '@iotp/db';
import { and, asc, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { CatalogRepository } from './catalog.repository.ts';
import type { CountedLimit } from './plans.ts';
import { WalletRepository } from './wallet.repository.ts';

/** How metered usage is broken down beside the day. */
export type UsageBy = 'day' | 'device' | 'user';

const { billingAccounts, stripeEvents, devices, usageDaily, usageReports, memberships, invitations, rollouts, files } =
  schema;

export type AccountRow = typeof billingAccounts.$inferSelect;

/** The account of an organization that has none stored: the free plan. */
export function freeAccount(orgId: string): AccountRow {
  return {
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
  };
}

/** Billing accounts, processed Stripe events and metered usage; the wallet and orders in `wallet`. */
export class BillingRepository {
  /** The credit ledger and orders. */
  readonly wallet: WalletRepository;
  /** What can be bought. */
  readonly catalog: CatalogRepository;

  /** Built once: the broker reads it on each connect, and drizzle would build its SQL anew each time. */
  private readonly accountQuery;

  constructor(private readonly orm: Orm) {
    this.wallet = new WalletRepository(orm);
    this.catalog = new CatalogRepository(orm);
    this.accountQuery = orm
      .select()
      .from(billingAccounts)
      .where(eq(billingAccounts.orgId, sql.placeholder('orgId')))
      .prepare('billing_account');
  }

  async account(orgId: string): Promise<AccountRow> {
    const [row] = await this.accountQuery.execute({ orgId });
    return row ?? freeAccount(orgId);
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
    if (limit === 'files_bytes' || limit === 'files_count') {
      const [row] = await this.orm
        .select({ n: limit === 'files_bytes' ? sql<string>`coalesce(sum(${files.size}), 0)` : sql<string>`count(*)` })
        .from(files)
        .where(eq(files.orgId, orgId));
      return Number(row?.n ?? 0);
    }
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

  /**
   * Claims up to `limit` events to handle, oldest first, for `leaseS` seconds: a worker on another
   * node skips them (SKIP LOCKED while claiming, the lease after), so each event is handled once.
   * A worker that dies mid-way leaves its events to be claimed again once the lease runs out.
   */
  async claimEvents(limit: number, leaseS = 300) {
    const due = this.orm
      .select({ id: stripeEvents.id })
      .from(stripeEvents)
      .where(
        and(
          isNull(stripeEvents.processedAt),
          lt(stripeEvents.attempts, 10),
          or(isNull(stripeEvents.lockedUntil), lte(stripeEvents.lockedUntil, sql`now()`)),
        ),
      )
      .orderBy(asc(stripeEvents.receivedAt))
      .limit(limit)
      .for('update', { skipLocked: true });
    const claimed = await this.orm
      .update(stripeEvents)
      .set({ lockedUntil: sql`now() + make_interval(secs => ${leaseS})` })
      .where(inArray(stripeEvents.id, due))
      .returning();
    return claimed.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
  }

  /** Handled; or failed with `error`, to be tried again later (30 s more after each failure). */
  async markEvent(id: string, error?: string): Promise<void> {
    await this.orm
      .update(stripeEvents)
      .set(
        error
          ? {
              attempts: sql`${stripeEvents.attempts} + 1`,
              lastError: error,
              lockedUntil: sql`now() + make_interval(secs => 30 * (${stripeEvents.attempts} + 1))`,
            }
          : { processedAt: new Date(), lastError: null, lockedUntil: null },
      )
      .where(eq(stripeEvents.id, id));
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

  /** Usage per day in [from, to], and per device or per user when asked. */
  async usage(orgId: string, q: { from: string; to: string; by: UsageBy }) {
    const totals = {
      messages: sql<string>`sum(${usageDaily.messages})::text`,
      points: sql<string>`sum(${usageDaily.points})::text`,
      bytes: sql<string>`sum(${usageDaily.bytes})::text`,
      apiCalls: sql<string>`sum(${usageDaily.apiCalls})::text`,
    };
    const where = and(eq(usageDaily.orgId, orgId), sql`${usageDaily.day} BETWEEN ${q.from} AND ${q.to}`);
    if (q.by !== 'day') {
      const day = usageDaily.day;
      const key = sql<string>`${q.by === 'device' ? usageDaily.deviceId : usageDaily.userId}`;
      const rows = await this.orm
        .select({ day, key, ...totals })
        .from(usageDaily)
        .where(where)
        .groupBy(day, key)
        .orderBy(day, key);
      return rows.map(({ key, ...r }) => (q.by === 'device' ? { ...r, deviceId: key } : { ...r, userId: key }));
    }
    return this.orm
      .select({ day: usageDaily.day, ...totals })
      .from(usageDaily)
      .where(where)
      .groupBy(usageDaily.day)
      .orderBy(usageDaily.day);
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
