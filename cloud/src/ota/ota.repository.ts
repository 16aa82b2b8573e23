import { anyOf, type Orm, schema } from '@iotp/db';
import { and, arrayContains, asc, desc, eq, inArray, isNull, lt, notInArray, sql } from 'drizzle-orm';

const { firmwareKeys, firmwareReleases, rollouts, otaJobs, devices, deviceTwins } = schema;

export type KeyRow = typeof firmwareKeys.$inferSelect;
export type ReleaseRow = typeof firmwareReleases.$inferSelect;
export type RolloutRow = typeof rollouts.$inferSelect;
export type JobRow = typeof otaJobs.$inferSelect;
export type OtaState = JobRow['state'];

/** States after which a job changes no more. */
export const TERMINAL: OtaState[] = ['succeeded', 'failed', 'rolled_back', 'cancelled'];

/** Jobs one insert statement creates: a few parameters each, well inside a statement's 65,534. */
const JOBS_PER_INSERT = 5000;

/** Every database access of OTA: signing keys, releases, rollouts and per-device jobs, scoped by organization. */
export class OtaRepository {
  constructor(private readonly orm: Orm) {}

  async addKey(values: typeof firmwareKeys.$inferInsert): Promise<KeyRow | undefined> {
    return (await this.orm.insert(firmwareKeys).values(values).onConflictDoNothing().returning())[0];
  }

  async keys(orgId: string): Promise<KeyRow[]> {
    return this.orm
      .select()
      .from(firmwareKeys)
      .where(eq(firmwareKeys.orgId, orgId))
      .orderBy(asc(firmwareKeys.createdAt));
  }

  async revokeKey(orgId: string, keyId: string): Promise<boolean> {
    const rows = await this.orm
      .update(firmwareKeys)
      .set({ revokedAt: new Date() })
      .where(and(eq(firmwareKeys.orgId, orgId), eq(firmwareKeys.keyId, keyId), isNull(firmwareKeys.revokedAt)))
      .returning({ keyId: firmwareKeys.keyId });
    return rows.length > 0;
  }

  async createRelease(values: typeof firmwareReleases.$inferInsert): Promise<ReleaseRow | undefined> {
    return (await this.orm.insert(firmwareReleases).values(values).onConflictDoNothing().returning())[0];
  }

  async release(orgId: string, id: string): Promise<ReleaseRow | undefined> {
    return (
      await this.orm
        .select()
        .from(firmwareReleases)
        .where(and(eq(firmwareReleases.orgId, orgId), eq(firmwareReleases.id, id)))
    )[0];
  }

  async releaseById(id: string): Promise<ReleaseRow | undefined> {
    return (await this.orm.select().from(firmwareReleases).where(eq(firmwareReleases.id, id)))[0];
  }

  async releases(orgId: string, q: { name?: string; limit: number; before?: Date }): Promise<ReleaseRow[]> {
    const conditions = [eq(firmwareReleases.orgId, orgId)];
    if (q.name) conditions.push(eq(firmwareReleases.name, q.name));
    if (q.before) conditions.push(lt(firmwareReleases.createdAt, q.before));
    return this.orm
      .select()
      .from(firmwareReleases)
      .where(and(...conditions))
      .orderBy(desc(firmwareReleases.createdAt))
      .limit(q.limit);
  }

  async markUploaded(id: string): Promise<void> {
    await this.orm.update(firmwareReleases).set({ status: 'ready' }).where(eq(firmwareReleases.id, id));
  }

  async markDeltaUploaded(id: string): Promise<ReleaseRow | undefined> {
    return (
      await this.orm
        .update(firmwareReleases)
        .set({ deltaUploadedAt: new Date() })
        .where(eq(firmwareReleases.id, id))
        .returning()
    )[0];
  }

  async deleteRelease(orgId: string, id: string): Promise<'deleted' | 'missing' | 'in_use'> {
    const used = await this.orm.select({ id: rollouts.id }).from(rollouts).where(eq(rollouts.releaseId, id)).limit(1);
    if (used.length > 0) return 'in_use';
    const rows = await this.orm
      .delete(firmwareReleases)
      .where(and(eq(firmwareReleases.orgId, orgId), eq(firmwareReleases.id, id)))
      .returning({ id: firmwareReleases.id });
    return rows.length > 0 ? 'deleted' : 'missing';
  }

  /** A new rollout, or undefined when one with its id exists already (an id from a dry run, used twice). */
  async createRollout(values: typeof rollouts.$inferInsert): Promise<RolloutRow | undefined> {
    return (await this.orm.insert(rollouts).values(values).onConflictDoNothing().returning())[0];
  }

  async rollout(orgId: string, id: string): Promise<RolloutRow | undefined> {
    return (
      await this.orm
        .select()
        .from(rollouts)
        .where(and(eq(rollouts.orgId, orgId), eq(rollouts.id, id)))
    )[0];
  }

  async rollouts(orgId: string, q: { status?: RolloutRow['status']; limit: number; before?: Date }) {
    const conditions = [eq(rollouts.orgId, orgId)];
    if (q.status) conditions.push(eq(rollouts.status, q.status));
    if (q.before) conditions.push(lt(rollouts.createdAt, q.before));
    return this.orm
      .select()
      .from(rollouts)
      .where(and(...conditions))
      .orderBy(desc(rollouts.createdAt))
      .limit(q.limit);
  }

  /** Rollouts under way: every scheduler pass steps them. */
  async active(): Promise<RolloutRow[]> {
    return this.orm.select().from(rollouts).where(eq(rollouts.status, 'active'));
  }

  /**
   * Completed rollouts that devices joining their target later still get the update from: those of
   * these organizations, or else a page after `after` (by id), so a pass reads a bounded number.
   */
  async completed(q: { orgIds?: string[]; after?: string; limit: number }): Promise<RolloutRow[]> {
    const conditions = [eq(rollouts.status, 'completed')];
    if (q.orgIds) conditions.push(anyOf(rollouts.orgId, q.orgIds));
    if (q.after) conditions.push(sql`${rollouts.id} > ${q.after}`);
    return this.orm
      .select()
      .from(rollouts)
      .where(and(...conditions))
      .orderBy(asc(rollouts.id))
      .limit(q.limit);
  }

  async updateRollout(id: string, values: Partial<typeof rollouts.$inferInsert>): Promise<RolloutRow | undefined> {
    return (
      await this.orm
        .update(rollouts)
        .set({ ...values, updatedAt: new Date() })
        .where(eq(rollouts.id, id))
        .returning()
    )[0];
  }

  async jobs(rolloutId: string): Promise<JobRow[]> {
    return this.orm.select().from(otaJobs).where(eq(otaJobs.rolloutId, rolloutId)).orderBy(asc(otaJobs.createdAt));
  }

  async jobPage(orgId: string, rolloutId: string, q: { state?: OtaState; limit: number; after?: string }) {
    const conditions = [eq(otaJobs.orgId, orgId), eq(otaJobs.rolloutId, rolloutId)];
    if (q.state) conditions.push(eq(otaJobs.state, q.state));
    if (q.after) conditions.push(sql`${otaJobs.deviceId} > ${q.after}`);
    return this.orm
      .select()
      .from(otaJobs)
      .where(and(...conditions))
      .orderBy(asc(otaJobs.deviceId))
      .limit(q.limit);
  }

  async counts(rolloutId: string): Promise<Record<string, number>> {
    return (await this.countsOf([rolloutId])).get(rolloutId) ?? {};
  }

  /** Jobs by state of each of these rollouts, in one query. */
  async countsOf(rolloutIds: string[]): Promise<Map<string, Record<string, number>>> {
    const out = new Map<string, Record<string, number>>();
    if (rolloutIds.length === 0) return out;
    const rows = await this.orm
      .select({ rolloutId: otaJobs.rolloutId, state: otaJobs.state, n: sql<number>`count(*)::int` })
      .from(otaJobs)
      .where(anyOf(otaJobs.rolloutId, rolloutIds))
      .groupBy(otaJobs.rolloutId, otaJobs.state);
    for (const r of rows) out.set(r.rolloutId, { ...out.get(r.rolloutId), [r.state]: Number(r.n) });
    return out;
  }

  /** Devices with an update under way in any rollout: they get no second one. */
  async busyDevices(deviceIds: string[]): Promise<Set<string>> {
    if (deviceIds.length === 0) return new Set();
    const rows = await this.orm
      .selectDistinct({ id: otaJobs.deviceId })
      .from(otaJobs)
      .where(and(anyOf(otaJobs.deviceId, deviceIds), notInArray(otaJobs.state, TERMINAL)));
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Creates the jobs (those a device has in this rollout already are skipped), all or none. A
   * statement takes at most 65,534 parameters, a few a job: a step of a rollout over a big fleet
   * (max_concurrent goes to 100,000) inserts JOBS_PER_INSERT at a time, in one transaction.
   */
  async createJobs(values: (typeof otaJobs.$inferInsert)[]): Promise<JobRow[]> {
    if (values.length === 0) return [];
    const insert = (orm: Orm, some: typeof values) =>
      orm.insert(otaJobs).values(some).onConflictDoNothing().returning();
    if (values.length <= JOBS_PER_INSERT) return insert(this.orm, values);
    return this.orm.transaction(async (tx) => {
      const created: JobRow[] = [];
      for (let i = 0; i < values.length; i += JOBS_PER_INSERT)
        created.push(...(await insert(tx, values.slice(i, i + JOBS_PER_INSERT))));
      return created;
    });
  }

  /** Of these jobs, those still waiting for their device, oldest first. */
  async pendingJobs(ids: string[]): Promise<JobRow[]> {
    if (ids.length === 0) return [];
    return this.orm
      .select()
      .from(otaJobs)
      .where(and(anyOf(otaJobs.id, ids), eq(otaJobs.state, 'pending')))
      .orderBy(asc(otaJobs.createdAt));
  }

  /** The device's unfinished jobs of rollouts that are not stopped, oldest first. */
  async openJobs(deviceId: string): Promise<JobRow[]> {
    const rows = await this.orm
      .select({ job: otaJobs })
      .from(otaJobs)
      .innerJoin(rollouts, eq(rollouts.id, otaJobs.rolloutId))
      .where(
        and(
          eq(otaJobs.deviceId, deviceId),
          notInArray(otaJobs.state, TERMINAL),
          inArray(rollouts.status, ['active', 'completed', 'paused']),
        ),
      )
      .orderBy(asc(otaJobs.createdAt));
    return rows.map((r) => r.job);
  }

  async job(deviceId: string, id: string): Promise<JobRow | undefined> {
    return (
      await this.orm
        .select()
        .from(otaJobs)
        .where(and(eq(otaJobs.deviceId, deviceId), eq(otaJobs.id, id)))
    )[0];
  }

  /** Moves a job from `from` (compare-and-set, so concurrent reports cannot both win). */
  async moveJob(
    id: string,
    from: OtaState,
    values: { state: OtaState; progress?: number; error?: string | null },
  ): Promise<JobRow | undefined> {
    return (
      await this.orm
        .update(otaJobs)
        .set({ ...values, updatedAt: new Date() })
        .where(and(eq(otaJobs.id, id), eq(otaJobs.state, from)))
        .returning()
    )[0];
  }

  async markDelivered(ids: string[]): Promise<void> {
    await this.orm.update(otaJobs).set({ deliveredAt: new Date() }).where(anyOf(otaJobs.id, ids));
  }

  /** Cancels these devices' jobs of other rollouts that were handed out but never started. */
  async supersedePending(deviceIds: string[], rolloutId: string): Promise<JobRow[]> {
    if (deviceIds.length === 0) return [];
    return this.orm
      .update(otaJobs)
      .set({ state: 'cancelled', updatedAt: new Date(), error: 'superseded by a newer rollout' })
      .where(
        and(
          anyOf(otaJobs.deviceId, deviceIds),
          eq(otaJobs.state, 'pending'),
          sql`${otaJobs.rolloutId} <> ${rolloutId}`,
          sql`${otaJobs.createdAt} < (SELECT created_at FROM rollouts WHERE id = ${rolloutId})`,
        ),
      )
      .returning();
  }

  /** Stops every unfinished job of a rollout (abort). */
  /**
   * Aborts a rollout and cancels its open jobs in one transaction: nobody reads an aborted rollout
   * whose jobs are still open. Returns the rollout and the jobs cancelled.
   */
  async abort(rolloutId: string, reason: string): Promise<{ rollout: RolloutRow; cancelled: JobRow[] }> {
    return this.orm.transaction(async (tx) => {
      const [rollout] = await tx
        .update(rollouts)
        .set({ status: 'aborted', statusReason: reason, updatedAt: new Date() })
        .where(eq(rollouts.id, rolloutId))
        .returning();
      const cancelled = await tx
        .update(otaJobs)
        .set({ state: 'cancelled', updatedAt: new Date(), error: 'rollout aborted' })
        .where(and(eq(otaJobs.rolloutId, rolloutId), notInArray(otaJobs.state, TERMINAL)))
        .returning();
      return { rollout: rollout!, cancelled };
    });
  }

  /** The board each of these devices' agents reports in its twin (`reported.hardware`), where one does. */
  async reportedHardware(deviceIds: string[]): Promise<Map<string, string>> {
    if (deviceIds.length === 0) return new Map();
    const rows = await this.orm
      .select({ id: deviceTwins.deviceId, hardware: sql<string | null>`${deviceTwins.reported}->>'hardware'` })
      .from(deviceTwins)
      .where(anyOf(deviceTwins.deviceId, deviceIds));
    return new Map(rows.filter((r) => r.hardware).map((r) => [r.id, r.hardware!]));
  }

  /**
   * Devices with an update under way (started, not finished) in another rollout, and that
   * rollout's id: a new rollout reaches them only once it ends.
   */
  async updatingElsewhere(deviceIds: string[], rolloutId?: string): Promise<Map<string, string>> {
    if (deviceIds.length === 0) return new Map();
    const rows = await this.orm
      .select({ deviceId: otaJobs.deviceId, rolloutId: otaJobs.rolloutId })
      .from(otaJobs)
      .where(
        and(
          anyOf(otaJobs.deviceId, deviceIds),
          notInArray(otaJobs.state, [...TERMINAL, 'pending']),
          ...(rolloutId ? [sql`${otaJobs.rolloutId} <> ${rolloutId}`] : []),
        ),
      );
    return new Map(rows.map((r) => [r.deviceId, r.rolloutId]));
  }

  /** The organization's devices carrying every one of these tags. */
  async devicesWithTags(orgId: string, tags: string[]) {
    return this.orm
      .select()
      .from(devices)
      .where(and(eq(devices.orgId, orgId), arrayContains(devices.tags, tags)));
  }

  /** The firmware version the registry holds for each of these devices. */
  async firmwareVersions(deviceIds: string[]): Promise<Map<string, string | null>> {
    if (deviceIds.length === 0) return new Map();
    const rows = await this.orm
      .select({ id: devices.id, version: devices.firmwareVersion })
      .from(devices)
      .where(anyOf(devices.id, deviceIds));
    return new Map(rows.map((r) => [r.id, r.version]));
  }

  /** The organization's devices among these ids (targets are checked against the organization). */
  async devicesIn(orgId: string, ids: string[]) {
    if (ids.length === 0) return [];
    return this.orm
      .select()
      .from(devices)
      .where(and(eq(devices.orgId, orgId), anyOf(devices.id, ids)));
  }
}
