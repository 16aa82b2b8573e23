import type { SqlClient } from '@iotp/db';
import type { Logger } from 'pino';

/** The device id under which usage that belongs to no device (API calls) is kept. */
export const NO_DEVICE = '00000000-0000-0000-0000-000000000000';
/** The user id of usage that is no person's (a device's, an organization key's API calls). */
export const NO_USER = NO_DEVICE;

export interface Usage {
  messages?: number;
  points?: number;
  bytes?: number;
  apiCalls?: number;
}

interface Counts {
  orgId: string;
  deviceId: string;
  userId: string;
  day: string;
  messages: number;
  points: number;
  bytes: number;
  apiCalls: number;
}

const UPSERT = `
INSERT INTO usage_daily (org_id, device_id, day, messages, points, bytes, api_calls, user_id)
SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int8[], $5::int8[], $6::int8[], $7::int8[], $8::uuid[])
ON CONFLICT (org_id, day, device_id, user_id) DO UPDATE SET
  messages = usage_daily.messages + excluded.messages,
  points = usage_daily.points + excluded.points,
  bytes = usage_daily.bytes + excluded.bytes,
  api_calls = usage_daily.api_calls + excluded.api_calls`;

/** Today's stored messages per organization: the base a restarted process counts on from. */
const STORED_TODAY = `
SELECT org_id::text AS org_id, sum(messages)::text AS messages FROM usage_daily
WHERE day = $1 AND ($2::uuid IS NULL OR org_id = $2::uuid) GROUP BY org_id`;

/**
 * Counts messages, data points, bytes and API calls per organization, device, user and UTC day. Counting
 * is a map update, nothing more, so the hot path stays fast; `flush()` adds what was counted to the
 * database in one statement. It also keeps today's message total per organization, for quotas:
 * what this process counted on top of what `usage_daily` held for today when it first looked
 * (`seed()` at start, then each organization first asked about), so a restart does not reset a quota.
 */
export class UsageMeter {
  /**
   * Counts by day, organization, device and user, looked up an id at a time: the ids are strings
   * the callers hold (a session's, a route's), whose hashes V8 keeps, where a key joined from them
   * was a new string to build and hash on every message (#17).
   */
  private pending: Pending = new Map();
  /** Messages this process counted today, per organization. */
  private today = new Map<string, number>();
  /** Of those, what this process added to `usage_daily` already. */
  private flushed = new Map<string, number>();
  /** Today's messages in `usage_daily` that are not this process's (earlier runs, other processes). */
  private stored = new Map<string, number>();
  /** Organizations whose `stored` count is loaded, or being loaded, for today. */
  private seeded = new Set<string>();
  private todayKey = utcDay();
  /** When `todayKey` stops being today: checked with one clock read, not a date formatted per message. */
  private dayEndsAt = nextUtcMidnight();
  private flushing: Promise<void> | undefined;
  /** Flushes and seeding queries run one at a time, so a seed sees exactly the flushes counted in `flushed`. */
  private lock: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly sql: SqlClient,
    private readonly logger: Logger,
  ) {}

  /**
   * Loads today's stored message counts of every organization, so quotas hold across a restart.
   * A failure is logged, not thrown: each organization is then looked up when first asked about.
   * @example const meter = await new UsageMeter(sql, logger).seed(); // the platform's scheduler calls flush()
   */
  async seed(): Promise<this> {
    await this.load(undefined).catch((err) => this.logger.warn({ err }, "loading today's usage failed"));
    return this;
  }

  /** Adds usage of a device, or of the organization (API calls, by `userId` when a person made them). */
  count(orgId: string, deviceId: string | undefined, usage: Usage, userId?: string): void {
    this.rollDay();
    const c = countsOf(this.pending, this.todayKey, orgId, deviceId ?? NO_DEVICE, userId ?? NO_USER);
    c.messages += usage.messages ?? 0;
    c.points += usage.points ?? 0;
    c.bytes += usage.bytes ?? 0;
    c.apiCalls += usage.apiCalls ?? 0;
    if (usage.messages) this.today.set(orgId, (this.today.get(orgId) ?? 0) + usage.messages);
  }

  /**
   * The organization's messages today: stored before this process counted (earlier runs, other
   * processes, as loaded) plus what this process counted, flushed or not. An organization first
   * asked about is loaded in the background: the answer never waits for the database.
   */
  messagesToday(orgId: string): number {
    this.rollDay();
    if (!this.seeded.has(orgId)) {
      this.load(orgId).catch((err) => this.logger.warn({ err, orgId }, "loading today's usage failed"));
    }
    return (this.stored.get(orgId) ?? 0) + (this.today.get(orgId) ?? 0);
  }

  private rollDay(): void {
    if (Date.now() < this.dayEndsAt) return;
    this.todayKey = utcDay();
    this.dayEndsAt = nextUtcMidnight();
    this.today.clear();
    this.flushed.clear();
    this.stored.clear();
    this.seeded.clear();
  }

  /** Loads today's stored messages of one organization, or of all (`undefined`). */
  private load(orgId: string | undefined): Promise<void> {
    const day = this.todayKey;
    if (orgId) this.seeded.add(orgId);
    return this.exclusive(() => this.readStored(day, orgId)).catch((err) => {
      if (orgId) this.seeded.delete(orgId); // ask again next time
      throw err;
    });
  }

  /** Reads today's stored messages (every process's flushes) of one organization, or of all. Run exclusively. */
  private async readStored(day: string, orgId: string | undefined): Promise<void> {
    const rows = await this.sql.query<{ org_id: string; messages: string }>(STORED_TODAY, [day, orgId ?? null]);
    if (day !== this.todayKey) return; // midnight passed meanwhile: the next question loads again
    for (const r of rows) {
      this.seeded.add(r.org_id);
      // What this process flushed is in the sum already, and in `today` too.
      this.stored.set(r.org_id, Math.max(0, Number(r.messages) - (this.flushed.get(r.org_id) ?? 0)));
    }
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.lock.then(work, work);
    this.lock = run.catch(() => undefined);
    return run;
  }

  /**
   * Adds the counted usage to the database; on failure it is kept and added next time. Then reads
   * today's totals back, so every process's messages count against a daily quota, not only its own
   * (several broker nodes see each other's within one flush period).
   */
  flush(): Promise<void> {
    this.flushing ??= this.exclusive(async () => {
      await this.write();
      if (this.seeded.size === 0) return;
      await this.readStored(this.todayKey, undefined).catch((err) =>
        this.logger.warn({ err }, "reading today's usage back failed"),
      );
    }).finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async write(): Promise<void> {
    const batch: Counts[] = [];
    for (const byOrg of this.pending.values())
      for (const byDevice of byOrg.values())
        for (const byUser of byDevice.values()) for (const c of byUser.values()) batch.push(c);
    this.pending = new Map();
    if (batch.length === 0) return;
    try {
      await this.sql.query(UPSERT, [
        batch.map((c) => c.orgId),
        batch.map((c) => c.deviceId),
        batch.map((c) => c.day),
        batch.map((c) => c.messages),
        batch.map((c) => c.points),
        batch.map((c) => c.bytes),
        batch.map((c) => c.apiCalls),
        batch.map((c) => c.userId),
      ]);
    } catch (err) {
      for (const c of batch) {
        const now = countsOf(this.pending, c.day, c.orgId, c.deviceId, c.userId);
        now.messages += c.messages;
        now.points += c.points;
        now.bytes += c.bytes;
        now.apiCalls += c.apiCalls;
      }
      throw err;
    }
    for (const c of batch)
      if (c.day === this.todayKey && c.messages)
        this.flushed.set(c.orgId, (this.flushed.get(c.orgId) ?? 0) + c.messages);
  }

  async close(): Promise<void> {
    await this.flush().catch((err) => this.logger.warn({ err }, 'final usage flush failed'));
  }
}

/** Day -> organization -> device -> user -> counts. */
type Pending = Map<string, Map<string, Map<string, Map<string, Counts>>>>;

/** The counts of one day, organization, device and user, made empty when new. */
function countsOf(pending: Pending, day: string, orgId: string, deviceId: string, userId: string): Counts {
  const byOrg = within(pending, day);
  const byDevice = within(byOrg, orgId);
  const byUser = within(byDevice, deviceId);
  let c = byUser.get(userId);
  if (!c) {
    c = { orgId, deviceId, userId, day, messages: 0, points: 0, bytes: 0, apiCalls: 0 };
    byUser.set(userId, c);
  }
  return c;
}

/** The map under `key`, made empty when new. */
function within<V>(map: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let inner = map.get(key);
  if (!inner) {
    inner = new Map();
    map.set(key, inner);
  }
  return inner;
}

function nextUtcMidnight(): number {
  const d = new Date();
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
}

function utcDay(): string {
  return new Date().toISOString().slice(0, 10);
}
