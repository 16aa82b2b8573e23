import type { BillingAccount } from './device-store.ts';
import type { BrokerLimits } from './limits.ts';
import { RateLimiter } from './rate-limit.ts';
import { Rejection } from './reasons.ts';
import type { UsageMeter } from './usage-meter.ts';

/** The plan's side of quotas: how many messages a day an organization may send (null: no limit). */
export interface QuotaPlan {
  messagesPerDay(orgId: string): Promise<number | null>;
}

/** The plan's side of a connect: may this device connect, and the daily quota that then applies. */
export interface PlanAdmission {
  /**
   * `account`: the organization's billing account, when it was read with the device's credentials
   * (null: it has none); undefined: the plan looks it up.
   */
  admission(
    orgId: string,
    deviceId: string,
    account?: BillingAccount,
  ): Promise<{ allowed: boolean; messagesPerDay: number | null }>;
}

/** Counters with expiry shared by every node (Redis): the shape of the cloud's `RedisCounterStore`. */
export interface SharedCounters {
  /** Adds one to `key`, whose window starts at its first hit; returns the count in the window. */
  incr(key: string, windowS: number): Promise<{ count: number }>;
}

export interface QuotasOptions {
  limits: Pick<BrokerLimits, 'connectRatePerS' | 'connectBurst' | 'messagesPerS' | 'messagesBurst' | 'maxThrottleMs'>;
  plan?: QuotaPlan;
  /** Counts today's messages per organization; without it no daily quota applies. */
  meter?: UsageMeter;
  /** Connection attempts per address counted across every broker node as well (when REDIS_URL is set). */
  shared?: SharedCounters;
}

/**
 * The broker's quotas: connection attempts per address, messages per device (slowed, then
 * disconnected), and the organization's daily message quota from its plan, counted by the meter.
 * Quotas are kept in memory and refreshed in the background: a lookup on the hot path never waits;
 * only a connection attempt may wait, for the cluster's count of its address.
 * @example const quotas = new Quotas({ limits, plan, meter }); if (!(await quotas.connectAllowed(address))) refuse();
 */
export class Quotas {
  private readonly connects: RateLimiter;
  private readonly messages: RateLimiter;
  private readonly daily = new Map<string, number | null>();

  constructor(private readonly o: QuotasOptions) {
    this.connects = new RateLimiter(o.limits.connectRatePerS, o.limits.connectBurst);
    this.messages = new RateLimiter(o.limits.messagesPerS, o.limits.messagesBurst);
  }

  /** Forgets idle buckets and looks the daily quotas up again: the broker's housekeeping runs it each minute. */
  async housekeeping(): Promise<void> {
    this.connects.sweep();
    this.messages.sweep();
    await this.refresh();
  }

  /**
   * Takes a connection attempt for this address, if it has one left: from this node's bucket, and
   * with shared counters also from the cluster's, which allows `connectBurst` attempts per
   * `connectBurst / connectRatePerS` seconds (the time the bucket takes to fill) on all nodes together.
   * A failed shared count lets the attempt through: a Redis outage must not take a fleet offline.
   */
  async connectAllowed(address: string): Promise<boolean> {
    if (!this.connects.tryTake(address)) return false;
    const { shared, limits } = this.o;
    if (!shared) return true;
    const windowS = Math.max(1, Math.ceil(limits.connectBurst / limits.connectRatePerS));
    const counted = await shared.incr(`mqtt-connect:${address}`, windowS).catch(() => undefined);
    return !counted || counted.count <= limits.connectBurst;
  }

  /**
   * How long (ms) this device's next message must wait to keep to its rate, or a refusal when it is
   * so far behind that it is disconnected rather than slowed further.
   */
  messageDelay(deviceId: string): number | Rejection {
    const wait = this.messages.take(deviceId);
    return wait > this.o.limits.maxThrottleMs ? new Rejection('rate_limited') : wait;
  }

  /**
   * Takes the organization's daily quota, as the plan gave it with a connect's admission, or looks
   * it up again (in the background): called on each connection, so a plan change shows on the next.
   */
  learn(orgId: string, quota?: number | null): void {
    if (quota !== undefined) {
      this.daily.set(orgId, quota);
      return;
    }
    const { plan } = this.o;
    if (!plan) return;
    if (!this.daily.has(orgId)) this.daily.set(orgId, null);
    plan.messagesPerDay(orgId).then(
      (q) => this.daily.set(orgId, q),
      () => undefined,
    );
  }

  /** A refusal when the organization has used up today's messages, as far as this process counted. */
  dailyExceeded(orgId: string): Rejection | undefined {
    const quota = this.daily.get(orgId);
    if (!quota || !this.o.meter || this.o.meter.messagesToday(orgId) < quota) return undefined;
    return new Rejection('quota_exceeded', `${quota} messages a day`);
  }

  private async refresh(): Promise<void> {
    const { plan } = this.o;
    if (!plan) return;
    for (const orgId of [...this.daily.keys()])
      this.daily.set(orgId, await plan.messagesPerDay(orgId).catch(() => this.daily.get(orgId) ?? null));
  }
}
