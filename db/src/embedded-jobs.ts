import type { Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { SqlClient } from './sql-client.ts';

export interface EmbeddedJobsOptions {
  sql: SqlClient;
  logger: Logger;
  /** Where the run counter and duration histogram are registered. */
  registry?: Registry;
  /** How long one step should hold the database (ms): catch-up slices shrink or grow toward it. */
  stepTargetMs?: number;
}

interface Job {
  job_id: number;
  proc_name: string;
  config: Record<string, unknown>;
  interval_s: number;
  hypertable_schema: string | null;
  hypertable_name: string | null;
}

interface Aggregate {
  view_schema: string;
  view_name: string;
  source_schema: string;
  source_name: string;
  materialization_name: string;
  bucket_ms: number;
}

const DAY_MS = 86_400_000;
/** Largest catch-up slice, however fast the steps are. */
const MAX_SLICE_MS = 30 * DAY_MS;
/** A failed step is retried after this long, not in a loop. */
const RETRY_MS = 60_000;

const JOBS = `
SELECT job_id, proc_name, config, extract(epoch FROM schedule_interval)::float8 AS interval_s,
       hypertable_schema, hypertable_name
FROM timescaledb_information.jobs WHERE scheduled ORDER BY job_id`;

const AGGREGATES = `
SELECT ca.view_schema, ca.view_name, ca.hypertable_schema AS source_schema, ca.hypertable_name AS source_name,
       ca.materialization_hypertable_name AS materialization_name,
       extract(epoch FROM bf.bucket_width::interval)::float8 * 1000 AS bucket_ms
FROM timescaledb_information.continuous_aggregates ca
JOIN _timescaledb_catalog.hypertable h
  ON h.schema_name = ca.materialization_hypertable_schema AND h.table_name = ca.materialization_hypertable_name
JOIN _timescaledb_catalog.continuous_aggs_bucket_function bf ON bf.mat_hypertable_id = h.id`;

/**
 * Where an aggregate stands: its watermark (the end of what is materialized; an empty aggregate
 * says TimescaleDB's lowest time, 4714 BC), its policy's window, and the oldest data of its source.
 */
const AGGREGATE_STATE = `
SELECT CASE WHEN w > -210866803200000000
            THEN (extract(epoch FROM _timescaledb_functions.to_timestamp(w)) * 1000)::float8 END AS watermark,
       (extract(epoch FROM now() - ($1::jsonb->>'start_offset')::interval) * 1000)::float8 AS window_start,
       (extract(epoch FROM now() - ($1::jsonb->>'end_offset')::interval) * 1000)::float8 AS window_end,
       (SELECT (extract(epoch FROM min(range_start)) * 1000)::float8 FROM timescaledb_information.chunks
        WHERE hypertable_schema = $2 AND hypertable_name = $3) AS oldest
FROM (SELECT _timescaledb_functions.cagg_watermark(($1::jsonb->>'mat_hypertable_id')::int) AS w) AS x`;

/** Chunks a compression policy would still compress. */
const UNCOMPRESSED = `
SELECT count(*)::int AS n FROM timescaledb_information.chunks
WHERE hypertable_schema = $1 AND hypertable_name = $2 AND NOT is_compressed
  AND range_end <= now() - ($3::jsonb->>'compress_after')::interval`;

/**
 * Runs TimescaleDB's jobs on the embedded database, which has no background workers to run them:
 * continuous aggregate refreshes, compression, retention. One step at a time, each short, so the
 * telemetry writer (the same single backend) waits at most one step:
 * - an aggregate never materialized, or left behind while the platform was stopped, is first
 *   refreshed from its oldest data forward in slices sized to `stepTargetMs`, since its policy only
 *   refreshes a recent window and everything older below the watermark would vanish from queries;
 *   an aggregate on another waits for that one;
 * - retention and compression wait until every aggregate has caught up, so nothing is dropped
 *   before it is downsampled; compression then compresses one chunk a step until none is due;
 * - the rest run as `CALL run_job(id)` on their schedule.
 * Schedules are kept in memory (run_job does not record runs here): after a restart every job runs
 * once, which is cheap when there is nothing to do.
 * The platform's scheduler calls `runDue` every 30 s (job `embedded-db-jobs`).
 * @example const jobs = new EmbeddedJobs({ sql: db.sql, logger, registry }); await jobs.runDue(); await jobs.stop();
 */
export class EmbeddedJobs {
  private readonly o: Required<Omit<EmbeddedJobsOptions, 'registry'>>;
  private readonly runs: Counter<'type' | 'result'>;
  private readonly seconds: Histogram<'type'>;
  /** When each job is next due (epoch ms); absent: due now. */
  private readonly next = new Map<number, number>();
  /** Aggregate refresh jobs still catching up, and how far each got (epoch ms). */
  private readonly behind = new Map<number, number>();
  /** Catch-up slice width per refresh job (ms). */
  private readonly slice = new Map<number, number>();
  private chain: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor({ registry, stepTargetMs = 500, ...rest }: EmbeddedJobsOptions) {
    this.o = { stepTargetMs, ...rest, logger: rest.logger.child({ component: 'embedded-jobs' }) };
    const registers = registry ? [registry] : [];
    this.runs = new Counter({
      name: 'embedded_db_job_runs_total',
      help: 'TimescaleDB job steps run by the platform on the embedded database, by job type and result',
      labelNames: ['type', 'result'] as const,
      registers,
    });
    this.seconds = new Histogram({
      name: 'embedded_db_job_seconds',
      help: 'How long one job step held the embedded database, by job type',
      labelNames: ['type'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
  }

  /**
   * Runs every due job, step after step, until none is due; resolves with the steps run. Calls
   * queue behind each other, so two steps never overlap.
   */
  runDue(): Promise<number> {
    const run = this.chain.then(() => this.drain());
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Stops taking steps and waits for the one under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.chain;
  }

  private async drain(): Promise<number> {
    let steps = 0;
    while (!this.stopped) {
      const jobs = await this.o.sql.query<Job>(JOBS);
      const aggregates = await this.o.sql.query<Aggregate>(AGGREGATES);
      const due = jobs.filter((j) => (this.next.get(j.job_id) ?? 0) <= Date.now()).sort(byPriority);
      let ran = 0;
      for (const job of due) {
        if (this.stopped) break;
        if (await this.step(job, jobs, aggregates)) ran++;
      }
      steps += ran;
      if (ran === 0) break;
    }
    return steps;
  }

  /** One step of `job`; false when it has to wait for another job. */
  private async step(job: Job, jobs: Job[], aggregates: Aggregate[]): Promise<boolean> {
    const type = job.proc_name.replace(/^policy_/, '');
    if (job.proc_name === 'policy_refresh_continuous_aggregate') {
      const aggregate = aggregates.find((a) => a.view_name === job.hypertable_name);
      if (aggregate) return this.refresh(job, type, aggregate, jobs, aggregates);
    }
    // Nothing is dropped before it is downsampled, and the aggregates read their backlog uncompressed.
    if (this.behind.size > 0 && (job.proc_name === 'policy_retention' || job.proc_name === 'policy_compression'))
      return false;
    if (job.proc_name === 'policy_compression') {
      // The policy itself, one chunk at a time: months of chunks at once would hold the database
      // for minutes.
      const ms = await this.timed(job, type, {}, () =>
        this.o.sql.query('CALL _timescaledb_functions.policy_compression($1, $2::jsonb)', [
          job.job_id,
          JSON.stringify({ ...job.config, maxchunks_to_compress: 1 }),
        ]),
      );
      if (ms === undefined) return true;
      const [left] = await this.o.sql.query<{ n: number }>(UNCOMPRESSED, [
        job.hypertable_schema,
        job.hypertable_name,
        JSON.stringify(job.config),
      ]);
      if (left?.n) this.next.set(job.job_id, 0);
      this.o.logger.info({ job: job.job_id, type, ms, chunksLeft: left?.n ?? 0 }, 'database job ran');
      return true;
    }
    await this.policy(job, type);
    return true;
  }

  private async refresh(job: Job, type: string, aggregate: Aggregate, jobs: Job[], aggregates: Aggregate[]) {
    const [state] = await this.o.sql.query<{
      watermark: number | null;
      window_start: number | null;
      window_end: number;
      oldest: number | null;
    }>(AGGREGATE_STATE, [JSON.stringify(job.config), aggregate.source_schema, aggregate.source_name]);
    const from = Math.max(
      state?.watermark ?? state?.oldest ?? Number.POSITIVE_INFINITY,
      this.behind.get(job.job_id) ?? 0,
    );
    if (!state || state.window_start === null || !(from < state.window_start)) {
      this.behind.delete(job.job_id);
      await this.policy(job, type);
      return true;
    }
    this.behind.set(job.job_id, from);
    // An aggregate on another aggregate reads what that one materialized: it waits until it is done.
    const source = aggregates.find((a) => a.materialization_name === aggregate.source_name);
    const sourceJob = source && jobs.find((j) => j.hypertable_name === source.view_name);
    if (sourceJob && this.behind.has(sourceJob.job_id)) return false;
    // Whole buckets from a bucket boundary, up to the end of the policy's window so that no bucket
    // falls between the last slice and the policy's next run.
    const bucket = aggregate.bucket_ms;
    const start = Math.floor(from / bucket) * bucket;
    const width = Math.max(bucket, Math.round((this.slice.get(job.job_id) ?? DAY_MS) / bucket) * bucket);
    const end = Math.max(start + bucket, Math.min(start + width, Math.floor(state.window_end / bucket) * bucket));
    const view = `${quote(aggregate.view_schema)}.${quote(aggregate.view_name)}`;
    const range = { view: aggregate.view_name, from: new Date(start).toISOString(), to: new Date(end).toISOString() };
    const ms = await this.timed(job, type, range, () =>
      this.o.sql.query('CALL refresh_continuous_aggregate($1::regclass, $2::timestamptz, $3::timestamptz)', [
        view,
        range.from,
        range.to,
      ]),
    );
    if (ms === undefined) return true;
    this.o.logger.info({ job: job.job_id, type, ms, ...range }, 'database job ran: catching up');
    this.behind.set(job.job_id, end);
    // Toward the target: twice as wide when well under it, half when over.
    const target = this.o.stepTargetMs;
    const next = ms < target / 2 ? width * 2 : ms > target ? width / 2 : width;
    this.slice.set(job.job_id, Math.min(MAX_SLICE_MS, Math.max(bucket, next)));
    this.next.set(job.job_id, 0);
    return true;
  }

  /** The job as its schedule runs it; logged at info when it held the database longer than a step should. */
  private async policy(job: Job, type: string): Promise<void> {
    const ms = await this.timed(job, type, {}, () => this.o.sql.query('CALL run_job($1)', [job.job_id]));
    if (ms !== undefined)
      this.o.logger[ms > this.o.stepTargetMs ? 'info' : 'debug']({ job: job.job_id, type, ms }, 'database job ran');
  }

  /**
   * Runs one step, counted and timed; schedules the job's next run. Resolves with the time it took,
   * or undefined when it failed (logged; retried later, never in a loop).
   */
  private async timed(job: Job, type: string, detail: object, fn: () => Promise<unknown>): Promise<number | undefined> {
    const started = performance.now();
    try {
      await fn();
      const ms = Math.round(performance.now() - started);
      this.runs.inc({ type, result: 'ok' });
      this.seconds.observe({ type }, ms / 1000);
      this.next.set(job.job_id, Date.now() + job.interval_s * 1000);
      return ms;
    } catch (err) {
      this.runs.inc({ type, result: 'failed' });
      this.next.set(job.job_id, Date.now() + Math.min(RETRY_MS, job.interval_s * 1000));
      this.o.logger.warn({ err, job: job.job_id, type, ...detail }, 'database job failed');
      return undefined;
    }
  }
}

/** Aggregates first (finer before coarser, by creation), then retention, so that compression skips what it drops. */
function byPriority(a: Job, b: Job): number {
  const order = ['policy_refresh_continuous_aggregate', 'policy_retention', 'policy_compression'];
  const rank = (j: Job) => (order.includes(j.proc_name) ? order.indexOf(j.proc_name) : order.length);
  return rank(a) - rank(b) || a.job_id - b.job_id;
}

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
