import type { Logger } from 'pino';
import type { MailPort } from '../notify/port.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { AccountRepository } from './account.repository.ts';
import { AccountService } from './account.service.ts';
import { AdminService } from './admin.service.ts';
import { AfterAnswer } from './after-answer.ts';
import { ApiKeyService } from './api-keys.service.ts';
import type { AuthRepository } from './auth.repository.ts';
import { Authenticator } from './authenticator.ts';
import type { CallerCache } from './caller-cache.ts';
import { credentialLimits, type RateLimits } from './credential-limits.ts';
import { MfaService } from './mfa.service.ts';
import { ProfileService } from './profile.service.ts';
import type { CounterStore } from './rate-limit.ts';
import { type RefreshCookie, refreshCookie } from './refresh-cookie.ts';
import { SessionService } from './sessions.service.ts';
import { SignInService } from './sign-in.service.ts';
import type { TokenService } from './tokens.ts';

export interface AuthOptions {
  repo: AuthRepository;
  /** Deletion, purge, export and search among co-members. */
  accounts: AccountRepository;
  tokens: TokenService;
  limits: CounterStore;
  /** Verification, reset and sign-up mail: transactional, through the notifier. */
  notify: MailPort;
  /** Where avatars are kept. */
  objects: ObjectStore;
  logger: Logger;
  /** Base URL of the web app, for links in mail. */
  publicUrl?: string;
  refreshTtlS?: number;
  /** Attempts allowed per window (seconds), per address or per account; defaults in DEFAULT_RATE_LIMITS. */
  rateLimits?: Partial<RateLimits>;
  /** Verified accounts with these emails are platform operators. */
  adminEmails?: string[];
  /** Sessions and memberships remembered for a few seconds (see CallerCache); none without. */
  callers?: CallerCache;
  /**
   * A refresh token presented again within this many seconds of its use is refused without
   * revoking its session: parallel refreshes from one client race, and that is not theft.
   */
  refreshReuseGraceS?: number;
  /** Days between a deletion request and the purge (ACCOUNT_DELETION_GRACE_DAYS); 14 by default. */
  deletionGraceDays?: number;
}

/** Accounts and authentication, one service per concern. */
export interface Auth {
  signIn: SignInService;
  sessions: SessionService;
  apiKeys: ApiKeyService;
  profile: ProfileService;
  mfa: MfaService;
  admin: AdminService;
  account: AccountService;
  /** What most routes need: who the bearer credential names. */
  authenticator: Authenticator;
  /** The refresh token of browser sessions, as a cookie (the console). */
  refreshCookie: RefreshCookie;
  /** Resolves when the work started after earlier answers has ended (tests, shutdown). */
  settled(): Promise<void>;
}

/**
 * Builds the accounts services over one repository, sharing the rate limits and the queue of work
 * done after answering.
 * @example const auth = createAuth({ repo, tokens, limits, notify, objects, logger }); app.route('/', profileRoutes(auth));
 */
export function createAuth(options: AuthOptions): Auth {
  const { repo } = options;
  const logger = options.logger.child({ component: 'auth' });
  const afterAnswer = new AfterAnswer(logger);
  const apiKeys = new ApiKeyService(repo);
  const limit = credentialLimits(options.limits, options.rateLimits);
  return {
    signIn: new SignInService({
      ...options,
      logger,
      limit,
      lockouts: options.limits,
      afterAnswer,
    }),
    sessions: new SessionService(repo),
    apiKeys,
    profile: new ProfileService(options),
    mfa: new MfaService(repo),
    admin: new AdminService(repo, options.accounts),
    account: new AccountService({ ...options, logger, limit, graceDays: options.deletionGraceDays ?? 14 }),
    authenticator: new Authenticator({ ...options, apiKeys }),
    refreshCookie: refreshCookie({ publicUrl: options.publicUrl, maxAgeS: options.refreshTtlS }),
    settled: () => afterAnswer.settled(),
  };
}
