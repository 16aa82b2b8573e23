import type { RolloutPhase } from '@iotp/db';
import type { DeviceRow } from '../devices/device.repository.ts';
import { type JobRow, type RolloutRow, TERMINAL } from './ota.repository.ts';
import { phaseOrder, reach } from './rollout-plan.ts';

/**
 * What the selection reads of a device. `hardware` is what its agent reports in the twin
 * (`reported.hardware`); without it the registry's `type` stands in.
 */
export type Candidate = Pick<DeviceRow, 'id' | 'type' | 'online' | 'firmwareVersion'> & { hardware?: string | null };

/** The board a device is: what its agent reports, else its registry type, else none known. */
export function hardwareOf(d: Pick<Candidate, 'type' | 'hardware'>): string | null {
  return d.hardware || d.type || null;
}

/** Whether a release built for `hardware` runs on the device (one of no known board takes any). */
export function runsOn(hardware: string[], d: Pick<Candidate, 'type' | 'hardware'>): boolean {
  const board = hardwareOf(d);
  return !board || hardware.includes(board);
}

/** A rollout's target as its phases see it. */
export interface PhaseReach<D extends Candidate> {
  /** Target devices the release runs on (`runsOn`), by id. */
  devices: Map<string, D>;
  /** Their ids in phase order (`phaseOrder`). */
  order: string[];
  /** How many of `order` the phases before the current one reach. */
  before: number;
  /** How many of `order` the current phase reaches. */
  allowed: number;
}

/** Which of the target's devices the release runs on, in phase order, and how far the current phase reaches. */
export function phaseReach<D extends Candidate>(
  rollout: Pick<RolloutRow, 'id' | 'phases' | 'currentPhase'>,
  hardware: string[],
  targets: D[],
): PhaseReach<D> {
  const devices = new Map(targets.filter((d) => runsOn(hardware, d)).map((d) => [d.id, d]));
  const order = phaseOrder(rollout.id, [...devices.keys()]);
  const before =
    rollout.currentPhase === 0 ? 0 : reach(order.length, rollout.phases[rollout.currentPhase - 1]!.percent);
  const allowed = reach(order.length, rollout.phases[rollout.currentPhase]!.percent);
  return { devices, order, before, allowed };
}

/** How many more jobs may be under way: `max_concurrent` less the unfinished ones. */
export function room(rollout: Pick<RolloutRow, 'maxConcurrent'>, jobs: Pick<JobRow, 'state'>[]): number {
  return rollout.maxConcurrent - jobs.filter((j) => !TERMINAL.includes(j.state)).length;
}

/** Devices the current phase reaches that have no job of this rollout yet, in phase order. */
export function waitingDevices<D extends Candidate>(r: PhaseReach<D>, jobs: Pick<JobRow, 'deviceId'>[]): D[] {
  const hasJob = new Set(jobs.map((j) => j.deviceId));
  return r.order
    .slice(0, r.allowed)
    .filter((id) => !hasJob.has(id))
    .map((id) => r.devices.get(id)!);
}

export interface Assignment<D extends Candidate> {
  device: D;
  /** The phase whose reach takes the device in first. */
  phase: number;
}

/**
 * Of the waiting devices not busy with another rollout's update: those already on `version`
 * (their jobs succeed at once, taking no room) and up to `room` others, online ones first, since an
 * offline one would hold a slot until it comes back.
 */
export function assignJobs<D extends Candidate>(
  r: PhaseReach<D>,
  phases: RolloutPhase[],
  waiting: D[],
  busy: Set<string>,
  version: string,
  room: number,
): { already: Assignment<D>[]; fresh: Assignment<D>[] } {
  const candidates = waiting.filter((d) => !busy.has(d.id)).sort((a, b) => Number(b.online) - Number(a.online));
  const position = new Map(r.order.map((deviceId, i) => [deviceId, i]));
  const assign = (device: D) => ({
    device,
    phase: phases.findIndex((p) => position.get(device.id)! < reach(r.order.length, p.percent)),
  });
  return {
    already: candidates.filter((d) => d.firmwareVersion === version).map(assign),
    fresh: candidates
      .filter((d) => d.firmwareVersion !== version)
      .slice(0, room)
      .map(assign),
  };
}
