import type { JobRow, RolloutRow } from './ota.repository.ts';

/** A rollout as the API shows it, with its jobs counted by state. */
export function publicRollout(r: RolloutRow, counts: Record<string, number>) {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return {
    id: r.id,
    name: r.name,
    release_id: r.releaseId,
    target: r.target,
    phases: r.phases,
    current_phase: r.currentPhase,
    status: r.status,
    status_reason: r.statusReason,
    on_failure: r.onFailure,
    max_concurrent: r.maxConcurrent,
    window: r.window ?? null,
    progress_timeout_s: r.progressTimeoutS,
    counts: { total, ...counts },
    created_at: r.createdAt.toISOString(),
    updated_at: r.updatedAt.toISOString(),
  };
}

/** A device's job as the API shows it. */
export function publicJob(j: JobRow) {
  return {
    id: j.id,
    device_id: j.deviceId,
    phase: j.phase,
    state: j.state,
    progress: j.progress,
    error: j.error,
    delivered_at: j.deliveredAt?.toISOString() ?? null,
    updated_at: j.updatedAt.toISOString(),
  };
}
