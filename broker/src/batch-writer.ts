import type { SqlClient } from '@iotp/db';
import type { Logger } from 'pino';
import type { WriterMetrics } from './metrics.ts';
import type { Spill } from './spill.ts';
import type { Readings } from './telemetry-parser.ts';

export interface BatchWriterOptions {
  sql: SqlClient;
  logger: Logger;
  metrics?: WriterMetrics;
  /** Where best-effort readings go while the database is down; without it they wait in memory. */
  spill?: Spill;
  /** A batch is written when it holds this many rows... */
  maxRows?: number;
  /** ...or when its oldest row is this old (ms). */
  maxDelayMs?: number;
  /**
   * Write as soon as a connection is free instead of waiting for size or age (default true):
   * latency stays low when quiet, and batches still grow under load (group commit).
   */
  eager?: boolean;
  /** Rows queued past which producers are told to wait (`drained()`). */
  highWaterRows?: number;
  /** Batches written at once; 1 for the embedded database, which has one backend. */
  concurrency?: number;
  /** Retry backoff after a failed write: doubles from base to max (ms). */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

interface Batch {
  time: number[];
  device: string[];
  metric: string[];
  value: (number | null)[];
  bool: (boolean | null)[];
  text: (string | null)[];
  /** device \0 metric -> index of the newest row, for the latest-value table. */
  latest: Map<string, number>;
  waiters: { resolve(): void; reject(err: Error): void }[];
  /** Best-effort writes, kept whole so they can be spilled as they came. */
  bestEffort: { deviceId: string; readings: Readings }[];
}

/** Closed before its rows could be stored; the device was not acknowledged and will resend. */
export class WriterClosed extends Error {
  override name = 'WriterClosed';
}

/**
 * Queues readings and writes them in batches, by size or age, with one multi-row statement.
 * `write()` resolves once the reading's batch is committed; while the database is down, batches
 * are retried with backoff and best-effort readings go to the spill, replayed in order on recovery.
 * A retried batch is never stored twice: telemetry has a unique key per reading.
 * @example const w = new BatchWriter({ sql: db.sql, logger }); await w.write(deviceId, readings, true);
 */
export class BatchWriter {
  private readonly o: Required<Omit<BatchWriterOptions, 'spill' | 'metrics'>> &
    Pick<BatchWriterOptions, 'spill' | 'metrics'>;
  private current: Batch = newBatch();
  private readonly sealed: Batch[] = [];
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private inflight = 0;
  private queuedRows = 0;
  private drainWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  /** True from a failed write until the database answers again and the spill is replayed. */
  private down = false;
  private recovering: Promise<void> | undefined;
  private readonly log: Logger;

  constructor(options: BatchWriterOptions) {
    this.o = {
      maxRows: 5000,
      maxDelayMs: 50,
      eager: true,
      highWaterRows: 100_000,
      concurrency: 1,
      retryBaseMs: 100,
      retryMaxMs: 5000,
      ...options,
    };
    if (this.o.maxRows < 1 || this.o.maxDelayMs < 0 || this.o.concurrency < 1)
      throw new RangeError('maxRows and concurrency must be >= 1, maxDelayMs >= 0');
    this.log = options.logger.child({ component: 'batch-writer' });
  }

  /** Replays what an earlier run spilled; call once at start-up. */
  async start(): Promise<void> {
    if (this.o.spill && !this.o.spill.empty) {
      this.log.info('replaying readings spilled by an earlier run');
      this.down = true;
      this.recover();
    }
  }

  /** Rows waiting to be written. */
  get depth(): number {
    return this.queuedRows;
  }

  /** True while producers should wait for `drained()` before adding more. */
  get saturated(): boolean {
    return this.queuedRows >= this.o.highWaterRows;
  }

  /** Resolves once the queue is below half the high-water mark. */
  drained(): Promise<void> {
    if (this.queuedRows < this.o.highWaterRows / 2) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /**
   * Queues one device's readings. Durable writes return a promise that resolves when committed
   * (and rejects with WriterClosed if the writer closes first); best-effort writes return undefined.
   */
  write(deviceId: string, readings: Readings, durable: true): Promise<void>;
  write(deviceId: string, readings: Readings, durable: false): undefined;
  write(deviceId: string, readings: Readings, durable: boolean): Promise<void> | undefined {
    if (this.closed) return durable ? Promise.reject(new WriterClosed('writer closed')) : undefined;
    const n = readings.time.length;
    if (!durable && this.down && this.o.spill) {
      this.o.metrics?.spilledRows.inc(n);
      void this.o.spill.append({ deviceId, readings });
      return undefined;
    }
    const b = this.current;
    appendTo(b, deviceId, readings);
    this.queuedRows += n;
    this.o.metrics?.queueDepth.set(this.queuedRows);
    let done: Promise<void> | undefined;
    if (durable) done = new Promise((resolve, reject) => b.waiters.push({ resolve, reject }));
    else b.bestEffort.push({ deviceId, readings });
    if (b.time.length >= this.o.maxRows) this.seal();
    else if (this.o.eager && this.inflight < this.o.concurrency) {
      // A connection is idle: write on the next turn of the event loop, so the rest of the socket
      // data already read joins this batch. Under load every connection is busy, and batches grow
      // while they wait (group commit): small batches when quiet, big ones when busy.
      this.immediate ??= setImmediate(() => this.seal());
    } else this.timer ??= setTimeout(() => this.seal(), this.o.maxDelayMs);
    return done;
  }

  /** Writes everything queued now; resolves when nothing is queued or in flight. */
  async flush(): Promise<void> {
    this.seal();
    if (this.queuedRows === 0 && this.inflight === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops accepting, writes what is queued (waiting up to `timeoutMs` for a slow database), then
   * spills best-effort rows still unwritten and fails durable ones (unacknowledged, so resent).
   */
  async close(timeoutMs = 10_000): Promise<void> {
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([this.flush(), timeout]);
    clearTimeout(timer);
    for (const b of this.sealed.splice(0)) await this.abandon(b);
  }

  private seal(): void {
    clearTimeout(this.timer);
    clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    if (this.current.time.length > 0) {
      this.sealed.push(this.current);
      this.current = newBatch();
    }
    this.pump();
  }

  private pump(): void {
    while (this.inflight < this.o.concurrency && this.sealed.length > 0) {
      const batch = this.sealed.shift()!;
      this.inflight++;
      void this.writeWithRetry(batch).finally(() => {
        this.inflight--;
        this.queuedRows -= batch.time.length;
        this.o.metrics?.queueDepth.set(this.queuedRows);
        if (this.queuedRows < this.o.highWaterRows / 2) for (const w of this.drainWaiters.splice(0)) w();
        if (this.queuedRows === 0 && this.inflight === 0) for (const w of this.idleWaiters.splice(0)) w();
        // What gathered while this batch was written goes next, without waiting for its timer.
        if (this.o.eager && this.sealed.length === 0 && this.current.time.length > 0) this.seal();
        else this.pump();
      });
    }
  }

  private async writeWithRetry(batch: Batch): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.insert(batch);
        for (const w of batch.waiters) w.resolve();
        return;
      } catch (err) {
        this.o.metrics?.flushFailures.inc();
        if (!this.down) {
          this.down = true;
          this.log.error(
            { err: errorSummary(err) },
            'telemetry write failed; retrying, best-effort readings go to the spill',
          );
          this.recover();
        }
        // Only best-effort rows: they can leave memory for the spill at once.
        if (batch.waiters.length === 0 && this.o.spill) return this.abandon(batch);
        if (this.closed) return this.abandon(batch);
        await sleep(Math.min(this.o.retryMaxMs, this.o.retryBaseMs * 2 ** Math.min(attempt, 16)));
      }
    }
  }

  /** Spills what may be spilled and fails the durable waiters of a batch that cannot be written. */
  private async abandon(batch: Batch): Promise<void> {
    if (this.o.spill) {
      for (const w of batch.bestEffort) await this.o.spill.append(w);
      this.o.metrics?.spilledRows.inc(batch.bestEffort.reduce((n, w) => n + w.readings.time.length, 0));
    }
    for (const w of batch.waiters) w.reject(new WriterClosed('telemetry not stored: database unavailable'));
  }

  private async insert(batch: Batch): Promise<void> {
    const started = performance.now();
    // Latest rows in key order, so concurrent batches lock telemetry_latest rows in one order.
    const keys = [...batch.latest.keys()].sort();
    const idx = keys.map((k) => batch.latest.get(k)!);
    const pick = <T>(col: T[]) => idx.map((i) => col[i]!);
    // Booleans travel as text: postgres.js types an array parameter by its first element and sends
    // [true, null] as a scalar boolean, and [null, false] with the null turned false.
    const bools = (col: (boolean | null)[]) => col.map((b) => (b === null ? null : b ? 't' : 'f'));
    await this.o.sql.query(INSERT_SQL, [
      batch.time,
      batch.device,
      batch.metric,
      batch.value,
      bools(batch.bool),
      batch.text,
      pick(batch.time),
      pick(batch.device),
      pick(batch.metric),
      pick(batch.value),
      bools(pick(batch.bool)),
      pick(batch.text),
    ]);
    this.o.metrics?.rowsWritten.inc(batch.time.length);
    this.o.metrics?.batchRows.observe(batch.time.length);
    this.o.metrics?.flushSeconds.observe((performance.now() - started) / 1000);
  }

  /** Probes the database with the spill's replay until it works, then leaves the down state. */
  private recover(): void {
    this.recovering ??= (async () => {
      for (let attempt = 0; this.down; attempt++) {
        try {
          await this.o.sql.query('SELECT 1');
          if (this.o.spill) {
            for (const segment of await this.o.spill.rotate()) {
              for (const w of await this.o.spill.read(segment)) {
                const b = newBatch();
                appendTo(b, w.deviceId, w.readings);
                await this.insert(b);
              }
              await this.o.spill.remove(segment);
            }
            // Best-effort writes kept arriving during the replay: replay those too, then switch.
            if (!this.o.spill.empty) continue;
          }
          this.down = false;
          this.log.info('database writable again; spill replayed');
        } catch {
          await sleep(Math.min(this.o.retryMaxMs, this.o.retryBaseMs * 2 ** Math.min(attempt, 16)));
        }
      }
    })().finally(() => {
      this.recovering = undefined;
    });
  }
}

const INSERT_SQL = `
WITH stored AS (
  INSERT INTO telemetry (time, device_id, metric, value, value_bool, value_text)
  SELECT 'epoch'::timestamptz + t * interval '1 microsecond', d, m, v, b, x
  FROM unnest($1::int8[], $2::uuid[], $3::text[], $4::float8[], $5::text[]::bool[], $6::text[]) AS u(t, d, m, v, b, x)
  ON CONFLICT DO NOTHING
)
INSERT INTO telemetry_latest (time, device_id, metric, value, value_bool, value_text)
SELECT 'epoch'::timestamptz + t * interval '1 microsecond', d, m, v, b, x
FROM unnest($7::int8[], $8::uuid[], $9::text[], $10::float8[], $11::text[]::bool[], $12::text[]) AS u(t, d, m, v, b, x)
ON CONFLICT (device_id, metric) DO UPDATE
SET time = excluded.time, value = excluded.value, value_bool = excluded.value_bool, value_text = excluded.value_text
WHERE telemetry_latest.time <= excluded.time`;

function newBatch(): Batch {
  return {
    time: [],
    device: [],
    metric: [],
    value: [],
    bool: [],
    text: [],
    latest: new Map(),
    waiters: [],
    bestEffort: [],
  };
}

function appendTo(b: Batch, deviceId: string, r: Readings): void {
  for (let i = 0; i < r.time.length; i++) {
    const key = `${deviceId}\0${r.metric[i]}`;
    const seen = b.latest.get(key);
    if (seen === undefined || b.time[seen]! <= r.time[i]!) b.latest.set(key, b.time.length);
    b.time.push(r.time[i]!);
    b.device.push(deviceId);
    b.metric.push(r.metric[i]!);
    b.value.push(r.value[i]!);
    b.bool.push(r.bool[i]!);
    b.text.push(r.text[i]!);
  }
}

function errorSummary(err: unknown): { message: string; code?: string } {
  const e = err as { message?: string; code?: string };
  return { message: e.message ?? String(err), code: e.code };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
