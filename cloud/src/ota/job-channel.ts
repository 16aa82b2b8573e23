import { isCanonicalUuid, OTA_STATES, type OtaCancel, type OtaJob, OtaStatusReport, SUFFIX } from '@iotp/protocol';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { DevicePublisher } from '../cluster/device-delivery.ts';
import type { JobOffer } from '../cluster/job-offers.ts';
import type { DeviceRepository } from '../devices/device.repository.ts';
import type { KeyedSerial } from '../keyed-serial.ts';
import type { OrgRepository } from '../orgs/org.repository.ts';
import {
  type JobRow,
  type OtaRepository,
  type OtaState,
  type ReleaseRow,
  type RolloutRow,
  TERMINAL,
} from './ota.repository.ts';
import type { OtaEvents } from './ota-events.ts';
import { deltaOf } from './release.service.ts';

const REQUEST_INTERVAL_MS = 5000;

/** The order of a successful update; a report may skip ahead, never go back. */
const FORWARD: OtaState[] = OTA_STATES.slice(0, OTA_STATES.indexOf('succeeded') + 1);

export interface JobChannelOptions {
  repo: OtaRepository;
  devices: DeviceRepository;
  orgs: OrgRepository;
  broker: DevicePublisher;
  /** Signs short-lived download URLs for a device and release: the artifact's and its delta's. */
  downloadUrl: (deviceId: string, releaseId: string) => Promise<{ url: string; delta_url: string; expires_at: string }>;
  logger: Logger;
  registry: Registry;
  events: OtaEvents;
  serial: KeyedSerial;
  /** A job ended: its rollout may move on. */
  onFinished: (rollout: RolloutRow) => Promise<void>;
}

/**
 * The device side of OTA over MQTT: jobs out on `devices/{id}/ota/job` (with a fresh download URL),
 * state reports in on `ota/status`, checked against the state machine; `ota/request` resends.
 */
export class JobChannel {
  private readonly log: Logger;
  private readonly rejected: Counter<'reason'>;
  private readonly transitions: Counter<'state'>;
  /** When each device last asked for its jobs again. */
  private readonly requests = new Map<string, number>();

  constructor(private readonly o: JobChannelOptions) {
    this.log = o.logger.child({ component: 'ota' });
    this.rejected = new Counter({
      name: 'ota_status_rejected_total',
      help: 'OTA status reports and job requests dropped, by reason',
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

  /** A device's `ota/status`. Never throws. */
  onStatus(deviceId: string, payload: Buffer): Promise<void> {
    return this.inOrder(deviceId, SUFFIX.otaStatus, () => this.report(deviceId, payload));
  }

  /** A device's `ota/request`: its open jobs again, with fresh URLs. Never throws. */
  onJobRequest(deviceId: string): Promise<void> {
    // Each answer signs URLs and reads the database: one every few seconds per device is plenty.
    const last = this.requests.get(deviceId) ?? 0;
    if (Date.now() - last < REQUEST_INTERVAL_MS) {
      this.reject(deviceId, 'request_too_soon', `ota/request within ${REQUEST_INTERVAL_MS} ms of the last`);
      return Promise.resolve();
    }
    this.requests.set(deviceId, Date.now());
    if (this.requests.size > 100_000) this.requests.delete(this.requests.keys().next().value!);
    return this.inOrder(deviceId, SUFFIX.otaRequest, () => this.sendOpenJobs(deviceId));
  }

  /** A device subscribed to its jobs: an offline device gets what waited for it. */
  async onJobsSubscribed(deviceId: string): Promise<void> {
    await this.sendOpenJobs(deviceId).catch((err) => this.log.error({ err, deviceId }, 'pending OTA jobs not sent'));
  }

  /**
   * New jobs offered to every node (`JobOffers`): those of the devices this node holds go out now,
   * unless started or cancelled meanwhile. Never throws.
   */
  async onOffered(offer: JobOffer): Promise<void> {
    const held = offer.jobs.filter((j) => this.o.broker.holds(j.deviceId));
    if (held.length === 0) return;
    try {
      const rollout = await this.o.repo.rollout(offer.orgId, offer.rolloutId);
      const release = rollout && (await this.o.repo.releaseById(rollout.releaseId));
      if (!rollout || !release) return;
      await this.send(await this.o.repo.pendingJobs(held.map((j) => j.id)), rollout, release);
    } catch (err) {
      this.log.error({ err, rolloutId: offer.rolloutId }, 'offered OTA jobs not sent');
    }
  }

  /** A device's messages are handled in the order they came, so a quick run of states all lands. */
  private inOrder(deviceId: string, topic: string, work: () => Promise<void>): Promise<void> {
    return this.o.serial.run(`device:${deviceId}`, async () => {
      try {
        await work();
      } catch (err) {
        this.log.error({ err, deviceId, topic }, 'OTA message not handled');
      }
    });
  }

  private async report(deviceId: string, payload: Buffer) {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      return this.reject(deviceId, 'not_json', 'status report is not JSON');
    }
    const parsed = OtaStatusReport.safeParse(json);
    if (!parsed.success)
      return this.reject(deviceId, 'invalid', 'status report needs job_id and a known state (see ota/status)');
    const doc = parsed.data;
    const state = doc.state;
    if (!isCanonicalUuid(doc.job_id)) return this.reject(deviceId, 'unknown_job', `job ${doc.job_id}`);
    const job = await this.o.repo.job(deviceId, doc.job_id);
    if (!job) return this.reject(deviceId, 'unknown_job', `job ${doc.job_id}`);
    if (TERMINAL.includes(job.state))
      return this.reject(deviceId, 'job_finished', `job ${job.id} is ${job.state}; report ${state} dropped`);
    const from = FORWARD.indexOf(job.state);
    const to = FORWARD.indexOf(state);
    if (to !== -1 && to < from)
      return this.reject(deviceId, 'invalid_transition', `job ${job.id}: ${job.state} -> ${state}`);
    const progress = doc.progress === undefined ? job.progress : Math.max(0, Math.min(100, Math.round(doc.progress)));
    const error = doc.error?.slice(0, 1000) ?? null;
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
    this.o.events.job(moved, error ?? undefined);
    if (TERMINAL.includes(state)) await this.o.onFinished(rollout);
  }

  private reject(deviceId: string, reason: string, detail: string) {
    this.rejected.inc({ reason });
    this.log.info({ deviceId, reason }, `OTA status dropped: ${detail}`);
  }

  /** Fails jobs under way whose device stopped reporting (it died or lost its way mid-update). */
  async timeOut(rollout: RolloutRow, jobs: JobRow[]): Promise<JobRow[]> {
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
      this.o.events.job(row, error);
    }
    return jobs.map((j) => moved.get(j.id) ?? j);
  }

  private async sendOpenJobs(deviceId: string) {
    for (const job of await this.o.repo.openJobs(deviceId)) {
      const rollout = await this.o.repo.rollout(job.orgId, job.rolloutId);
      const release = rollout && (await this.o.repo.releaseById(rollout.releaseId));
      if (rollout && release) await this.send([job], rollout, release);
    }
  }

  /** Publishes jobs of one rollout, each with a fresh download URL, on `devices/{id}/ota/job`. */
  async send(jobs: JobRow[], rollout: RolloutRow, release: ReleaseRow) {
    if (jobs.length === 0) return;
    // A delta only for devices on its base version; any other gets the full artifact alone.
    const base = release.deltaUploadedAt ? deltaOf(release)?.base_version : undefined;
    const versions = base ? await this.o.repo.firmwareVersions(jobs.map((j) => j.deviceId)) : new Map();
    await Promise.all(
      jobs.map((job) => this.publishJob(job, rollout, release, !!base && versions.get(job.deviceId) === base)),
    );
    await this.o.repo.markDelivered(jobs.map((j) => j.id));
  }

  private async publishJob(job: JobRow, rollout: RolloutRow, release: ReleaseRow, delta: boolean) {
    const { url, delta_url, expires_at } = await this.o.downloadUrl(job.deviceId, release.id);
    const message: OtaJob = {
      job_id: job.id,
      rollout_id: rollout.id,
      name: release.name,
      version: release.version,
      size: release.size,
      sha256: release.sha256,
      manifest: release.manifest,
      url,
      url_expires_at: expires_at,
      ...(delta ? { delta_url } : {}),
    };
    await this.o.broker.publishToDevice(job.deviceId, SUFFIX.otaJob, JSON.stringify(message), { qos: 1 });
  }

  /** Tells devices their unfinished jobs are cancelled. */
  async cancel(jobs: JobRow[], reason: string) {
    for (const job of jobs) {
      this.o.events.job(job, reason);
      const message: OtaCancel = { job_id: job.id, cancel: true };
      await this.o.broker
        .publishToDevice(job.deviceId, SUFFIX.otaJob, JSON.stringify(message), { qos: 1 })
        .catch(() => undefined);
    }
  }
}
