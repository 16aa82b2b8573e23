import { NO_DEVICE } from '@iotp/broker';
import type { Logger } from 'pino';
import type Stripe from 'stripe';
import { z } from 'zod';
import { Invalid, NotFound, Problem } from '../http/problem.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { OrgRepository } from '../orgs/org.repository.ts';
import { type BillingRepository, GRANTS, SALES, USAGE } from './billing.repository.ts';
import {
  type CountedLimit,
  insufficientCredits,
  PLANS,
  type PlanLimits,
  type PlanName,
  planLimitProblem,
} from './plans.ts';

export interface BillingOptions {
  repo: BillingRepository;
  orgs: OrgRepository;
  mailer: Mailer;
  logger: Logger;
  /** Absent: billing is not configured; everyone is on the free plan. */
  stripe?: Stripe;
  /** Signing secrets of the webhook endpoint; several during a rotation. */
  webhookSecrets: string[];
  /** Stripe price ids of the paid plans. */
  prices: Partial<Record<PlanName, string>>;
  publicUrl: string;
  /** Stripe billing meter event name for data points (pay as you go); unset: no metered reporting. */
  meterEvent?: string;
  /** Credits a device license costs. */
  creditsPerDeviceLicense?: number;
  /** Credits charged per million data points over the plan's daily allowance. */
  creditsPerMillionOverage?: number;
  /** Days a failed payment is tolerated before the plan falls back to free. */
  graceDays?: number;
  /** Stripe's signature tolerance, seconds. */
  toleranceS?: number;
}

/**
 * What a webhook event must hold before it is stored: a signed body is still input, and its id and
 * type become text keys. The id as Stripe forms it (`evt_...`), kept to what the column can index.
 */
const WebhookEvent = z.looseObject({
  id: z.string().regex(/^[\w-]{1,255}$/),
  type: z.string().regex(/^[\w.-]{1,255}$/),
  data: z.looseObject({ object: z.looseObject({}) }),
});

/** One credit in the ledger's unit (micro-credits). */
export const CREDIT = 1_000_000;

/** Plans, limits, Stripe checkout and portal, webhooks, and the prepaid credit wallet. */
export class BillingService {
  private readonly log: Logger;
  private draining: Promise<void> | undefined;

  constructor(private readonly o: BillingOptions) {
    this.log = o.logger.child({ component: 'billing' });
  }

  get configured(): boolean {
    return this.o.stripe !== undefined;
  }

  /** The plan in force: a subscription past due beyond the grace period counts as free. */
  async plan(orgId: string): Promise<{ name: PlanName; limits: PlanLimits; status: string }> {
    const account = await this.o.repo.account(orgId);
    const graceMs = (this.o.graceDays ?? 7) * 86_400_000;
    const lapsed = account.pastDueSince && Date.now() - account.pastDueSince.getTime() > graceMs;
    const name = (lapsed || !(account.plan in PLANS) ? 'free' : account.plan) as PlanName;
    // Contract overrides apply to the paid plan they were agreed for, not after a downgrade.
    const limits = { ...PLANS[name], ...(lapsed ? {} : account.limitOverrides) } as PlanLimits;
    if (limits.devices !== null) limits.devices += account.extraDevices;
    return { name, limits, status: lapsed ? 'downgraded' : account.status };
  }

  /** Refuses what would take the organization past a plan limit: a 402 naming the limit and what to do. */
  async checkLimit(orgId: string, limit: CountedLimit, adding: number): Promise<void> {
    const { name, limits } = await this.plan(orgId);
    const allowed = limits[limit];
    if (allowed === null) return;
    const current = await this.o.repo.countOf(orgId, limit);
    if (current + adding > allowed)
      throw planLimitProblem({ orgId, plan: name, limit, allowed, current, billingConfigured: this.configured });
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
    return { transaction_id: moved.txId, replayed: moved.replayed, ...(await this.wallet(orgId)) };
  }

  /** An operator sets the limits agreed beyond the plan (`null`: unlimited); they replace earlier ones. */
  async setLimitOverrides(orgId: string, overrides: Partial<PlanLimits>) {
    if (!(await this.o.orgs.find(orgId))) throw new NotFound('No such organization');
    await this.o.repo.saveAccount(orgId, { limitOverrides: overrides });
    return this.summary(orgId);
  }

  /** For the broker: whether this device is within the plan's device count (oldest devices first). */
  async deviceAllowed(orgId: string, deviceId: string): Promise<boolean> {
    const { limits } = await this.plan(orgId);
    return limits.devices === null || (await this.o.repo.deviceRank(orgId, deviceId)) < limits.devices;
  }

  /** For the broker: the plan's daily message quota. */
  async messagesPerDay(orgId: string): Promise<number | null> {
    return (await this.plan(orgId)).limits.messages_per_day;
  }

  async usage(orgId: string, q: { from: string; to: string; byDevice: boolean }) {
    return (await this.o.repo.usage(orgId, q)).map((r) => ({
      day: r.day,
      ...('deviceId' in r ? { device_id: r.deviceId === NO_DEVICE ? null : r.deviceId } : {}),
      messages: Number(r.messages),
      data_points: Number(r.points),
      bytes: Number(r.bytes),
      api_calls: Number(r.apiCalls),
    }));
  }

  async summary(orgId: string) {
    const account = await this.o.repo.account(orgId);
    const plan = await this.plan(orgId);
    return {
      plan: plan.name,
      status: plan.status,
      limits: plan.limits,
      usage: { devices: await this.o.repo.deviceCount(orgId), ...(await this.today(orgId)) },
      current_period_end: account.currentPeriodEnd?.toISOString() ?? null,
      billing_configured: this.configured,
      credits: (await this.o.repo.balance(orgId)) / CREDIT,
    };
  }

  /** Today's metered totals (flushed every few seconds), to set against the daily limits. */
  private async today(orgId: string) {
    const day = new Date().toISOString().slice(0, 10);
    const [row] = await this.o.repo.usage(orgId, { from: day, to: day, byDevice: false });
    return { messages_today: Number(row?.messages ?? 0), data_points_today: Number(row?.points ?? 0) };
  }

  async checkout(orgId: string, plan: PlanName) {
    const stripe = this.stripe();
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
    await this.recordOrder(orgId, 'plan', plan, session.id);
    return { url: session.url, id: session.id };
  }

  async topUp(orgId: string, credits: number) {
    const stripe = this.stripe();
    const customer = await this.customer(orgId);
    const session = await stripe.checkout.sessions.create(
      {
        mode: 'payment',
        customer,
        line_items: [
          {
            quantity: 1,
            price_data: {
              currency: 'usd',
              unit_amount: credits * 100,
              product_data: { name: `${credits} platform credits` },
            },
          },
        ],
        success_url: `${this.o.publicUrl}/billing?topup=success`,
        cancel_url: `${this.o.publicUrl}/billing?topup=cancelled`,
        metadata: { org_id: orgId, kind: 'topup', credits: String(credits) },
      },
      { idempotencyKey: `topup:${orgId}:${credits}:${Math.floor(Date.now() / 60_000)}` },
    );
    await this.recordOrder(orgId, 'credits', `${credits} credits`, session.id);
    return { url: session.url, id: session.id };
  }

  async portal(orgId: string) {
    const stripe = this.stripe();
    const session = await stripe.billingPortal.sessions.create(
      { customer: await this.customer(orgId), return_url: `${this.o.publicUrl}/billing` },
      { idempotencyKey: `portal:${orgId}:${Math.floor(Date.now() / 60_000)}` },
    );
    return { url: session.url };
  }

  async invoices(orgId: string) {
    const stripe = this.stripe();
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

  /**
   * Verifies a webhook on its raw body against each configured secret, stores it once, and leaves
   * the work to `drain()`: Stripe gets its 2xx at once.
   */
  async receiveWebhook(rawBody: string, signature: string | undefined): Promise<{ duplicate: boolean }> {
    const stripe = this.stripe();
    if (!signature) throw new Problem('invalid-signature', 400, 'Missing Stripe-Signature header');
    let event: Stripe.Event | undefined;
    for (const secret of this.o.webhookSecrets) {
      try {
        event = await stripe.webhooks.constructEventAsync(rawBody, signature, secret, this.o.toleranceS ?? 300);
        break;
      } catch {
        // try the next secret (rotation)
      }
    }
    if (!event)
      throw new Problem(
        'invalid-signature',
        400,
        'Invalid signature',
        'The Stripe signature does not match, or is older than 300 s',
      );
    const shape = WebhookEvent.safeParse(event);
    if (!shape.success) {
      const fields = shape.error.issues.map((i) => i.path.join('.'));
      throw new Invalid(`The event is not a Stripe event: check ${fields.join(', ')}`);
    }
    const fresh = await this.o.repo.recordEvent(event.id, event.type, event as unknown as Record<string, unknown>);
    if (fresh) this.kick();
    return { duplicate: !fresh };
  }

  /** Processes stored events until none is left; failures are retried on the next call. */
  drain(): Promise<void> {
    this.draining ??= (async () => {
      for (
        let batch = await this.o.repo.unprocessedEvents(50);
        batch.length;
        batch = await this.o.repo.unprocessedEvents(50)
      ) {
        for (const row of batch) {
          try {
            await this.handle(row.payload as unknown as Stripe.Event);
            await this.o.repo.markEvent(row.id);
          } catch (err) {
            this.log.error({ err, eventId: row.id, type: row.type }, 'Stripe event failed; will retry');
            await this.o.repo.markEvent(row.id, (err as Error).message);
          }
        }
      }
    })().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  async wallet(orgId: string) {
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
    if (result === 'insufficient') throw insufficientCredits(orgId, this.configured);
    return { transaction_id: result.txId, replayed: result.replayed, ...(await this.wallet(orgId)) };
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

  /**
   * Charges the wallet for data points over each plan's daily allowance, per started million, once
   * per million (idempotency keys), and reports new data points to Stripe's meter when one is set.
   * Safe to run as often as wanted: both steps only add what is new.
   */
  async settleUsage(day = new Date().toISOString().slice(0, 10)): Promise<void> {
    for (const usage of await this.o.repo.pointsByOrg(day)) {
      const { limits } = await this.plan(usage.orgId);
      const allowance = limits.data_points_per_day;
      if (allowance !== null && usage.points > allowance) {
        const millions = Math.ceil((usage.points - allowance) / 1_000_000);
        for (let m = 1; m <= millions; m++) {
          const moved = await this.o.repo.move(usage.orgId, {
            amount: -Math.round((this.o.creditsPerMillionOverage ?? 1) * CREDIT),
            counterpart: USAGE,
            kind: 'overage',
            memo: `${day}: data points over the plan, million ${m}`,
            idempotencyKey: `overage:${day}:${m}`,
          });
          if (moved === 'insufficient') {
            this.log.warn({ orgId: usage.orgId, day }, 'overage not charged: not enough credits');
            break;
          }
        }
      }
      if (this.o.stripe && this.o.meterEvent && usage.customer && usage.points > usage.reported) {
        await this.o.stripe.billing.meterEvents.create({
          event_name: this.o.meterEvent,
          identifier: `${usage.orgId}:${day}:${usage.points}`,
          payload: { stripe_customer_id: usage.customer, value: String(usage.points - usage.reported) },
        });
        await this.o.repo.markReported(usage.orgId, day, usage.points);
      }
    }
  }

  /** Buys device licenses with credits: each raises the device limit by one. */
  async buyLicenses(orgId: string, input: { quantity: number; idempotency_key: string }) {
    const credits = Math.round((this.o.creditsPerDeviceLicense ?? 10) * input.quantity * CREDIT);
    const order = await this.o.repo.buyLicenses(orgId, input.quantity, credits, input.idempotency_key);
    if (order === 'insufficient') throw insufficientCredits(orgId, this.configured);
    return (await this.orders(orgId)).find((o) => o.id === order.id)!;
  }

  async orders(orgId: string) {
    return (await this.o.repo.orders(orgId)).map((o) => ({
      id: o.id,
      kind: o.kind,
      item: o.item,
      quantity: o.quantity,
      status: o.status,
      stripe_checkout_id: o.stripeCheckoutId,
      ledger_transaction_id: o.ledgerTxId,
      created_at: o.createdAt.toISOString(),
      updated_at: o.updatedAt.toISOString(),
    }));
  }

  private async recordOrder(orgId: string, kind: 'plan' | 'credits', item: string, checkoutId: string) {
    await this.o.repo.createOrder({ orgId, kind, item, stripeCheckoutId: checkoutId }).catch(() => undefined); // the same session twice
  }

  /** State is taken from Stripe's current objects, so events may come in any order. */
  private async handle(event: Stripe.Event): Promise<void> {
    const stripe = this.stripe();
    switch (event.type) {
      case 'checkout.session.completed': {
        const s = event.data.object as Stripe.Checkout.Session;
        const orgId = s.metadata?.org_id;
        if (!orgId) return;
        if (s.payment_status !== 'paid' && s.payment_status !== 'no_payment_required') return;
        const paymentIntent = typeof s.payment_intent === 'string' ? s.payment_intent : undefined;
        await this.o.repo.advanceOrder(s.id, 'paid', ['pending'], { paymentIntent });
        if (s.metadata?.kind === 'topup') {
          const credits = Number(s.metadata.credits);
          const moved = await this.o.repo.move(orgId, {
            amount: credits * CREDIT,
            counterpart: SALES,
            kind: 'top_up',
            memo: `Stripe ${s.id}`,
            idempotencyKey: `stripe:${s.id}`,
          });
          if (moved !== 'insufficient')
            await this.o.repo.advanceOrder(s.id, 'fulfilled', ['pending', 'paid'], { ledgerTxId: moved.txId });
        }
        if (s.metadata?.kind === 'plan' && typeof s.subscription === 'string') {
          await this.reconcile(await stripe.subscriptions.retrieve(s.subscription), orgId);
          await this.o.repo.advanceOrder(s.id, 'fulfilled', ['pending', 'paid']);
        }
        return;
      }
      case 'charge.refunded': {
        const charge = event.data.object as Stripe.Charge;
        const intent = typeof charge.payment_intent === 'string' ? charge.payment_intent : undefined;
        const order = intent ? await this.o.repo.refundOrder(intent) : undefined;
        if (order?.kind === 'credits') {
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
            this.log.warn(
              { orgId: order.orgId, orderId: order.id, shortfall: (credits - take) / CREDIT },
              'refunded credits already spent',
            );
        }
        return;
      }
      case 'checkout.session.expired':
      case 'checkout.session.async_payment_failed': {
        await this.o.repo.advanceOrder((event.data.object as Stripe.Checkout.Session).id, 'failed', ['pending']);
        return;
      }
      case 'customer.subscription.created':
      case 'customer.subscription.updated':
      case 'customer.subscription.deleted': {
        const sub = event.data.object as Stripe.Subscription;
        // The event may be stale: read the subscription as it is now.
        const current = await stripe.subscriptions.retrieve(sub.id).catch(() => sub);
        await this.reconcile(current);
        return;
      }
      case 'invoice.paid':
      case 'invoice.payment_failed': {
        const invoice = event.data.object as Stripe.Invoice;
        const account =
          typeof invoice.customer === 'string' ? await this.o.repo.accountByCustomer(invoice.customer) : undefined;
        if (!account) return;
        if (event.type === 'invoice.paid')
          await this.o.repo.saveAccount(account.orgId, { pastDueSince: null, status: 'active' });
        else if (!account.pastDueSince) {
          await this.o.repo.saveAccount(account.orgId, { pastDueSince: new Date(), status: 'past_due' });
          await this.mailOwners(
            account.orgId,
            'Payment failed',
            `A payment failed. Update your payment method within ${this.o.graceDays ?? 7} days to keep your plan.`,
          );
        }
        return;
      }
      default:
        return;
    }
  }

  private async reconcile(sub: Stripe.Subscription, orgIdHint?: string): Promise<void> {
    const customer = typeof sub.customer === 'string' ? sub.customer : sub.customer.id;
    const orgId = orgIdHint ?? sub.metadata?.org_id ?? (await this.o.repo.accountByCustomer(customer))?.orgId;
    if (!orgId) return this.log.warn({ subscription: sub.id }, 'subscription for an unknown organization');
    const priceId = sub.items?.data?.[0]?.price?.id;
    const plan = (Object.entries(this.o.prices).find(([, id]) => id === priceId)?.[0] ?? 'free') as PlanName;
    const ended = sub.status === 'canceled' || sub.status === 'incomplete_expired';
    const periodEnd =
      (sub as unknown as { current_period_end?: number }).current_period_end ??
      sub.items?.data?.[0]?.current_period_end;
    await this.o.repo.saveAccount(orgId, {
      plan: ended ? 'free' : plan,
      status: sub.status,
      stripeCustomerId: customer,
      stripeSubscriptionId: ended ? null : sub.id,
      currentPeriodEnd: periodEnd ? new Date(periodEnd * 1000) : null,
      ...(sub.status === 'active' ? { pastDueSince: null } : {}),
    });
  }

  private async customer(orgId: string): Promise<string> {
    const account = await this.o.repo.account(orgId);
    if (account.stripeCustomerId) return account.stripeCustomerId;
    const org = await this.o.orgs.find(orgId);
    if (!org) throw new NotFound('No such organization');
    const customer = await this.stripe().customers.create(
      { name: org.name, metadata: { org_id: orgId } },
      { idempotencyKey: `customer:${orgId}` },
    );
    await this.o.repo.saveAccount(orgId, { stripeCustomerId: customer.id });
    return customer.id;
  }

  private async mailOwners(orgId: string, subject: string, text: string) {
    for (const m of await this.o.orgs.members(orgId))
      if (m.role === 'owner' || m.role === 'billing') await this.o.mailer.send({ to: m.email, subject, text });
  }

  private kick() {
    setImmediate(() => {
      this.drain().catch((err) => this.log.error({ err }, 'draining Stripe events failed'));
    });
  }

  private stripe(): Stripe {
    if (!this.o.stripe) {
      throw new Problem(
        'billing-not-configured',
        503,
        'Billing is not configured',
        'Set STRIPE_SECRET_KEY (and the price ids) to enable billing; everyone is on the free plan meanwhile',
      );
    }
    return this.o.stripe;
  }
}
