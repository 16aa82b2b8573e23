import type { Logger } from 'pino';
import type { RequestContext } from '../access/request-context.ts';
import { Conflict, Invalid, LastOwner, NotFound, Unauthorized } from '../http/problem.ts';
import { publicNotification } from '../notify/notification.service.ts';
import type { MailPort } from '../notify/port.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { AccountAudit, AccountRepository } from './account.repository.ts';
import { publicApiKey } from './api-keys.service.ts';
import type { AuthRepository, UserRow } from './auth.repository.ts';
import { DEFAULT_PREFERENCES } from './auth.schemas.ts';
import type { Limit } from './credential-limits.ts';
import { burnPasswordCheck, verifyPassword } from './passwords.ts';
import { checkSecondFactor } from './second-factor.ts';
import { normalizeEmail, publicActivity, publicSession, publicUser } from './users.ts';

export interface AccountServiceOptions {
  repo: AuthRepository;
  accounts: AccountRepository;
  /** Where the deletion mails go: transactional, whatever the preferences. */
  notify: MailPort;
  /** Where avatars are kept (an avatar goes with its account). */
  objects: ObjectStore;
  logger: Logger;
  limit: Limit;
  /** Days between a deletion request and the purge; signing in is refused meanwhile. */
  graceDays: number;
}

/** Who acts on an account, for the audit trails of the organizations it belongs to. */
export type Actor = RequestContext & { userId?: string; requestId?: string };

/** An account's own lifecycle: deletion with a grace period, purge, export, finding co-members. */
export class AccountService {
  constructor(private readonly o: AccountServiceOptions) {}

  /** Confirmed with the password (and the second factor when MFA is on); ends every session and key at once. */
  async requestDeletion(userId: string, input: { password: string; code?: string }, ctx: RequestContext) {
    await this.o.limit('deletionPerAccount', userId);
    const user = await this.o.repo.findUser(userId);
    if (!user) throw new NotFound();
    if (!(await verifyPassword(user.passwordHash, input.password))) {
      throw new Invalid('password: is wrong', { errors: [{ path: 'password', message: 'is wrong' }] });
    }
    await this.checkCode(user, input.code, (message) => {
      throw new Invalid(`code: ${message}`, { errors: [{ path: 'code', message }] });
    });
    const owned = await this.o.accounts.lastOwnedOrgs(user.id);
    if (owned.length) throw new LastOwner(owned);
    const purgeAfter = new Date(Date.now() + this.o.graceDays * 86_400_000);
    await this.o.accounts.scheduleDeletion(user.id, purgeAfter);
    await this.o.repo.recordEvent(user.id, 'deletion_requested', ctx, { purge_after: purgeAfter.toISOString() });
    await this.o.notify.sendMail({
      to: user.email,
      subject: 'Your account will be deleted',
      text:
        `Your account and its personal data will be deleted on ${purgeAfter.toISOString()}. ` +
        'Every session and API key has ended. To keep the account, cancel before then: ' +
        'POST /v1/auth/deletion/cancel with your email and password, then sign in again.',
    });
    this.o.logger.info({ userId: user.id, purgeAfter }, 'account deletion requested');
    return { status: 'scheduled' as const, purge_after: purgeAfter.toISOString() };
  }

  /** Answers a wrong email or password as a login does, so it tells nothing about who has an account. */
  async cancelDeletion(input: { email: string; password: string; code?: string }, ctx: RequestContext) {
    const email = normalizeEmail(input.email);
    await this.o.limit('loginPerAddress', ctx.address);
    await this.o.limit('deletionPerAccount', email);
    const user = await this.o.repo.findUserByEmail(email);
    if (!user) await burnPasswordCheck(input.password);
    if (!user || !(await verifyPassword(user.passwordHash, input.password))) {
      throw new Unauthorized('Email or password is wrong');
    }
    await this.checkCode(user, input.code, (message) => {
      throw new Unauthorized(`The MFA code ${message}`);
    });
    if (!user.purgeAfter) throw new Conflict('No deletion of this account is pending');
    await this.o.accounts.cancelDeletion(user.id);
    await this.o.repo.recordEvent(user.id, 'deletion_cancelled', ctx);
    await this.o.notify.sendMail({
      to: user.email,
      subject: 'Your account will not be deleted',
      text: 'The deletion of your account was cancelled. Sign in again; create new API keys where you need them.',
    });
    return { status: 'cancelled' as const };
  }

  /** The scheduled job: purges accounts past their grace period, one at a time. */
  async purgeDue(): Promise<string[]> {
    const purged: string[] = [];
    for (const id of await this.o.accounts.dueForPurge()) {
      // Someone may have made the user the last owner of an organization meanwhile: keep it until that changes.
      const owned = await this.o.accounts.lastOwnedOrgs(id);
      if (owned.length) {
        this.o.logger.warn({ userId: id, orgs: owned.map((o) => o.id) }, 'account purge held: last owner');
        continue;
      }
      await this.purge(id, { actorType: 'system', actorId: null, action: 'account purged' });
      purged.push(id);
    }
    return purged;
  }

  /** An operator's deletion: the same purge, now; refused when it would leave an organization ownerless. */
  async purgeNow(userId: string, actor: Actor): Promise<void> {
    if (actor.userId === userId) throw new Conflict('Delete your own account with POST /v1/me/deletion');
    if (!(await this.o.repo.findUser(userId))) throw new NotFound('No such user');
    const owned = await this.o.accounts.lastOwnedOrgs(userId);
    if (owned.length) throw new LastOwner(owned);
    await this.purge(userId, {
      actorType: 'user',
      actorId: actor.userId ?? null,
      action: 'DELETE /v1/admin/users/{id}',
      address: actor.address,
      userAgent: actor.userAgent,
      requestId: actor.requestId,
    });
  }

  /** The user's own data, one record a line: profile first, then each session, key, membership, event, notice. */
  async *export(userId: string): AsyncGenerator<Record<string, unknown>> {
    await this.o.limit('exportPerUser', userId);
    const user = await this.o.repo.findUser(userId);
    if (!user) throw new NotFound();
    const data = await this.o.accounts.personalData(userId);
    const iso = (d: Date | null) => d?.toISOString() ?? null;
    yield { record: 'profile', exported_at: new Date().toISOString(), ...publicUser(user) };
    yield { record: 'preferences', ...DEFAULT_PREFERENCES, ...user.preferences };
    for (const s of data.sessions) yield { record: 'session', ...publicSession(s), revoked_at: iso(s.revokedAt) };
    for (const k of data.apiKeys) yield { record: 'api_key', ...publicApiKey(k), revoked_at: iso(k.revokedAt) };
    for (const m of data.memberships)
      yield { record: 'membership', org_id: m.orgId, org_name: m.name, role: m.role, since: iso(m.since) };
    for (const e of data.events) yield { record: 'activity', ...publicActivity(e) };
    for (const n of data.notifications) yield { record: 'notification', ...publicNotification(n) };
  }

  /** Users who share an organization with the caller; nobody else, whatever the search. */
  async search(userId: string, q: { search: string; limit: number; after?: string }) {
    const rows = await this.o.accounts.searchCoMembers(userId, { ...q, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    return {
      data: page.map((u) => ({
        id: u.id,
        name: u.name,
        email: u.email,
        avatar_url: u.avatarKey ? `/v1/users/${u.id}/avatar` : null,
      })),
      next_cursor: rows.length > q.limit ? page[page.length - 1]!.id : null,
    };
  }

  /** Another user's avatar, for those who share an organization with them. */
  async avatar(callerId: string, userId: string) {
    const visible = callerId === userId || (await this.o.accounts.shareAnOrg(callerId, userId));
    const user = visible ? await this.o.repo.findUser(userId) : undefined;
    const object = user?.avatarKey ? await this.o.objects.get(user.avatarKey) : undefined;
    if (!object) throw new NotFound('No avatar');
    return object;
  }

  private async purge(userId: string, audit: AccountAudit): Promise<void> {
    const user = await this.o.repo.findUser(userId);
    if (!user) return;
    // The avatar's and the user's files' objects leave the store with the next `sweep-deleted-objects`.
    await this.o.accounts.purge(userId, user.email, audit);
    await this.o.notify.sendMail({
      to: user.email,
      subject: 'Your account has been deleted',
      text: 'Your account and its personal data have been deleted. Thank you for having used the platform.',
    });
    this.o.logger.info({ userId, by: audit.actorType }, 'account purged');
  }

  private async checkCode(user: UserRow, code: string | undefined, refuse: (message: string) => never) {
    if (!user.mfaEnabled) return;
    if (!code) refuse('is required while MFA is on (a TOTP code or a recovery code)');
    if (!(await checkSecondFactor(this.o.repo, user, code))) refuse('is wrong or expired');
  }
}
