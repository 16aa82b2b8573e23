import type { Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';

/** Background work the platform repeats: named, with its period, run by one scheduler. */
export interface Job {
  /** Names the job in logs and in the `job` label of the metrics. */
  name: string;
  everyMs: number;
  run(): Promise<unknown>;
  /**
   * 'cluster' (default): one run a period across every node sharing the database, whichever node
   * takes the lease; 'node': every node runs it (work on the node's own memory, like its usage counts).
   */
  scope?: 'cluster' | 'node';
}

/** Decides which node runs a cluster-wide job this period (see `job-lease.ts`). */
export interface JobLeases {
  /** True when this node may run `name` now; the lease then holds for `ms`. */
  claim(name: string, ms: number): Promise<boolean>;
}

/**
 * Runs each job every `everyMs` from `start()` until `stop()`. A run never overlaps the job's
 * previous one (the next is timed from the end of the last), a failure is logged and counted and
 * the job runs again on schedule, and `stop()` waits for the runs under way.
 * @example
 * const scheduler = new Scheduler(logger, registry);
 * scheduler.add({ name: 'expire-commands', everyMs: 30_000, run: () => twins.expireDue() });
 * scheduler.start(); ... await scheduler.stop();
 */
export class Scheduler {
  private readonly jobs = new Map<string, Job>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly log: Logger;
  private readonly runs: Counter<'job' | 'result'>;
  private readonly seconds: Histogram<'job'>;
  private started = false;
  private only: 'all' | 'node' = 'all';
  private stopped = false;

  constructor(
    logger: Logger,
    registry?: Registry,
    /** Without leases every job runs on this node (one process, or an embedded database). */
    private readonly leases?: JobLeases,
  ) {
    this.log = logger.child({ component: 'scheduler' });
    const registers = registry ? [registry] : [];
    this.runs = new Counter({
      name: 'scheduled_job_runs_total',
      help: 'Runs of the platform background jobs, by job and result (ok, failed, elsewhere: another node held the lease)',
      labelNames: ['job', 'result'] as const,
      registers,
    });
    this.seconds = new Histogram({
      name: 'scheduled_job_seconds',
      help: 'How long one run of a platform background job took, by job',
      labelNames: ['job'] as const,
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
      registers,
    });
  }

  /** Adds a job; it runs once `start()` is called (at once if already started). */
  add(job: Job): this {
    if (this.jobs.has(job.name)) throw new Error(`a job named ${job.name} is already scheduled`);
    if (!(job.everyMs > 0)) throw new RangeError(`job ${job.name}: everyMs must be > 0`);
    this.jobs.set(job.name, job);
    if (this.started) this.plan(job);
    return this;
  }

  /** The scheduled jobs' names and periods. */
  list(): { name: string; everyMs: number }[] {
    return [...this.jobs.values()].map(({ name, everyMs }) => ({ name, everyMs }));
  }

  /**
   * Starts planning runs: of every job, or with `'node'` only of the jobs on the node's own memory
   * (a node without the worker role leaves the cluster-wide jobs to the workers).
   */
  start(jobs: 'all' | 'node' = 'all'): this {
    if (this.started) return this;
    this.started = true;
    this.only = jobs;
    for (const job of this.jobs.values()) this.plan(job);
    return this;
  }

  /** Runs a job now, outside its schedule (after the run under way, if any); resolves when done. */
  async runNow(name: string): Promise<void> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`no job named ${name}`);
    await this.running.get(name);
    await this.execute(job);
  }

  /** Stops planning runs and waits for those under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.all(this.running.values());
  }

  private plan(job: Job): void {
    if (this.stopped || (this.only === 'node' && job.scope !== 'node')) return;
    const timer = setTimeout(() => {
      this.timers.delete(job.name);
      void this.claim(job)
        .then((mine) => (mine ? this.execute(job) : undefined))
        .then(() => this.plan(job));
    }, job.everyMs);
    timer.unref();
    this.timers.set(job.name, timer);
  }

  /**
   * Takes the job's lease for most of a period, so the node that ran it last takes it again on its
   * next timer and another node takes over within a period when that one is gone.
   */
  private async claim(job: Job): Promise<boolean> {
    if (!this.leases || job.scope === 'node') return true;
    try {
      if (await this.leases.claim(job.name, Math.floor(job.everyMs * 0.9))) return true;
      this.runs.inc({ job: job.name, result: 'elsewhere' });
    } catch (err) {
      this.runs.inc({ job: job.name, result: 'failed' });
      this.log.warn({ err, job: job.name }, 'could not take the job lease; trying again next period');
    }
    return false;
  }

  private execute(job: Job): Promise<void> {
    const end = this.seconds.startTimer({ job: job.name });
    const run = Promise.resolve()
      .then(() => job.run())
      .then(
        () => void this.runs.inc({ job: job.name, result: 'ok' }),
        (err) => {
          this.runs.inc({ job: job.name, result: 'failed' });
          this.log.error({ err, job: job.name }, 'background job failed; it runs again on schedule');
        },
      );
    const tracked = run.finally(() => {
      end();
      if (this.running.get(job.name) === tracked) this.running.delete(job.name);
    });
    this.running.set(job.name, tracked);
    return tracked;
  }
}
