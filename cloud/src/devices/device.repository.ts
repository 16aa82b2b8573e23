import { type Orm, schema } from '@iotp/db';
import { and, arrayContains, asc, eq, gt, sql } from 'drizzle-orm';

const { devices } = schema;

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
  constructor(private readonly orm: Orm) {}

  async create(values: typeof devices.$inferInsert): Promise<DeviceRow> {
    return (await this.orm.insert(devices).values(values).returning())[0]!;
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

  async find(orgId: string, id: string): Promise<DeviceRow | undefined> {
    return (
      await this.orm
        .select()
        .from(devices)
        .where(and(eq(devices.orgId, orgId), eq(devices.id, id)))
    )[0];
  }

  async update(
    orgId: string,
    id: string,
    values: Partial<typeof devices.$inferInsert>,
  ): Promise<DeviceRow | undefined> {
    return (
      await this.orm
        .update(devices)
        .set(values)
        .where(and(eq(devices.orgId, orgId), eq(devices.id, id)))
        .returning()
    )[0];
  }

  async delete(orgId: string, id: string): Promise<boolean> {
    const rows = await this.orm
      .delete(devices)
      .where(and(eq(devices.orgId, orgId), eq(devices.id, id)))
      .returning({ id: devices.id });
    return rows.length > 0;
  }
}
