import { arrayLiteral, numberArrayLiteral, type SqlClient } from '@iotp/db';
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
  /**
   * While a batch is being written, the next one takes another connection only once it holds this
   * many rows (or is `maxDelayMs` old); smaller, it waits and grows. A fleet's steady trickle then
   * commits one batch at a time, each several times bigger, for a fraction of the database's work
   * per row; a flood's big batches still go side by side.
   */
  parallelRows?: number;
  /** Retry backoff after a failed write: doubles from base to max (ms). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /**
   * A batch not committed within this long counts as a failed write (ms): the writer reports
   * itself failing and retries it, so a database that stops answering cannot hold ingest.
   */
  timeoutMs?: number;
  /**
   * How far ahead of now a reading may be (ms), as the parser allows: a latest value further ahead
   * (stored before that bound existed, or under a looser one) gives way to the next reading.
   */
  maxFutureMs?: number;
  /**
   * After a batch met a reading already stored, this long (ms) during which every batch skips
   * stored readings (ON CONFLICT DO NOTHING) instead of trying the plain insert first.
   */
  dedupeHoldMs?: number;
}

interface Batch {
  time: number[];
  device: string[];
  metric: string[];
  value: (number | null)[];
  bool: (boolean | null)[];
  text: (string | null)[];
  /** device -> metric -> index of the newest row, for the latest-value table. */
  latest: Map<string, Map<string, number>>;
  /**
   * What every durable write into the batch returns, made by the first: one promise a batch, not
   * one a message, settled when the batch is committed or given up.
   */
  committed?: { promise: Promise<void>; resolve(): void; reject(err: Error): void };
  /** Best-effort writes, kept whole so they can be spilled as they came. */
  bestEffort: { deviceId: string; readings: Readings }[];
  /** Given up (spilled, waiters failed): a later outcome of its write changes nothing. */
  abandoned?: boolean;
  /** Holds a resend, or is itself retried or replayed: some of its readings may be stored already. */
  mayRepeat?: boolean;
}

/** Closed before its rows could be stored; the device was not acknowledged and will resend. */
export class WriterClosed extends Error {
  override name = 'WriterClosed';
}

/** A telemetry write that failed: the database's error, or no answer in time. */
export class WriteFailed extends Error {
  override name = 'WriteFailed';
  constructor(
    message: string,
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Queues readings and writes them in batches, by size or age, with one multi-row statement.
 * `write()` resolves once the reading's batch is committed; while writes fail, batches are retried
 * with backoff and best-effort readings go to the spill, replayed in order once writes work again.
 * A retried batch is never stored twice: telemetry has a unique key per reading.
 * @example const w = new BatchWriter({ sql: db.sql, logger }); await w.write(deviceId, readings, true);
 */
export class BatchWriter {
  private readonly o: Required<Omit<BatchWriterOptions, 'spill' | 'metrics'>> &
    Pick<BatchWriterOptions, 'spill' | 'metrics'>;
  private current: Batch = newBatch();
  private readonly sealed: Batch[] = [];
  /** Batches being written (or retried) now. */
  private readonly writing = new Set<Batch>();
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private queuedRows = 0;
  private drainWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  /** True from a failed write until writes work again and the spill is replayed. */
  private down = false;
  /** Set while writes fail: what the database said, since when, how many tries. */
  private failure: { error: string; since: number; attempts: number } | undefined;
  private recovering: Promise<void> | undefined;
  /** Numbers each statement; the database echoes it, so only this statement's answer counts. */
  private statements = 0;
  /** Until then (ms since epoch) every batch is written with the deduplicating insert. */
  private dedupeUntil = 0;
  private readonly log: Logger;

  constructor(options: BatchWriterOptions) {
    this.o = {
      maxRows: 5000,
      maxDelayMs: 50,
      eager: true,
      highWaterRows: 100_000,
      concurrency: 1,
      parallelRows: 500,
      retryBaseMs: 100,
      retryMaxMs: 5000,
      timeoutMs: 10_000,
      maxFutureMs: 10 * 60 * 1000,
      dedupeHoldMs: 1000,
      ...options,
    };
    const { maxRows, maxDelayMs, concurrency, parallelRows, timeoutMs } = this.o;
    if (maxRows < 1 || maxDelayMs < 0 || concurrency < 1 || parallelRows < 1 || timeoutMs < 1)
      throw new RangeError('maxRows, concurrency, parallelRows and timeoutMs must be >= 1, maxDelayMs >= 0');
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

  /** Why telemetry cannot be stored right now (for readiness), or undefined while writes work. */
  get problem(): string | undefined {
    const f = this.failure;
    if (!f) return undefined;
    return `telemetry writes failing since ${new Date(f.since).toISOString()} (${f.attempts} attempts): ${f.error}`;
  }

  /** Resolves once the queue is below half the high-water mark. */
  drained(): Promise<void> {
    if (this.queuedRows < this.o.highWaterRows / 2) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /**
   * Queues one device's readings. Durable writes return a promise that resolves when committed
   * (and rejects with WriterClosed if the writer closes first); best-effort writes return undefined.
   * `resend` marks readings that may be stored already (an MQTT resend): their batch skips stored
   * readings at once instead of finding them with the plain insert first.
   */
  write(deviceId: string, readings: Readings, durable: true, resend?: boolean): Promise<void>;
  write(deviceId: string, readings: Readings, durable: false, resend?: boolean): undefined;
  write(deviceId: string, readings: Readings, durable: boolean, resend = false): Promise<void> | undefined {
    if (this.closed) return durable ? Promise.reject(new WriterClosed('writer closed')) : undefined;
    const n = readings.time.length;
    if (!durable && this.down && this.o.spill) {
      void this.spill([{ deviceId, readings }]);
      return undefined;
    }
    const b = this.current;
    appendTo(b, deviceId, readings);
    if (resend) b.mayRepeat = true;
    // The depth gauge is set when the batch is sealed and when one is written, not per message.
    this.queuedRows += n;
    let done: Promise<void> | undefined;
    if (durable) {
      b.committed ??= settled();
      done = b.committed.promise;
    } else b.bestEffort.push({ deviceId, readings });
    if (b.time.length >= this.o.maxRows) this.seal();
    else if (
      this.o.eager &&
      (this.writing.size === 0 || (this.writing.size < this.o.concurrency && b.time.length >= this.o.parallelRows))
    ) {
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
    if (this.queuedRows === 0 && this.writing.size === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops accepting, writes what is queued (waiting up to `timeoutMs` for a slow database), then
   * spills best-effort rows still unwritten and fails durable ones (unacknowledged, so resent).
   * Returns within `timeoutMs` and the time to spill, whatever the database does.
   */
  async close(timeoutMs = 10_000): Promise<void> {
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([this.flush(), timeout]);
    clearTimeout(timer);
    for (const b of [...this.sealed.splice(0), ...this.writing]) await this.abandon(b);
  }

  private seal(): void {
    clearTimeout(this.timer);
    clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    if (this.current.time.length > 0) {
      this.sealed.push(this.current);
      this.current = newBatch();
      this.o.metrics?.queueDepth.set(this.queuedRows);
    }
    this.pump();
  }

  private pump(): void {
    while (this.writing.size < this.o.concurrency && this.sealed.length > 0) {
      const batch = this.sealed.shift()!;
      this.writing.add(batch);
      void this.writeWithRetry(batch).finally(() => {
        this.writing.delete(batch);
        this.queuedRows -= batch.time.length;
        this.o.metrics?.queueDepth.set(this.queuedRows);
        if (this.queuedRows < this.o.highWaterRows / 2) for (const w of this.drainWaiters.splice(0)) w();
        if (this.queuedRows === 0 && this.writing.size === 0) for (const w of this.idleWaiters.splice(0)) w();
        // What gathered while this batch was written goes next, without waiting for its timer.
        if (this.o.eager && this.sealed.length === 0 && this.current.time.length > 0) this.seal();
        else this.pump();
      });
    }
  }

  /** Writes a batch until it is stored (its waiters resolved only then) or given up. */
  private async writeWithRetry(batch: Batch): Promise<void> {
    for (let attempt = 0; !batch.abandoned; attempt++) {
      try {
        await this.insert(batch);
        this.succeeded();
        batch.committed?.resolve();
        return;
      } catch (err) {
        if (batch.abandoned) return;
        // The failed (or unanswered) statement may have committed after all: skip what it stored.
        batch.mayRepeat = true;
        this.failed(err as WriteFailed); // insert() throws nothing else
        // Only best-effort rows: they can leave memory for the spill at once.
        if (!batch.committed && this.o.spill) return this.abandon(batch);
        if (this.closed) return this.abandon(batch);
        await this.backoff(attempt);
      }
    }
  }

  /** Spills what may be spilled and fails the durable waiters of a batch that cannot be written. */
  private async abandon(batch: Batch): Promise<void> {
    if (batch.abandoned) return;
    batch.abandoned = true;
    batch.committed?.reject(new WriterClosed('telemetry not stored: database unavailable'));
    if (this.o.spill) await this.spill(batch.bestEffort);
  }

  /** Appends best-effort writes to the spill; what cannot be appended is dropped, counted and logged. */
  private async spill(writes: { deviceId: string; readings: Readings }[]): Promise<void> {
    // Appended now, in this order; the spill writes them one after the other.
    const appended = writes.map((w) => this.o.spill!.append(w));
    for (const [i, done] of appended.entries()) {
      const rows = writes[i]!.readings.time.length;
      try {
        await done;
        this.o.metrics?.spilledRows.inc(rows);
      } catch (err) {
        this.o.metrics?.droppedRows.inc(rows);
        this.log.error({ err: errorSummary(err), rows }, 'spill append failed; best-effort readings dropped');
      }
    }
  }

  /**
   * Stores one batch with one statement, within `timeoutMs`. Readings are almost never stored
   * already, and the plain insert costs the database about half the deduplicating one (measured,
   * `bench:ingest`'s writer phase): it goes first, and when it meets a stored reading (a resend the
   * broker did not recognise, or a reading sent twice) the batch is written again skipping those,
   * as is every batch for `dedupeHoldMs` after, so a device repeating itself costs one retry a while.
   */
  private async insert(batch: Batch): Promise<void> {
    const dedupe = batch.mayRepeat === true || Date.now() < this.dedupeUntil;
    try {
      await this.insertOnce(batch, dedupe);
    } catch (err) {
      if (dedupe || !(err instanceof WriteFailed) || err.code !== UNIQUE_VIOLATION) throw err;
      this.dedupeUntil = Date.now() + this.o.dedupeHoldMs;
      this.o.metrics?.dedupeRetries.inc();
      await this.insertOnce(batch, true);
    }
  }

  private async insertOnce(batch: Batch, dedupe: boolean): Promise<void> {
    const started = performance.now();
    // Latest rows in key order, so concurrent batches lock telemetry_latest rows in one order.
    // (Device, then metric: the order of the unique key, as sorting `device \0 metric` would give.)
    const idx: number[] = [];
    for (const device of [...batch.latest.keys()].sort()) {
      const metrics = batch.latest.get(device)!;
      for (const metric of [...metrics.keys()].sort()) idx.push(metrics.get(metric)!);
    }
    const pick = <T>(col: T[]) => idx.map((i) => col[i]!);
    // Booleans travel as t and f, cast by the statement.
    const bools = (col: (boolean | null)[]) => arrayLiteral(col.map((b) => (b === null ? null : b ? 't' : 'f')));
    const statement = String(++this.statements);
    // Each column goes as an array literal built here, which the statement casts.
    const answer = this.o.sql.query<{ statement: string }>(dedupe ? INSERT_SKIPPING_STORED : INSERT, [
      numberArrayLiteral(batch.time),
      arrayLiteral(batch.device),
      arrayLiteral(batch.metric),
      numberArrayLiteral(batch.value),
      bools(batch.bool),
      arrayLiteral(batch.text),
      numberArrayLiteral(pick(batch.time)),
      arrayLiteral(pick(batch.device)),
      arrayLiteral(pick(batch.metric)),
      numberArrayLiteral(pick(batch.value)),
      bools(pick(batch.bool)),
      arrayLiteral(pick(batch.text)),
      statement,
      this.o.maxFutureMs,
    ]);
    let rows: { statement: string }[];
    try {
      rows = await deadline(answer, this.o.timeoutMs);
    } catch (err) {
      if (err instanceof WriteFailed) throw err;
      const { message, code } = errorSummary(err);
      throw new WriteFailed(message, code, { cause: err });
    }
    // Only an answer that names this statement says it committed: never acknowledge on another's.
    if (rows[0]?.statement !== statement)
      throw new WriteFailed('the database answered another statement than the telemetry insert');
    this.o.metrics?.rowsWritten.inc(batch.time.length);
    this.o.metrics?.batchRows.observe(batch.time.length);
    this.o.metrics?.flushSeconds.observe((performance.now() - started) / 1000);
  }

  /** A write failed: say so once (and again when the error changes), and go down. */
  private failed(err: WriteFailed): void {
    this.o.metrics?.flushFailures.inc();
    this.o.metrics?.failing.set(1);
    const { message, code } = err;
    const error = code ? `${code}: ${message}` : message;
    if (!this.failure) {
      this.failure = { error, since: Date.now(), attempts: 1 };
      this.log.error(
        { err: { message, code } },
        'telemetry write failed; retrying, best-effort readings go to the spill',
      );
    } else {
      this.failure.attempts++;
      if (this.failure.error !== error) {
        this.failure.error = error;
        this.log.error({ err: { message, code }, attempts: this.failure.attempts }, 'telemetry writes still failing');
      }
    }
    if (!this.down) {
      this.down = true;
      this.recover();
    }
  }

  /** A write committed: if writes were failing, they work again. */
  private succeeded(what = 'telemetry writes work again'): void {
    const f = this.failure;
    if (!f) return;
    this.failure = undefined;
    this.o.metrics?.failing.set(0);
    this.log.info({ failedMs: Date.now() - f.since, attempts: f.attempts }, what);
  }

  /**
   * While down: replays the spill as soon as writes work again (a replay is itself a write, the
   * truest probe), then leaves the down state. With nothing to replay it waits for retried batches
   * to show the database works; with nothing at all to write, it probes with an empty insert.
   */
  private recover(): void {
    this.recovering ??= (async () => {
      for (let attempt = 0; this.down && !this.closed; attempt++) {
        try {
          const spill = this.o.spill;
          if (spill && !spill.empty) {
            const rows = await this.replay(spill);
            if (rows > 0) this.log.info({ rows }, 'replayed spilled readings');
            if (!spill.empty) continue; // best-effort writes kept arriving during the replay
          } else if (this.failure && this.writing.size === 0 && this.sealed.length === 0) {
            // Nothing real to retry: an empty insert shows at least that the statement runs.
            await this.insert(newBatch());
            this.succeeded('the database runs the telemetry insert again (nothing was waiting to be written)');
          }
          if (!this.failure) {
            this.down = false;
            return;
          }
        } catch (err) {
          if (err instanceof WriteFailed) this.failed(err);
          else this.log.error({ err }, 'reading the spill back failed; retrying');
        }
        await this.backoff(attempt);
      }
    })().finally(() => {
      this.recovering = undefined;
    });
  }

  /** Writes the spill back, segment by segment, in batches; returns the rows replayed. */
  private async replay(spill: Spill): Promise<number> {
    let rows = 0;
    const store = async (b: Batch) => {
      await this.insert(b);
      this.succeeded();
      rows += b.time.length;
    };
    for (const segment of await spill.rotate()) {
      let b = newBatch(true);
      for (const w of await spill.read(segment)) {
        appendTo(b, w.deviceId, w.readings);
        if (b.time.length >= this.o.maxRows) {
          await store(b);
          b = newBatch(true);
        }
      }
      if (b.time.length > 0) await store(b);
      await spill.remove(segment);
    }
    return rows;
  }

  private backoff(attempt: number): Promise<void> {
    return sleep(Math.min(this.o.retryMaxMs, this.o.retryBaseMs * 2 ** Math.min(attempt, 16)));
  }
}

const UNIQUE_VIOLATION = '23505';

// Data-modifying CTEs run to completion whether or not the outer query reads them; the outer
// SELECT echoes the statement's number.
const insertSql = (onConflict: string) => `
WITH stored AS (
  INSERT INTO telemetry (time, device_id, metric, value, value_bool, value_text)
  SELECT 'epoch'::timestamptz + t * interval '1 microsecond', d, m, v, b, x
  FROM unnest($1::int8[], $2::uuid[], $3::text[], $4::float8[], $5::text[]::bool[], $6::text[]) AS u(t, d, m, v, b, x)
  ${onConflict}
), latest AS (
  INSERT INTO telemetry_latest (time, device_id, metric, value, value_bool, value_text)
  SELECT 'epoch'::timestamptz + t * interval '1 microsecond', d, m, v, b, x
  FROM unnest($7::int8[], $8::uuid[], $9::text[], $10::float8[], $11::text[]::bool[], $12::text[]) AS u(t, d, m, v, b, x)
  ON CONFLICT (device_id, metric) DO UPDATE
  SET time = excluded.time, value = excluded.value, value_bool = excluded.value_bool, value_text = excluded.value_text
  WHERE telemetry_latest.time <= excluded.time OR telemetry_latest.time > now() + $14::int8 * interval '1 millisecond'
)
SELECT $13::text AS statement`;
const INSERT = insertSql('');
const INSERT_SKIPPING_STORED = insertSql('ON CONFLICT DO NOTHING');

function newBatch(mayRepeat = false): Batch {
  return {
    mayRepeat,
    time: [],
    device: [],
    metric: [],
    value: [],
    bool: [],
    text: [],
    latest: new Map(),
    bestEffort: [],
  };
}

function appendTo(b: Batch, deviceId: string, r: Readings): void {
  let latest = b.latest.get(deviceId);
  if (!latest) {
    latest = new Map();
    b.latest.set(deviceId, latest);
  }
  for (let i = 0; i < r.time.length; i++) {
    const metric = r.metric[i]!;
    const seen = latest.get(metric);
    if (seen === undefined || b.time[seen]! <= r.time[i]!) latest.set(metric, b.time.length);
    b.time.push(r.time[i]!);
    b.device.push(deviceId);
    b.metric.push(metric);
    b.value.push(r.value[i]!);
    b.bool.push(r.bool[i]!);
    b.text.push(r.text[i]!);
  }
}

/** A promise with its settling functions outside (Promise.withResolvers, Node 22+). */
function settled(): { promise: Promise<void>; resolve(): void; reject(err: Error): void } {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The answer, or WriteFailed once `ms` passed without one (the statement may still commit later). */
function deadline<T>(answer: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WriteFailed(`no answer from the database within ${ms} ms`, 'TIMEOUT')), ms);
  });
  // An answer that comes after the deadline (or an error then) is nobody's business any more.
  answer.catch(() => undefined);
  return Promise.race([answer, late]).finally(() => clearTimeout(timer));
}

function errorSummary(err: unknown): { message: string; code?: string } {
  const e = err as { message?: string; code?: string };
  return { message: e.message ?? String(err), code: e.code };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
