import type { Logger } from 'pino';
import type Stripe from 'stripe';
import { z } from 'zod';
import { Invalid, InvalidSignature } from '../http/problem.ts';
import type { BillingOptions } from './billing.service.ts';
import type { PlanName } from './plans.ts';
import type { WalletService } from './wallet.service.ts';

export interface StripeEventsOptions
  extends Pick<BillingOptions, 'repo' | 'notify' | 'webhookSecrets' | 'prices' | 'graceDays' | 'toleranceS'> {
  logger: Logger;
  wallet: WalletService;
  /** The Stripe client; throws where billing is not configured. */
  stripe: () => Stripe;
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

/** Stripe's webhook events: verified and stored as they come, then applied from that queue, each once. */
export class StripeEvents {
  private draining: Promise<void> | undefined;

  constructor(private readonly o: StripeEventsOptions) {}

  /**
   * Verifies a webhook on its raw body against each configured secret, stores it once, and leaves
   * the work to `drain()`: Stripe gets its 2xx at once.
   */
  async receive(rawBody: string, signature: string | undefined): Promise<{ duplicate: boolean }> {
    const stripe = this.o.stripe();
    if (!signature) throw new InvalidSignature('Missing Stripe-Signature header');
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
      throw new InvalidSignature('Invalid signature', 'The Stripe signature does not match, or is older than 300 s');
    const shape = WebhookEvent.safeParse(event);
    if (!shape.success) {
      const fields = shape.error.issues.map((i) => i.path.join('.'));
      throw new Invalid(`The event is not a Stripe event: check ${fields.join(', ')}`);
    }
    const fresh = await this.o.repo.recordEvent(event.id, event.type, event as unknown as Record<string, unknown>);
    if (fresh) this.kick();
    return { duplicate: !fresh };
  }

  /**
   * Processes stored events until none is left to claim; several nodes may drain at once, each
   * event is handled by one. A failed event is tried again by a later drain, up to 10 times.
   */
  drain(): Promise<void> {
    this.draining ??= (async () => {
      for (let batch = await this.o.repo.claimEvents(50); batch.length; batch = await this.o.repo.claimEvents(50)) {
        for (const row of batch) {
          try {
            await this.handle(row.payload as unknown as Stripe.Event);
            await this.o.repo.markEvent(row.id);
          } catch (err) {
            this.o.logger.error({ err, eventId: row.id, type: row.type }, 'Stripe event failed; will retry');
            await this.o.repo.markEvent(row.id, (err as Error).message);
          }
        }
      }
    })().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  /** State is taken from Stripe's current objects, so events may come in any order. */
  private async handle(event: Stripe.Event): Promise<void> {
    const stripe = this.o.stripe();
    switch (event.type) {
      case 'checkout.session.completed': {
        const s = event.data.object as Stripe.Checkout.Session;
        const orgId = s.metadata?.org_id;
        if (!orgId) return;
        if (s.payment_status !== 'paid' && s.payment_status !== 'no_payment_required') return;
        const paymentIntent = typeof s.payment_intent === 'string' ? s.payment_intent : undefined;
        await this.o.wallet.advanceOrder(s.id, 'paid', ['pending'], { paymentIntent });
        if (s.metadata?.kind === 'topup') await this.o.wallet.fulfilTopUp(orgId, s.id, Number(s.metadata.credits));
        if (s.metadata?.kind === 'licenses') await this.o.wallet.fulfilLicenses(s.id, Number(s.metadata.devices));
        if (s.metadata?.kind === 'plan' && typeof s.subscription === 'string') {
          await this.reconcile(await stripe.subscriptions.retrieve(s.subscription), orgId);
          await this.o.wallet.advanceOrder(s.id, 'fulfilled', ['pending', 'paid']);
        }
        return;
      }
      case 'charge.refunded': {
        const charge = event.data.object as Stripe.Charge;
        if (typeof charge.payment_intent === 'string') await this.o.wallet.refund(charge.payment_intent);
        return;
      }
      case 'checkout.session.expired':
      case 'checkout.session.async_payment_failed': {
        await this.o.wallet.advanceOrder((event.data.object as Stripe.Checkout.Session).id, 'failed', ['pending']);
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
          // Told before the account is marked: a retry after a failure between the two tells each member once (the key).
          await this.o.notify.notice({
            orgId: account.orgId,
            roles: ['owner', 'billing'],
            kind: 'payment.failed',
            severity: 'major',
            title: 'Payment failed',
            body: `A payment failed. Update your payment method within ${this.o.graceDays ?? 7} days to keep your plan.`,
            link: `/orgs/${account.orgId}/billing`,
            data: { invoice_id: invoice.id ?? null },
            key: `stripe:${event.id}`,
          });
          await this.o.repo.saveAccount(account.orgId, { pastDueSince: new Date(), status: 'past_due' });
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
    if (!orgId) return this.o.logger.warn({ subscription: sub.id }, 'subscription for an unknown organization');
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

  private kick() {
    setImmediate(() => {
      this.drain().catch((err) => this.o.logger.error({ err }, 'draining Stripe events failed'));
    });
  }
}
