import type { Logger } from 'pino';
import { type JobOffers, LocalJobOffers } from '../cluster/job-offers.ts';
import { KeyedSerial } from '../keyed-serial.ts';
import { JobChannel, type JobChannelOptions } from './job-channel.ts';
import type { OtaState, RolloutRow } from './ota.repository.ts';
import { OtaEvents } from './ota-events.ts';
import { RolloutControl } from './rollout-control.ts';
import { RolloutCreation, type RolloutInput } from './rollout-creation.ts';
import { RolloutPass } from './rollout-pass.ts';
import { RolloutStatus } from './rollout-status.ts';
import { RolloutStepper } from './rollout-step.ts';
import { RolloutTargets } from './rollout-targets.ts';
import { publicJob, publicRollout } from './rollout-view.ts';

export type { OtaEvent } from './ota-events.ts';
export type { RolloutInput } from './rollout-creation.ts';
export { publicJob, publicRollout } from './rollout-view.ts';

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
  /** Completed rollouts a scheduler pass looks at in turn (see `RolloutPass`). */
  completedPerPass?: number;
  /** How new jobs reach the node holding each device (`NatsJobOffers`); this process's broker by default. */
  offers?: JobOffers;
};

/**
 * Rollouts: which devices get a release and when (phases, thresholds, concurrency, windows), and
 * the per-device jobs the agents report on over MQTT (`devices/{id}/ota/job`, `ota/status`). The
 * parts: creation (create, dry run), the stepper (a rollout's next move), control (pause, resume,
 * advance, abort), the scheduler's pass, and the job channel to the devices.
 */
export class RolloutService {
  /** Every job and rollout change made here: recorded as domain events, streamed from there. */
  readonly events = new OtaEvents();
  private readonly channel: JobChannel;
  private readonly stepper: RolloutStepper;
  private readonly creation: RolloutCreation;
  private readonly control: RolloutControl;
  private readonly pass: RolloutPass;

  constructor(private readonly o: RolloutServiceOptions) {
    const log: Logger = o.logger.child({ component: 'ota' });
    const serial = new KeyedSerial();
    const repo = o.repo;
    const events = this.events;
    this.channel = new JobChannel({ ...o, events, serial, onFinished: (rollout) => this.stepper.step(rollout) });
    const offers = o.offers ?? new LocalJobOffers();
    offers.listen((offer) => this.channel.onOffered(offer));
    const targets = new RolloutTargets({ repo, devices: o.devices });
    const status = new RolloutStatus({ repo, orgs: o.orgs, events, channel: this.channel, logger: o.logger });
    this.stepper = new RolloutStepper({
      repo,
      channel: this.channel,
      offers,
      events,
      targets,
      status,
      serial,
      clusterLock: o.clusterLock,
    });
    this.creation = new RolloutCreation({ repo, devices: o.devices, targets, events, checkLimit: o.checkLimit });
    this.control = new RolloutControl({ repo, status, stepper: this.stepper });
    this.pass = new RolloutPass({
      repo,
      step: (rollout) => this.stepper.step(rollout),
      logger: log,
      completedPerPass: o.completedPerPass,
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

  /** Creates a rollout (refusing one that reaches no device) and takes its first step. */
  async create(orgId: string, input: RolloutInput) {
    const rollout = await this.creation.create(orgId, input);
    await this.stepper.step(rollout);
    return this.summary(orgId, rollout.id);
  }

  /** Which devices each phase would reach and which are left out, and why; nothing is created. */
  dryRun(orgId: string, input: RolloutInput) {
    return this.creation.dryRun(orgId, input);
  }

  async list(orgId: string, q: { status?: RolloutRow['status']; limit: number; before?: Date }) {
    const rows = await this.o.repo.rollouts(orgId, q);
    const counts = await this.o.repo.countsOf(rows.map((r) => r.id));
    return rows.map((r) => publicRollout(r, counts.get(r.id) ?? {}));
  }

  async summary(orgId: string, id: string) {
    const rollout = await this.control.found(orgId, id);
    return publicRollout(rollout, await this.o.repo.counts(rollout.id));
  }

  async jobs(orgId: string, id: string, q: { state?: OtaState; limit: number; after?: string }) {
    await this.control.found(orgId, id);
    return (await this.o.repo.jobPage(orgId, id, q)).map(publicJob);
  }

  pause(orgId: string, id: string) {
    return this.control.pause(orgId, id);
  }

  async resume(orgId: string, id: string) {
    await this.control.resume(orgId, id);
    return this.summary(orgId, id);
  }

  /** Starts the next phase now, whatever its wait or manual setting. */
  async advance(orgId: string, id: string) {
    await this.control.advance(orgId, id);
    return this.summary(orgId, id);
  }

  /** Stops the rollout for good: unfinished jobs are cancelled and their devices told so. */
  abort(orgId: string, id: string, reason?: string) {
    return this.control.abort(orgId, id, reason);
  }

  /** A device or group of the organization changed: its completed rollouts are looked at in the next pass. */
  targetsMayHaveChanged(orgId: string): void {
    this.pass.targetsMayHaveChanged(orgId);
  }

  /** One scheduler pass over the rollouts (see `RolloutPass`). */
  tick(): Promise<void> {
    return this.pass.run();
  }
}
