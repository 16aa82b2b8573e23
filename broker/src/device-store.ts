import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { arrayLiteral, arrayParam, type Orm, schema } from '@iotp/db';
import { isCanonicalUuid } from '@iotp/protocol';
import { eq, getTableColumns, sql } from 'drizzle-orm';

const { devices, deviceConnections, billingAccounts } = schema;

export interface DeviceIdentity {
  id: string;
  orgId: string;
}

/** The organization's billing account as stored; null: it has none (the free plan's defaults). */
export type BillingAccount = typeof billingAccounts.$inferSelect | null;

/** A device that proved itself comes with its organization's billing account, read in the same statement. */
export type CredentialCheck =
  | { ok: true; device: DeviceIdentity; account: BillingAccount }
  | { ok: false; why: 'unknown' | 'disabled' };

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
  /** Built once: the check runs on every connect, and drizzle would build its SQL anew each time. */
  private readonly credentials;
  /** The devices whose credentials are asked for in this turn of the event loop: one query for them all. */
  private asked: Map<string, ((row: CredentialRow | undefined) => void)[]> | undefined;
  private failed: ((err: unknown) => void)[] = [];
  /** A read is on its way: who asks meanwhile waits for it to end, then goes in one read. */
  private reading = false;

  constructor(private readonly orm: Orm) {
    // With the organization's billing account: the plan's admission on a connect needs no second round trip.
    this.credentials = orm
      .select({
        id: devices.id,
        orgId: devices.orgId,
        secretHash: devices.secretHash,
        disabledAt: devices.disabledAt,
        account: getTableColumns(billingAccounts),
      })
      .from(devices)
      .leftJoin(billingAccounts, eq(billingAccounts.orgId, devices.orgId))
      .where(sql`${devices.id} = ANY(${sql.placeholder('ids')}::uuid[])`)
      .prepare('device_credentials');
  }

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
    const row = await this.credentialRow(deviceId);
    // Hash even for unknown devices, so timing does not tell which ids exist.
    const given = Buffer.from(hashDeviceSecret(secret), 'hex');
    const stored = Buffer.from(row?.secretHash ?? '0'.repeat(64), 'hex');
    const match = stored.length === given.length && timingSafeEqual(stored, given);
    if (!row || row.id !== deviceId || !match) return { ok: false, why: 'unknown' };
    if (row.disabledAt) return { ok: false, why: 'disabled' };
    return { ok: true, device: { id: row.id, orgId: row.orgId }, account: row.account };
  }

  /** The device with this canonical id, for a device that proved itself otherwise (a certificate). */
  async find(deviceId: string): Promise<(DeviceIdentity & { disabled: boolean; account: BillingAccount }) | undefined> {
    if (!isCanonicalUuid(deviceId)) return undefined;
    const row = await this.credentialRow(deviceId);
    return row && { id: row.id, orgId: row.orgId, disabled: row.disabledAt !== null, account: row.account };
  }

  /**
   * The stored credentials of a device, read with those of every device that connects meanwhile:
   * in the same turn of the event loop, or while the read before is on its way (a fleet
   * reconnecting at once costs a few queries, not one per device). The query is sent after each of
   * them asked, so each reads what was committed before its CONNECT arrived: a revoked or rotated
   * secret is refused as with a query of its own.
   */
  private credentialRow(deviceId: string): Promise<CredentialRow | undefined> {
    return new Promise((resolve, reject) => {
      if (!this.asked) {
        this.asked = new Map();
        if (!this.reading) setImmediate(() => this.readCredentials());
      }
      const waiting = this.asked.get(deviceId);
      if (waiting) waiting.push(resolve);
      else this.asked.set(deviceId, [resolve]);
      this.failed.push(reject);
    });
  }

  private readCredentials(): void {
    const asked = this.asked!;
    const failed = this.failed;
    this.asked = undefined;
    this.failed = [];
    this.reading = true;
    this.credentials
      .execute({ ids: arrayLiteral([...asked.keys()]) })
      .then(
        (rows) => {
          const byId = new Map(rows.map((r) => [r.id, r]));
          for (const [id, waiting] of asked) for (const resolve of waiting) resolve(byId.get(id));
        },
        (err) => {
          for (const reject of failed) reject(err);
        },
      )
      .finally(() => {
        this.reading = false;
        // Those who asked while this read was on its way go in the next one.
        if (this.asked) this.readCredentials();
      });
  }

  /**
   * Writes presence changes atomically, in the order given: opens a connection-history row per
   * connect, closes the row of each disconnect, and sets each device's `online` to what its last
   * change says (a disconnect that a newer connection took over leaves it as it is). One statement,
   * one round trip: as a transaction of three it cost four, and a fleet connecting writes hundreds.
   */
  async recordPresence(changes: PresenceChange[]): Promise<void> {
    // The parts of one statement do not see each other's rows: a connection closed in the same
    // batch as it opened is inserted closed.
    const closedAt = new Map<string, Date>();
    for (const c of changes) if (!c.online && c.connectionId) closedAt.set(c.connectionId, c.at);
    const opened = changes.filter((c): c is PresenceChange & { online: true } => c.online);
    const openedIds = new Set(opened.map((c) => c.connectionId));
    const closed = [...closedAt].filter(([id]) => !openedIds.has(id));
    // Each device's end state: online or not from its last change, its address from its last connect.
    const last = new Map<
      string,
      { id: string; online: boolean; connected: boolean; address: string | null; at: Date }
    >();
    for (const c of changes) {
      if (!c.online && c.stillConnected) continue;
      const was = last.get(c.deviceId);
      const connected = c.online || (was?.connected ?? false);
      const address = c.online ? c.address : (was?.address ?? null);
      last.set(c.deviceId, { id: c.deviceId, online: c.online, connected, address, at: c.at });
    }
    // In id order: two nodes updating the same devices take their row locks in the same order.
    const states = [...last.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
    const iso = (d: Date | undefined) => d?.toISOString() ?? null;
    await this.orm.execute(sql`
      WITH opened AS (
        INSERT INTO ${deviceConnections} (id, device_id, address, connected_at, disconnected_at)
        SELECT u.* FROM unnest(${arrayParam(opened.map((c) => c.connectionId))}::uuid[], ${arrayParam(opened.map((c) => c.deviceId))}::uuid[],
          ${arrayParam(opened.map((c) => c.address))}::text[], ${arrayParam(opened.map((c) => c.at.toISOString()))}::timestamptz[],
          ${arrayParam(opened.map((c) => iso(closedAt.get(c.connectionId))))}::timestamptz[])
          AS u(id, device_id, address, at, closed_at)
        -- A device deleted meanwhile has no history to keep.
        WHERE EXISTS (SELECT 1 FROM ${devices} WHERE ${devices.id} = u.device_id)
      ), closed AS (
        UPDATE ${deviceConnections} SET disconnected_at = u.at
        FROM unnest(${arrayParam(closed.map(([id]) => id))}::uuid[], ${arrayParam(closed.map(([, at]) => at.toISOString()))}::timestamptz[]) AS u(id, at)
        WHERE ${deviceConnections.id} = u.id
      )
      UPDATE ${devices} SET online = u.online, last_seen = u.at,
        last_address = CASE WHEN u.connected THEN u.address ELSE ${devices.lastAddress} END
      FROM unnest(${arrayParam(states.map((c) => c.id))}::uuid[], ${arrayParam(states.map((c) => String(c.online)))}::text[]::bool[],
        ${arrayParam(states.map((c) => String(c.connected)))}::text[]::bool[], ${arrayParam(states.map((c) => c.address))}::text[],
        ${arrayParam(states.map((c) => c.at.toISOString()))}::timestamptz[])
        AS u(id, online, connected, address, at)
      WHERE ${devices.id} = u.id`);
  }
}

type CredentialRow = {
  id: string;
  orgId: string;
  secretHash: string;
  disabledAt: Date | null;
  account: BillingAccount;
};

/** A device's connection accepted, or closed (`stillConnected`: a newer connection took over). */
export type PresenceChange = { deviceId: string; connectionId: string | undefined; at: Date } & (
  | { online: true; connectionId: string; address: string | null }
  | { online: false; stillConnected: boolean }
);
