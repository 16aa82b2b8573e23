import { type Orm, schema } from '@iotp/db';
import { and, desc, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import type { RequestContext } from '../access/request-context.ts';

const { users, sessions, refreshTokens, apiKeys, emailTokens, userEvents, recoveryCodes, memberships, organizations } =
  schema;

export type UserRow = typeof users.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;

/** What authenticating a request needs of a session and its user, and no more. */
const CALLER = {
  session: { id: sessions.id, userId: sessions.userId, revokedAt: sessions.revokedAt },
  user: {
    id: users.id,
    email: users.email,
    emailVerified: users.emailVerified,
    isAdmin: users.isAdmin,
    disabledAt: users.disabledAt,
  },
};
export type Caller = {
  session: Pick<SessionRow, 'id' | 'userId' | 'revokedAt'>;
  user: Pick<UserRow, keyof typeof CALLER.user>;
};
export type ApiKeyRow = typeof apiKeys.$inferSelect;

/** Every database access of the account and auth services. */
export class AuthRepository {
  /** Every authenticated request runs it: built once, not per call. */
  private readonly sessionWithUser;
  /** And every organization route: the same, with the user's role there. */
  private readonly sessionWithUserInOrg;

  /**
   * @param onAccessChange called after each write that changes who a session is or what it may do
   * (a session revoked, a user updated), so that remembered answers are forgotten.
   */
  constructor(
    private readonly orm: Orm,
    private readonly onAccessChange: () => void = () => undefined,
  ) {
    this.sessionWithUser = orm
      .select(CALLER)
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(eq(sessions.id, sql.placeholder('id')))
      .prepare('session_with_user');
    this.sessionWithUserInOrg = orm
      .select({
        ...CALLER,
        // A membership of a deleted organization is none.
        role: sql<string | null>`CASE WHEN ${organizations.id} IS NULL THEN NULL ELSE ${memberships.role} END`,
      })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .leftJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.orgId, sql.placeholder('orgId'))))
      .leftJoin(organizations, and(eq(organizations.id, memberships.orgId), isNull(organizations.deletedAt)))
      .where(eq(sessions.id, sql.placeholder('id')))
      .prepare('session_with_user_in_org');
  }

  async findUserByEmail(email: string): Promise<UserRow | undefined> {
    return (await this.orm.select().from(users).where(eq(users.email, email)))[0];
  }

  async findUser(id: string): Promise<UserRow | undefined> {
    return (await this.orm.select().from(users).where(eq(users.id, id)))[0];
  }

  /** Inserts a user; undefined when the email is taken. */
  async createUser(values: { email: string; name?: string; passwordHash: string }): Promise<UserRow | undefined> {
    return (await this.orm.insert(users).values(values).onConflictDoNothing().returning())[0];
  }

  async updateUser(id: string, values: Partial<typeof users.$inferInsert>): Promise<UserRow | undefined> {
    const [row] = await this.orm
      .update(users)
      .set({ ...values, updatedAt: new Date() })
      .where(eq(users.id, id))
      .returning();
    this.onAccessChange();
    return row;
  }

  async listUsers(q: { search?: string; limit: number; after?: string }): Promise<UserRow[]> {
    const conditions = [];
    if (q.search)
      conditions.push(sql`(${users.email} ILIKE ${`%${q.search}%`} OR ${users.name} ILIKE ${`%${q.search}%`})`);
    if (q.after) conditions.push(gt(users.id, q.after));
    return this.orm
      .select()
      .from(users)
      .where(conditions.length ? and(...conditions) : undefined)
      .orderBy(users.id)
      .limit(q.limit);
  }

  async createSession(userId: string, ctx: RequestContext): Promise<SessionRow> {
    return (
      await this.orm.insert(sessions).values({ userId, userAgent: ctx.userAgent, address: ctx.address }).returning()
    )[0]!;
  }

  /** A session and its user in one round trip: every authenticated request asks for both. */
  async findSessionWithUser(id: string): Promise<Caller | undefined> {
    return (await this.sessionWithUser.execute({ id }))[0];
  }

  /** The same and the user's role in `orgId` (null: not a member), still in one round trip. */
  async findSessionWithUserInOrg(id: string, orgId: string): Promise<(Caller & { role: string | null }) | undefined> {
    return (await this.sessionWithUserInOrg.execute({ id, orgId }))[0];
  }

  async findSession(id: string): Promise<SessionRow | undefined> {
    return (await this.orm.select().from(sessions).where(eq(sessions.id, id)))[0];
  }

  async listSessions(userId: string): Promise<SessionRow[]> {
    return this.orm
      .select()
      .from(sessions)
      .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)))
      .orderBy(desc(sessions.lastUsedAt));
  }

  async touchSession(id: string): Promise<void> {
    await this.orm.update(sessions).set({ lastUsedAt: new Date() }).where(eq(sessions.id, id));
  }

  /** Revokes one session of a user; false when there is no such live session. */
  async revokeSession(userId: string, id: string, reason: string): Promise<boolean> {
    const rows = await this.orm
      .update(sessions)
      .set({ revokedAt: new Date(), revokedReason: reason })
      .where(and(eq(sessions.id, id), eq(sessions.userId, userId), isNull(sessions.revokedAt)))
      .returning({ id: sessions.id });
    this.onAccessChange();
    return rows.length > 0;
  }

  async revokeSessions(userId: string, reason: string, except?: string): Promise<void> {
    await this.orm
      .update(sessions)
      .set({ revokedAt: new Date(), revokedReason: reason })
      .where(
        and(eq(sessions.userId, userId), isNull(sessions.revokedAt), except ? ne(sessions.id, except) : undefined),
      );
    this.onAccessChange();
  }

  async addRefreshToken(sessionId: string, tokenHash: string, expiresAt: Date): Promise<void> {
    await this.orm.insert(refreshTokens).values({ sessionId, tokenHash, expiresAt });
  }

  /**
   * Marks a refresh token used, atomically: of concurrent callers, exactly one gets the row.
   * Returns the token's state otherwise, so reuse can be told from a simple unknown token.
   */
  async consumeRefreshToken(
    tokenHash: string,
  ): Promise<{ ok: true; sessionId: string } | { ok: false; sessionId?: string; usedAt?: Date | null }> {
    const [row] = await this.orm
      .update(refreshTokens)
      .set({ usedAt: new Date() })
      .where(
        and(
          eq(refreshTokens.tokenHash, tokenHash),
          isNull(refreshTokens.usedAt),
          gt(refreshTokens.expiresAt, new Date()),
        ),
      )
      .returning({ sessionId: refreshTokens.sessionId });
    if (row) return { ok: true, sessionId: row.sessionId };
    const [existing] = await this.orm.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash));
    return { ok: false, sessionId: existing?.sessionId, usedAt: existing?.usedAt };
  }

  async createApiKey(values: typeof apiKeys.$inferInsert): Promise<ApiKeyRow> {
    return (await this.orm.insert(apiKeys).values(values).returning())[0]!;
  }

  async findApiKeyByHash(keyHash: string): Promise<ApiKeyRow | undefined> {
    return (await this.orm.select().from(apiKeys).where(eq(apiKeys.keyHash, keyHash)))[0];
  }

  async touchApiKey(id: string): Promise<void> {
    await this.orm.update(apiKeys).set({ lastUsedAt: new Date() }).where(eq(apiKeys.id, id));
  }

  async listApiKeys(userId: string): Promise<ApiKeyRow[]> {
    return this.orm
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)))
      .orderBy(desc(apiKeys.createdAt));
  }

  async revokeApiKey(userId: string, id: string): Promise<boolean> {
    const rows = await this.orm
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id });
    return rows.length > 0;
  }

  async addEmailToken(values: typeof emailTokens.$inferInsert): Promise<void> {
    await this.orm.insert(emailTokens).values(values);
  }

  /** Uses a single-use emailed token: returns its user once, then never again. */
  async consumeEmailToken(tokenHash: string, purpose: 'verify_email' | 'reset_password'): Promise<string | undefined> {
    const [row] = await this.orm
      .update(emailTokens)
      .set({ usedAt: new Date() })
      .where(
        and(
          eq(emailTokens.tokenHash, tokenHash),
          eq(emailTokens.purpose, purpose),
          isNull(emailTokens.usedAt),
          gt(emailTokens.expiresAt, new Date()),
        ),
      )
      .returning({ userId: emailTokens.userId });
    return row?.userId;
  }

  async replaceRecoveryCodes(userId: string, hashes: string[]): Promise<void> {
    await this.orm.transaction(async (tx) => {
      await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
      if (hashes.length) await tx.insert(recoveryCodes).values(hashes.map((codeHash) => ({ userId, codeHash })));
    });
  }

  async consumeRecoveryCode(userId: string, codeHash: string): Promise<boolean> {
    const rows = await this.orm
      .update(recoveryCodes)
      .set({ usedAt: new Date() })
      .where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.codeHash, codeHash), isNull(recoveryCodes.usedAt)))
      .returning({ userId: recoveryCodes.userId });
    return rows.length > 0;
  }

  async recordEvent(
    userId: string,
    type: string,
    ctx: RequestContext,
    detail?: Record<string, unknown>,
  ): Promise<void> {
    await this.orm.insert(userEvents).values({ userId, type, address: ctx.address, userAgent: ctx.userAgent, detail });
  }

  async listEvents(userId: string, limit: number) {
    return this.orm
      .select()
      .from(userEvents)
      .where(eq(userEvents.userId, userId))
      .orderBy(desc(userEvents.createdAt))
      .limit(limit);
  }
}
