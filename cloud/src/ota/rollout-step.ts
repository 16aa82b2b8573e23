import type { JobOffers } from '../cluster/job-offers.ts';
import type { KeyedSerial } from '../keyed-serial.ts';
import type { JobChannel } from './job-channel.ts';
import type { OtaRepository, RolloutRow } from './ota.repository.ts';
import type { OtaEvents } from './ota-events.ts';
import { decide, inWindow, phaseStats } from './rollout-plan.ts';
import { assignJobs, phaseReach, room, waitingDevices } from './rollout-selection.ts';
import type { RolloutStatus } from './rollout-status.ts';
import type { RolloutTargets } from './rollout-targets.ts';

export interface RolloutStepperOptions {
  repo: OtaRepository;
  channel: JobChannel;
  /** Where new jobs go: to every node, which sends those of the devices it holds. */
  offers: JobOffers;
  events: OtaEvents;
  targets: RolloutTargets;
  status: RolloutStatus;
  serial: KeyedSerial;
  /** A lock every node respects; without it, work on a rollout is serialized in this process only. */
  clusterLock?: <T>(key: string, work: () => Promise<T>) => Promise<T>;
}

/**
 * A rollout's next move: checks the current phase against its thresholds, starts the next phase or
 * stops the rollout, and hands jobs to the devices waiting in its reach, one move at a time per
 * rollout across every node.
 */
export class RolloutStepper {
  constructor(private readonly o: RolloutStepperOptions) {}

  /** One rollout's next move, one at a time per rollout. */
  step(rollout: RolloutRow): Promise<void> {
    return this.locked(rollout.id, () => this.stepNow(rollout.orgId, rollout.id));
  }

  /** Work on one rollout, never beside other work on it (steps, operators' actions). */
  locked<T>(rolloutId: string, work: () => Promise<T>): Promise<T> {
    const key = `rollout:${rolloutId}`;
    const { clusterLock } = this.o;
    return this.o.serial.run(key, clusterLock ? () => clusterLock(key, work) : work);
  }

  /** The move itself; only inside `locked`. */
  async stepNow(orgId: string, id: string): Promise<void> {
    const { repo, channel } = this.o;
    const rollout = await repo.rollout(orgId, id);
    if (!rollout || rollout.status === 'paused' || rollout.status === 'aborted') return;
    const release = await repo.releaseById(rollout.releaseId);
    if (!release) return;
    const targets = phaseReach(rollout, release.hardware, await this.o.targets.enabled(rollout));
    const jobs = await channel.timeOut(rollout, await repo.jobs(rollout.id));
    if (rollout.status === 'active') {
      const stats = phaseStats(rollout.currentPhase, targets.allowed - targets.before, jobs);
      const decision = decide(rollout, { ...stats, failed: stats.failed - rollout.acceptedFailures }, new Date());
      if (decision.kind === 'stop') {
        if (rollout.onFailure === 'abort') await this.o.status.stop(rollout, decision.reason);
        else await this.o.status.set(rollout, 'paused', decision.reason);
        return;
      }
      if (decision.kind === 'complete') {
        await this.o.status.set(rollout, 'completed', null);
      } else if (decision.kind === 'advance') {
        await this.nextPhase(rollout, `phase ${rollout.currentPhase + 2} started`);
        return this.stepNow(orgId, id);
      } else if (decision.kind === 'hold' && rollout.statusReason !== decision.reason) {
        await repo.updateRollout(rollout.id, { statusReason: decision.reason });
        this.o.events.rollout(rollout, 'active', decision.reason);
      }
    }
    if (!inWindow(rollout.window, new Date())) return;
    const free = room(rollout, jobs);
    if (free <= 0) return;
    const waiting = waitingDevices(targets, jobs);
    if (waiting.length === 0) return;
    // A newer rollout takes over jobs other rollouts handed out that never started.
    await channel.cancel(
      await repo.supersedePending(
        waiting.map((d) => d.id),
        rollout.id,
      ),
      `superseded by rollout ${rollout.name}`,
    );
    const busy = await repo.busyDevices(waiting.map((d) => d.id));
    const { already, fresh } = assignJobs(targets, rollout.phases, waiting, busy, release.version, free);
    const created = await this.createJobs(rollout, already, fresh);
    // Not to the devices the database shows online: a device's online state is written a moment
    // after its CONNACK, and its subscription to `ota/job` is handed its jobs at once, so a job
    // made in between would wait for its next connection. Instead, once the jobs are committed,
    // every node is offered them and sends those of the devices whose connection it holds. A device
    // that a node holds then gets its job from it (if the device has not subscribed yet, the jobs
    // handed out when it does are read after the job was committed); a device that connects to any
    // node after the offer is handed the committed job when it subscribes. Each step offers only
    // the jobs it made: nothing in memory has to survive a restart.
    await this.o.offers.offer({
      orgId: rollout.orgId,
      rolloutId: rollout.id,
      jobs: created.filter((j) => j.state === 'pending').map((j) => ({ id: j.id, deviceId: j.deviceId })),
    });
    // Devices found on the new version count at once: the phase may be done already.
    if (already.length > 0 && rollout.status === 'active') await this.stepNow(orgId, id);
  }

  /** Moves the rollout to its next phase, whose devices the next step reaches. */
  async nextPhase(rollout: RolloutRow, reason: string): Promise<void> {
    const next = await this.o.repo.updateRollout(rollout.id, {
      currentPhase: rollout.currentPhase + 1,
      phaseStartedAt: new Date(),
      statusReason: null,
      acceptedFailures: 0,
    });
    this.o.events.rollout(next!, 'active', reason);
  }

  /** Jobs for the devices assigned: succeeded at once for those on the version already, else pending. */
  private async createJobs(rollout: RolloutRow, already: Assigned[], fresh: Assigned[]) {
    const job = ({ device, phase }: Assigned) => ({
      orgId: rollout.orgId,
      rolloutId: rollout.id,
      deviceId: device.id,
      phase,
    });
    const created = await this.o.repo.createJobs([
      ...already.map((a) => ({ ...job(a), state: 'succeeded' as const, progress: 100, error: null })),
      ...fresh.map(job),
    ]);
    for (const j of created) this.o.events.job(j, j.state === 'succeeded' ? 'already running this version' : undefined);
    return created;
  }
}

/** A device given a job, and the phase it is in. */
interface Assigned {
  device: { id: string };
  phase: number;
}
