import { randomBytes, randomUUID } from 'node:crypto';
import { generateSecret, generateURI, verify as verifyTotp } from 'otplib';
import type { Logger } from 'pino';
import { Conflict, Forbidden, Invalid, NotFound, Problem, RateLimited, Unauthorized } from '../http/problem.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { AuthRepository, RequestContext, UserRow } from './auth.repository.ts';
import { AVATAR_MAX_BYTES, sniffImageType } from './avatar.ts';
import { burnPasswordCheck, hashPassword, passwordProblem, verifyPassword } from './passwords.ts';
import { type CounterStore, rateLimit } from './rate-limit.ts';
import { newApiKey, newSecret, sha256 } from './secrets.ts';
import type { TokenService } from './tokens.ts';

export interface AuthServiceOptions {
  repo: AuthRepository;
  tokens: TokenService;
  limits: CounterStore;
  mailer: Mailer;
  /** Where avatars are kept. */
  objects: ObjectStore;
  logger: Logger;
  /** Base URL of the web app, for links in mail. */
  publicUrl?: string;
  refreshTtlS?: number;
  /** Attempts allowed per window (seconds), per address or per account; defaults below. */
  rateLimits?: Partial<typeof DEFAULT_RATE_LIMITS>;
  /** Verified accounts with these emails are platform operators. */
  adminEmails?: string[];
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

/** Who is calling: a person through a session token, or their personal API key with its scopes. */
export interface Principal {
  kind: 'user';
  userId: string;
  sessionId?: string;
  apiKeyId?: string;
  /** '*' for a session token: a person may do all they are allowed to. */
  scopes: string[] | '*';
  isAdmin: boolean;
}

/** An organization's own API key: it acts only on that organization, within its scopes. */
export interface OrgKeyPrincipal {
  kind: 'org_key';
  orgId: string;
  apiKeyId: string;
  scopes: string[];
}

const WRONG_LOGIN = 'Email or password is wrong';

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
} satisfies Record<string, [number, number]>;
type LimitName = keyof typeof DEFAULT_RATE_LIMITS;
const MAX_FAILURES_BEFORE_LOCK = 5;

/** Sign-up, login, sessions, tokens, API keys, MFA, email verification and password reset. */
export class AuthService {
  private readonly refreshTtlS: number;
  private readonly graceS: number;
  private readonly log: Logger;
  /** Work started by `afterAnswer`, until it ends. */
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly o: AuthServiceOptions) {
    this.refreshTtlS = o.refreshTtlS ?? 30 * 86_400;
    this.graceS = o.refreshReuseGraceS ?? 10;
    this.log = o.logger.child({ component: 'auth' });
  }

  /**
   * Same answer for a new and a taken email, so sign-up cannot be used to find accounts; in the same
   * time too: each path hashes the password and writes one row before answering.
   */
  async signup(input: { email: string; password: string; name?: string }, ctx: RequestContext) {
    await this.limit('signupPerAddress', ctx.address);
    const email = normalizeEmail(input.email);
    const problem = passwordProblem(input.password, email);
    if (problem) throw new Invalid(`password: ${problem}`, { errors: [{ path: 'password', message: problem }] });
    const passwordHash = await hashPassword(input.password);
    const user = await this.o.repo.createUser({ email, name: input.name, passwordHash });
    if (!user) {
      // Tell the owner, not the caller. Queued before answering: this row stands for the new user's row.
      await this.o.mailer.send({
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
    this.afterAnswer('sign-up', async () => {
      await this.o.repo.recordEvent(user.id, 'signup', ctx);
      await this.sendVerification(user);
    });
    return publicUser(user);
  }

  async login(input: { email: string; password: string }, ctx: RequestContext) {
    const email = normalizeEmail(input.email);
    await this.limit('loginPerAddress', ctx.address);
    await this.limit('loginPerAccount', email);
    const locked = await this.o.limits.blockedFor(`login:${email}`);
    if (locked > 0) throw new RateLimited(locked);
    const user = await this.o.repo.findUserByEmail(email);
    if (!user) {
      await burnPasswordCheck(input.password);
      return this.loginFailed(email, undefined, ctx);
    }
    if (!(await verifyPassword(user.passwordHash, input.password))) return this.loginFailed(email, user, ctx);
    if (user.disabledAt) throw new Forbidden('This account is disabled; contact an administrator');
    await this.o.limits.reset(`login-fail:${email}`);
    if (user.mfaEnabled) {
      return { mfa_required: true as const, mfa_token: await this.o.tokens.signMfaChallenge(user.id) };
    }
    await this.o.repo.recordEvent(user.id, 'login', ctx);
    return this.startSession(user.id, ctx);
  }

  /** Second step of a login with MFA: a TOTP code or an unused recovery code. */
  async completeMfa(input: { mfa_token: string; code: string }, ctx: RequestContext): Promise<TokenPair> {
    await this.limit('mfaPerAddress', ctx.address);
    const userId = await this.o.tokens.verifyMfaChallenge(input.mfa_token).catch(() => {
      throw new Unauthorized('The MFA challenge is invalid or expired; sign in again');
    });
    await this.limit('mfaPerUser', userId);
    const user = await this.o.repo.findUser(userId);
    if (!user?.mfaEnabled || !user.mfaSecret || user.disabledAt) throw new Unauthorized();
    if (!(await this.checkSecondFactor(user, input.code))) {
      await this.o.repo.recordEvent(user.id, 'mfa_failed', ctx);
      throw new Unauthorized('The code is wrong or expired');
    }
    await this.o.repo.recordEvent(user.id, 'login', ctx, { mfa: true });
    return this.startSession(user.id, ctx);
  }

  async refresh(token: string, ctx: RequestContext): Promise<TokenPair> {
    await this.limit('refreshPerAddress', ctx.address);
    const result = await this.o.repo.consumeRefreshToken(sha256(token));
    if (!result.ok) {
      if (result.sessionId && result.usedAt && Date.now() - result.usedAt.getTime() > this.graceS * 1000) {
        const session = await this.o.repo.findSession(result.sessionId);
        if (session && (await this.o.repo.revokeSession(session.userId, session.id, 'refresh_token_reuse'))) {
          this.log.warn({ sessionId: session.id, userId: session.userId }, 'refresh token reused: session revoked');
          await this.o.repo.recordEvent(session.userId, 'refresh_token_reuse', ctx, { sessionId: session.id });
        }
      }
      throw new Unauthorized('The refresh token is invalid, expired or already used; sign in again');
    }
    const session = await this.o.repo.findSession(result.sessionId);
    const user = session && (await this.o.repo.findUser(session.userId));
    if (!session || session.revokedAt || !user || user.disabledAt)
      throw new Unauthorized('The session has ended; sign in again');
    await this.o.repo.touchSession(session.id);
    return this.issueTokens(user.id, session.id);
  }

  async logout(principal: Principal): Promise<void> {
    if (principal.sessionId) await this.o.repo.revokeSession(principal.userId, principal.sessionId, 'logout');
  }

  async logoutAll(principal: Principal, ctx: RequestContext): Promise<void> {
    await this.o.repo.revokeSessions(principal.userId, 'logout_all');
    await this.o.repo.recordEvent(principal.userId, 'logout_all', ctx);
  }

  /** Resolves a person's bearer credential (access token or personal API key), or throws. */
  async authenticate(bearer: string): Promise<Principal> {
    const principal = await this.authenticateAny(bearer);
    if (principal.kind !== 'user')
      throw new Forbidden("An organization's API key works only on that organization's routes");
    return principal;
  }

  /** Resolves any bearer credential, organization API keys included, or throws Unauthorized. */
  async authenticateAny(bearer: string): Promise<Principal | OrgKeyPrincipal> {
    if (bearer.startsWith('iot_')) {
      const key = await this.o.repo.findApiKeyByHash(sha256(bearer));
      if (!key || key.revokedAt || (key.expiresAt && key.expiresAt < new Date())) throw new Unauthorized();
      void this.o.repo.touchApiKey(key.id).catch(() => undefined);
      if (!key.userId) return { kind: 'org_key', orgId: key.orgId!, apiKeyId: key.id, scopes: key.scopes };
      const user = await this.o.repo.findUser(key.userId);
      if (!user || user.disabledAt) throw new Unauthorized();
      return { kind: 'user', userId: user.id, apiKeyId: key.id, scopes: key.scopes, isAdmin: false };
    }
    const claims = await this.o.tokens.verifyAccess(bearer).catch(() => {
      throw new Unauthorized('The access token is invalid or expired');
    });
    // Revocation is immediate: a logged-out session's access tokens stop working too.
    const found = await this.o.repo.findSessionWithUser(claims.sid);
    if (!found || found.session.revokedAt || found.session.userId !== claims.sub)
      throw new Unauthorized('The session has ended');
    const { session, user } = found;
    if (user.disabledAt) throw new Unauthorized();
    const isAdmin = user.isAdmin || (user.emailVerified && (this.o.adminEmails ?? []).includes(user.email));
    return { kind: 'user', userId: user.id, sessionId: session.id, scopes: '*', isAdmin };
  }

  async me(userId: string) {
    const user = await this.o.repo.findUser(userId);
    if (!user) throw new NotFound();
    return publicUser(user);
  }

  async updateMe(userId: string, patch: { name?: string; profile?: Record<string, string | null> }) {
    const current = await this.o.repo.findUser(userId);
    if (!current) throw new NotFound();
    const user = await this.o.repo.updateUser(userId, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.profile ? { profile: { ...current.profile, ...patch.profile } } : {}),
    });
    return publicUser(user!);
  }

  async setAvatar(userId: string, body: Buffer) {
    if (body.length === 0) throw new Invalid('The body must be the image file');
    if (body.length > AVATAR_MAX_BYTES) {
      throw new Problem('payload-too-large', 413, 'Image too large', `Send at most ${AVATAR_MAX_BYTES} bytes`);
    }
    const type = sniffImageType(body);
    if (!type)
      throw new Problem('unsupported-media-type', 415, 'Unsupported image', 'Send a PNG, JPEG, GIF or WebP image');
    const key = `avatars/${userId}`;
    await this.o.objects.put(key, body, type);
    return publicUser((await this.o.repo.updateUser(userId, { avatarKey: key }))!);
  }

  async avatar(userId: string) {
    const user = await this.o.repo.findUser(userId);
    const object = user?.avatarKey ? await this.o.objects.get(user.avatarKey) : undefined;
    if (!object) throw new NotFound('No avatar');
    return object;
  }

  async deleteAvatar(userId: string): Promise<void> {
    const user = await this.o.repo.findUser(userId);
    if (user?.avatarKey) await this.o.objects.delete(user.avatarKey);
    await this.o.repo.updateUser(userId, { avatarKey: null });
  }

  async preferences(userId: string) {
    const user = await this.o.repo.findUser(userId);
    if (!user) throw new NotFound();
    return user.preferences;
  }

  async updatePreferences(userId: string, patch: Record<string, unknown>) {
    const current = await this.o.repo.findUser(userId);
    if (!current) throw new NotFound();
    const user = await this.o.repo.updateUser(userId, { preferences: { ...current.preferences, ...patch } });
    return user!.preferences;
  }

  async changePassword(
    principal: Principal,
    input: { current_password: string; new_password: string },
    ctx: RequestContext,
  ) {
    const user = await this.o.repo.findUser(principal.userId);
    if (!user || !(await verifyPassword(user.passwordHash, input.current_password))) {
      throw new Invalid('current_password: is wrong', { errors: [{ path: 'current_password', message: 'is wrong' }] });
    }
    const problem = passwordProblem(input.new_password, user.email);
    if (problem)
      throw new Invalid(`new_password: ${problem}`, { errors: [{ path: 'new_password', message: problem }] });
    await this.o.repo.updateUser(user.id, { passwordHash: await hashPassword(input.new_password) });
    await this.o.repo.revokeSessions(user.id, 'password_changed', principal.sessionId);
    await this.o.repo.recordEvent(user.id, 'password_changed', ctx);
  }

  async sessions(principal: Principal) {
    return (await this.o.repo.listSessions(principal.userId)).map((s) => ({
      id: s.id,
      user_agent: s.userAgent,
      address: s.address,
      created_at: s.createdAt.toISOString(),
      last_used_at: s.lastUsedAt.toISOString(),
      current: s.id === principal.sessionId,
    }));
  }

  async revokeSession(principal: Principal, id: string): Promise<void> {
    if (!(await this.o.repo.revokeSession(principal.userId, id, 'revoked_by_user')))
      throw new NotFound('No such session');
  }

  async createApiKey(
    principal: Principal,
    input: { name: string; scopes: string[]; expires_at?: string },
    ctx: RequestContext,
  ) {
    const { prefix, secret, hash } = newApiKey();
    const key = await this.o.repo.createApiKey({
      userId: principal.userId,
      name: input.name,
      prefix,
      keyHash: hash,
      scopes: input.scopes,
      expiresAt: input.expires_at ? new Date(input.expires_at) : null,
    });
    await this.o.repo.recordEvent(principal.userId, 'api_key_created', ctx, { apiKeyId: key.id, name: key.name });
    return { ...publicApiKey(key), secret };
  }

  async apiKeys(principal: Principal) {
    return (await this.o.repo.listApiKeys(principal.userId)).map(publicApiKey);
  }

  async revokeApiKey(principal: Principal, id: string, ctx: RequestContext): Promise<void> {
    if (!(await this.o.repo.revokeApiKey(principal.userId, id))) throw new NotFound('No such API key');
    await this.o.repo.recordEvent(principal.userId, 'api_key_revoked', ctx, { apiKeyId: id });
  }

  async requestVerification(userId: string): Promise<void> {
    const user = await this.o.repo.findUser(userId);
    if (!user) throw new NotFound();
    if (user.emailVerified) throw new Conflict('The email address is already verified');
    await this.limit('verifyPerUser', userId);
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
    await this.limit('resetPerAddress', ctx.address);
    await this.limit('resetPerAccount', email);
    this.afterAnswer('password reset request', () => this.mailPasswordReset(email, ctx));
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
    await this.o.mailer.send({
      to: user.email,
      subject: 'Reset your password',
      text: `Reset your password within an hour: ${this.o.publicUrl ?? ''}/reset-password?token=${token}\nToken: ${token}`,
    });
    await this.o.repo.recordEvent(user.id, 'password_reset_requested', ctx);
  }

  async resetPassword(input: { token: string; password: string }, ctx: RequestContext): Promise<void> {
    await this.limit('resetPerAddress', ctx.address);
    const userId = await this.o.repo.consumeEmailToken(sha256(input.token), 'reset_password');
    if (!userId) throw new Invalid('token: is invalid, expired or already used');
    const user = (await this.o.repo.findUser(userId))!;
    const problem = passwordProblem(input.password, user.email);
    if (problem) throw new Invalid(`password: ${problem}`, { errors: [{ path: 'password', message: problem }] });
    await this.o.repo.updateUser(userId, { passwordHash: await hashPassword(input.password) });
    await this.o.repo.revokeSessions(userId, 'password_reset');
    await this.o.repo.recordEvent(userId, 'password_reset', ctx);
  }

  async enrollTotp(principal: Principal) {
    const user = await this.o.repo.findUser(principal.userId);
    if (!user) throw new NotFound();
    if (user.mfaEnabled) throw new Conflict('MFA is already enabled; disable it first to enroll again');
    const secret = generateSecret();
    await this.o.repo.updateUser(user.id, { mfaSecret: secret });
    return { secret, otpauth_uri: generateURI({ issuer: 'IoT platform', label: user.email, secret }) };
  }

  async confirmTotp(principal: Principal, code: string, ctx: RequestContext) {
    const user = await this.o.repo.findUser(principal.userId);
    if (!user?.mfaSecret || user.mfaEnabled) throw new Conflict('Start enrollment first');
    if (!(await totpOk(user.mfaSecret, code))) throw new Invalid('code: is wrong or expired');
    const codes = Array.from({ length: 10 }, () => randomBytes(5).toString('hex'));
    await this.o.repo.replaceRecoveryCodes(user.id, codes.map(sha256));
    await this.o.repo.updateUser(user.id, { mfaEnabled: true });
    await this.o.repo.recordEvent(user.id, 'mfa_enabled', ctx);
    return { recovery_codes: codes };
  }

  async disableTotp(principal: Principal, code: string, ctx: RequestContext): Promise<void> {
    const user = await this.o.repo.findUser(principal.userId);
    if (!user?.mfaEnabled) throw new Conflict('MFA is not enabled');
    if (!(await this.checkSecondFactor(user, code))) throw new Invalid('code: is wrong or expired');
    await this.o.repo.updateUser(user.id, { mfaEnabled: false, mfaSecret: null });
    await this.o.repo.replaceRecoveryCodes(user.id, []);
    await this.o.repo.recordEvent(user.id, 'mfa_disabled', ctx);
  }

  /** Operators: list and search users, disable and enable them, read their activity. */
  async adminListUsers(q: { search?: string; limit: number; after?: string }) {
    const rows = await this.o.repo.listUsers({ ...q, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    return { data: page.map(publicUser), next_cursor: rows.length > q.limit ? page[page.length - 1]!.id : null };
  }

  async adminSetDisabled(userId: string, disabled: boolean, ctx: RequestContext) {
    const user = await this.o.repo.updateUser(userId, { disabledAt: disabled ? new Date() : null });
    if (!user) throw new NotFound('No such user');
    if (disabled) await this.o.repo.revokeSessions(userId, 'disabled_by_admin');
    await this.o.repo.recordEvent(userId, disabled ? 'disabled' : 'enabled', ctx);
    return publicUser(user);
  }

  async adminActivity(userId: string, limit: number) {
    if (!(await this.o.repo.findUser(userId))) throw new NotFound('No such user');
    return (await this.o.repo.listEvents(userId, limit)).map((e) => ({
      type: e.type,
      address: e.address,
      user_agent: e.userAgent,
      detail: e.detail,
      at: e.createdAt.toISOString(),
    }));
  }

  /** Resolves when the work started after earlier answers has ended (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.all(this.pending);
  }

  /**
   * Runs work whose cost depends on whether an account exists after the response is written, so the
   * response time cannot tell (OWASP Forgot Password Cheat Sheet: uniform response time). Failures
   * are logged: the caller has had its answer.
   */
  private afterAnswer(what: string, work: () => Promise<void>): void {
    const done: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(work)
      .catch((err) => this.log.error({ err }, `${what}: work after the answer failed`))
      .finally(() => this.pending.delete(done));
    this.pending.add(done);
  }

  private async checkSecondFactor(user: UserRow, code: string): Promise<boolean> {
    if (/^\d{6}$/.test(code)) return user.mfaSecret ? totpOk(user.mfaSecret, code) : false;
    return this.o.repo.consumeRecoveryCode(user.id, sha256(code.trim().toLowerCase()));
  }

  private async loginFailed(email: string, user: UserRow | undefined, ctx: RequestContext): Promise<never> {
    const { count } = await this.o.limits.incr(`login-fail:${email}`, 3600);
    if (count >= MAX_FAILURES_BEFORE_LOCK) {
      // Each failure past the fifth doubles the lock: 15 s, 30 s, ... up to 15 minutes.
      await this.o.limits.block(`login:${email}`, Math.min(15 * 2 ** (count - MAX_FAILURES_BEFORE_LOCK), 900));
    }
    // Recorded after answering: an unknown email has no activity log, and the insert would show in the timing.
    if (user) this.afterAnswer('failed login', () => this.o.repo.recordEvent(user.id, 'login_failed', ctx));
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
    await this.o.mailer.send({
      to: user.email,
      subject: 'Verify your email address',
      text: `Confirm this address within 48 hours: ${this.o.publicUrl ?? ''}/verify-email?token=${token}\nToken: ${token}`,
    });
  }

  private async limit(name: LimitName, subject: string | undefined): Promise<void> {
    await rateLimit(
      this.o.limits,
      `${name}:${subject ?? 'unknown'}`,
      { ...DEFAULT_RATE_LIMITS, ...this.o.rateLimits }[name],
    );
  }
}

async function totpOk(secret: string, token: string): Promise<boolean> {
  const result = await verifyTotp({ secret, token, epochTolerance: 30 }).catch(() => ({ valid: false }));
  return result.valid;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function publicUser(
  u: Pick<
    UserRow,
    'id' | 'email' | 'name' | 'emailVerified' | 'mfaEnabled' | 'profile' | 'avatarKey' | 'disabledAt' | 'createdAt'
  >,
) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    email_verified: u.emailVerified,
    mfa_enabled: u.mfaEnabled,
    profile: u.profile,
    avatar_url: u.avatarKey ? '/v1/me/avatar' : null,
    disabled: u.disabledAt !== null,
    created_at: u.createdAt.toISOString(),
  };
}

export function publicApiKey(k: {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
}) {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    scopes: k.scopes,
    expires_at: k.expiresAt?.toISOString() ?? null,
    last_used_at: k.lastUsedAt?.toISOString() ?? null,
    created_at: k.createdAt.toISOString(),
  };
}
