import { NO_DEVICE, NO_USER } from '@iotp/broker';
import type { Logger } from 'pino';
import type Stripe from 'stripe';
import { BillingNotConfigured, NotFound } from '../http/problem.ts';
import type { NoticePort } from '../notify/port.ts';
import type { OrgRepository } from '../orgs/org.repository.ts';
import { type AccountRow, type BillingRepository, freeAccount, type UsageBy } from './billing.repository.ts';
import { CatalogService } from './catalog.service.ts';
import { type CountedLimit, PLANS, PlanLimitReached, type PlanLimits, type PlanName } from './plans.ts';
import { StripeCheckout } from './stripe-checkout.ts';
import { StripeEvents } from './stripe-events.ts';
import { WalletService } from './wallet.service.ts';

type PlanInForce = { name: PlanName; limits: PlanLimits; status: string };

export interface BillingOptions {
  repo: BillingRepository;
  orgs: OrgRepository;
  /** Tells the owners and billing members of a failed payment. */
  notify: NoticePort;
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
  /** Credits charged per million data points over the plan's daily allowance. */
  creditsPerMillionOverage?: number;
  /** Days a failed payment is tolerated before the plan falls back to free. */
  graceDays?: number;
  /** Stripe's signature tolerance, seconds. */
  toleranceS?: number;
}

/** Plans and limits, usage; Stripe Checkout and the portal in `checkouts`, Stripe's events in `StripeEvents`, credits in `wallet`, what can be bought in `catalog`. */
export class BillingService {
  /** The credit wallet and orders. */
  readonly wallet: WalletService;
  /** What can be bought, and ordering it. */
  readonly catalog: CatalogService;
  /** Stripe Checkout and the customer portal. */
  readonly checkouts: StripeCheckout;
  private readonly events: StripeEvents;
  private readonly log: Logger;
  private readonly planLookups = new Map<string, ReturnType<BillingService['plan']>>();

  constructor(private readonly o: BillingOptions) {
    this.log = o.logger.child({ component: 'billing' });
    this.wallet = new WalletService({
      repo: o.repo.wallet,
      orgs: o.orgs,
      logger: this.log,
      billingConfigured: o.stripe !== undefined,
    });
    this.checkouts = new StripeCheckout({ ...o, wallet: this.wallet, stripe: () => this.stripe() });
    this.catalog = new CatalogService({ repo: o.repo.catalog, checkouts: this.checkouts, wallet: this.wallet });
    this.events = new StripeEvents({ ...o, logger: this.log, wallet: this.wallet, stripe: () => this.stripe() });
  }

  get configured(): boolean {
    return this.o.stripe !== undefined;
  }

  /** The plan in force: a subscription past due beyond the grace period counts as free. */
  async plan(orgId: string): Promise<PlanInForce> {
    return this.planOf(await this.o.repo.account(orgId));
  }

  /** The plan in force under this account. */
  private planOf(account: AccountRow): PlanInForce {
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
      throw new PlanLimitReached({ orgId, plan: name, limit, allowed, current, billingConfigured: this.configured });
  }

  /** An operator sets the limits agreed beyond the plan (`null`: unlimited); they replace earlier ones. */
  async setLimitOverrides(orgId: string, overrides: Partial<PlanLimits>) {
    if (!(await this.o.orgs.find(orgId))) throw new NotFound('No such organization');
    await this.o.repo.saveAccount(orgId, { limitOverrides: overrides });
    return this.summary(orgId);
  }

  /** For the broker: whether this device is within the plan's device count (oldest devices first). */
  async deviceAllowed(orgId: string, deviceId: string): Promise<boolean> {
    return (await this.admission(orgId, deviceId)).allowed;
  }

  /**
   * For the broker, on each connect: whether the device is within the plan's device count, and the
   * daily message quota that then applies, from one lookup of the plan. `account`: the organization's
   * account as read with the device's credentials (null: none stored), so the plan needs no lookup.
   */
  async admission(
    orgId: string,
    deviceId: string,
    account?: AccountRow | null,
  ): Promise<{ allowed: boolean; messagesPerDay: number | null }> {
    const { limits } = account === undefined ? await this.planOnce(orgId) : this.planOf(account ?? freeAccount(orgId));
    const allowed = limits.devices === null || (await this.o.repo.deviceRank(orgId, deviceId)) < limits.devices;
    return { allowed, messagesPerDay: limits.messages_per_day };
  }

  /**
   * The plan, looked up once for all who ask in the same turn of the event loop (a fleet connecting
   * at once), at the end of it: each asked before the lookup was sent, so it reads what was
   * committed before they asked, as a lookup of their own would.
   */
  private planOnce(orgId: string): ReturnType<BillingService['plan']> {
    let lookup = this.planLookups.get(orgId);
    if (!lookup) {
      lookup = new Promise((resolve) => setImmediate(resolve)).then(() => {
        this.planLookups.delete(orgId);
        return this.plan(orgId);
      });
      this.planLookups.set(orgId, lookup);
    }
    return lookup;
  }

  /** For the broker: the plan's daily message quota. */
  async messagesPerDay(orgId: string): Promise<number | null> {
    return (await this.plan(orgId)).limits.messages_per_day;
  }

  async usage(orgId: string, q: { from: string; to: string; by: UsageBy }) {
    return (await this.o.repo.usage(orgId, q)).map((r) => ({
      day: r.day,
      ...('deviceId' in r ? { device_id: r.deviceId === NO_DEVICE ? null : r.deviceId } : {}),
      ...('userId' in r ? { user_id: r.userId === NO_USER ? null : r.userId } : {}),
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
      credits: (await this.wallet.balance(orgId)).credits,
    };
  }

  /** Today's metered totals (flushed every few seconds), to set against the daily limits. */
  private async today(orgId: string) {
    const day = new Date().toISOString().slice(0, 10);
    const [row] = await this.o.repo.usage(orgId, { from: day, to: day, by: 'day' });
    return { messages_today: Number(row?.messages ?? 0), data_points_today: Number(row?.points ?? 0) };
  }

  /**
   * Verifies a webhook on its raw body against each configured secret, stores it once, and leaves
   * the work to `drain()`: Stripe gets its 2xx at once.
   */
  receiveWebhook(rawBody: string, signature: string | undefined): Promise<{ duplicate: boolean }> {
    return this.events.receive(rawBody, signature);
  }

  /** Processes stored Stripe events until none is left; failures are retried on the next call. */
  drain(): Promise<void> {
    return this.events.drain();
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
          const charged = await this.wallet.chargeOverage(usage.orgId, day, m, this.o.creditsPerMillionOverage ?? 1);
          if (!charged) {
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

  private stripe(): Stripe {
    if (!this.o.stripe) {
      throw new BillingNotConfigured();
    }
    return this.o.stripe;
  }
}
