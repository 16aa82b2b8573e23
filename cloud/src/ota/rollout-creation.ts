import { randomUUID } from 'node:crypto';
import type { RolloutPhase } from '@iotp/db';
import type { DeviceRepository } from '../devices/device.repository.ts';
import { Conflict, Invalid, NotFound, RolloutMatchesNoDevice } from '../http/problem.ts';
import type { OtaRepository, ReleaseRow, RolloutRow } from './ota.repository.ts';
import type { OtaEvents } from './ota-events.ts';
import { emptyReason, previewRollout } from './rollout-preview.ts';
import type { RolloutTargets } from './rollout-targets.ts';

export interface RolloutInput {
  /** Set to create the rollout a dry run drew its phases for (the phase order follows the id). */
  id?: string;
  release_id: string;
  name?: string;
  target: { device_ids?: string[]; group_id?: string; tags?: string[] };
  phases: RolloutPhase[];
  max_concurrent: number;
  on_failure: 'pause' | 'abort';
  window?: { start: string; end: string };
  progress_timeout_s: number;
}

export interface RolloutCreationOptions {
  repo: OtaRepository;
  devices: DeviceRepository;
  targets: RolloutTargets;
  events: OtaEvents;
  /** Refuses a rollout past the plan's rollouts a month (throws a 402 problem). */
  checkLimit?: (orgId: string) => Promise<void>;
}

/**
 * New rollouts and dry runs: the request checked against the organization (release, phases,
 * target), then which devices each phase would reach and which are left out, and why.
 */
export class RolloutCreation {
  constructor(private readonly o: RolloutCreationOptions) {}

  /**
   * Creates a rollout, refusing one that would install the release on no device (400
   * `rollout-matches-no-device`, with the reasons counted). Its first step is the caller's.
   */
  async create(orgId: string, input: RolloutInput): Promise<RolloutRow> {
    await this.o.checkLimit?.(orgId);
    const release = await this.checkInput(orgId, input);
    const plan = await this.preview(orgId, release, input, input.id ?? randomUUID());
    const empty = emptyReason(plan, release);
    if (empty)
      throw new RolloutMatchesNoDevice(empty, {
        target_devices: plan.target_devices,
        excluded_counts: plan.excluded_counts,
      });
    const rollout = await this.o.repo.createRollout({
      id: plan.rollout_id,
      orgId,
      releaseId: release.id,
      name: input.name ?? `${release.name} ${release.version}`,
      target: input.target,
      phases: input.phases,
      maxConcurrent: input.max_concurrent,
      onFailure: input.on_failure,
      window: input.window ?? null,
      progressTimeoutS: input.progress_timeout_s,
    });
    if (!rollout) throw new Conflict(`A rollout with id ${plan.rollout_id} exists already`);
    this.o.events.rollout(rollout, 'active', 'created');
    return rollout;
  }

  /**
   * A dry run: which devices each phase would reach and which the rollout leaves out, and why;
   * nothing is created. Creating it with the `rollout_id` answered (as `id`) reaches them in this order.
   */
  async dryRun(orgId: string, input: RolloutInput) {
    const release = await this.checkInput(orgId, input);
    const plan = await this.preview(orgId, release, input, input.id ?? randomUUID());
    return {
      dry_run: true as const,
      release: { id: release.id, name: release.name, version: release.version, hardware: release.hardware },
      would_refuse: emptyReason(plan, release) ?? null,
      ...plan,
    };
  }

  /** Checks a rollout request against the organization: its release, phases and target. */
  private async checkInput(orgId: string, input: RolloutInput): Promise<ReleaseRow> {
    const release = await this.o.repo.release(orgId, input.release_id);
    if (!release) throw new NotFound('No such release');
    if (release.status !== 'ready') throw new Conflict('Upload the artifact of this release first');
    const last = input.phases.at(-1)!;
    if (last.percent !== 100) throw new Invalid('phases: the last phase must reach 100 percent');
    for (let i = 1; i < input.phases.length; i++)
      if (input.phases[i]!.percent <= input.phases[i - 1]!.percent)
        throw new Invalid('phases: each phase must reach a larger percent than the one before');
    const kinds = ['device_ids', 'group_id', 'tags'].filter((k) => k in input.target);
    if (kinds.length !== 1) throw new Invalid('target: give exactly one of device_ids, group_id, tags');
    if (input.target.group_id && !(await this.o.devices.groups.find(orgId, input.target.group_id)))
      throw new NotFound('No such group');
    if (input.target.device_ids) await this.checkDevices(orgId, input.target.device_ids);
    return release;
  }

  private async preview(orgId: string, release: ReleaseRow, input: RolloutInput, rolloutId: string) {
    const targets = await this.o.targets.devices(orgId, input.target);
    return previewRollout({
      rolloutId,
      phases: input.phases,
      window: input.window ?? null,
      release,
      targets,
      elsewhere: await this.o.repo.updatingElsewhere(targets.map((d) => d.id)),
      now: new Date(),
    });
  }

  /**
   * Refuses ids that are not devices of this organization: a rollout would keep another
   * tenant's device id in its target (and hand it a job should the id ever be valid here).
   */
  private async checkDevices(orgId: string, ids: string[]) {
    const known = new Set((await this.o.repo.devicesIn(orgId, ids)).map((d) => d.id));
    // UUIDs compare without case in PostgreSQL; the rows come back in lower case.
    const unknown = [...new Set(ids.filter((id) => !known.has(id.toLowerCase())))];
    if (unknown.length === 0) return;
    const shown = unknown.slice(0, 20);
    const more = unknown.length > shown.length ? ` and ${unknown.length - shown.length} more` : '';
    throw new Invalid(`target.device_ids: no such device in this organization: ${shown.join(', ')}${more}`, {
      errors: [{ path: 'target.device_ids', message: 'no such device in this organization' }],
      unknown_device_ids: unknown,
    });
  }
}
