import { type CounterStore, rateLimit } from './rate-limit.ts';

/** [attempts, window in seconds] for each credential endpoint. */
export const DEFAULT_RATE_LIMITS = {
  signupPerAddress: [20, 3600],
  loginPerAddress: [30, 60],
  loginPerAccount: [10, 60],
  mfaPerAddress: [30, 60],
  mfaPerUser: [10, 300],
  refreshPerAddress: [120, 60],
  resetPerAddress: [10, 3600],
  resetPerAccount: [3, 3600],
  verifyPerUser: [5, 3600],
  /** Exports of one's own data: each reads every table the account touches. */
  exportPerUser: [5, 3600],
  /** Requesting or cancelling an account's deletion checks its password, as a login does. */
  deletionPerAccount: [10, 3600],
  /** Failed device logins over HTTP (telemetry): past it the address is blocked for the rest of the window. */
  deviceAuthFailuresPerAddress: [30, 60],
} satisfies Record<string, [number, number]>;

export type RateLimits = typeof DEFAULT_RATE_LIMITS;

/** Counts one attempt of `name` by `subject` (an address, email or user id); throws RateLimited past the limit. */
export type Limit = (name: keyof RateLimits, subject: string | undefined) => Promise<void>;

/**
 * The credential endpoints' rate limits, `overrides` over the defaults.
 * @example const limit = credentialLimits(store); await limit('loginPerAddress', ctx.address);
 */
export function credentialLimits(store: CounterStore, overrides: Partial<RateLimits> = {}): Limit {
  const limits = { ...DEFAULT_RATE_LIMITS, ...overrides };
  return (name, subject) => rateLimit(store, `${name}:${subject ?? 'unknown'}`, limits[name]);
}
