import { type Orm, schema } from '@iotp/db';
import { and, asc, desc, eq, gt, isNull, lte, sql } from 'drizzle-orm';

const { users, sessions, apiKeys, userEvents, memberships, organizations, notifications, auditLog, mailOutbox } =
  schema;

/** What an account's entry in an organization's audit trail says, beyond the organization. */
export type AccountAudit = Pick<
  typeof auditLog.$inferInsert,
  'actorType' | 'actorId' | 'action' | 'address' | 'userAgent' | 'requestId' | 'detail'
>;

/** An account's lifecycle and what spans tables: deletion and purge, export, search among co-members. */
export class AccountRepository {
  /** @param onAccessChange called after each write that changes what a session may do (see AuthRepository). */
  constructor(
    private readonly orm: Orm,
    private readonly onAccessChange: () => void = () => undefined,
  ) {}

  /** Live organizations where the user is the only owner: they would be left without one. */
  async lastOwnedOrgs(userId: string): Promise<{ id: string; name: string }[]> {
    return this.orm
      .select({ id: organizations.id, name: organizations.name })
      .from(memberships)
      .innerJoin(organizations, and(eq(organizations.id, memberships.orgId), isNull(organizations.deletedAt)))
      .where(
        and(
          eq(memberships.userId, userId),
          eq(memberships.role, 'owner'),
          sql`(SELECT count(*) FROM memberships o WHERE o.org_id = ${memberships.orgId} AND o.role = 'owner') = 1`,
        ),
      )
      .orderBy(organizations.name);
  }

  /** The live organizations the user belongs to. */
  async orgIds(userId: string): Promise<string[]> {
    const rows = await this.orm
      .select({ id: memberships.orgId })
      .from(memberships)
      .innerJoin(organizations, and(eq(organizations.id, memberships.orgId), isNull(organizations.deletedAt)))
      .where(eq(memberships.userId, userId));
    return rows.map((r) => r.id);
  }

  /** Marks the account for deletion and ends every session and personal API key, in one transaction. */
  async scheduleDeletion(userId: string, purgeAfter: Date): Promise<void> {
    const now = new Date();
    await this.orm.transaction(async (tx) => {
      await tx.update(users).set({ deletionRequestedAt: now, purgeAfter, updatedAt: now }).where(eq(users.id, userId));
      await tx
        .update(sessions)
        .set({ revokedAt: now, revokedReason: 'account_deletion' })
        .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)));
      await tx
        .update(apiKeys)
        .set({ revokedAt: now })
        .where(and(eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)));
    });
    this.onAccessChange();
  }

  async cancelDeletion(userId: string): Promise<void> {
    await this.orm
      .update(users)
      .set({ deletionRequestedAt: null, purgeAfter: null, updatedAt: new Date() })
      .where(eq(users.id, userId));
    this.onAccessChange();
  }

  /** Accounts whose grace period is over. */
  async dueForPurge(now = new Date()): Promise<string[]> {
    const rows = await this.orm.select({ id: users.id }).from(users).where(lte(users.purgeAfter, now));
    return rows.map((r) => r.id);
  }

  /**
   * Removes the user and, by cascade, their memberships, sessions, keys, tokens, activity and
   * inbox; each organization they belonged to gets `audit` in its trail, naming the user by id only
   * (the trail is append-only and outlives the account, so it never holds the email). The mail kept
   * for the address goes too.
   */
  async purge(userId: string, email: string, audit: AccountAudit): Promise<void> {
    await this.orm.transaction(async (tx) => {
      const orgs = await tx.select({ id: memberships.orgId }).from(memberships).where(eq(memberships.userId, userId));
      if (orgs.length) {
        await tx.insert(auditLog).values(
          orgs.map(({ id }) => ({
            ...audit,
            orgId: id,
            targetType: 'user',
            targetId: userId,
            result: 'success' as const,
            status: 200,
          })),
        );
      }
      await tx.delete(users).where(eq(users.id, userId));
      await tx.delete(mailOutbox).where(eq(mailOutbox.to, email));
    });
    this.onAccessChange();
  }

  /** One entry in the trail of each organization in `orgIds` about the user `userId`. */
  async auditOrgs(orgIds: string[], userId: string, audit: AccountAudit): Promise<void> {
    if (!orgIds.length) return;
    await this.orm.insert(auditLog).values(
      orgIds.map((orgId) => ({
        ...audit,
        orgId,
        targetType: 'user',
        targetId: userId,
        result: 'success' as const,
        status: 200,
      })),
    );
  }

  /** Everything kept about the user beyond the users row, for their export. */
  async personalData(userId: string) {
    const [sessionRows, keyRows, membershipRows, eventRows, notificationRows] = await Promise.all([
      this.orm.select().from(sessions).where(eq(sessions.userId, userId)).orderBy(desc(sessions.createdAt)),
      this.orm
        .select({
          id: apiKeys.id,
          name: apiKeys.name,
          prefix: apiKeys.prefix,
          scopes: apiKeys.scopes,
          expiresAt: apiKeys.expiresAt,
          lastUsedAt: apiKeys.lastUsedAt,
          revokedAt: apiKeys.revokedAt,
          createdAt: apiKeys.createdAt,
        })
        .from(apiKeys)
        .where(eq(apiKeys.userId, userId))
        .orderBy(desc(apiKeys.createdAt)),
      this.orm
        .select({
          orgId: organizations.id,
          name: organizations.name,
          role: memberships.role,
          since: memberships.createdAt,
        })
        .from(memberships)
        .innerJoin(organizations, eq(organizations.id, memberships.orgId))
        .where(eq(memberships.userId, userId))
        .orderBy(organizations.name),
      this.orm.select().from(userEvents).where(eq(userEvents.userId, userId)).orderBy(desc(userEvents.createdAt)),
      this.orm
        .select()
        .from(notifications)
        .where(eq(notifications.userId, userId))
        .orderBy(desc(notifications.createdAt)),
    ]);
    return {
      sessions: sessionRows,
      apiKeys: keyRows,
      memberships: membershipRows,
      events: eventRows,
      notifications: notificationRows,
    };
  }

  /**
   * Users who share a live organization with `userId` and whose name or email contains `search`
   * (case-insensitive, taken literally), ordered by id after `after`.
   */
  async searchCoMembers(userId: string, q: { search: string; limit: number; after?: string }) {
    const like = `%${q.search.replace(/[\\%_]/g, '\\$&')}%`;
    return this.orm
      .select({ id: users.id, name: users.name, email: users.email, avatarKey: users.avatarKey })
      .from(users)
      .where(
        and(
          sharesOrgWith(userId),
          sql`(${users.email} ILIKE ${like} OR ${users.name} ILIKE ${like})`,
          q.after ? gt(users.id, q.after) : undefined,
        ),
      )
      .orderBy(asc(users.id))
      .limit(q.limit);
  }

  /** Whether two users share a live organization. */
  async shareAnOrg(a: string, b: string): Promise<boolean> {
    const rows = await this.orm
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.id, b), sharesOrgWith(a)));
    return rows.length > 0;
  }
}

/** Whether the row's user shares a live organization with `userId`. */
function sharesOrgWith(userId: string) {
  return sql`EXISTS (
    SELECT 1 FROM memberships mine
    JOIN memberships theirs ON theirs.org_id = mine.org_id
    JOIN organizations o ON o.id = mine.org_id AND o.deleted_at IS NULL
    WHERE mine.user_id = ${userId} AND theirs.user_id = ${users.id})`;
}
