import type { SqlClient } from '@iotp/db';
import type { Logger } from 'pino';

/** The device id under which usage that belongs to no device (API calls) is kept. */
export const NO_DEVICE = '00000000-0000-0000-0000-000000000000';

export interface Usage {
  messages?: number;
  points?: number;
  bytes?: number;
  apiCalls?: number;
}

interface Counts {
  orgId: string;
  deviceId: string;
  day: string;
  messages: number;
  points: number;
  bytes: number;
  apiCalls: number;
}

const UPSERT = `
INSERT INTO usage_daily (org_id, device_id, day, messages, points, bytes, api_calls)
SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int8[], $5::int8[], $6::int8[], $7::int8[])
ON CONFLICT (org_id, day, device_id) DO UPDATE SET
  messages = usage_daily.messages + excluded.messages,
  points = usage_daily.points + excluded.points,
  bytes = usage_daily.bytes + excluded.bytes,
  api_calls = usage_daily.api_calls + excluded.api_calls`;

/**
 * Counts messages, data points, bytes and API calls per organization, device and UTC day. Counting
 * is a map update, nothing more, so the hot path stays fast; `flush()` adds what was counted to the
 * database in one statement. It also keeps today's message total per organization, for quotas.
 */
export class UsageMeter {
  private pending = new Map<string, Counts>();
  private today = new Map<string, number>();
  private todayKey = utcDay();
  /** When `todayKey` stops being today: checked with one clock read, not a date formatted per message. */
  private dayEndsAt = nextUtcMidnight();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly sql: SqlClient,
    private readonly logger: Logger,
  ) {}

  /** Flushes every `intervalMs` until closed. */
  start(intervalMs = 10_000): this {
    this.timer = setInterval(
      () => void this.flush().catch((err) => this.logger.warn({ err }, 'usage flush failed; kept for the next')),
      intervalMs,
    );
    this.timer.unref();
    return this;
  }

  count(orgId: string, deviceId: string | undefined, usage: Usage): void {
    this.rollDay();
    const day = this.todayKey;
    const key = `${orgId}|${deviceId ?? NO_DEVICE}|${day}`;
    let c = this.pending.get(key);
    if (!c) {
      c = { orgId, deviceId: deviceId ?? NO_DEVICE, day, messages: 0, points: 0, bytes: 0, apiCalls: 0 };
      this.pending.set(key, c);
    }
    c.messages += usage.messages ?? 0;
    c.points += usage.points ?? 0;
    c.bytes += usage.bytes ?? 0;
    c.apiCalls += usage.apiCalls ?? 0;
    if (usage.messages) this.today.set(orgId, (this.today.get(orgId) ?? 0) + usage.messages);
  }

  /** Messages this process counted for the organization today (since start, or midnight UTC). */
  messagesToday(orgId: string): number {
    this.rollDay();
    return this.today.get(orgId) ?? 0;
  }

  private rollDay(): void {
    if (Date.now() < this.dayEndsAt) return;
    this.todayKey = utcDay();
    this.dayEndsAt = nextUtcMidnight();
    this.today.clear();
  }

  /** Adds the counted usage to the database; on failure it is kept and added next time. */
  flush(): Promise<void> {
    this.flushing ??= (async () => {
      const batch = [...this.pending.values()];
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
        ]);
      } catch (err) {
        for (const c of batch) {
          const key = `${c.orgId}|${c.deviceId}|${c.day}`;
          const now = this.pending.get(key);
          if (now) {
            now.messages += c.messages;
            now.points += c.points;
            now.bytes += c.bytes;
            now.apiCalls += c.apiCalls;
          } else this.pending.set(key, c);
        }
        throw err;
      }
    })().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch((err) => this.logger.warn({ err }, 'final usage flush failed'));
  }
}

function nextUtcMidnight(): number {
  const d = new Date();
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
}

function utcDay(): string {
  return new Date().toISOString().slice(0, 10);
}
