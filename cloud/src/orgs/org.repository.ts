import { type Orm, schema } from '@iotp/db';
import { and, desc, eq, gte, ilike, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';

const { organizations, memberships, orgRoles, invitations, auditLog, users, apiKeys, devices } = schema;

export type OrgRow = typeof organizations.$inferSelect;
export type InvitationRow = typeof invitations.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;
export type AuditEntry = typeof auditLog.$inferInsert;

export interface AuditQuery {
  actor?: string;
  action?: string;
  target?: string;
  from?: Date;
  to?: Date;
  /** Rows older than this (created_at, id) position. */
  before?: { at: Date; id: string };
  limit: number;
}

/** `org_id = $1 AND id = $2`: how a repository finds one of an organization's rows, so no query forgets the org. */
export const inOrg = (table: { orgId: PgColumn; id: PgColumn }, orgId: string, id: string) =>
  and(eq(table.orgId, orgId), eq(table.id, id));

/**
 * Reading, changing and deleting one of an organization's rows of `table` by its id: undefined (or
 * false) when the organization has no such row.
 * @example const rows = orgRows(orm, schema.devices); await rows.find(orgId, id);
 */
export function orgRows<T extends PgTable & { orgId: PgColumn; id: PgColumn }>(orm: Orm, table: T) {
  type Row = T['$inferSelect'];
  // drizzle's builders cannot follow a generic table through a query: the rows are typed as `Row` instead.
  const anyTable = table as PgTable & { orgId: PgColumn; id: PgColumn };
  return {
    async find(orgId: string, id: string): Promise<Row | undefined> {
      return (
        await orm
          .select()
          .from(anyTable)
          .where(inOrg(table, orgId, id))
      )[0] as Row | undefined;
    },
    async update(orgId: string, id: string, values: Partial<T['$inferInsert']>): Promise<Row | undefined> {
      // An empty patch changes nothing (RFC 7396); drizzle refuses an UPDATE with no columns.
      if (Object.keys(values).length === 0) return this.find(orgId, id);
      return (
        await orm
          .update(anyTable)
          .set(values)
          .where(inOrg(table, orgId, id))
          .returning()
      )[0] as Row | undefined;
    },
    async delete(orgId: string, id: string): Promise<boolean> {
      return (
        (
          await orm
            .delete(anyTable)
            .where(inOrg(table, orgId, id))
            .returning({ id: table.id })
        ).length > 0
      );
    },
  };
}

/**
 * Every database access of organizations, members, roles, invitations and the audit log. Each
 * method that touches an organization's rows takes its id and filters by it here, not in routes.
 */
export class OrgRepository {
  /** Every organization route asks it: built once, not per call. */
  private readonly roleOf;

  /**
   * @param onAccessChange called after each write that changes who may act in an organization (a
   * member added, removed or given another role, the organization deleted).
   */
  constructor(
    private readonly orm: Orm,
    private readonly onAccessChange: () => void = () => undefined,
  ) {
    this.roleOf = orm
      .select({ role: memberships.role })
      .from(memberships)
      .innerJoin(organizations, eq(organizations.id, memberships.orgId))
      .where(
        and(
          eq(memberships.orgId, sql.placeholder('orgId')),
          eq(memberships.userId, sql.placeholder('userId')),
          isNull(organizations.deletedAt),
        ),
      )
      .prepare('membership_role');
  }

  /** Creates an organization with its first owner, in one transaction. */
  async create(values: { name: string; slug?: string }, ownerId: string): Promise<OrgRow | undefined> {
    return this.orm.transaction(async (tx) => {
      const [org] = await tx.insert(organizations).values(values).onConflictDoNothing().returning();
      if (org) await tx.insert(memberships).values({ orgId: org.id, userId: ownerId, role: 'owner' });
      return org;
    });
  }

  /** A live (not deleted) organization. */
  async find(orgId: string): Promise<OrgRow | undefined> {
    return (
      await this.orm
        .select()
        .from(organizations)
        .where(and(eq(organizations.id, orgId), isNull(organizations.deletedAt)))
    )[0];
  }

  async update(
    orgId: string,
    values: Partial<Pick<OrgRow, 'name' | 'slug' | 'settings'>>,
  ): Promise<OrgRow | undefined> {
    // An empty patch changes nothing (RFC 7396); drizzle refuses an UPDATE with no columns.
    if (Object.keys(values).length === 0) return this.find(orgId);
    return (
      await this.orm
        .update(organizations)
        .set(values)
        .where(and(eq(organizations.id, orgId), isNull(organizations.deletedAt)))
        .returning()
    )[0];
  }

  async slugTaken(slug: string, exceptOrgId?: string): Promise<boolean> {
    const rows = await this.orm
      .select({ id: organizations.id })
      .from(organizations)
      .where(eq(organizations.slug, slug));
    return rows.some((r) => r.id !== exceptOrgId);
  }

  async setDeletionToken(orgId: string, tokenHash: string, expiresAt: Date): Promise<void> {
    await this.orm
      .update(organizations)
      .set({ deletionTokenHash: tokenHash, deletionTokenExpiresAt: expiresAt })
      .where(eq(organizations.id, orgId));
  }

  /** Uses the deletion token, once: true when it matched and had not expired. */
  async consumeDeletionToken(orgId: string, tokenHash: string): Promise<boolean> {
    const rows = await this.orm
      .update(organizations)
      .set({ deletionTokenHash: null, deletionTokenExpiresAt: null })
      .where(
        and(
          eq(organizations.id, orgId),
          eq(organizations.deletionTokenHash, tokenHash),
          gte(organizations.deletionTokenExpiresAt, new Date()),
        ),
      )
      .returning({ id: organizations.id });
    return rows.length > 0;
  }

  /** Marks an organization deleted and disables its devices' credentials at once. */
  async markDeleted(orgId: string, purgeAfter: Date): Promise<{ devices: string[]; apiKeys: string[] }> {
    const revoked = await this.orm.transaction(async (tx) => {
      await tx.update(organizations).set({ deletedAt: new Date(), purgeAfter }).where(eq(organizations.id, orgId));
      const keys = await tx
        .update(apiKeys)
        .set({ revokedAt: new Date() })
        .where(and(eq(apiKeys.orgId, orgId), isNull(apiKeys.revokedAt)))
        .returning({ id: apiKeys.id });
      const disabled = await tx
        .update(devices)
        .set({ disabledAt: new Date(), secretHash: '' })
        .where(eq(devices.orgId, orgId))
        .returning({ id: devices.id });
      return { devices: disabled.map((d) => d.id), apiKeys: keys.map((k) => k.id) };
    });
    this.onAccessChange();
    return revoked;
  }

  /** Removes organizations whose grace period is over, with their devices' telemetry. */
  async purgeDue(): Promise<string[]> {
    const due = await this.orm
      .select({ id: organizations.id })
      .from(organizations)
      .where(lte(organizations.purgeAfter, new Date()));
    for (const { id } of due) {
      await this.orm.transaction(async (tx) => {
        const ids = tx.select({ id: devices.id }).from(devices).where(eq(devices.orgId, id));
        await tx.execute(sql`DELETE FROM telemetry WHERE device_id IN (${ids})`);
        await tx.execute(sql`DELETE FROM telemetry_latest WHERE device_id IN (${ids})`);
        await tx.delete(organizations).where(eq(organizations.id, id));
      });
    }
    return due.map((d) => d.id);
  }

  async listForUser(userId: string) {
    return this.orm
      .select({ org: organizations, role: memberships.role })
      .from(memberships)
      .innerJoin(organizations, eq(organizations.id, memberships.orgId))
      .where(and(eq(memberships.userId, userId), isNull(organizations.deletedAt)))
      .orderBy(organizations.name);
  }

  async membership(orgId: string, userId: string): Promise<string | undefined> {
    const [row] = await this.roleOf.execute({ orgId, userId });
    return row?.role;
  }

  async members(orgId: string) {
    return this.orm
      .select({
        userId: users.id,
        email: users.email,
        name: users.name,
        role: memberships.role,
        since: memberships.createdAt,
      })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.orgId, orgId))
      .orderBy(users.email);
  }

  async addMember(orgId: string, userId: string, role: string): Promise<void> {
    await this.orm
      .insert(memberships)
      .values({ orgId, userId, role })
      .onConflictDoUpdate({
        target: [memberships.orgId, memberships.userId],
        set: { role },
      });
    this.onAccessChange();
  }

  async setRole(orgId: string, userId: string, role: string): Promise<boolean> {
    const rows = await this.orm
      .update(memberships)
      .set({ role })
      .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
      .returning({ userId: memberships.userId });
    this.onAccessChange();
    return rows.length > 0;
  }

  async removeMember(orgId: string, userId: string): Promise<boolean> {
    const rows = await this.orm
      .delete(memberships)
      .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
      .returning({ userId: memberships.userId });
    this.onAccessChange();
    return rows.length > 0;
  }

  async ownerCount(orgId: string): Promise<number> {
    const [row] = await this.orm
      .select({ n: sql<number>`count(*)::int` })
      .from(memberships)
      .where(and(eq(memberships.orgId, orgId), eq(memberships.role, 'owner')));
    return Number(row?.n ?? 0);
  }

  async customRoles(orgId: string) {
    return this.orm.select().from(orgRoles).where(eq(orgRoles.orgId, orgId)).orderBy(orgRoles.name);
  }

  async customRole(orgId: string, name: string) {
    return (
      await this.orm
        .select()
        .from(orgRoles)
        .where(and(eq(orgRoles.orgId, orgId), eq(orgRoles.name, name)))
    )[0];
  }

  async putRole(orgId: string, name: string, permissions: string[]): Promise<void> {
    await this.orm
      .insert(orgRoles)
      .values({ orgId, name, permissions })
      .onConflictDoUpdate({ target: [orgRoles.orgId, orgRoles.name], set: { permissions } });
  }

  async deleteRole(orgId: string, name: string): Promise<boolean> {
    const rows = await this.orm
      .delete(orgRoles)
      .where(and(eq(orgRoles.orgId, orgId), eq(orgRoles.name, name)))
      .returning({ name: orgRoles.name });
    return rows.length > 0;
  }

  async roleInUse(orgId: string, name: string): Promise<boolean> {
    const rows = await this.orm
      .select({ userId: memberships.userId })
      .from(memberships)
      .where(and(eq(memberships.orgId, orgId), eq(memberships.role, name)))
      .limit(1);
    return rows.length > 0;
  }

  async createInvitation(values: typeof invitations.$inferInsert): Promise<InvitationRow> {
    return (await this.orm.insert(invitations).values(values).returning())[0]!;
  }

  async invitations(orgId: string): Promise<InvitationRow[]> {
    return this.orm
      .select()
      .from(invitations)
      .where(and(eq(invitations.orgId, orgId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
      .orderBy(desc(invitations.createdAt));
  }

  async invitation(orgId: string, id: string): Promise<InvitationRow | undefined> {
    return (
      await this.orm
        .select()
        .from(invitations)
        .where(inOrg(invitations, orgId, id))
    )[0];
  }

  async invitationByToken(tokenHash: string): Promise<InvitationRow | undefined> {
    return (await this.orm.select().from(invitations).where(eq(invitations.tokenHash, tokenHash)))[0];
  }

  async updateInvitation(
    orgId: string,
    id: string,
    values: Partial<InvitationRow>,
  ): Promise<InvitationRow | undefined> {
    return (
      await this.orm
        .update(invitations)
        .set(values)
        .where(inOrg(invitations, orgId, id))
        .returning()
    )[0];
  }

  /** Marks an invitation accepted, once: concurrent accepts of one token cannot both win. */
  async acceptInvitation(id: string): Promise<boolean> {
    const rows = await this.orm
      .update(invitations)
      .set({ acceptedAt: new Date() })
      .where(and(eq(invitations.id, id), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
      .returning({ id: invitations.id });
    return rows.length > 0;
  }

  async audit(entry: AuditEntry): Promise<void> {
    await this.orm.insert(auditLog).values(entry);
  }

  async auditPage(orgId: string, q: AuditQuery): Promise<AuditRow[]> {
    const conditions = [eq(auditLog.orgId, orgId)];
    if (q.actor) conditions.push(eq(auditLog.actorId, q.actor));
    if (q.action) {
      // A part of the action, taken literally (`_` and `%` are no wildcards here). Entries written
      // before actions named parameters as the API documents them (`{orgId}`) have `:orgId`: the
      // log is append-only, so the filter matches both spellings.
      const like = (s: string) => `%${s.replace(/[\\%_]/g, '\\$&')}%`;
      const older = q.action.replace(/\{(\w+)\}/g, ':$1');
      conditions.push(or(ilike(auditLog.action, like(q.action)), ilike(auditLog.action, like(older)))!);
    }
    if (q.target) conditions.push(eq(auditLog.targetId, q.target));
    if (q.from) conditions.push(gte(auditLog.createdAt, q.from));
    if (q.to) conditions.push(lt(auditLog.createdAt, q.to));
    if (q.before) {
      conditions.push(
        or(
          lt(auditLog.createdAt, q.before.at),
          and(eq(auditLog.createdAt, q.before.at), lt(auditLog.id, q.before.id)),
        )!,
      );
    }
    return this.orm
      .select()
      .from(auditLog)
      .where(and(...conditions))
      .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
      .limit(q.limit);
  }

  async orgApiKeys(orgId: string) {
    return this.orm
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.orgId, orgId), isNull(apiKeys.revokedAt)))
      .orderBy(desc(apiKeys.createdAt));
  }

  async revokeOrgApiKey(orgId: string, id: string): Promise<boolean> {
    const rows = await this.orm
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiKeys.orgId, orgId), eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id });
    return rows.length > 0;
  }
}
