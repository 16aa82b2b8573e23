import { type Orm, schema } from '@iotp/db';
import { and, desc, eq, inArray, lt, or, sql } from 'drizzle-orm';

const { tasks } = schema;

export type TaskRow = typeof tasks.$inferSelect;
export type TaskStatus = TaskRow['status'];

/** Every database access of tasks; each read a client can reach is scoped to one organization. */
export class TaskRepository {
  constructor(private readonly orm: Orm) {}

  async create(values: { orgId: string; kind: string; input: Record<string, unknown>; createdBy?: string }) {
    return (await this.orm.insert(tasks).values(values).returning())[0]!;
  }

  async get(orgId: string, id: string): Promise<TaskRow | undefined> {
    return (
      await this.orm
        .select()
        .from(tasks)
        .where(and(eq(tasks.orgId, orgId), eq(tasks.id, id)))
    )[0];
  }

  /** The runner's read: any organization. */
  async byId(id: string): Promise<TaskRow | undefined> {
    return (await this.orm.select().from(tasks).where(eq(tasks.id, id)))[0];
  }

  /** Newest first; `before` is the `created_at` of the last task of the page before. */
  list(orgId: string, q: { status?: TaskStatus; kind?: string; before?: { at: Date; id: string }; limit: number }) {
    const { before } = q;
    return this.orm
      .select()
      .from(tasks)
      .where(
        and(
          eq(tasks.orgId, orgId),
          q.status ? eq(tasks.status, q.status) : undefined,
          q.kind ? eq(tasks.kind, q.kind) : undefined,
          before
            ? or(lt(tasks.createdAt, before.at), and(eq(tasks.createdAt, before.at), lt(tasks.id, before.id)))
            : undefined,
        ),
      )
      .orderBy(desc(tasks.createdAt), desc(tasks.id))
      .limit(q.limit);
  }

  /** An attempt begins: running, counted. */
  async begin(id: string): Promise<TaskRow | undefined> {
    const rows = await this.orm
      .update(tasks)
      .set({ status: 'running', attempts: sql`${tasks.attempts} + 1`, startedAt: new Date(), error: null })
      .where(eq(tasks.id, id))
      .returning();
    return rows[0];
  }

  async progress(id: string, progress: number) {
    await this.orm
      .update(tasks)
      .set({ progress })
      .where(and(eq(tasks.id, id), eq(tasks.status, 'running')));
  }

  async succeed(id: string, result: Record<string, unknown>) {
    await this.orm
      .update(tasks)
      .set({ status: 'succeeded', progress: 100, result, error: null, finishedAt: new Date() })
      .where(eq(tasks.id, id));
  }

  /** An attempt failed: queued again for a retry, or failed for good; the reason is kept either way. */
  async fail(id: string, error: string, final: boolean) {
    await this.orm
      .update(tasks)
      .set(final ? { status: 'failed', error, finishedAt: new Date() } : { status: 'queued', error })
      .where(eq(tasks.id, id));
  }

  /** Succeeded tasks whose file is past its `expires_at` and not yet deleted, oldest first. */
  async dueResults(now: Date, limit: number): Promise<{ id: string; file: string }[]> {
    const rows = await this.orm
      .select({ id: tasks.id, file: sql<string>`${tasks.result}->>'file'` })
      .from(tasks)
      .where(
        and(
          eq(tasks.status, 'succeeded'),
          sql`${tasks.result}->>'expired_at' IS NULL`,
          sql`(${tasks.result}->>'expires_at')::timestamptz <= ${now.toISOString()}::timestamptz`,
        ),
      )
      .orderBy(tasks.finishedAt)
      .limit(limit);
    return rows;
  }

  /** The task's file is deleted: its result says since when. */
  async resultExpired(id: string, at: Date) {
    await this.orm
      .update(tasks)
      .set({ result: sql`${tasks.result} || jsonb_build_object('expired_at', ${at.toISOString()}::text)` })
      .where(eq(tasks.id, id));
  }

  /** Ids of tasks not finished (queued, or running when their process stopped), oldest first. */
  async unfinished(): Promise<string[]> {
    const rows = await this.orm
      .select({ id: tasks.id })
      .from(tasks)
      .where(inArray(tasks.status, ['queued', 'running']))
      .orderBy(tasks.createdAt);
    return rows.map((r) => r.id);
  }
}
