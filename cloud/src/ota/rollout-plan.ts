import { createHash } from 'node:crypto';
import type { RolloutPhase } from '@iotp/db';
import type { JobRow, RolloutRow } from './ota.repository.ts';
import { TERMINAL } from './ota.repository.ts';

/**
 * The target in a stable, random-looking order: phase k takes the first `percent` of it, so a
 * phase never reshuffles who went before and a device joining later lands at a fixed place.
 */
export function phaseOrder(rolloutId: string, deviceIds: string[]): string[] {
  const rank = (id: string) => createHash('sha256').update(`${rolloutId}/${id}`).digest('hex');
  return deviceIds
    .map((id) => ({ id, r: rank(id) }))
    .sort((a, b) => (a.r < b.r ? -1 : a.r > b.r ? 1 : 0))
    .map((x) => x.id);
}

/** How many of `total` devices a phase of `percent` reaches (at least one once there is any). */
export function reach(total: number, percent: number): number {
  return Math.min(total, Math.ceil((total * percent) / 100));
}

/** Whether `now` falls in a daily UTC window `HH:MM`-`HH:MM` (which may wrap past midnight). */
export function inWindow(window: { start: string; end: string } | null | undefined, now: Date): boolean {
  if (!window) return true;
  const minutes = (hhmm: string) => {
    const [h, m] = hhmm.split(':').map(Number);
    return h! * 60 + m!;
  };
  const t = now.getUTCHours() * 60 + now.getUTCMinutes();
  const start = minutes(window.start);
  const end = minutes(window.end);
  return start <= end ? t >= start && t < end : t >= start || t < end;
}

export interface PhaseStats {
  /** Devices this phase adds to the rollout. */
  devices: number;
  succeeded: number;
  failed: number;
  open: number;
}

export function phaseStats(phase: number, phaseDevices: number, jobs: JobRow[]): PhaseStats {
  const mine = jobs.filter((j) => j.phase === phase);
  return {
    devices: phaseDevices,
    succeeded: mine.filter((j) => j.state === 'succeeded').length,
    failed: mine.filter((j) => j.state === 'failed' || j.state === 'rolled_back').length,
    open: mine.filter((j) => !TERMINAL.includes(j.state)).length,
  };
}

export type Decision =
  | { kind: 'wait' }
  | { kind: 'stop'; reason: string }
  | { kind: 'advance' }
  | { kind: 'complete' }
  | { kind: 'hold'; reason: string };

/** What a rollout does next, given its current phase's numbers. */
export function decide(rollout: RolloutRow, stats: PhaseStats, now: Date): Decision {
  const phase: RolloutPhase = rollout.phases[rollout.currentPhase]!;
  const n = Math.max(stats.devices, 1);
  if (stats.failed / n > phase.failure_threshold) {
    return {
      kind: 'stop',
      reason: `${stats.failed} of ${stats.devices} devices failed in phase ${rollout.currentPhase + 1} (threshold ${Math.round(phase.failure_threshold * 100)}%)`,
    };
  }
  if (stats.succeeded / n < phase.success_threshold) return { kind: 'wait' };
  if (rollout.currentPhase === rollout.phases.length - 1)
    return stats.open === 0 ? { kind: 'complete' } : { kind: 'wait' };
  if (phase.advance === 'manual')
    return { kind: 'hold', reason: `phase ${rollout.currentPhase + 1} done: advance it by hand` };
  if (now.getTime() - rollout.phaseStartedAt.getTime() < phase.wait_s * 1000) return { kind: 'wait' };
  return { kind: 'advance' };
}
