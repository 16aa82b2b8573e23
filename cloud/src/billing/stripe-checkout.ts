import type Stripe from 'stripe';
import { Invalid, NotFound } from '../http/problem.ts';
import type { BillingOptions } from './billing.service.ts';
import type { PlanName } from './plans.ts';
import type { WalletService } from './wallet.service.ts';

export interface StripeCheckoutOptions extends Pick<BillingOptions, 'repo' | 'orgs' | 'prices' | 'publicUrl'> {
  wallet: WalletService;
  /** The Stripe client; throws where billing is not configured. */
  stripe: () => Stripe;
}

/**
 * Stripe Checkout sessions (plans, credits, catalog items), each with its pending order, the
 * customer portal and invoices; every Stripe call carries an idempotency key.
 */
export class StripeCheckout {
  constructor(private readonly o: StripeCheckoutOptions) {}

  /** A Stripe Checkout session for a plan's subscription, with its pending order. */
  async checkout(orgId: string, plan: PlanName, itemId?: string) {
    const stripe = this.o.stripe();
    const price = this.o.prices[plan];
    if (!price)
      throw new Invalid(
        `plan: ${plan} cannot be bought here${plan === 'free' ? '' : '; its Stripe price is not configured'}`,
      );
    const customer = await this.customer(orgId);
    const session = await stripe.checkout.sessions.create(
      {
        mode: 'subscription',
        customer,
        line_items: [{ price, quantity: 1 }],
        success_url: `${this.o.publicUrl}/billing?checkout=success`,
        cancel_url: `${this.o.publicUrl}/billing?checkout=cancelled`,
        metadata: { org_id: orgId, kind: 'plan', plan },
        subscription_data: { metadata: { org_id: orgId } },
      },
      { idempotencyKey: `checkout:${orgId}:${plan}:${Math.floor(Date.now() / 60_000)}` },
    );
    await this.o.wallet.recordOrder(orgId, { kind: 'plan', item: plan, itemId }, session.id);
    return { url: session.url, id: session.id };
  }

  /** Buys credits at 1 USD each through Stripe Checkout; they arrive when the payment does. */
  topUp(orgId: string, credits: number) {
    return this.pay(orgId, {
      kind: 'credits',
      name: `${credits} platform credits`,
      unitAmount: credits * 100,
      currency: 'usd',
      quantity: 1,
      metadata: { kind: 'topup', credits: String(credits) },
      item: `${credits} credits`,
    });
  }

  /**
   * A one-off payment through Stripe Checkout (credits, device licenses), with its pending order;
   * `checkout.session.completed` fulfils it from `metadata.kind`.
   */
  async pay(
    orgId: string,
    p: {
      kind: 'credits' | 'licenses';
      name: string;
      unitAmount: number;
      currency: string;
      quantity: number;
      metadata: Record<string, string>;
      item: string;
      itemId?: string;
    },
  ) {
    const stripe = this.o.stripe();
    const customer = await this.customer(orgId);
    const session = await stripe.checkout.sessions.create(
      {
        mode: 'payment',
        customer,
        line_items: [
          {
            quantity: p.quantity,
            price_data: { currency: p.currency, unit_amount: p.unitAmount, product_data: { name: p.name } },
          },
        ],
        success_url: `${this.o.publicUrl}/billing?order=success`,
        cancel_url: `${this.o.publicUrl}/billing?order=cancelled`,
        metadata: { org_id: orgId, ...p.metadata },
      },
      { idempotencyKey: `pay:${orgId}:${p.itemId ?? p.kind}:${p.item}:${Math.floor(Date.now() / 60_000)}` },
    );
    await this.o.wallet.recordOrder(
      orgId,
      { kind: p.kind, item: p.item, quantity: p.quantity, itemId: p.itemId },
      session.id,
    );
    return { url: session.url, id: session.id };
  }

  async portal(orgId: string) {
    const stripe = this.o.stripe();
    const session = await stripe.billingPortal.sessions.create(
      { customer: await this.customer(orgId), return_url: `${this.o.publicUrl}/billing` },
      { idempotencyKey: `portal:${orgId}:${Math.floor(Date.now() / 60_000)}` },
    );
    return { url: session.url };
  }

  async invoices(orgId: string) {
    const stripe = this.o.stripe();
    const account = await this.o.repo.account(orgId);
    if (!account.stripeCustomerId) return [];
    const list = await stripe.invoices.list({ customer: account.stripeCustomerId, limit: 100 });
    return list.data.map((i) => ({
      id: i.id,
      number: i.number,
      status: i.status,
      amount_due: i.amount_due,
      amount_paid: i.amount_paid,
      currency: i.currency,
      created: new Date(i.created * 1000).toISOString(),
      hosted_invoice_url: i.hosted_invoice_url ?? null,
    }));
  }

  private async customer(orgId: string): Promise<string> {
    const account = await this.o.repo.account(orgId);
    if (account.stripeCustomerId) return account.stripeCustomerId;
    const org = await this.o.orgs.find(orgId);
    if (!org) throw new NotFound('No such organization');
    const customer = await this.o
      .stripe()
      .customers.create({ name: org.name, metadata: { org_id: orgId } }, { idempotencyKey: `customer:${orgId}` });
    await this.o.repo.saveAccount(orgId, { stripeCustomerId: customer.id });
    return customer.id;
  }
}
