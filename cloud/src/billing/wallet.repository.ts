import { randomUUID } from 'node:crypto';
import { type Orm, schema } from '@iotp/db';
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';

const { billingAccounts, ledgerEntries, ledgerTransactions, orders } = schema;

export type OrderRow = typeof orders.$inferSelect;

/** The wallet's other side in the ledger. */
export const SALES = 'platform:sales';
export const USAGE = 'platform:usage';
/** Credits operators grant (support, trials, installs without Stripe). */
export const GRANTS = 'platform:grants';
const wallet = (orgId: string) => `org:${orgId}`;

/** The credit ledger (double entry, one wallet per organization) and the orders that fill or spend it. */
export class WalletRepository {
  constructor(private readonly orm: Orm) {}

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
    p: { quantity: number; devices: number; credits: number; idempotencyKey: string; itemId: string },
  ): Promise<OrderRow | 'insufficient'> {
    const moved = await this.move(orgId, {
      amount: -p.credits,
      counterpart: SALES,
      kind: 'order',
      memo: `${p.devices} device licenses`,
      idempotencyKey: p.idempotencyKey,
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
          item: `${p.devices} device licenses`,
          quantity: p.quantity,
          status: 'fulfilled',
          ledgerTxId: moved.txId,
          catalogItemId: p.itemId,
        })
        .returning();
      await addDevices(tx, orgId, p.devices);
      return order!;
    });
  }

  /** Fulfils device licenses paid through Stripe Checkout, once: the order and the extra devices together. */
  async fulfilLicenses(checkoutId: string, devices: number): Promise<OrderRow | undefined> {
    return this.orm.transaction(async (tx) => {
      const [order] = await tx
        .update(orders)
        .set({ status: 'fulfilled', updatedAt: new Date() })
        .where(and(eq(orders.stripeCheckoutId, checkoutId), inArray(orders.status, ['pending', 'paid'])))
        .returning();
      if (order) await addDevices(tx, order.orgId, devices);
      return order;
    });
  }

  /** Lowers the device limit by `devices` licenses refunded, never below the plan's own. */
  async removeDevices(orgId: string, devices: number): Promise<void> {
    await this.orm
      .update(billingAccounts)
      .set({ extraDevices: sql`greatest(${billingAccounts.extraDevices} - ${devices}, 0)`, updatedAt: new Date() })
      .where(eq(billingAccounts.orgId, orgId));
  }

  async order(orgId: string, where: { id?: string; checkoutId?: string }): Promise<OrderRow | undefined> {
    const match = where.id ? eq(orders.id, where.id) : eq(orders.stripeCheckoutId, where.checkoutId ?? '');
    return (
      await this.orm
        .select()
        .from(orders)
        .where(and(eq(orders.orgId, orgId), match))
    )[0];
  }

  async orders(orgId: string): Promise<OrderRow[]> {
    return this.orm.select().from(orders).where(eq(orders.orgId, orgId)).orderBy(desc(orders.createdAt)).limit(200);
  }
}

/** Raises the device limit by `devices` (plan limit + licenses bought), in the caller's transaction. */
async function addDevices(tx: Pick<Orm, 'insert'>, orgId: string, devices: number) {
  await tx
    .insert(billingAccounts)
    .values({ orgId, extraDevices: devices })
    .onConflictDoUpdate({
      target: billingAccounts.orgId,
      set: { extraDevices: sql`${billingAccounts.extraDevices} + ${devices}`, updatedAt: new Date() },
    });
}
