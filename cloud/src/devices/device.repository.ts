import { type Orm, schema } from '@iotp/db';
import { and, arrayContains, asc, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import { orgRows } from '../orgs/org.repository.ts';
import { GroupRepository } from './group.repository.ts';

const { devices, deviceConnections, claimCodes } = schema;

export type DeviceRow = typeof devices.$inferSelect;

export interface DeviceFilter {
  tag?: string;
  type?: string;
  online?: boolean;
  search?: string;
  after?: string;
  limit: number;
}

/** Every database access of the device registry; each query is scoped to one organization. */
export class DeviceRepository {
  /** The groups the devices are sorted into. */
  readonly groups: GroupRepository;
  private readonly rows: ReturnType<typeof orgRows<typeof devices>>;

  constructor(private readonly orm: Orm) {
    this.groups = new GroupRepository(orm);
    this.rows = orgRows(orm, devices);
  }

  /** The ids of every device of the organization. */
  async ids(orgId: string): Promise<string[]> {
    return (await this.orm.select({ id: devices.id }).from(devices).where(eq(devices.orgId, orgId))).map((r) => r.id);
  }

  async list(orgId: string, f: DeviceFilter): Promise<DeviceRow[]> {
    const conditions = [eq(devices.orgId, orgId)];
    if (f.tag) conditions.push(arrayContains(devices.tags, [f.tag]));
    if (f.type) conditions.push(eq(devices.type, f.type));
    if (f.online !== undefined) conditions.push(eq(devices.online, f.online));
    if (f.search) conditions.push(sql`${devices.name} ILIKE ${`%${f.search.replace(/[%_\\]/g, '\\$&')}%`}`);
    if (f.after) conditions.push(gt(devices.id, f.after));
    return this.orm
      .select()
      .from(devices)
      .where(and(...conditions))
      .orderBy(asc(devices.id))
      .limit(f.limit);
  }

  find(orgId: string, id: string): Promise<DeviceRow | undefined> {
    return this.rows.find(orgId, id);
  }

  update(orgId: string, id: string, values: Partial<typeof devices.$inferInsert>): Promise<DeviceRow | undefined> {
    return this.rows.update(orgId, id, values);
  }

  delete(orgId: string, id: string): Promise<boolean> {
    return this.rows.delete(orgId, id);
  }

  /** Creates many devices in one transaction: all or none; `also` runs in it (the outbox's events). */
  async createMany(
    values: (typeof devices.$inferInsert)[],
    also?: (rows: DeviceRow[], tx: Orm) => Promise<void>,
  ): Promise<DeviceRow[]> {
    return this.orm.transaction(async (tx) => {
      const rows = await tx.insert(devices).values(values).returning();
      await also?.(rows, tx as unknown as Orm);
      return rows;
    });
  }

  /** Creates a device with a given id unless one has it already (then undefined); `also` runs in the transaction. */
  async createIfAbsent(
    value: typeof devices.$inferInsert,
    also?: (rows: DeviceRow[], tx: Orm) => Promise<void>,
  ): Promise<DeviceRow | undefined> {
    return this.orm.transaction(async (tx) => {
      const rows = await tx.insert(devices).values(value).onConflictDoNothing().returning();
      if (rows.length) await also?.(rows, tx as unknown as Orm);
      return rows[0];
    });
  }

  async connections(deviceId: string, limit: number) {
    return this.orm
      .select()
      .from(deviceConnections)
      .where(eq(deviceConnections.deviceId, deviceId))
      .orderBy(desc(deviceConnections.connectedAt))
      .limit(limit);
  }

  async addClaimCodes(hashes: string[]): Promise<void> {
    await this.orm.insert(claimCodes).values(hashes.map((codeHash) => ({ codeHash })));
  }

  /** Binds an unclaimed code to a new device of the organization, in one transaction; undefined if the code is not claimable. */
  async claim(codeHash: string, device: typeof devices.$inferInsert): Promise<DeviceRow | undefined> {
    return this.orm.transaction(async (tx) => {
      const [code] = await tx
        .select()
        .from(claimCodes)
        .where(and(eq(claimCodes.codeHash, codeHash), isNull(claimCodes.claimedAt)))
        .for('update');
      if (!code) return undefined;
      const [row] = await tx.insert(devices).values(device).returning();
      await tx
        .update(claimCodes)
        .set({ claimedAt: new Date(), deviceId: row!.id })
        .where(eq(claimCodes.codeHash, codeHash));
      return row;
    });
  }

  /**
   * Hands a claimed device its credentials, once: sets the new secret's hash and marks the code
   * used. Returns the device id, or why not.
   */
  async fetchClaimed(
    codeHash: string,
    secretHash: string,
  ): Promise<{ deviceId: string } | 'unknown' | 'unclaimed' | 'fetched'> {
    return this.orm.transaction(async (tx) => {
      const [code] = await tx.select().from(claimCodes).where(eq(claimCodes.codeHash, codeHash)).for('update');
      if (!code) return 'unknown';
      if (!code.claimedAt || !code.deviceId) return 'unclaimed';
      if (code.fetchedAt) return 'fetched';
      await tx.update(devices).set({ secretHash }).where(eq(devices.id, code.deviceId));
      await tx.update(claimCodes).set({ fetchedAt: new Date() }).where(eq(claimCodes.codeHash, codeHash));
      return { deviceId: code.deviceId };
    });
  }

  /** Set from the device's own twin report. */
  async setFirmwareVersion(deviceId: string, version: string): Promise<void> {
    await this.orm.update(devices).set({ firmwareVersion: version }).where(eq(devices.id, deviceId));
  }
}
