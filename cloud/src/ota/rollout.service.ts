import { randomUUID } from 'node:crypto';
import type { RolloutPhase } from '@iotp/db';
import type { Logger } from 'pino';
import type { DeviceRow } from '../devices/device.repository.ts';
import { Conflict, Invalid, NotFound, RolloutMatchesNoDevice } from '../http/problem.ts';
import { KeyedSerial } from '../keyed-serial.ts';
import { JobChannel, type JobChannelOptions } from './job-channel.ts';
import type { JobRow, OtaState, ReleaseRow, RolloutRow } from './ota.repository.ts';
import { OtaEvents } from './ota-events.ts';
import { decide, inWindow, phaseStats } from './rollout-plan.ts';
import { emptyReason, previewRollout } from './rollout-preview.ts';
import { assignJobs, phaseReach, room, waitingDevices } from './rollout-selection.ts';

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

export type { OtaEvent } from './ota-events.ts';

/** What rollouts need: the repositories, the broker, and how to sign download URLs. */
export type RolloutServiceOptions = Omit<JobChannelOptions, 'events' | 'serial' | 'onFinished'> & {
  /** Refuses a rollout past the plan's rollouts a month (throws a 402 problem). */
  checkLimit?: (orgId: string) => Promise<void>;
  /**
   * Runs work on a rollout under a lock every node respects (`withDatabaseLock` on a PostgreSQL
   * server), so steps and operators' actions on one rollout never overlap across nodes and
   * `max_concurrent` holds; without it, work is serialized in this process only.
   */
  clusterLock?: <T>(key: string, work: () => Promise<T>) => Promise<T>;
  /**
   * Completed rollouts a pass looks at for devices that joined their target, taking turns; those
   * of an organization whose devices or groups changed (`targetsMayHaveChanged`) go first.
   */
  completedPerPass?: number;
};

/**
 * Rollouts: which devices get a release and when (phases, thresholds, concurrency, windows), and
 * the per-device jobs the agents report on over MQTT (`devices/{id}/ota/job`, `ota/status`).
 */
export class RolloutService {
  /** Every job and rollout change made here: recorded as domain events, streamed from there. */
  readonly events = new OtaEvents();
  private readonly log: Logger;
  private readonly serial = new KeyedSerial();
  private readonly channel: JobChannel;
  private ticking: Promise<void> | undefined;
  /** Organizations whose completed rollouts' targets may have grown since the last pass. */
  private readonly changed = new Set<string>();
  /** Where the bounded pass over completed rollouts goes on from (an id; undefined: the start). */
  private sweptTo: string | undefined;

  constructor(private readonly o: RolloutServiceOptions) {
    this.log = o.logger.child({ component: 'ota' });
    this.channel = new JobChannel({
      ...o,
      events: this.events,
      serial: this.serial,
      onFinished: (rollout) => this.step(rollout),
    });
  }

  /** A device's `ota/status`. Never throws. */
  onStatus(deviceId: string, payload: Buffer): Promise<void> {
    return this.channel.onStatus(deviceId, payload);
  }

  /** A device's `ota/request`: its open jobs again, with fresh URLs. Never throws. */
  onJobRequest(deviceId: string): Promise<void> {
    return this.channel.onJobRequest(deviceId);
  }

  /** A device subscribed to its jobs: an offline device gets what waited for it. Never throws. */
  onJobsSubscribed(deviceId: string): Promise<void> {
    return this.channel.onJobsSubscribed(deviceId);
  }

  /**
   * Creates a rollout, refusing one that would install the release on no device (400
   * `rollout-matches-no-device`, with the reasons counted).
   */
  async create(orgId: string, input: RolloutInput) {
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
    this.events.rollout(rollout, 'active', 'created');
    await this.step(rollout);
    return this.summary(orgId, rollout.id);
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
    const targets = await this.withHardware(await this.targetRows(orgId, input.target));
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

  async list(orgId: string, q: { status?: RolloutRow['status']; limit: number; before?: Date }) {
    const rows = await this.o.repo.rollouts(orgId, q);
    const counts = await this.o.repo.countsOf(rows.map((r) => r.id));
    return rows.map((r) => publicRollout(r, counts.get(r.id) ?? {}));
  }

  async summary(orgId: string, id: string) {
    const rollout = await this.found(orgId, id);
    return publicRollout(rollout, await this.o.repo.counts(rollout.id));
  }

  async jobs(orgId: string, id: string, q: { state?: OtaState; limit: number; after?: string }) {
    await this.found(orgId, id);
    return (await this.o.repo.jobPage(orgId, id, q)).map(publicJob);
  }

  async pause(orgId: string, id: string) {
    return this.locked(id, async () => {
      const rollout = await this.found(orgId, id);
      if (rollout.status !== 'active') throw new Conflict(`The rollout is ${rollout.status}, not active`);
      return this.setStatus(rollout, 'paused', 'paused by hand');
    });
  }

  async resume(orgId: string, id: string) {
    await this.locked(id, () => this.resumeNow(orgId, id));
    return this.summary(orgId, id);
  }

  private async resumeNow(orgId: string, id: string) {
    const rollout = await this.found(orgId, id);
    if (rollout.status !== 'paused') throw new Conflict(`The rollout is ${rollout.status}, not paused`);
    // Resuming accepts the failures seen so far; the threshold counts only new ones.
    const failed = (await this.o.repo.jobs(rollout.id)).filter(
      (j) => j.phase === rollout.currentPhase && (j.state === 'failed' || j.state === 'rolled_back'),
    ).length;
    await this.o.repo.updateRollout(rollout.id, { acceptedFailures: failed });
    await this.setStatus(rollout, 'active', null);
    await this.stepNow(orgId, id);
  }

  /** Starts the next phase now, whatever its wait or manual setting. */
  async advance(orgId: string, id: string) {
    await this.locked(id, () => this.advanceNow(orgId, id));
    return this.summary(orgId, id);
  }

  private async advanceNow(orgId: string, id: string) {
    const rollout = await this.found(orgId, id);
    if (rollout.status !== 'active') throw new Conflict(`The rollout is ${rollout.status}, not active`);
    if (rollout.currentPhase >= rollout.phases.length - 1) throw new Conflict('The rollout is in its last phase');
    const next = await this.o.repo.updateRollout(rollout.id, {
      currentPhase: rollout.currentPhase + 1,
      phaseStartedAt: new Date(),
      statusReason: null,
      acceptedFailures: 0,
    });
    this.events.rollout(next!, 'active', `phase ${rollout.currentPhase + 2} started by hand`);
    await this.stepNow(orgId, id);
  }

  /** Stops the rollout for good: unfinished jobs are cancelled and their devices told so. */
  async abort(orgId: string, id: string, reason = 'aborted by hand') {
    return this.locked(id, async () => {
      const rollout = await this.found(orgId, id);
      if (rollout.status === 'aborted') throw new Conflict('The rollout is aborted already');
      return this.stop(rollout, reason);
    });
  }

  /**
   * A device or group of the organization changed (created, tagged, added to a group): its
   * completed rollouts are checked for new target devices in the next pass.
   */
  targetsMayHaveChanged(orgId: string): void {
    this.changed.add(orgId);
  }

  /**
   * One pass, one at a time: every active rollout, the completed ones of organizations whose
   * devices changed, and a bounded, rotating share of the other completed ones (for a change no
   * event told of), so a pass never re-reads every finished rollout's whole target.
   */
  tick(): Promise<void> {
    this.ticking ??= (async () => {
      try {
        const limit = this.o.completedPerPass ?? 20;
        const orgIds = [...this.changed];
        this.changed.clear();
        const told = orgIds.length > 0 ? await this.o.repo.completed({ orgIds, limit: 1000 }) : [];
        const sweep = await this.o.repo.completed({ after: this.sweptTo, limit });
        this.sweptTo = sweep.length < limit ? undefined : sweep.at(-1)!.id;
        const seen = new Set<string>();
        const rollouts = [...(await this.o.repo.active()), ...told, ...sweep].filter(
          (r) => !seen.has(r.id) && seen.add(r.id),
        );
        for (const rollout of rollouts) {
          await this.step(rollout).catch((err) =>
            this.log.error({ err, rolloutId: rollout.id }, 'rollout step failed'),
          );
        }
      } finally {
        this.ticking = undefined;
      }
    })();
    return this.ticking;
  }

  /** One rollout's next move, one at a time per rollout. */
  private step(rollout: RolloutRow): Promise<void> {
    return this.locked(rollout.id, () => this.stepNow(rollout.orgId, rollout.id));
  }

  /** Work on one rollout, never beside other work on it (steps, operators' actions). */
  private locked<T>(rolloutId: string, work: () => Promise<T>): Promise<T> {
    const key = `rollout:${rolloutId}`;
    const { clusterLock } = this.o;
    return this.serial.run(key, clusterLock ? () => clusterLock(key, work) : work);
  }

  /** Checks the current phase, starts the next or stops the rollout, and hands out jobs. */
  private async stepNow(orgId: string, id: string): Promise<void> {
    const rollout = await this.o.repo.rollout(orgId, id);
    if (!rollout || rollout.status === 'paused' || rollout.status === 'aborted') return;
    const release = await this.o.repo.releaseById(rollout.releaseId);
    if (!release) return;
    const targets = phaseReach(rollout, release.hardware, await this.targetDevices(rollout));
    const jobs = await this.channel.timeOut(rollout, await this.o.repo.jobs(rollout.id));
    if (rollout.status === 'active') {
      const stats = phaseStats(rollout.currentPhase, targets.allowed - targets.before, jobs);
      const decision = decide(rollout, { ...stats, failed: stats.failed - rollout.acceptedFailures }, new Date());
      if (decision.kind === 'stop') {
        if (rollout.onFailure === 'abort') await this.stop(rollout, decision.reason);
        else await this.setStatus(rollout, 'paused', decision.reason);
        return;
      }
      if (decision.kind === 'complete') {
        await this.setStatus(rollout, 'completed', null);
      } else if (decision.kind === 'advance') {
        const next = await this.o.repo.updateRollout(rollout.id, {
          currentPhase: rollout.currentPhase + 1,
          phaseStartedAt: new Date(),
          statusReason: null,
          acceptedFailures: 0,
        });
        this.events.rollout(next!, 'active', `phase ${rollout.currentPhase + 2} started`);
        return this.stepNow(orgId, id);
      } else if (decision.kind === 'hold' && rollout.statusReason !== decision.reason) {
        await this.o.repo.updateRollout(rollout.id, { statusReason: decision.reason });
        this.events.rollout(rollout, 'active', decision.reason);
      }
    }
    if (!inWindow(rollout.window, new Date())) return;
    const free = room(rollout, jobs);
    if (free <= 0) return;
    const waiting = waitingDevices(targets, jobs);
    if (waiting.length === 0) return;
    // A newer rollout takes over jobs other rollouts handed out that never started.
    await this.channel.cancel(
      await this.o.repo.supersedePending(
        waiting.map((d) => d.id),
        rollout.id,
      ),
      `superseded by rollout ${rollout.name}`,
    );
    const busy = await this.o.repo.busyDevices(waiting.map((d) => d.id));
    const { already, fresh } = assignJobs(targets, rollout.phases, waiting, busy, release.version, free);
    const created = await this.o.repo.createJobs([
      ...already.map(({ device, phase }) => ({
        orgId: rollout.orgId,
        rolloutId: rollout.id,
        deviceId: device.id,
        phase,
        state: 'succeeded' as const,
        progress: 100,
        error: null,
      })),
      ...fresh.map(({ device, phase }) => ({
        orgId: rollout.orgId,
        rolloutId: rollout.id,
        deviceId: device.id,
        phase,
      })),
    ]);
    for (const job of created)
      this.events.job(job, job.state === 'succeeded' ? 'already running this version' : undefined);
    await this.channel.send(
      created.filter((j) => j.state === 'pending' && targets.devices.get(j.deviceId)?.online),
      rollout,
      release,
    );
    // Devices found on the new version count at once: the phase may be done already.
    if (already.length > 0 && rollout.status === 'active') await this.stepNow(orgId, id);
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

  /** The rollout's enabled target devices, each with the hardware its agent reports. */
  private async targetDevices(rollout: RolloutRow) {
    const rows = await this.targetRows(rollout.orgId, rollout.target);
    return this.withHardware(rows.filter((d) => !d.disabledAt));
  }

  private async targetRows(orgId: string, t: RolloutRow['target']): Promise<DeviceRow[]> {
    if (t.device_ids) return this.o.repo.devicesIn(orgId, t.device_ids);
    if (t.tags) return this.o.repo.devicesWithTags(orgId, t.tags);
    const group = await this.o.devices.groups.find(orgId, t.group_id!);
    return group ? this.o.devices.groups.devices(group) : [];
  }

  /** Each device with the board its agent reports in its twin, which the release's hardware is matched to. */
  private async withHardware(rows: DeviceRow[]) {
    const reported = await this.o.repo.reportedHardware(rows.map((d) => d.id));
    return rows.map((d) => ({ ...d, hardware: reported.get(d.id) ?? null }));
  }

  private async stop(rollout: RolloutRow, reason: string) {
    const { rollout: row, cancelled } = await this.o.repo.abort(rollout.id, reason);
    const updated = await this.statusChanged(row, reason);
    await this.channel.cancel(cancelled, reason);
    return updated;
  }

  private async setStatus(rollout: RolloutRow, status: RolloutRow['status'], reason: string | null) {
    return this.statusChanged((await this.o.repo.updateRollout(rollout.id, { status, statusReason: reason }))!, reason);
  }

  /** Records a changed status: the log, the audit trail, the event, and the rollout as the API shows it. */
  private async statusChanged(row: RolloutRow, reason: string | null) {
    const { status } = row;
    this.log.info({ rolloutId: row.id, status, reason }, `rollout ${status}`);
    await this.o.orgs.audit({
      orgId: row.orgId,
      actorType: 'system',
      action: `ota.rollout.${status}`,
      targetType: 'rollout',
      targetId: row.id,
      result: 'success',
      detail: reason ? { reason } : null,
    });
    this.events.rollout(row, status, reason ?? undefined);
    return publicRollout(row, await this.o.repo.counts(row.id));
  }

  private async found(orgId: string, id: string): Promise<RolloutRow> {
    const row = await this.o.repo.rollout(orgId, id);
    if (!row) throw new NotFound('No such rollout');
    return row;
  }
}

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
