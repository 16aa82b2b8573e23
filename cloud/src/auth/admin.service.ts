import type { RequestContext } from '../access/request-context.ts';
import { Conflict, NotFound } from '../http/problem.ts';
import type { AccountRepository } from './account.repository.ts';
import type { Actor } from './account.service.ts';
import type { AuthRepository } from './auth.repository.ts';
import { normalizeEmail, publicActivity, publicUser } from './users.ts';

/** What an operator may change of a user. */
export interface UserPatch {
  name?: string | null;
  email?: string;
  email_verified?: boolean;
  disabled?: boolean;
}

/** Operators: list and search users, disable and enable them, read their activity. */
export class AdminService {
  constructor(
    private readonly repo: AuthRepository,
    private readonly accounts: AccountRepository,
  ) {}

  /**
   * Changes a user's name, email (unique; unverified again unless `email_verified` says otherwise),
   * verification or disabling. Recorded in the user's activity with before and after, and in the trail
   * of each organization they belong to by field name only: that trail outlives the account.
   */
  async update(userId: string, patch: UserPatch, actor: Actor) {
    const current = await this.repo.findUser(userId);
    if (!current) throw new NotFound('No such user');
    const email = patch.email === undefined ? undefined : normalizeEmail(patch.email);
    if (email !== undefined && email !== current.email && (await this.repo.findUserByEmail(email))) {
      throw new Conflict('email: another account has this address');
    }
    const before = {
      name: current.name,
      email: current.email,
      email_verified: current.emailVerified,
      disabled: current.disabledAt !== null,
    };
    const after = {
      name: patch.name === undefined ? before.name : patch.name,
      email: email ?? before.email,
      email_verified:
        patch.email_verified ?? (email !== undefined && email !== before.email ? false : before.email_verified),
      disabled: patch.disabled ?? before.disabled,
    };
    const changed = (Object.keys(after) as (keyof typeof after)[]).filter((k) => after[k] !== before[k]);
    if (!changed.length) return publicUser(current);
    const user = await this.repo
      .updateUser(userId, {
        name: after.name,
        email: after.email,
        emailVerified: after.email_verified,
        disabledAt: after.disabled === before.disabled ? current.disabledAt : after.disabled ? new Date() : null,
      })
      .catch((err: unknown) => {
        // Taken between the check and the write.
        const e = err as { code?: string; cause?: { code?: string } };
        if ((e.code ?? e.cause?.code) === '23505') {
          throw new Conflict('email: another account has this address', { cause: err });
        }
        throw err;
      });
    if (after.disabled && !before.disabled) await this.repo.revokeSessions(userId, 'disabled_by_admin');
    const detail = Object.fromEntries(changed.map((k) => [k, { before: before[k], after: after[k] }]));
    await this.repo.recordEvent(userId, 'updated_by_admin', actor, { by: actor.userId, ...detail });
    await this.accounts.auditOrgs(await this.accounts.orgIds(userId), userId, {
      actorType: 'user',
      actorId: actor.userId ?? null,
      action: 'PATCH /v1/admin/users/{id}',
      address: actor.address,
      userAgent: actor.userAgent,
      requestId: actor.requestId,
      // Names and emails stay out: the trail is append-only and must not name a purged account.
      detail: { fields: changed },
    });
    return publicUser(user!);
  }

  async listUsers(q: { search?: string; limit: number; after?: string }) {
    const rows = await this.repo.listUsers({ ...q, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    return { data: page.map(publicUser), next_cursor: rows.length > q.limit ? page[page.length - 1]!.id : null };
  }

  async setDisabled(userId: string, disabled: boolean, ctx: RequestContext) {
    const user = await this.repo.updateUser(userId, { disabledAt: disabled ? new Date() : null });
    if (!user) throw new NotFound('No such user');
    if (disabled) await this.repo.revokeSessions(userId, 'disabled_by_admin');
    await this.repo.recordEvent(userId, disabled ? 'disabled' : 'enabled', ctx);
    return publicUser(user);
  }

  async activity(userId: string, limit: number) {
    if (!(await this.repo.findUser(userId))) throw new NotFound('No such user');
    return (await this.repo.listEvents(userId, limit)).map(publicActivity);
  }
}
