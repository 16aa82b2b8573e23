import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Principal } from '../access/principal.ts';
import type { RequestContext } from '../access/request-context.ts';
import {
  AccountDeletionPending,
  Conflict,
  Forbidden,
  Invalid,
  NotFound,
  RateLimited,
  Unauthorized,
} from '../http/problem.ts';
import type { MailPort } from '../notify/port.ts';
import type { AfterAnswer } from './after-answer.ts';
import type { AuthRepository, UserRow } from './auth.repository.ts';
import type { Limit } from './credential-limits.ts';
import { burnPasswordCheck, hashPassword, passwordProblem, verifyPassword } from './passwords.ts';
import type { CounterStore } from './rate-limit.ts';
import { checkSecondFactor } from './second-factor.ts';
import { newSecret, sha256 } from './secrets.ts';
import type { TokenService } from './tokens.ts';
import { normalizeEmail, publicUser } from './users.ts';

export interface SignInOptions {
  repo: AuthRepository;
  tokens: TokenService;
  /** Where its mail goes: transactional, by email whatever the preferences. */
  notify: MailPort;
  logger: Logger;
  /** The credential endpoints' rate limits. */
  limit: Limit;
  /** Failed-login counters and login locks. */
  lockouts: CounterStore;
  /** Where work that would show whether an account exists runs, once the caller has its answer. */
  afterAnswer: AfterAnswer;
  /** Base URL of the web app, for links in mail. */
  publicUrl?: string;
  refreshTtlS?: number;
  /**
   * A refresh token presented again within this many seconds of its use is refused without
   * revoking its session: parallel refreshes from one client race, and that is not theft.
   */
  refreshReuseGraceS?: number;
}

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

const WRONG_LOGIN = 'Email or password is wrong';
const MAX_FAILURES_BEFORE_LOCK = 5;

/** Sign-up, login (with its MFA step), refresh, logout, email verification and password reset. */
export class SignInService {
  private readonly refreshTtlS: number;
  private readonly graceS: number;

  constructor(private readonly o: SignInOptions) {
    this.refreshTtlS = o.refreshTtlS ?? 30 * 86_400;
    this.graceS = o.refreshReuseGraceS ?? 10;
  }

  /**
   * Same answer for a new and a taken email, so sign-up cannot be used to find accounts; in the same
   * time too: each path hashes the password and writes one row before answering.
   */
  async signup(input: { email: string; password: string; name?: string }, ctx: RequestContext) {
    await this.o.limit('signupPerAddress', ctx.address);
    const email = normalizeEmail(input.email);
    const problem = passwordProblem(input.password, email);
    if (problem) throw new Invalid(`password: ${problem}`, { errors: [{ path: 'password', message: problem }] });
    const passwordHash = await hashPassword(input.password);
    const user = await this.o.repo.createUser({ email, name: input.name, passwordHash });
    if (!user) {
      // Tell the owner, not the caller. Queued before answering: this row stands for the new user's row.
      await this.o.notify.sendMail({
        to: email,
        subject: 'Someone tried to sign up with your email',
        text: 'An account already exists for this address. If this was you, sign in or reset your password.',
      });
      // A body of the same shape as a real sign-up's: the id is random, as every id is.
      return publicUser({
        id: randomUUID(),
        email,
        name: input.name ?? null,
        emailVerified: false,
        mfaEnabled: false,
        profile: {},
        avatarKey: null,
        disabledAt: null,
        createdAt: new Date(),
      });
    }
    this.o.afterAnswer.run('sign-up', async () => {
      await this.o.repo.recordEvent(user.id, 'signup', ctx);
      await this.sendVerification(user);
    });
    return publicUser(user);
  }

  async login(input: { email: string; password: string }, ctx: RequestContext) {
    const email = normalizeEmail(input.email);
    await this.o.limit('loginPerAddress', ctx.address);
    await this.o.limit('loginPerAccount', email);
    const locked = await this.o.lockouts.blockedFor(`login:${email}`);
    if (locked > 0) throw new RateLimited(locked);
    const user = await this.o.repo.findUserByEmail(email);
    if (!user) {
      await burnPasswordCheck(input.password);
      return this.loginFailed(email, undefined, ctx);
    }
    if (!(await verifyPassword(user.passwordHash, input.password))) return this.loginFailed(email, user, ctx);
    if (user.disabledAt) throw new Forbidden('This account is disabled; contact an administrator');
    // Only once the password is right: the problem tells when the account goes and how to keep it.
    if (user.purgeAfter) throw new AccountDeletionPending(user.purgeAfter);
    await this.o.lockouts.reset(`login-fail:${email}`);
    if (user.mfaEnabled) {
      return { mfa_required: true as const, mfa_token: await this.o.tokens.signMfaChallenge(user.id) };
    }
    await this.o.repo.recordEvent(user.id, 'login', ctx);
    return this.startSession(user.id, ctx);
  }

  /** Second step of a login with MFA: a TOTP code or an unused recovery code. */
  async completeMfa(input: { mfa_token: string; code: string }, ctx: RequestContext): Promise<TokenPair> {
    await this.o.limit('mfaPerAddress', ctx.address);
    const userId = await this.o.tokens.verifyMfaChallenge(input.mfa_token).catch((err: unknown) => {
      throw new Unauthorized('The MFA challenge is invalid or expired; sign in again', { cause: err });
    });
    await this.o.limit('mfaPerUser', userId);
    const user = await this.o.repo.findUser(userId);
    if (!user?.mfaEnabled || !user.mfaSecret || user.disabledAt) throw new Unauthorized();
    if (user.purgeAfter) throw new AccountDeletionPending(user.purgeAfter);
    if (!(await checkSecondFactor(this.o.repo, user, input.code))) {
      await this.o.repo.recordEvent(user.id, 'mfa_failed', ctx);
      throw new Unauthorized('The code is wrong or expired');
    }
    await this.o.repo.recordEvent(user.id, 'login', ctx, { mfa: true });
    return this.startSession(user.id, ctx);
  }

  async refresh(token: string, ctx: RequestContext): Promise<TokenPair> {
    await this.o.limit('refreshPerAddress', ctx.address);
    const result = await this.o.repo.consumeRefreshToken(sha256(token));
    if (!result.ok) {
      if (result.sessionId && result.usedAt && Date.now() - result.usedAt.getTime() > this.graceS * 1000) {
        const session = await this.o.repo.findSession(result.sessionId);
        if (session && (await this.o.repo.revokeSession(session.userId, session.id, 'refresh_token_reuse'))) {
          this.o.logger.warn(
            { sessionId: session.id, userId: session.userId },
            'refresh token reused: session revoked',
          );
          await this.o.repo.recordEvent(session.userId, 'refresh_token_reuse', ctx, { sessionId: session.id });
        }
      }
      throw new Unauthorized('The refresh token is invalid, expired or already used; sign in again');
    }
    const session = await this.o.repo.findSession(result.sessionId);
    const user = session && (await this.o.repo.findUser(session.userId));
    if (!session || session.revokedAt || !user || user.disabledAt || user.purgeAfter)
      throw new Unauthorized('The session has ended; sign in again');
    await this.o.repo.touchSession(session.id);
    return this.issueTokens(user.id, session.id);
  }

  async logout(principal: Principal): Promise<void> {
    if (principal.sessionId) await this.o.repo.revokeSession(principal.userId, principal.sessionId, 'logout');
  }

  async requestVerification(userId: string): Promise<void> {
    const user = await this.o.repo.findUser(userId);
    if (!user) throw new NotFound();
    if (user.emailVerified) throw new Conflict('The email address is already verified');
    await this.o.limit('verifyPerUser', userId);
    await this.sendVerification(user);
  }

  async verifyEmail(token: string): Promise<void> {
    const userId = await this.o.repo.consumeEmailToken(sha256(token), 'verify_email');
    if (!userId) throw new Invalid('token: is invalid, expired or already used');
    await this.o.repo.updateUser(userId, { emailVerified: true });
  }

  /**
   * Always the same answer, whether or not the email has an account, and as fast: the account is
   * looked up only after answering.
   */
  async requestPasswordReset(emailInput: string, ctx: RequestContext): Promise<void> {
    const email = normalizeEmail(emailInput);
    await this.o.limit('resetPerAddress', ctx.address);
    await this.o.limit('resetPerAccount', email);
    this.o.afterAnswer.run('password reset request', () => this.mailPasswordReset(email, ctx));
  }

  async resetPassword(input: { token: string; password: string }, ctx: RequestContext): Promise<void> {
    await this.o.limit('resetPerAddress', ctx.address);
    const userId = await this.o.repo.consumeEmailToken(sha256(input.token), 'reset_password');
    if (!userId) throw new Invalid('token: is invalid, expired or already used');
    const user = (await this.o.repo.findUser(userId))!;
    const problem = passwordProblem(input.password, user.email);
    if (problem) throw new Invalid(`password: ${problem}`, { errors: [{ path: 'password', message: problem }] });
    await this.o.repo.updateUser(userId, { passwordHash: await hashPassword(input.password) });
    await this.o.repo.revokeSessions(userId, 'password_reset');
    await this.o.repo.recordEvent(userId, 'password_reset', ctx);
  }

  private async mailPasswordReset(email: string, ctx: RequestContext): Promise<void> {
    const user = await this.o.repo.findUserByEmail(email);
    if (!user) return;
    const token = newSecret();
    await this.o.repo.addEmailToken({
      tokenHash: sha256(token),
      userId: user.id,
      purpose: 'reset_password',
      expiresAt: new Date(Date.now() + 3600_000),
    });
    await this.o.notify.sendMail({
      to: user.email,
      subject: 'Reset your password',
      text: `Reset your password within an hour: ${this.o.publicUrl ?? ''}/reset-password?token=${token}\nToken: ${token}`,
    });
    await this.o.repo.recordEvent(user.id, 'password_reset_requested', ctx);
  }

  private async loginFailed(email: string, user: UserRow | undefined, ctx: RequestContext): Promise<never> {
    const { count } = await this.o.lockouts.incr(`login-fail:${email}`, 3600);
    if (count >= MAX_FAILURES_BEFORE_LOCK) {
      // Each failure past the fifth doubles the lock: 15 s, 30 s, ... up to 15 minutes.
      await this.o.lockouts.block(`login:${email}`, Math.min(15 * 2 ** (count - MAX_FAILURES_BEFORE_LOCK), 900));
    }
    // Recorded after answering: an unknown email has no activity log, and the insert would show in the timing.
    if (user) this.o.afterAnswer.run('failed login', () => this.o.repo.recordEvent(user.id, 'login_failed', ctx));
    throw new Unauthorized(WRONG_LOGIN);
  }

  private async startSession(userId: string, ctx: RequestContext): Promise<TokenPair> {
    const session = await this.o.repo.createSession(userId, ctx);
    return this.issueTokens(userId, session.id);
  }

  private async issueTokens(userId: string, sessionId: string): Promise<TokenPair> {
    const refresh = newSecret('rt_');
    await this.o.repo.addRefreshToken(sessionId, sha256(refresh), new Date(Date.now() + this.refreshTtlS * 1000));
    return {
      access_token: await this.o.tokens.signAccess({ sub: userId, sid: sessionId }),
      refresh_token: refresh,
      token_type: 'Bearer',
      expires_in: this.o.tokens.accessTtlS,
    };
  }

  private async sendVerification(user: UserRow): Promise<void> {
    const token = newSecret();
    await this.o.repo.addEmailToken({
      tokenHash: sha256(token),
      userId: user.id,
      purpose: 'verify_email',
      expiresAt: new Date(Date.now() + 48 * 3600_000),
    });
    await this.o.notify.sendMail({
      to: user.email,
      subject: 'Verify your email address',
      text: `Confirm this address within 48 hours: ${this.o.publicUrl ?? ''}/verify-email?token=${token}\nToken: ${token}`,
    });
  }
}
