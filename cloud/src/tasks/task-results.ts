import type { Logger } from 'pino';
import { Problem } from '../http/problem.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { TaskRepository } from './task.repository.ts';

/** 410 `task-result-expired`: the task's file was deleted when its time was up; run the task again. */
export class TaskResultExpired extends Problem {
  constructor(expiredAt: string) {
    super(
      'task-result-expired',
      410,
      'The file of this task has expired',
      `It was deleted at ${expiredAt} (TASK_RESULT_TTL_HOURS after the task finished); run the task again for a new one`,
    );
  }
}

/**
 * Deletes the files of tasks past their `expires_at` (a scheduled job, once across the cluster):
 * the object first, then the result marked `expired_at`, so a file whose deletion failed is tried
 * again on the next run and a marked task never points at a file that is still kept.
 * @example scheduler.add({ name: 'expire-task-results', everyMs: 600_000, run: () => results.expireDue() });
 */
export class TaskResults {
  constructor(private readonly deps: { repo: TaskRepository; objects: ObjectStore; logger: Logger }) {}

  /** Resolves with how many files were deleted. */
  async expireDue(now = new Date(), batch = 500): Promise<number> {
    let deleted = 0;
    while (true) {
      const due = await this.deps.repo.dueResults(now, batch);
      let failed = 0;
      for (const { id, file } of due) {
        try {
          await this.deps.objects.delete(file);
          await this.deps.repo.resultExpired(id, new Date());
          deleted++;
        } catch (err) {
          failed++;
          this.deps.logger.warn({ err, taskId: id }, 'could not delete the file of a task; trying again next run');
        }
      }
      // A batch that failed whole would come back the same: leave it to the next run.
      if (due.length < batch || failed === due.length) return deleted;
    }
  }
}
