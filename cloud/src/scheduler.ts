import type { Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';

/** Background work the platform repeats: named, with its period, run by one scheduler. */
export interface Job {
  /** Names the job in logs and in the `job` label of the metrics. */
  name: string;
  everyMs: number;
  run(): Promise<unknown>;
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
  private stopped = false;

  constructor(logger: Logger, registry?: Registry) {
    this.log = logger.child({ component: 'scheduler' });
    const registers = registry ? [registry] : [];
    this.runs = new Counter({
      name: 'scheduled_job_runs_total',
      help: 'Runs of the platform background jobs, by job and result (ok, failed)',
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

  start(): this {
    if (this.started) return this;
    this.started = true;
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
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(job.name);
      void this.execute(job).then(() => this.plan(job));
    }, job.everyMs);
    timer.unref();
    this.timers.set(job.name, timer);
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
