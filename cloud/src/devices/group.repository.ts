import { type Orm, schema } from '@iotp/db';
import { and, arrayContains, asc, eq } from 'drizzle-orm';
import { orgRows } from '../orgs/org.repository.ts';
import type { DeviceRow } from './device.repository.ts';

const { devices, deviceGroups, deviceGroupMembers } = schema;

export type GroupRow = typeof deviceGroups.$inferSelect;

/** Every database access of device groups; each query is scoped to one organization. */
export class GroupRepository {
  private readonly rows: ReturnType<typeof orgRows<typeof deviceGroups>>;

  constructor(private readonly orm: Orm) {
    this.rows = orgRows(orm, deviceGroups);
  }

  /** Undefined when the organization has a group of that name. */
  async create(values: typeof deviceGroups.$inferInsert): Promise<GroupRow | undefined> {
    return (await this.orm.insert(deviceGroups).values(values).onConflictDoNothing().returning())[0];
  }

  async list(orgId: string): Promise<GroupRow[]> {
    return this.orm.select().from(deviceGroups).where(eq(deviceGroups.orgId, orgId)).orderBy(deviceGroups.name);
  }

  find(orgId: string, id: string): Promise<GroupRow | undefined> {
    return this.rows.find(orgId, id);
  }

  update(orgId: string, id: string, values: Partial<Pick<GroupRow, 'name' | 'tags'>>): Promise<GroupRow | undefined> {
    return this.rows.update(orgId, id, values);
  }

  delete(orgId: string, id: string): Promise<boolean> {
    return this.rows.delete(orgId, id);
  }

  async addMember(groupId: string, deviceId: string): Promise<void> {
    await this.orm.insert(deviceGroupMembers).values({ groupId, deviceId }).onConflictDoNothing();
  }

  async removeMember(groupId: string, deviceId: string): Promise<boolean> {
    const rows = await this.orm
      .delete(deviceGroupMembers)
      .where(and(eq(deviceGroupMembers.groupId, groupId), eq(deviceGroupMembers.deviceId, deviceId)))
      .returning({ id: deviceGroupMembers.deviceId });
    return rows.length > 0;
  }

  /** A group's devices: its members, or for a dynamic group every device with all its tags. */
  async devices(group: GroupRow): Promise<DeviceRow[]> {
    if (group.kind === 'dynamic') {
      return this.orm
        .select()
        .from(devices)
        .where(and(eq(devices.orgId, group.orgId), arrayContains(devices.tags, group.tags)))
        .orderBy(asc(devices.id));
    }
    const rows = await this.orm
      .select({ device: devices })
      .from(deviceGroupMembers)
      .innerJoin(devices, eq(devices.id, deviceGroupMembers.deviceId))
      .where(and(eq(deviceGroupMembers.groupId, group.id), eq(devices.orgId, group.orgId)))
      .orderBy(asc(devices.id));
    return rows.map((r) => r.device);
  }
}
