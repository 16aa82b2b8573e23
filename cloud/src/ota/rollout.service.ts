import { EventEmitter } from 'node:events';
import { OTA_STATES, type RolloutPhase } from '@iotp/db';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { DeviceRepository, DeviceRow } from '../devices/device.repository.ts';
import { Conflict, Invalid, NotFound } from '../http/problem.ts';
import type { OrgRepository } from '../orgs/org.repository.ts';
import type { DevicePublisher } from '../twin/twin.service.ts';
import {
  type JobRow,
  type OtaRepository,
  type OtaState,
  type ReleaseRow,
  type RolloutRow,
  TERMINAL,
} from './ota.repository.ts';
import { decide, inWindow, phaseOrder, phaseStats, reach } from './rollout-plan.ts';

/** The order of a successful update; a report may skip ahead, never go back. */
const FORWARD: OtaState[] = OTA_STATES.slice(0, OTA_STATES.indexOf('succeeded') + 1);

export interface RolloutInput {
  release_id: string;
  name?: string;
  target: { device_ids?: string[]; group_id?: string; tags?: string[] };
  phases: RolloutPhase[];
  max_concurrent: number;
  on_failure: 'pause' | 'abort';
  window?: { start: string; end: string };
  progress_timeout_s: number;
}

export interface OtaEvent {
  org_id: string;
  rollout_id: string;
  device_id?: string;
  job_id?: string;
  state: string;
  detail?: string;
  at: string;
}

export interface RolloutServiceOptions {
  repo: OtaRepository;
  devices: DeviceRepository;
  orgs: OrgRepository;
  broker: DevicePublisher;
  /** Signs a short-lived download URL for a device and release. */
  downloadUrl: (deviceId: string, releaseId: string) => Promise<{ url: string; expires_at: string }>;
  logger: Logger;
  registry: Registry;
}

/**
 * Rollouts: which devices get a release and when (phases, thresholds, concurrency, windows), and
 * the per-device jobs the agents report on over MQTT (`devices/{id}/ota/job`, `ota/status`).
 */
export class RolloutService {
  /** Every job and rollout change, for listeners (server-sent events, tests). */
  readonly events = new EventEmitter<{ event: [OtaEvent] }>();
  private readonly log: Logger;
  private readonly rejected: Counter<'reason'>;
  private readonly transitions: Counter<'state'>;
  private ticking: Promise<void> | undefined;
  /** Work on one device's reports, or on one rollout, runs in order: never two at once. */
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly o: RolloutServiceOptions) {
    this.log = o.logger.child({ component: 'ota' });
    this.events.setMaxListeners(100);
    this.rejected = new Counter({
      name: 'ota_status_rejected_total',
      help: 'OTA status reports dropped, by reason',
      labelNames: ['reason'],
      registers: [o.registry],
    });
    this.transitions = new Counter({
      name: 'ota_job_transitions_total',
      help: 'OTA job state changes, by new state',
      labelNames: ['state'],
      registers: [o.registry],
    });
  }

  async create(orgId: string, input: RolloutInput) {
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
    if (input.target.group_id && !(await this.o.devices.group(orgId, input.target.group_id)))
      throw new NotFound('No such group');
    const rollout = await this.o.repo.createRollout({
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
    this.emit(rollout, 'active', 'created');
    await this.step(rollout);
    return this.summary(orgId, rollout.id);
  }

  async list(orgId: string, q: { status?: RolloutRow['status']; limit: number; before?: Date }) {
    const rows = await this.o.repo.rollouts(orgId, q);
    return Promise.all(rows.map(async (r) => publicRollout(r, await this.o.repo.counts(r.id))));
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
    const rollout = await this.found(orgId, id);
    if (rollout.status !== 'active') throw new Conflict(`The rollout is ${rollout.status}, not active`);
    return this.setStatus(rollout, 'paused', 'paused by hand');
  }

  async resume(orgId: string, id: string) {
    const rollout = await this.found(orgId, id);
    if (rollout.status !== 'paused') throw new Conflict(`The rollout is ${rollout.status}, not paused`);
    // Resuming accepts the failures seen so far; the threshold counts only new ones.
    const failed = (await this.o.repo.jobs(rollout.id)).filter(
      (j) => j.phase === rollout.currentPhase && (j.state === 'failed' || j.state === 'rolled_back'),
    ).length;
    await this.o.repo.updateRollout(rollout.id, { acceptedFailures: failed });
    await this.setStatus(rollout, 'active', null);
    await this.step(rollout);
    return this.summary(orgId, id);
  }

  /** Starts the next phase now, whatever its wait or manual setting. */
  async advance(orgId: string, id: string) {
    const rollout = await this.found(orgId, id);
    if (rollout.status !== 'active') throw new Conflict(`The rollout is ${rollout.status}, not active`);
    if (rollout.currentPhase >= rollout.phases.length - 1) throw new Conflict('The rollout is in its last phase');
    const next = await this.o.repo.updateRollout(rollout.id, {
      currentPhase: rollout.currentPhase + 1,
      phaseStartedAt: new Date(),
      statusReason: null,
      acceptedFailures: 0,
    });
    this.emit(next!, 'active', `phase ${rollout.currentPhase + 2} started by hand`);
    await this.step(next!);
    return this.summary(orgId, id);
  }

  /** Stops the rollout for good: unfinished jobs are cancelled and their devices told so. */
  async abort(orgId: string, id: string, reason = 'aborted by hand') {
    const rollout = await this.found(orgId, id);
    if (rollout.status === 'aborted') throw new Conflict('The rollout is aborted already');
    return this.stop(rollout, reason);
  }

  /** One pass over every runnable rollout; runs one at a time. */
  tick(): Promise<void> {
    this.ticking ??= (async () => {
      try {
        for (const rollout of await this.o.repo.runnable()) {
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

  /** Handles `ota/status` and `ota/request` from a device. Never throws. */
  onDeviceMessage(deviceId: string, suffix: string, payload: Buffer): Promise<void> {
    if (suffix !== 'ota/status' && suffix !== 'ota/request') return Promise.resolve();
    // A device's reports are handled in the order they came, so a quick run of states all lands.
    return this.serial(`device:${deviceId}`, async () => {
      try {
        if (suffix === 'ota/status') await this.report(deviceId, payload);
        else await this.sendOpenJobs(deviceId);
      } catch (err) {
        this.log.error({ err, deviceId, suffix }, 'OTA message not handled');
      }
    });
  }

  private serial(key: string, work: () => Promise<void>): Promise<void> {
    const next = (this.chains.get(key) ?? Promise.resolve()).then(work, work);
    const settled = next.catch(() => undefined);
    this.chains.set(key, settled);
    void settled.then(() => {
      if (this.chains.get(key) === settled) this.chains.delete(key);
    });
    return next;
  }

  /** A device subscribed to its jobs: an offline device gets what waited for it. */
  async onDeviceSubscribe(deviceId: string, filter: string): Promise<void> {
    if (!['ota/job', 'ota/#', '#'].includes(filter)) return;
    await this.sendOpenJobs(deviceId).catch((err) => this.log.error({ err, deviceId }, 'pending OTA jobs not sent'));
  }

  private async report(deviceId: string, payload: Buffer) {
    let doc: { job_id?: unknown; state?: unknown; progress?: unknown; error?: unknown };
    try {
      doc = JSON.parse(payload.toString('utf8'));
    } catch {
      return this.reject(deviceId, 'not_json', 'status report is not JSON');
    }
    if (typeof doc !== 'object' || doc === null || typeof doc.job_id !== 'string' || typeof doc.state !== 'string')
      return this.reject(deviceId, 'invalid', 'status report needs job_id and state');
    const state = doc.state as OtaState;
    if (!FORWARD.includes(state) && state !== 'failed' && state !== 'rolled_back')
      return this.reject(deviceId, 'invalid', `unknown state ${doc.state}`);
    if (!/^[0-9a-f-]{36}$/.test(doc.job_id)) return this.reject(deviceId, 'unknown_job', `job ${doc.job_id}`);
    const job = await this.o.repo.job(deviceId, doc.job_id);
    if (!job) return this.reject(deviceId, 'unknown_job', `job ${doc.job_id}`);
    if (TERMINAL.includes(job.state))
      return this.reject(deviceId, 'job_finished', `job ${job.id} is ${job.state}; report ${state} dropped`);
    const from = FORWARD.indexOf(job.state);
    const to = FORWARD.indexOf(state);
    if (to !== -1 && to < from)
      return this.reject(deviceId, 'invalid_transition', `job ${job.id}: ${job.state} -> ${state}`);
    const progress =
      typeof doc.progress === 'number' ? Math.max(0, Math.min(100, Math.round(doc.progress))) : job.progress;
    const error = typeof doc.error === 'string' ? doc.error.slice(0, 1000) : null;
    const rollout = (await this.o.repo.rollout(job.orgId, job.rolloutId))!;
    if (state === 'succeeded') {
      // The registry shows the new version by the time anyone sees the job succeeded.
      const release = await this.o.repo.release(job.orgId, rollout.releaseId);
      if (release) await this.o.devices.setFirmwareVersion(deviceId, release.version);
    }
    const moved = await this.o.repo.moveJob(job.id, job.state, {
      state,
      progress: state === 'succeeded' ? 100 : progress,
      error,
    });
    if (!moved) return this.reject(deviceId, 'conflict', `job ${job.id} changed meanwhile`);
    if (state === job.state) return; // progress only
    this.transitions.inc({ state });
    await this.o.orgs.audit({
      orgId: job.orgId,
      actorType: 'device',
      actorId: deviceId,
      action: `ota.job.${state}`,
      targetType: 'ota_job',
      targetId: job.id,
      result: state === 'failed' || state === 'rolled_back' ? 'failure' : 'success',
      detail: { rollout_id: job.rolloutId, from: job.state, ...(error ? { error } : {}) },
    });
    this.emitJob(moved, error ?? undefined);
    if (TERMINAL.includes(state)) await this.step(rollout);
  }

  private reject(deviceId: string, reason: string, detail: string) {
    this.rejected.inc({ reason });
    this.log.info({ deviceId, reason }, `OTA status dropped: ${detail}`);
  }

  /** One rollout's next move, one at a time per rollout. */
  private step(rollout: RolloutRow): Promise<void> {
    return this.serial(`rollout:${rollout.id}`, () => this.stepNow(rollout.orgId, rollout.id));
  }

  /** Checks the current phase, starts the next or stops the rollout, and hands out jobs. */
  private async stepNow(orgId: string, id: string): Promise<void> {
    const rollout = await this.o.repo.rollout(orgId, id);
    if (!rollout || rollout.status === 'paused' || rollout.status === 'aborted') return;
    const release = await this.o.repo.releaseById(rollout.releaseId);
    if (!release) return;
    const targets = (await this.targetDevices(rollout)).filter((d) => !d.type || release.hardware.includes(d.type));
    const order = phaseOrder(
      rollout.id,
      targets.map((d) => d.id),
    );
    const jobs = await this.timeOutSilent(rollout, await this.o.repo.jobs(rollout.id));
    const phase = rollout.phases[rollout.currentPhase]!;
    const before =
      rollout.currentPhase === 0 ? 0 : reach(order.length, rollout.phases[rollout.currentPhase - 1]!.percent);
    const allowed = reach(order.length, phase.percent);
    if (rollout.status === 'active') {
      const stats = phaseStats(rollout.currentPhase, allowed - before, jobs);
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
        this.emit(next!, 'active', `phase ${rollout.currentPhase + 2} started`);
        return this.stepNow(orgId, id);
      } else if (decision.kind === 'hold' && rollout.statusReason !== decision.reason) {
        await this.o.repo.updateRollout(rollout.id, { statusReason: decision.reason });
        this.emit(rollout, 'active', decision.reason);
      }
    }
    if (!inWindow(rollout.window, new Date())) return;
    const open = jobs.filter((j) => !TERMINAL.includes(j.state)).length;
    const room = rollout.maxConcurrent - open;
    if (room <= 0) return;
    const hasJob = new Set(jobs.map((j) => j.deviceId));
    const byId = new Map(targets.map((d) => [d.id, d]));
    const waiting = order
      .slice(0, allowed)
      .filter((id) => !hasJob.has(id))
      .map((id) => byId.get(id)!);
    if (waiting.length === 0) return;
    const busy = await this.o.repo.busyDevices(waiting.map((d) => d.id));
    // Online devices first: an offline one would hold a slot until it comes back.
    const candidates = waiting.filter((d) => !busy.has(d.id)).sort((a, b) => Number(b.online) - Number(a.online));
    const phaseOf = (id: string) => {
      const at = order.indexOf(id);
      return rollout.phases.findIndex((p) => at < reach(order.length, p.percent));
    };
    const already = candidates.filter((d) => d.firmwareVersion === release.version);
    const fresh = candidates.filter((d) => d.firmwareVersion !== release.version).slice(0, room);
    const created = await this.o.repo.createJobs([
      ...already.map((d) => ({
        orgId: rollout.orgId,
        rolloutId: rollout.id,
        deviceId: d.id,
        phase: phaseOf(d.id),
        state: 'succeeded' as const,
        progress: 100,
        error: null,
      })),
      ...fresh.map((d) => ({ orgId: rollout.orgId, rolloutId: rollout.id, deviceId: d.id, phase: phaseOf(d.id) })),
    ]);
    for (const job of created)
      this.emitJob(job, job.state === 'succeeded' ? 'already running this version' : undefined);
    await this.sendJobs(
      created.filter((j) => j.state === 'pending' && byId.get(j.deviceId)?.online),
      rollout,
      release,
    );
    // Devices found on the new version count at once: the phase may be done already.
    if (already.length > 0 && rollout.status === 'active') await this.stepNow(orgId, id);
  }

  /** Fails jobs under way whose device stopped reporting (it died or lost its way mid-update). */
  private async timeOutSilent(rollout: RolloutRow, jobs: JobRow[]): Promise<JobRow[]> {
    const limit = Date.now() - rollout.progressTimeoutS * 1000;
    const silent = jobs.filter(
      (j) => j.state !== 'pending' && !TERMINAL.includes(j.state) && j.updatedAt.getTime() < limit,
    );
    if (silent.length === 0) return jobs;
    const error = `no report for ${rollout.progressTimeoutS} s`;
    const moved = new Map<string, JobRow>();
    for (const job of silent) {
      const row = await this.o.repo.moveJob(job.id, job.state, { state: 'failed', error });
      if (!row) continue;
      moved.set(row.id, row);
      this.transitions.inc({ state: 'failed' });
      await this.o.orgs.audit({
        orgId: job.orgId,
        actorType: 'system',
        action: 'ota.job.failed',
        targetType: 'ota_job',
        targetId: job.id,
        result: 'failure',
        detail: { rollout_id: job.rolloutId, from: job.state, error },
      });
      this.emitJob(row, error);
    }
    return jobs.map((j) => moved.get(j.id) ?? j);
  }

  private async targetDevices(rollout: RolloutRow): Promise<DeviceRow[]> {
    const t = rollout.target;
    let rows: DeviceRow[];
    if (t.device_ids) rows = await this.o.repo.devicesIn(rollout.orgId, t.device_ids);
    else if (t.tags) rows = await this.o.repo.devicesWithTags(rollout.orgId, t.tags);
    else {
      const group = await this.o.devices.group(rollout.orgId, t.group_id!);
      rows = group ? await this.o.devices.groupDevices(group) : [];
    }
    return rows.filter((d) => !d.disabledAt);
  }

  private async sendOpenJobs(deviceId: string) {
    for (const job of await this.o.repo.openJobs(deviceId)) {
      const rollout = await this.o.repo.rollout(job.orgId, job.rolloutId);
      const release = rollout && (await this.o.repo.releaseById(rollout.releaseId));
      if (rollout && release) await this.sendJobs([job], rollout, release);
    }
  }

  /** Publishes jobs of one rollout, each with a fresh download URL, on `devices/{id}/ota/job`. */
  private async sendJobs(jobs: JobRow[], rollout: RolloutRow, release: ReleaseRow) {
    if (jobs.length === 0) return;
    await Promise.all(jobs.map((job) => this.publishJob(job, rollout, release)));
    await this.o.repo.markDelivered(jobs.map((j) => j.id));
  }

  private async publishJob(job: JobRow, rollout: RolloutRow, release: ReleaseRow) {
    const { url, expires_at } = await this.o.downloadUrl(job.deviceId, release.id);
    await this.o.broker.publishToDevice(
      job.deviceId,
      'ota/job',
      JSON.stringify({
        job_id: job.id,
        rollout_id: rollout.id,
        name: release.name,
        version: release.version,
        size: release.size,
        sha256: release.sha256,
        manifest: release.manifest,
        url,
        url_expires_at: expires_at,
      }),
      { qos: 1 },
    );
  }

  private async stop(rollout: RolloutRow, reason: string) {
    const updated = await this.setStatus(rollout, 'aborted', reason);
    for (const job of await this.o.repo.cancelOpen(rollout.id)) {
      this.emitJob(job, reason);
      await this.o.broker
        .publishToDevice(job.deviceId, 'ota/job', JSON.stringify({ job_id: job.id, cancel: true }), { qos: 1 })
        .catch(() => undefined);
    }
    return updated;
  }

  private async setStatus(rollout: RolloutRow, status: RolloutRow['status'], reason: string | null) {
    const row = (await this.o.repo.updateRollout(rollout.id, { status, statusReason: reason }))!;
    this.log.info({ rolloutId: rollout.id, status, reason }, `rollout ${status}`);
    await this.o.orgs.audit({
      orgId: rollout.orgId,
      actorType: 'system',
      action: `ota.rollout.${status}`,
      targetType: 'rollout',
      targetId: rollout.id,
      result: 'success',
      detail: reason ? { reason } : null,
    });
    this.emit(row, status, reason ?? undefined);
    return publicRollout(row, await this.o.repo.counts(row.id));
  }

  private emit(rollout: RolloutRow, state: string, detail?: string) {
    this.events.emit('event', {
      org_id: rollout.orgId,
      rollout_id: rollout.id,
      state,
      ...(detail ? { detail } : {}),
      at: new Date().toISOString(),
    });
  }

  private emitJob(job: JobRow, detail?: string) {
    this.events.emit('event', {
      org_id: job.orgId,
      rollout_id: job.rolloutId,
      device_id: job.deviceId,
      job_id: job.id,
      state: job.state,
      ...(detail ? { detail } : {}),
      at: new Date().toISOString(),
    });
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
