import type { Logger } from 'pino';
import { NotFound } from '../http/problem.ts';
import type { OrgRepository } from '../orgs/org.repository.ts';
import { InsufficientCredits } from './plans.ts';
import { GRANTS, type OrderRow, SALES, USAGE, type WalletRepository } from './wallet.repository.ts';

export interface WalletOptions {
  repo: WalletRepository;
  orgs: OrgRepository;
  logger: Logger;
  /** Whether Stripe is configured: says how to get more credits when they run out. */
  billingConfigured: boolean;
}

/** One credit in the ledger's unit (micro-credits). */
const CREDIT = 1_000_000;

/** The prepaid credit wallet: balance, spending, grants, the statement; and the orders that fill or spend it. */
export class WalletService {
  constructor(private readonly o: WalletOptions) {}

  async balance(orgId: string) {
    return { credits: (await this.o.repo.balance(orgId)) / CREDIT };
  }

  /** Spends credits, once per idempotency key; never below zero. */
  async spend(orgId: string, input: { credits: number; reason: string; idempotency_key: string }) {
    const result = await this.o.repo.move(orgId, {
      amount: -Math.round(input.credits * CREDIT),
      counterpart: USAGE,
      kind: 'spend',
      memo: input.reason,
      idempotencyKey: input.idempotency_key,
    });
    if (result === 'insufficient') throw new InsufficientCredits(orgId, this.o.billingConfigured);
    return { transaction_id: result.txId, replayed: result.replayed, ...(await this.balance(orgId)) };
  }

  /** An operator grants credits to an organization's wallet, once per idempotency key. */
  async grantCredits(orgId: string, input: { credits: number; reason: string; idempotency_key: string }) {
    if (!(await this.o.orgs.find(orgId))) throw new NotFound('No such organization');
    const moved = await this.o.repo.move(orgId, {
      amount: Math.round(input.credits * CREDIT),
      counterpart: GRANTS,
      kind: 'grant',
      memo: input.reason,
      idempotencyKey: input.idempotency_key,
    });
    // Only a debit is ever refused.
    if (moved === 'insufficient') throw new Error('unreachable: a credit to the wallet was refused');
    return { transaction_id: moved.txId, replayed: moved.replayed, ...(await this.balance(orgId)) };
  }

  async statement(orgId: string) {
    return (await this.o.repo.statement(orgId)).map((e) => ({
      at: e.at.toISOString(),
      transaction_id: e.txId,
      credits: e.amount / CREDIT,
      kind: e.kind,
      memo: e.memo,
    }));
  }

  /** Charges one started million of data points over the plan, once per day and million; false when the wallet is short. */
  async chargeOverage(orgId: string, day: string, million: number, credits: number): Promise<boolean> {
    const moved = await this.o.repo.move(orgId, {
      amount: -Math.round(credits * CREDIT),
      counterpart: USAGE,
      kind: 'overage',
      memo: `${day}: data points over the plan, million ${million}`,
      idempotencyKey: `overage:${day}:${million}`,
    });
    return moved !== 'insufficient';
  }

  /**
   * Buys device licenses with credits, once per idempotency key: `devices` more allowed, for
   * `credits` (whole credits, the catalog item's price times the quantity).
   */
  async buyLicenses(
    orgId: string,
    input: { itemId: string; quantity: number; devices: number; credits: number; idempotency_key: string },
  ) {
    const order = await this.o.repo.buyLicenses(orgId, {
      ...input,
      credits: Math.round(input.credits * CREDIT),
      idempotencyKey: input.idempotency_key,
    });
    if (order === 'insufficient') throw new InsufficientCredits(orgId, this.o.billingConfigured);
    return this.order(orgId, { id: order.id });
  }

  /** One order of the organization, by id or by its Stripe Checkout session. */
  async order(orgId: string, where: { id?: string; checkoutId?: string }) {
    const row = await this.o.repo.order(orgId, where);
    if (!row) throw new NotFound('No such order');
    return orderJson(row);
  }

  async orders(orgId: string) {
    return (await this.o.repo.orders(orgId)).map(orderJson);
  }

  /** An order paid through a Stripe Checkout session, pending until Stripe says it is paid. */
  async recordOrder(
    orgId: string,
    order: { kind: OrderRow['kind']; item: string; quantity?: number; itemId?: string },
    checkoutId: string,
  ) {
    await this.o.repo
      .createOrder({
        orgId,
        kind: order.kind,
        item: order.item,
        quantity: order.quantity ?? 1,
        catalogItemId: order.itemId,
        stripeCheckoutId: checkoutId,
      })
      .catch(() => undefined); // the same session twice
  }

  /** Raises the device limit by the licenses a paid checkout bought, once, and marks its order fulfilled. */
  async fulfilLicenses(checkoutId: string, devices: number): Promise<void> {
    await this.o.repo.fulfilLicenses(checkoutId, devices);
  }

  /** Moves the order of a checkout session forward; a step already taken is not taken again. */
  async advanceOrder(
    checkoutId: string,
    status: OrderRow['status'],
    from: OrderRow['status'][],
    extra?: { ledgerTxId?: string; paymentIntent?: string },
  ): Promise<void> {
    await this.o.repo.advanceOrder(checkoutId, status, from, extra);
  }

  /** Credits a paid top-up once, and marks its order fulfilled. */
  async fulfilTopUp(orgId: string, checkoutId: string, credits: number): Promise<void> {
    const moved = await this.o.repo.move(orgId, {
      amount: credits * CREDIT,
      counterpart: SALES,
      kind: 'top_up',
      memo: `Stripe ${checkoutId}`,
      idempotencyKey: `stripe:${checkoutId}`,
    });
    if (moved !== 'insufficient')
      await this.o.repo.advanceOrder(checkoutId, 'fulfilled', ['pending', 'paid'], { ledgerTxId: moved.txId });
  }

  /** Marks the order paid by this payment intent refunded, and takes bought credits back. */
  async refund(paymentIntent: string): Promise<void> {
    const order = await this.o.repo.refundOrder(paymentIntent);
    // Licenses paid by card are taken back with their payment (the newest devices then lose their place).
    if (order?.kind === 'licenses') return this.o.repo.removeDevices(order.orgId, Number.parseInt(order.item, 10));
    if (order?.kind !== 'credits') return;
    // Take the refunded credits back, as far as the balance allows: the wallet never goes negative.
    const credits = Number.parseInt(order.item, 10) * CREDIT;
    const take = Math.min(credits, await this.o.repo.balance(order.orgId));
    if (take > 0)
      await this.o.repo.move(order.orgId, {
        amount: -take,
        counterpart: SALES,
        kind: 'refund',
        memo: `refund of order ${order.id}`,
        idempotencyKey: `refund:${order.id}`,
      });
    if (take < credits)
      this.o.logger.warn(
        { orgId: order.orgId, orderId: order.id, shortfall: (credits - take) / CREDIT },
        'refunded credits already spent',
      );
  }
}

function orderJson(o: OrderRow) {
  return {
    id: o.id,
    kind: o.kind,
    item: o.item,
    item_id: o.catalogItemId,
    quantity: o.quantity,
    status: o.status,
    stripe_checkout_id: o.stripeCheckoutId,
    ledger_transaction_id: o.ledgerTxId,
    created_at: o.createdAt.toISOString(),
    updated_at: o.updatedAt.toISOString(),
  };
}
