import { type Orm, schema } from '@iotp/db';
import { and, desc, eq, gt, inArray, lt, sql } from 'drizzle-orm';

const { deviceTwins, commands } = schema;

export type TwinRow = typeof deviceTwins.$inferSelect;
export type CommandRow = typeof commands.$inferSelect;
type Doc = Record<string, unknown>;

/** RFC 7386 JSON merge patch: null removes a key, objects merge, anything else replaces. */
export function mergePatch(target: Doc, patch: Doc): Doc {
  const out: Doc = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (
      typeof v === 'object' &&
      !Array.isArray(v) &&
      typeof out[k] === 'object' &&
      out[k] !== null &&
      !Array.isArray(out[k])
    ) {
      out[k] = mergePatch(out[k] as Doc, v as Doc);
    } else out[k] = v;
  }
  return out;
}

/** Twins and commands. Callers check first that the device belongs to the organization. */
export class TwinRepository {
  constructor(private readonly orm: Orm) {}

  async twin(deviceId: string): Promise<TwinRow> {
    const [row] = await this.orm.select().from(deviceTwins).where(eq(deviceTwins.deviceId, deviceId));
    return row ?? { deviceId, desired: {}, reported: {}, version: 0, desiredAt: null, reportedAt: null };
  }

  /** Merges into `desired`; with `expectedVersion`, only if the twin is still at that version. */
  async patchDesired(deviceId: string, patch: Doc, expectedVersion?: number): Promise<TwinRow | 'conflict'> {
    return this.orm.transaction(async (tx) => {
      await tx.insert(deviceTwins).values({ deviceId }).onConflictDoNothing();
      const [row] = await tx.select().from(deviceTwins).where(eq(deviceTwins.deviceId, deviceId)).for('update');
      if (expectedVersion !== undefined && row!.version !== expectedVersion) return 'conflict';
      const [updated] = await tx
        .update(deviceTwins)
        .set({ desired: mergePatch(row!.desired, patch), version: row!.version + 1, desiredAt: new Date() })
        .where(eq(deviceTwins.deviceId, deviceId))
        .returning();
      return updated!;
    });
  }

  async patchReported(deviceId: string, patch: Doc): Promise<TwinRow> {
    return this.orm.transaction(async (tx) => {
      await tx.insert(deviceTwins).values({ deviceId }).onConflictDoNothing();
      const [row] = await tx.select().from(deviceTwins).where(eq(deviceTwins.deviceId, deviceId)).for('update');
      const [updated] = await tx
        .update(deviceTwins)
        .set({ reported: mergePatch(row!.reported, patch), reportedAt: new Date() })
        .where(eq(deviceTwins.deviceId, deviceId))
        .returning();
      return updated!;
    });
  }

  async createCommand(values: typeof commands.$inferInsert): Promise<CommandRow> {
    return (await this.orm.insert(commands).values(values).returning())[0]!;
  }

  async command(deviceId: string, id: string): Promise<CommandRow | undefined> {
    return (
      await this.orm
        .select()
        .from(commands)
        .where(and(eq(commands.deviceId, deviceId), eq(commands.id, id)))
    )[0];
  }

  async commands(deviceId: string, limit: number): Promise<CommandRow[]> {
    return this.orm
      .select()
      .from(commands)
      .where(eq(commands.deviceId, deviceId))
      .orderBy(desc(commands.createdAt))
      .limit(limit);
  }

  /** Commands still to deliver to a device that just connected. */
  async undelivered(deviceId: string): Promise<CommandRow[]> {
    return this.orm
      .select()
      .from(commands)
      .where(and(eq(commands.deviceId, deviceId), eq(commands.status, 'pending'), gt(commands.expiresAt, new Date())))
      .orderBy(commands.createdAt);
  }

  async markDelivered(id: string): Promise<void> {
    await this.orm
      .update(commands)
      .set({ status: 'delivered' })
      .where(and(eq(commands.id, id), eq(commands.status, 'pending')));
  }

  /** Completes an open command of this device, once. */
  async complete(
    deviceId: string,
    id: string,
    status: 'succeeded' | 'failed',
    result: unknown,
  ): Promise<CommandRow | undefined> {
    return (
      await this.orm
        .update(commands)
        .set({ status, result: result ?? null, completedAt: new Date() })
        .where(
          and(
            eq(commands.deviceId, deviceId),
            eq(commands.id, id),
            inArray(commands.status, ['pending', 'delivered']),
            gt(commands.expiresAt, new Date()),
          ),
        )
        .returning()
    )[0];
  }

  async expireDue(): Promise<number> {
    const rows = await this.orm
      .update(commands)
      .set({ status: 'expired', completedAt: sql`now()` })
      .where(and(inArray(commands.status, ['pending', 'delivered']), lt(commands.expiresAt, new Date())))
      .returning({ id: commands.id });
    return rows.length;
  }
}
