import { type Orm, schema } from '@iotp/db';
import { and, desc, eq, getTableColumns, isNotNull, isNull, lt, or, type SQL, sql } from 'drizzle-orm';

const { alarms, rules } = schema;

export type AlarmRow = typeof alarms.$inferSelect;
/** An alarm row with its exact raise time as text, for cursors (µs survive where a Date would not). */
export type PagedAlarm = AlarmRow & { raisedAtText: string };

export interface AlarmQuery {
  state: 'open' | 'cleared' | 'all';
  severity?: AlarmRow['severity'];
  /** Only those a person acknowledged (true) or not yet (false). */
  acknowledged?: boolean;
  deviceId?: string;
  ruleId?: string;
  limit: number;
  before?: { at: string; id: string };
}

/** Every database access of alarms; each read and hand change is scoped to one organization. */
export class AlarmRepository {
  constructor(private readonly orm: Orm) {}

  /** Raises an alarm; undefined when the rule already has one open for the device (the unique index). */
  async raise(values: typeof alarms.$inferInsert, tx: Orm = this.orm): Promise<AlarmRow | undefined> {
    return (await tx.insert(alarms).values(values).onConflictDoNothing().returning())[0];
  }

  /** Clears the rule's open alarm for the device, if any; `by` null: the condition ended. */
  async clearOpen(
    ruleId: string,
    deviceId: string,
    change: { by: string | null; note?: string },
    tx: Orm = this.orm,
  ): Promise<AlarmRow | undefined> {
    const rows = await tx
      .update(alarms)
      .set({ clearedAt: new Date(), clearedBy: change.by, clearNote: change.note ?? null })
      .where(and(eq(alarms.ruleId, ruleId), eq(alarms.deviceId, deviceId), isNull(alarms.clearedAt)))
      .returning();
    return rows[0];
  }

  /** Clears every open alarm of a rule (disabled or deleted), with the reason as the note. */
  clearRule(ruleId: string, note: string, tx: Orm = this.orm): Promise<AlarmRow[]> {
    return tx
      .update(alarms)
      .set({ clearedAt: new Date(), clearedBy: null, clearNote: note })
      .where(and(eq(alarms.ruleId, ruleId), isNull(alarms.clearedAt)))
      .returning();
  }

  /**
   * Whether the rule is still there and enabled, holding its row until the transaction ends: a rule
   * being disabled or deleted (which clears its alarms under the row's lock) raises nothing after.
   */
  async ruleEnabled(ruleId: string, tx: Orm): Promise<boolean> {
    const rows = await tx.select({ enabled: rules.enabled }).from(rules).where(eq(rules.id, ruleId)).for('share');
    return rows[0]?.enabled === true;
  }

  async find(orgId: string, id: string): Promise<AlarmRow | undefined> {
    return (
      await this.orm
        .select()
        .from(alarms)
        .where(and(eq(alarms.orgId, orgId), eq(alarms.id, id)))
    )[0];
  }

  /** Records who acknowledged an open alarm; undefined when it is not open (or not the organization's). */
  async acknowledge(orgId: string, id: string, by: string | null, note: string | undefined, tx: Orm = this.orm) {
    const rows = await tx
      .update(alarms)
      .set({ acknowledgedAt: new Date(), acknowledgedBy: by, acknowledgeNote: note ?? null })
      .where(and(eq(alarms.orgId, orgId), eq(alarms.id, id), isNull(alarms.clearedAt)))
      .returning();
    return rows[0];
  }

  async clearById(orgId: string, id: string, by: string | null, note: string | undefined, tx: Orm = this.orm) {
    const rows = await tx
      .update(alarms)
      .set({ clearedAt: new Date(), clearedBy: by, clearNote: note ?? null })
      .where(and(eq(alarms.orgId, orgId), eq(alarms.id, id), isNull(alarms.clearedAt)))
      .returning();
    return rows[0];
  }

  /** Newest first, filtered; `before` continues after the last row of the previous page. */
  async page(orgId: string, q: AlarmQuery): Promise<PagedAlarm[]> {
    const where: SQL[] = [eq(alarms.orgId, orgId)];
    if (q.state === 'open') where.push(isNull(alarms.clearedAt));
    if (q.state === 'cleared') where.push(isNotNull(alarms.clearedAt));
    if (q.severity) where.push(eq(alarms.severity, q.severity));
    if (q.acknowledged !== undefined)
      where.push(q.acknowledged ? isNotNull(alarms.acknowledgedAt) : isNull(alarms.acknowledgedAt));
    if (q.deviceId) where.push(eq(alarms.deviceId, q.deviceId));
    if (q.ruleId) where.push(eq(alarms.ruleId, q.ruleId));
    if (q.before) {
      const at = sql`${q.before.at}::timestamptz`;
      where.push(or(lt(alarms.raisedAt, at), and(eq(alarms.raisedAt, at), lt(alarms.id, q.before.id)))!);
    }
    return this.orm
      .select({ ...getTableColumns(alarms), raisedAtText: sql<string>`${alarms.raisedAt}::text` })
      .from(alarms)
      .where(and(...where))
      .orderBy(desc(alarms.raisedAt), desc(alarms.id))
      .limit(q.limit);
  }

  /** Open alarms by severity. */
  async openCounts(orgId: string): Promise<Record<string, number>> {
    const rows = await this.orm
      .select({ severity: alarms.severity, n: sql<number>`count(*)::int` })
      .from(alarms)
      .where(and(eq(alarms.orgId, orgId), isNull(alarms.clearedAt)))
      .groupBy(alarms.severity);
    return Object.fromEntries(rows.map((r) => [r.severity, Number(r.n)]));
  }
}
