/** How often, and how far apart, a failing task is tried again: `retryDelayS` doubles each time. */
export interface RetryPolicy {
  /** Attempts after the first. */
  retryLimit: number;
  retryDelayS: number;
}

/** One run of a task as the queue carries it. */
export interface TaskJob extends RetryPolicy {
  taskId: string;
}

/**
 * Where task runs wait for a worker: pg-boss on a PostgreSQL server, an in-process queue on the
 * embedded database. `run` throws to ask for a retry, which the queue schedules with backoff.
 */
export interface TaskQueue {
  send(job: TaskJob): Promise<void>;
  /** Takes runs until `stop`; `backlog` names the unfinished tasks a queue that keeps none must pick up again. */
  work(run: (taskId: string) => Promise<void>, backlog: () => Promise<TaskJob[]>): Promise<void>;
  stop(leftMs: number): Promise<void>;
}
