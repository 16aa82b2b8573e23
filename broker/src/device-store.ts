import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { type Orm, schema } from '@iotp/db';
import { isCanonicalUuid } from '@iotp/protocol';
import { eq } from 'drizzle-orm';

const { devices, deviceConnections } = schema;

export interface DeviceIdentity {
  id: string;
  orgId: string;
}

export type CredentialCheck = { ok: true; device: DeviceIdentity } | { ok: false; why: 'unknown' | 'disabled' };

/** Hash of a device secret as stored: see the note on `devices` in the schema. */
export function hashDeviceSecret(secret: string | Buffer): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A fresh device secret (256 random bits) and the hash that is stored. */
export function newDeviceSecret(): { secret: string; hash: string } {
  const secret = randomBytes(32).toString('base64url');
  return { secret, hash: hashDeviceSecret(secret) };
}

/** The broker's reads and writes of the devices table. */
export class DeviceStore {
  constructor(private readonly orm: Orm) {}

  /** Creates a device with a fresh 256-bit secret; the secret is returned here and never again. */
  async create({ orgId, name }: { orgId: string; name: string }): Promise<DeviceIdentity & { secret: string }> {
    const { secret, hash } = newDeviceSecret();
    const [row] = await this.orm
      .insert(devices)
      .values({ orgId, name, secretHash: hash })
      .returning({ id: devices.id, orgId: devices.orgId });
    return { ...row!, secret };
  }

  /**
   * Checks a device id and secret in constant time against the stored hash. Only the canonical
   * spelling of the id is known: PostgreSQL would also match `A0F2...` or `{a0f2...}`, and the
   * broker keys sessions by the exact string, so another spelling would be a second session.
   */
  async checkCredentials(deviceId: string, secret: Buffer): Promise<CredentialCheck> {
    if (!isCanonicalUuid(deviceId)) return { ok: false, why: 'unknown' };
    const [row] = await this.orm
      .select({ id: devices.id, orgId: devices.orgId, secretHash: devices.secretHash, disabledAt: devices.disabledAt })
      .from(devices)
      .where(eq(devices.id, deviceId));
    // Hash even for unknown devices, so timing does not tell which ids exist.
    const given = Buffer.from(hashDeviceSecret(secret), 'hex');
    const stored = Buffer.from(row?.secretHash ?? '0'.repeat(64), 'hex');
    const match = stored.length === given.length && timingSafeEqual(stored, given);
    if (!row || row.id !== deviceId || !match) return { ok: false, why: 'unknown' };
    if (row.disabledAt) return { ok: false, why: 'disabled' };
    return { ok: true, device: { id: row.id, orgId: row.orgId } };
  }

  /** Marks the device online and opens a connection-history row; returns that row's id. */
  async markOnline(deviceId: string, address: string | undefined): Promise<string> {
    return this.orm.transaction(async (tx) => {
      await tx
        .update(devices)
        .set({ online: true, lastSeen: new Date(), lastAddress: address ?? null })
        .where(eq(devices.id, deviceId));
      const [row] = await tx
        .insert(deviceConnections)
        .values({ deviceId, address: address ?? null })
        .returning({ id: deviceConnections.id });
      return row!.id;
    });
  }

  /** Closes a connection-history row; `online` too unless the device is connected again elsewhere. */
  async markOffline(deviceId: string, connectionId: string | undefined, stillConnected: boolean): Promise<void> {
    await this.orm.transaction(async (tx) => {
      if (!stillConnected)
        await tx.update(devices).set({ online: false, lastSeen: new Date() }).where(eq(devices.id, deviceId));
      if (connectionId) {
        await tx
          .update(deviceConnections)
          .set({ disconnectedAt: new Date() })
          .where(eq(deviceConnections.id, connectionId));
      }
    });
  }
}
