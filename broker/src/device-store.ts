import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { arrayLiteral, type Database, schema, writePace } from '@iotp/db';
import { isCanonicalUuid } from '@iotp/protocol';

const { devices, billingAccounts } = schema;

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

/**
 * A device's stored credentials with its organization's billing account, for every id asked at
 * once. Fixed SQL on the plain client, as every connect runs it: drizzle's builder and row mapping
 * cost more than the read itself on the broker's thread.
 */
const CREDENTIALS = `
  SELECT d.id, d.org_id, d.secret_hash, d.disabled_at IS NOT NULL AS disabled,
    b.org_id AS account_org_id, b.plan, b.status, b.stripe_customer_id, b.stripe_subscription_id,
    b.current_period_end, b.past_due_since, b.limit_overrides, b.extra_devices, b.updated_at
  FROM devices d LEFT JOIN billing_accounts b ON b.org_id = d.org_id
  WHERE d.id = ANY($1::uuid[])`;

/**
 * Writes presence changes (see `recordPresence`) from arrays of their fields: opens a
 * connection-history row per connect ($1-$5) held by the node $14, closes the row of each
 * disconnect ($6-$7), and sets each device's end state ($8-$13): online on a connection, or offline
 * unless it is online on another one (it moved to another node, which wrote its connect first).
 */
const PRESENCE = `
  WITH opened AS (
    INSERT INTO device_connections (id, device_id, address, connected_at, disconnected_at, node_id)
    SELECT u.*, $14::uuid FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::timestamptz[])
      AS u(id, device_id, address, at, closed_at)
    -- A device deleted meanwhile has no history to keep.
    WHERE EXISTS (SELECT 1 FROM devices WHERE devices.id = u.device_id)
  ), closed AS (
    UPDATE device_connections SET disconnected_at = u.at
    FROM unnest($6::uuid[], $7::timestamptz[]) AS u(id, at)
    WHERE device_connections.id = u.id
  )
  UPDATE devices SET online = u.online, last_seen = u.at,
    connection_id = CASE WHEN u.online THEN u.connection_id END,
    last_address = CASE WHEN u.connected THEN u.address ELSE devices.last_address END
  FROM unnest($8::uuid[], $9::text[]::bool[], $10::text[]::bool[], $11::text[], $12::timestamptz[], $13::uuid[])
    AS u(id, online, connected, address, at, connection_id)
  WHERE devices.id = u.id
    AND (u.online OR u.connection_id IS NULL OR devices.connection_id IS NULL OR devices.connection_id = u.connection_id)`;

/**
 * Every device left online goes offline, its open connection rows closed; answers their ids. Last
 * seen now: when it went is not known, and an offline rule's silence counts from here.
 */
const END_PRESENCE = `
  WITH ended AS (
    UPDATE devices SET online = false, connection_id = NULL, last_seen = now() WHERE online RETURNING id
  ), closed AS (
    UPDATE device_connections SET disconnected_at = now()
    WHERE disconnected_at IS NULL AND device_id IN (SELECT id FROM ended)
  )
  SELECT id FROM ended`;

/**
 * Least time between two credential reads while devices keep connecting: a connect storm's reads
 * then carry several devices each, and a lone connect is read at once.
 */
const CREDENTIALS_GAP_MS = 5;

/** The broker's reads and writes of the devices table. */
export class DeviceStore {
  /** The devices whose credentials are asked for until the next read goes: one query for them all. */
  private asked: Map<string, ((row: CredentialRow | undefined) => void)[]> | undefined;
  private failed: ((err: unknown) => void)[] = [];
  /** A read is due or on its way: who asks meanwhile waits for it to end, then goes in one read. */
  private reading = false;
  private readonly due = writePace(CREDENTIALS_GAP_MS);

  constructor(private readonly db: Pick<Database, 'orm' | 'sql'>) {}

  /** Creates a device with a fresh 256-bit secret; the secret is returned here and never again. */
  async create({ orgId, name }: { orgId: string; name: string }): Promise<DeviceIdentity & { secret: string }> {
    const { secret, hash } = newDeviceSecret();
    const [row] = await this.db.orm
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
    const stored = Buffer.from(row?.secret_hash ?? '0'.repeat(64), 'hex');
    const match = stored.length === given.length && timingSafeEqual(stored, given);
    if (!row || row.id !== deviceId || !match) return { ok: false, why: 'unknown' };
    if (row.disabled) return { ok: false, why: 'disabled' };
    return { ok: true, device: { id: row.id, orgId: row.org_id }, account: accountOf(row) };
  }

  /** The device with this canonical id, for a device that proved itself otherwise (a certificate). */
  async find(deviceId: string): Promise<(DeviceIdentity & { disabled: boolean; account: BillingAccount }) | undefined> {
    if (!isCanonicalUuid(deviceId)) return undefined;
    const row = await this.credentialRow(deviceId);
    return row && { id: row.id, orgId: row.org_id, disabled: row.disabled, account: accountOf(row) };
  }

  /**
   * The stored credentials of a device, read with those of every device that connects meanwhile:
   * in the same turn of the event loop, while the read before is on its way, or within
   * CREDENTIALS_GAP_MS of it (a fleet reconnecting at once costs a few queries, not one per device).
   * The query is sent after each of them asked, so each reads what was committed before its
   * CONNECT arrived: a revoked or rotated secret is refused as with a query of its own.
   */
  private credentialRow(deviceId: string): Promise<CredentialRow | undefined> {
    return new Promise((resolve, reject) => {
      if (!this.asked) {
        this.asked = new Map();
        if (!this.reading) this.readWhenDue();
      }
      const waiting = this.asked.get(deviceId);
      if (waiting) waiting.push(resolve);
      else this.asked.set(deviceId, [resolve]);
      this.failed.push(reject);
    });
  }

  private readWhenDue(): void {
    this.reading = true;
    void this.due().then(() => this.readCredentials());
  }

  private readCredentials(): void {
    const asked = this.asked!;
    const failed = this.failed;
    this.asked = undefined;
    this.failed = [];
    // Async, so a client that throws rather than rejects fails the waiting checks too.
    const read = async () => this.db.sql.query<CredentialRow>(CREDENTIALS, [arrayLiteral([...asked.keys()])]);
    read()
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
        if (this.asked) this.readWhenDue();
      });
  }

  /**
   * Ends the presence a process left when it died without closing its connections (killed): every
   * device online goes offline, its open connection rows closed. Only for a node that holds every
   * connection (one node), before it accepts any. Answers the devices it ended.
   */
  async endPresence(): Promise<string[]> {
    return (await this.db.sql.query<{ id: string }>(END_PRESENCE)).map((r) => r.id);
  }

  /**
   * Writes presence changes atomically, in the order given: opens a connection-history row per
   * connect, closes the row of each disconnect, and sets each device's `online` to what its last
   * change says (a disconnect that a newer connection took over leaves it as it is, on this node or
   * on another that wrote its connect first). The connections are `nodeId`'s, whose death ends
   * them (broker-nodes.ts). One statement, one round trip: as a transaction of three it cost four,
   * and a fleet connecting writes hundreds.
   */
  async recordPresence(changes: PresenceChange[], nodeId: string): Promise<void> {
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
      {
        id: string;
        online: boolean;
        connected: boolean;
        address: string | null;
        at: Date;
        connectionId: string | null;
      }
    >();
    for (const c of changes) {
      if (!c.online && c.stillConnected) continue;
      const was = last.get(c.deviceId);
      const connected = c.online || (was?.connected ?? false);
      const address = c.online ? c.address : (was?.address ?? null);
      const connectionId = c.connectionId ?? null;
      last.set(c.deviceId, { id: c.deviceId, online: c.online, connected, address, at: c.at, connectionId });
    }
    // In id order: two nodes updating the same devices take their row locks in the same order.
    const states = [...last.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
    const iso = (d: Date | undefined) => d?.toISOString() ?? null;
    await this.db.sql.query(PRESENCE, [
      arrayLiteral(opened.map((c) => c.connectionId)),
      arrayLiteral(opened.map((c) => c.deviceId)),
      arrayLiteral(opened.map((c) => c.address)),
      arrayLiteral(opened.map((c) => c.at.toISOString())),
      arrayLiteral(opened.map((c) => iso(closedAt.get(c.connectionId)))),
      arrayLiteral(closed.map(([id]) => id)),
      arrayLiteral(closed.map(([, at]) => at.toISOString())),
      arrayLiteral(states.map((c) => c.id)),
      arrayLiteral(states.map((c) => String(c.online))),
      arrayLiteral(states.map((c) => String(c.connected))),
      arrayLiteral(states.map((c) => c.address)),
      arrayLiteral(states.map((c) => c.at.toISOString())),
      arrayLiteral(states.map((c) => c.connectionId)),
      nodeId,
    ]);
  }
}

type CredentialRow = {
  id: string;
  org_id: string;
  secret_hash: string;
  disabled: boolean;
  account_org_id: string | null;
  plan: string;
  status: string;
  stripe_customer_id: string | null;
  stripe_subscription_id: string | null;
  current_period_end: Date | string | null;
  past_due_since: Date | string | null;
  limit_overrides: Record<string, number | null> | null;
  extra_devices: number;
  updated_at: Date | string;
};

/** A timestamp as either driver returns it: text from the server's client (it keeps microseconds), a Date from PGlite. */
const dateOrNull = (v: Date | string | null) => (v === null ? null : new Date(v));

/** The billing account read with a device's credentials; null when its organization has none. */
function accountOf(row: CredentialRow): BillingAccount {
  if (row.account_org_id === null) return null;
  return {
    orgId: row.account_org_id,
    plan: row.plan,
    status: row.status,
    stripeCustomerId: row.stripe_customer_id,
    stripeSubscriptionId: row.stripe_subscription_id,
    currentPeriodEnd: dateOrNull(row.current_period_end),
    pastDueSince: dateOrNull(row.past_due_since),
    limitOverrides: row.limit_overrides,
    extraDevices: row.extra_devices,
    updatedAt: new Date(row.updated_at),
  };
}

/** A device's connection accepted, or closed (`stillConnected`: a newer connection took over). */
export type PresenceChange = { deviceId: string; connectionId: string | undefined; at: Date } & (
  | { online: true; connectionId: string; address: string | null }
  | { online: false; stillConnected: boolean }
);
