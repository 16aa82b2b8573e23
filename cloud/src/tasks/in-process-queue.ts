import type { TaskJob, TaskQueue } from './task-queue.ts';

/**
 * Runs on the embedded database, where no second connection can hold a job queue's locks: jobs
 * live in memory, and the `tasks` table is what survives a restart (`backlog` on `work`). One
 * process owns the embedded database, so nobody else runs its tasks.
 * @example const queue = new InProcessQueue({ logger }); await queue.work(run, backlog);
 */
export class InProcessQueue implements TaskQueue {
  private run?: (taskId: string) => Promise<void>;
  private readonly waiting: TaskJob[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private readonly tries = new Map<string, number>();
  private stopped = false;

  constructor(private readonly options: { concurrency?: number } = {}) {}

  async send(job: TaskJob) {
    this.waiting.push(job);
    this.drain();
  }

  async work(run: (taskId: string) => Promise<void>, backlog: () => Promise<TaskJob[]>) {
    this.run = run;
    this.waiting.unshift(...(await backlog()));
    this.drain();
  }

  async stop(leftMs: number) {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    await Promise.race([Promise.allSettled([...this.running]), new Promise((r) => setTimeout(r, leftMs).unref())]);
  }

  private drain() {
    const { run } = this;
    while (run && !this.stopped && this.running.size < (this.options.concurrency ?? 2) && this.waiting.length) {
      const job = this.waiting.shift()!;
      const done = run(job.taskId)
        .then(() => void this.tries.delete(job.taskId))
        .catch(() => this.retry(job))
        .finally(() => {
          this.running.delete(done);
          this.drain();
        });
      this.running.add(done);
    }
  }

  private retry(job: TaskJob) {
    const tried = (this.tries.get(job.taskId) ?? 0) + 1;
    if (tried > job.retryLimit) return void this.tries.delete(job.taskId);
    this.tries.set(job.taskId, tried);
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        this.send(job);
      },
      job.retryDelayS * 1000 * 2 ** (tried - 1),
    );
    this.timers.add(timer);
  }
}
