/** What a plan allows. `null`: no limit. */
export interface PlanLimits {
  devices: number | null;
  messages_per_day: number | null;
  data_points_per_day: number | null;
  retention_days: number;
  rollouts_per_month: number | null;
  seats: number | null;
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
  },
  pro: {
    devices: 1_000,
    messages_per_day: 20_000_000,
    data_points_per_day: 100_000_000,
    retention_days: 90,
    rollouts_per_month: 50,
    seats: 25,
  },
  enterprise: {
    devices: null,
    messages_per_day: null,
    data_points_per_day: null,
    retention_days: 730,
    rollouts_per_month: null,
    seats: null,
  },
} as const satisfies Record<string, PlanLimits>;

export type PlanName = keyof typeof PLANS;
export const PAID_PLANS = ['pro', 'enterprise'] as const;
