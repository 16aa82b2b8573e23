import { type Orm, schema } from '@iotp/db';
import { and, asc, eq, gt } from 'drizzle-orm';
import { orgRows } from '../orgs/org.repository.ts';

const { deviceCas, revokedCertificates, devices } = schema;

export type DeviceCaRow = typeof deviceCas.$inferSelect;

/** Every database access of device CAs and their revoked certificates, scoped by organization. */
export class DeviceCaRepository {
  private readonly rows: ReturnType<typeof orgRows<typeof deviceCas>>;

  constructor(private readonly orm: Orm) {
    this.rows = orgRows(orm, deviceCas);
  }

  /** Adds a CA; undefined when the organization has this certificate already. */
  async add(values: typeof deviceCas.$inferInsert): Promise<DeviceCaRow | undefined> {
    return (await this.orm.insert(deviceCas).values(values).onConflictDoNothing().returning())[0];
  }

  /** A page of the organization's CAs, in id order, after the cursor. */
  async list(orgId: string, { limit, after }: { limit: number; after?: string }): Promise<DeviceCaRow[]> {
    return this.orm
      .select()
      .from(deviceCas)
      .where(and(eq(deviceCas.orgId, orgId), after ? gt(deviceCas.id, after) : undefined))
      .orderBy(asc(deviceCas.id))
      .limit(limit);
  }

  find(orgId: string, id: string): Promise<DeviceCaRow | undefined> {
    return this.rows.find(orgId, id);
  }

  update(
    orgId: string,
    id: string,
    values: Partial<Pick<DeviceCaRow, 'name' | 'active' | 'autoRegister'>>,
  ): Promise<DeviceCaRow | undefined> {
    return this.rows.update(orgId, id, values);
  }

  delete(orgId: string, id: string): Promise<boolean> {
    return this.rows.delete(orgId, id);
  }

  /** Revokes a serial of the CA (which the caller found in the organization); true when it was not yet. */
  async revoke(caId: string, serial: string): Promise<boolean> {
    return (
      (await this.orm.insert(revokedCertificates).values({ caId, serial }).onConflictDoNothing().returning()).length > 0
    );
  }

  async revocations(caId: string) {
    return this.orm
      .select()
      .from(revokedCertificates)
      .where(eq(revokedCertificates.caId, caId))
      .orderBy(asc(revokedCertificates.revokedAt));
  }

  /** Whether the organization has this device. */
  async hasDevice(orgId: string, deviceId: string): Promise<boolean> {
    const rows = await this.orm
      .select({ id: devices.id })
      .from(devices)
      .where(and(eq(devices.orgId, orgId), eq(devices.id, deviceId)));
    return rows.length > 0;
  }
}
