import { anyOf, type Orm, schema } from '@iotp/db';
import { and, arrayContains, desc, eq, sql } from 'drizzle-orm';
import { orgRows } from '../orgs/org.repository.ts';
import type { RuleTarget } from './rule.schemas.ts';

const { rules, devices, deviceGroups, deviceGroupMembers, alarms, ruleSilences } = schema;

export type RuleRow = typeof rules.$inferSelect;

/** Every database access of rules, and the resolution of their targets to devices. */
export class RuleRepository {
  private readonly rows: ReturnType<typeof orgRows<typeof rules>>;

  constructor(private readonly orm: Orm) {
    this.rows = orgRows(orm, rules);
  }

  async create(values: typeof rules.$inferInsert, tx: Orm = this.orm): Promise<RuleRow> {
    return (await tx.insert(rules).values(values).returning())[0]!;
  }

  list(orgId: string): Promise<RuleRow[]> {
    return this.orm.select().from(rules).where(eq(rules.orgId, orgId)).orderBy(desc(rules.createdAt));
  }

  find(orgId: string, id: string): Promise<RuleRow | undefined> {
    return this.rows.find(orgId, id);
  }

  update(
    orgId: string,
    id: string,
    values: Partial<typeof rules.$inferInsert>,
    tx?: Orm,
  ): Promise<RuleRow | undefined> {
    return (tx ? orgRows(tx, rules) : this.rows).update(orgId, id, { ...values, updatedAt: new Date() });
  }

  delete(orgId: string, id: string, tx?: Orm): Promise<boolean> {
    return (tx ? orgRows(tx, rules) : this.rows).delete(orgId, id);
  }

  /** Holds the organization's rule until the transaction ends; false when there is none. */
  async lock(orgId: string, id: string, tx: Orm): Promise<boolean> {
    const rows = await tx
      .select({ id: rules.id })
      .from(rules)
      .where(and(eq(rules.orgId, orgId), eq(rules.id, id)))
      .for('update');
    return rows.length > 0;
  }

  /** Enabled rules, of one organization or of all, of the given kinds. */
  enabled(kinds: RuleRow['kind'][], orgId?: string): Promise<RuleRow[]> {
    const where = [eq(rules.enabled, true), anyOf(rules.kind, kinds)];
    if (orgId) where.push(eq(rules.orgId, orgId));
    return this.orm
      .select()
      .from(rules)
      .where(and(...where));
  }

  /** The organization's devices a target names (ids of other organizations are left out). */
  async targetDevices(orgId: string, target: RuleTarget): Promise<string[]> {
    const inOrg = eq(devices.orgId, orgId);
    if (target.device_ids) {
      if (target.device_ids.length === 0) return [];
      const rows = await this.orm
        .select({ id: devices.id })
        .from(devices)
        .where(and(inOrg, anyOf(devices.id, target.device_ids)));
      return rows.map((r) => r.id);
    }
    if (target.tags) {
      const rows = await this.orm
        .select({ id: devices.id })
        .from(devices)
        .where(and(inOrg, arrayContains(devices.tags, target.tags)));
      return rows.map((r) => r.id);
    }
    const [group] = await this.orm
      .select()
      .from(deviceGroups)
      .where(and(eq(deviceGroups.orgId, orgId), eq(deviceGroups.id, target.group_id ?? '')));
    if (!group) return [];
    if (group.kind === 'dynamic') return this.targetDevices(orgId, { tags: group.tags });
    const rows = await this.orm
      .select({ id: devices.id })
      .from(deviceGroupMembers)
      .innerJoin(devices, eq(devices.id, deviceGroupMembers.deviceId))
      .where(and(eq(deviceGroupMembers.groupId, group.id), inOrg));
    return rows.map((r) => r.id);
  }

  async groupExists(orgId: string, groupId: string): Promise<boolean> {
    const rows = await this.orm
      .select({ id: deviceGroups.id })
      .from(deviceGroups)
      .where(and(eq(deviceGroups.orgId, orgId), eq(deviceGroups.id, groupId)));
    return rows.length > 0;
  }

  /** Devices with an open alarm of these rules: what the engine knows is firing after a (re)load. */
  async openAlarms(ruleIds: string[]): Promise<{ ruleId: string; deviceId: string }[]> {
    if (ruleIds.length === 0) return [];
    return this.orm
      .select({ ruleId: alarms.ruleId, deviceId: alarms.deviceId })
      .from(alarms)
      .where(and(anyOf(alarms.ruleId, ruleIds), sql`${alarms.clearedAt} IS NULL`));
  }

  /** Devices a silence rule without an alarm fired for, and that were not heard from since. */
  async silenced(ruleId: string): Promise<string[]> {
    const rows = await this.orm
      .select({ deviceId: ruleSilences.deviceId })
      .from(ruleSilences)
      .where(eq(ruleSilences.ruleId, ruleId));
    return rows.map((r) => r.deviceId);
  }

  /** Records that a silence rule fired for a device, until `unsilence`. */
  async silence(ruleId: string, deviceId: string): Promise<void> {
    await this.orm.insert(ruleSilences).values({ ruleId, deviceId }).onConflictDoNothing();
  }

  /** Forgets the silences of a rule (of some devices, or all): the rule fires again at the next. */
  async unsilence(ruleId: string, deviceIds?: string[], tx: Orm = this.orm): Promise<void> {
    const where = [eq(ruleSilences.ruleId, ruleId)];
    if (deviceIds) {
      if (deviceIds.length === 0) return;
      where.push(anyOf(ruleSilences.deviceId, deviceIds));
    }
    await tx.delete(ruleSilences).where(and(...where));
  }

  /**
   * Of these devices, those silent for `periodS`: no reading of `metric` (absence), or offline
   * (offline), since then; a device never heard from counts from its creation.
   */
  async silentDevices(kind: 'absence' | 'offline', deviceIds: string[], periodS: number, metric?: string) {
    if (deviceIds.length === 0) return [];
    const since = sql`now() - make_interval(secs => ${periodS})`;
    const ids = anyOf(devices.id, deviceIds);
    const rows =
      kind === 'offline'
        ? await this.orm
            .select({ id: devices.id })
            .from(devices)
            .where(
              and(ids, eq(devices.online, false), sql`coalesce(${devices.lastSeen}, ${devices.createdAt}) < ${since}`),
            )
        : await this.orm
            .select({ id: devices.id })
            .from(devices)
            .leftJoin(
              schema.telemetryLatest,
              and(eq(schema.telemetryLatest.deviceId, devices.id), eq(schema.telemetryLatest.metric, metric ?? '')),
            )
            .where(and(ids, sql`coalesce(${schema.telemetryLatest.time}, ${devices.createdAt}) < ${since}`));
    return rows.map((r) => r.id);
  }
}
