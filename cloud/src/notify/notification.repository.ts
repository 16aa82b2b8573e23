import { anyOf, type Orm, schema } from '@iotp/db';
import { and, desc, eq, isNull, type SQL, sql } from 'drizzle-orm';
import { orgRows } from '../orgs/org.repository.ts';

const { notifications, notificationRoutes, memberships, users } = schema;

export type NotificationRow = typeof notifications.$inferSelect;
export type NewNotification = typeof notifications.$inferInsert;
export type RouteRow = typeof notificationRoutes.$inferSelect;
export type RouteValues = Pick<RouteRow, 'minSeverity' | 'roles' | 'channels'>;

/** A member who may be notified: whom to write to, and the channels they asked for. */
export interface Recipient {
  userId: string;
  email: string;
  role: string;
  preferences: Record<string, unknown>;
}

/** Every database access of notifications: users' inbox rows and organizations' routes. */
export class NotificationRepository {
  /** One of the organization's routes by id: read, changed, deleted. */
  readonly routes: ReturnType<typeof orgRows<typeof notificationRoutes>>;

  constructor(private readonly orm: Orm) {
    this.routes = orgRows(orm, notificationRoutes);
  }

  /**
   * Writes an inbox row unless the user has one from the same event or notice already (`data.event_id`
   * or `data.notice_key`): the outbox hands an event over at least once, and a notice may be retried.
   * Returns the new row, or undefined when it was there.
   */
  async insertOnce(
    row: NewNotification & { data: { event_id: number } | { notice_key: string } },
  ): Promise<NotificationRow | undefined> {
    const [field, value] =
      'event_id' in row.data ? ['event_id', String(row.data.event_id)] : ['notice_key', row.data.notice_key];
    return this.orm.transaction(async (tx) => {
      // Serializes writers of the same user and source (two relays after a lease change).
      await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`${row.userId}:${field}:${value}`}))`);
      const [seen] = await tx
        .select({ id: notifications.id })
        .from(notifications)
        .where(and(eq(notifications.userId, row.userId), sql`${notifications.data}->>${field} = ${value}`))
        .limit(1);
      if (seen) return undefined;
      const [created] = await tx.insert(notifications).values(row).returning();
      return created;
    });
  }

  /** A user's notifications, newest first, after the row `cursor` (an id from the page before). */
  async page(userId: string, q: { unread?: boolean; cursor?: string; limit: number }) {
    const where: SQL[] = [eq(notifications.userId, userId)];
    if (q.unread) where.push(isNull(notifications.readAt));
    if (q.cursor) {
      where.push(
        sql`(${notifications.createdAt}, ${notifications.id}) < (SELECT created_at, id FROM notifications WHERE id = ${q.cursor} AND user_id = ${userId})`,
      );
    }
    return this.orm
      .select()
      .from(notifications)
      .where(and(...where))
      .orderBy(desc(notifications.createdAt), desc(notifications.id))
      .limit(q.limit);
  }

  /** A user's notifications created after the one with id `afterId`, oldest first (a stream catching up). */
  async after(userId: string, afterId: string, limit = 100) {
    return this.orm
      .select()
      .from(notifications)
      .where(
        and(
          eq(notifications.userId, userId),
          sql`(${notifications.createdAt}, ${notifications.id}) > (SELECT created_at, id FROM notifications WHERE id = ${afterId})`,
        ),
      )
      .orderBy(notifications.createdAt, notifications.id)
      .limit(limit);
  }

  async unreadCount(userId: string): Promise<number> {
    const [row] = await this.orm
      .select({ n: sql<number>`count(*)::int` })
      .from(notifications)
      .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
    return row?.n ?? 0;
  }

  /** Marks one of the user's notifications read (kept as first read); undefined when the user has no such row. */
  async markRead(userId: string, id: string): Promise<NotificationRow | undefined> {
    const [row] = await this.orm
      .update(notifications)
      .set({ readAt: sql`coalesce(${notifications.readAt}, now())` })
      .where(and(eq(notifications.userId, userId), eq(notifications.id, id)))
      .returning();
    return row;
  }

  async markAllRead(userId: string): Promise<number> {
    const rows = await this.orm
      .update(notifications)
      .set({ readAt: sql`now()` })
      .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
      .returning({ id: notifications.id });
    return rows.length;
  }

  listRoutes(orgId: string): Promise<RouteRow[]> {
    return this.orm
      .select()
      .from(notificationRoutes)
      .where(eq(notificationRoutes.orgId, orgId))
      .orderBy(notificationRoutes.createdAt, notificationRoutes.id);
  }

  async createRoute(orgId: string, values: RouteValues): Promise<RouteRow> {
    const [row] = await this.orm
      .insert(notificationRoutes)
      .values({ orgId, ...values })
      .returning();
    return row!;
  }

  /** The organization's members holding one of `roles`, with their address and preferences. */
  members(orgId: string, roles: string[]): Promise<Recipient[]> {
    if (!roles.length) return Promise.resolve([]);
    return this.orm
      .select({ userId: users.id, email: users.email, role: memberships.role, preferences: users.preferences })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.orgId, orgId), anyOf(memberships.role, roles)));
  }
}
