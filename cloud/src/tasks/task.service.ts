import type { Logger } from 'pino';
import type { Permission } from '../access/permissions.ts';
import { NotFound } from '../http/problem.ts';
import type { TaskRepository, TaskRow, TaskStatus } from './task.repository.ts';
import type { RetryPolicy, TaskJob, TaskQueue } from './task-queue.ts';

/** What a handler is given: the task, and a way to say how far it has come. */
export interface TaskContext {
  task: TaskRow;
  /** 0 to 100; written at most once a second. */
  progress(percent: number): Promise<void>;
}

/** The work of one kind of task: resolves with the result to store, throws with the reason it failed. */
export type TaskHandler = (ctx: TaskContext) => Promise<Record<string, unknown>>;

const DEFAULT_RETRY: RetryPolicy = { retryLimit: 3, retryDelayS: 5 };

/**
 * Long work as tasks a client follows: `enqueue` stores the task and queues a run; a worker runs
 * the handler of its kind, which reports progress; success stores the result, failure the reason,
 * and the queue retries with backoff until the kind's `retryLimit`.
 * @example tasks.handle('telemetry-export', exportTelemetry); await tasks.enqueue(orgId, 'telemetry-export', input, userId);
 */
export class TaskService {
  private readonly handlers = new Map<string, { handler: TaskHandler; retry: RetryPolicy; permission?: Permission }>();

  constructor(
    private readonly deps: {
      repo: TaskRepository;
      queue: TaskQueue;
      logger: Logger;
      /** How long a task's file is kept (its result's `expires_at`); kept until deleted by hand without it. */
      resultTtlMs?: number;
    },
  ) {}

  /**
   * Registers the handler of a kind, on every node: enqueuing needs its retry policy, working its
   * handler. `permission` is what reading its result takes besides `tasks:read` (an audit export
   * is for those who may read the audit log).
   */
  handle(kind: string, handler: TaskHandler, options: Partial<RetryPolicy> & { permission?: Permission } = {}) {
    const { permission, ...retry } = options;
    this.handlers.set(kind, { handler, retry: { ...DEFAULT_RETRY, ...retry }, permission });
  }

  /** The permission reading a kind's result takes besides `tasks:read`, if any. */
  permissionOf(kind: string): Permission | undefined {
    return this.handlers.get(kind)?.permission;
  }

  async enqueue(orgId: string, kind: string, input: Record<string, unknown>, createdBy?: string): Promise<TaskRow> {
    const { retry } = this.kind(kind);
    const task = await this.deps.repo.create({ orgId, kind, input, createdBy });
    await this.deps.queue.send({ taskId: task.id, ...retry });
    return task;
  }

  async get(orgId: string, id: string): Promise<TaskRow> {
    const task = await this.deps.repo.get(orgId, id);
    if (!task) throw new NotFound('No such task');
    return task;
  }

  list(orgId: string, q: { status?: TaskStatus; kind?: string; before?: { at: Date; id: string }; limit: number }) {
    return this.deps.repo.list(orgId, q);
  }

  /** Starts running queued tasks on this node (the worker role). */
  start() {
    return this.deps.queue.work(
      (id) => this.run(id),
      async () => {
        const ids = await this.deps.repo.unfinished();
        const jobs: TaskJob[] = [];
        for (const id of ids) {
          const task = await this.deps.repo.byId(id);
          const known = task && this.handlers.get(task.kind);
          if (known) jobs.push({ taskId: id, ...known.retry });
        }
        return jobs;
      },
    );
  }

  stop(leftMs: number) {
    return this.deps.queue.stop(leftMs);
  }

  /** One attempt; throws when the queue should try again. */
  async run(id: string): Promise<void> {
    const found = await this.deps.repo.byId(id);
    // Gone with its organization, or finished by an earlier attempt.
    if (!found || found.status === 'succeeded' || found.status === 'failed') return;
    const { handler, retry } = this.kind(found.kind);
    const task = (await this.deps.repo.begin(id))!;
    const log = this.deps.logger.child({ taskId: id, kind: task.kind, attempt: task.attempts });
    let last = 0;
    const progress = async (percent: number) => {
      if (Date.now() - last < 1000) return;
      last = Date.now();
      await this.deps.repo.progress(id, Math.max(0, Math.min(99, Math.floor(percent))));
    };
    try {
      const result = await handler({ task, progress });
      const { resultTtlMs } = this.deps;
      if (typeof result.file === 'string' && resultTtlMs)
        result.expires_at = new Date(Date.now() + resultTtlMs).toISOString();
      await this.deps.repo.succeed(id, result);
      log.info('task succeeded');
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      const final = task.attempts > retry.retryLimit;
      await this.deps.repo.fail(id, reason, final);
      log.warn({ err: reason, final }, final ? 'task failed' : 'task attempt failed; retrying');
      if (!final) throw err;
    }
  }

  private kind(kind: string) {
    const known = this.handlers.get(kind);
    if (!known) throw new Error(`no handler for tasks of kind ${kind}`);
    return known;
  }
}
