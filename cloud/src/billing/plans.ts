import { Problem } from '../http/problem.ts';

/** What a plan allows. `null`: no limit. */
export interface PlanLimits {
  devices: number | null;
  messages_per_day: number | null;
  data_points_per_day: number | null;
  retention_days: number;
  rollouts_per_month: number | null;
  seats: number | null;
  /** Bytes of files kept (/files). */
  files_bytes: number | null;
  /** Files kept. */
  files_count: number | null;
}

/** The plans, as data. Their Stripe prices come from configuration (STRIPE_PRICE_PRO, ...). */
export const PLANS = {
  free: {
    devices: 25,
    messages_per_day: 100_000,
    data_points_per_day: 500_000,
    retention_days: 7,
    rollouts_per_month: 2,
    seats: 3,
    files_bytes: 1024 ** 3,
    files_count: 1_000,
  },
  pro: {
    devices: 1_000,
    messages_per_day: 20_000_000,
    data_points_per_day: 100_000_000,
    retention_days: 90,
    rollouts_per_month: 50,
    seats: 25,
    files_bytes: 100 * 1024 ** 3,
    files_count: 100_000,
  },
  enterprise: {
    devices: null,
    messages_per_day: null,
    data_points_per_day: null,
    retention_days: 730,
    rollouts_per_month: null,
    seats: null,
    files_bytes: null,
    files_count: null,
  },
} as const satisfies Record<string, PlanLimits>;

export type PlanName = keyof typeof PLANS;
export const PAID_PLANS = ['pro', 'enterprise'] as const;

/** The limits that count things an organization adds, each checked where the thing is added. */
export type CountedLimit = 'devices' | 'seats' | 'rollouts_per_month' | 'files_bytes' | 'files_count';

const COUNTED: Record<CountedLimit, string> = {
  devices: 'devices',
  seats: 'seats (members and open invitations)',
  rollouts_per_month: 'rollouts a month',
  files_bytes: 'bytes of files',
  files_count: 'files',
};

/**
 * The 402 for a limit reached, saying what to do about it: upgrade through Stripe Checkout where
 * billing is configured; otherwise buy device licenses with credits, or ask an operator of the
 * platform, who can grant credits and raise limits (never a route that would answer 503).
 */
export class PlanLimitReached extends Problem {
  constructor(p: {
    orgId: string;
    plan: PlanName;
    limit: CountedLimit;
    allowed: number;
    current: number;
    billingConfigured: boolean;
  }) {
    const org = `/v1/orgs/${p.orgId}`;
    const admin = `/v1/admin/orgs/${p.orgId}`;
    const licenses = `buy device licenses with credits (POST ${org}/orders)`;
    const next = p.billingConfigured
      ? `Upgrade with POST ${org}/billing/checkout${p.limit === 'devices' ? `, or ${licenses}` : ''}`
      : p.limit === 'devices'
        ? `${licenses[0]!.toUpperCase()}${licenses.slice(1)}; an operator of this platform grants credits (POST ${admin}/credits)`
        : `Ask an operator of this platform to raise the limit (PUT ${admin}/limits)`;
    super(
      'plan-limit',
      402,
      'Plan limit reached',
      `The ${p.plan} plan allows ${p.allowed} ${COUNTED[p.limit]}; you have ${p.current}. ${next}`,
      { extra: { limit: p.limit, allowed: p.allowed, current: p.current, plan: p.plan } },
    );
  }
}

/** The 402 for a wallet too short: top up through Stripe where configured, else ask an operator. */
export class InsufficientCredits extends Problem {
  constructor(orgId: string, billingConfigured: boolean) {
    super(
      'insufficient-credits',
      402,
      'Not enough credits',
      billingConfigured
        ? `Top up with POST /v1/orgs/${orgId}/wallet/top-up`
        : `Ask an operator of this platform to grant credits (POST /v1/admin/orgs/${orgId}/credits)`,
    );
  }
}
