import { Conflict, NotFound } from '../http/problem.ts';
import type { OtaRepository, RolloutRow } from './ota.repository.ts';
import type { RolloutStatus } from './rollout-status.ts';
import type { RolloutStepper } from './rollout-step.ts';

export interface RolloutControlOptions {
  repo: OtaRepository;
  status: RolloutStatus;
  stepper: RolloutStepper;
}

/** What an operator does to a rollout: pause, resume, start the next phase, abort; each under the rollout's lock. */
export class RolloutControl {
  constructor(private readonly o: RolloutControlOptions) {}

  async pause(orgId: string, id: string) {
    return this.o.stepper.locked(id, async () => {
      const rollout = await this.found(orgId, id);
      if (rollout.status !== 'active') throw new Conflict(`The rollout is ${rollout.status}, not active`);
      return this.o.status.set(rollout, 'paused', 'paused by hand');
    });
  }

  async resume(orgId: string, id: string): Promise<void> {
    await this.o.stepper.locked(id, async () => {
      const rollout = await this.found(orgId, id);
      if (rollout.status !== 'paused') throw new Conflict(`The rollout is ${rollout.status}, not paused`);
      // Resuming accepts the failures seen so far; the threshold counts only new ones.
      const failed = (await this.o.repo.jobs(rollout.id)).filter(
        (j) => j.phase === rollout.currentPhase && (j.state === 'failed' || j.state === 'rolled_back'),
      ).length;
      await this.o.repo.updateRollout(rollout.id, { acceptedFailures: failed });
      await this.o.status.set(rollout, 'active', null);
      await this.o.stepper.stepNow(orgId, id);
    });
  }

  /** Starts the next phase now, whatever its wait or manual setting. */
  async advance(orgId: string, id: string): Promise<void> {
    await this.o.stepper.locked(id, async () => {
      const rollout = await this.found(orgId, id);
      if (rollout.status !== 'active') throw new Conflict(`The rollout is ${rollout.status}, not active`);
      if (rollout.currentPhase >= rollout.phases.length - 1) throw new Conflict('The rollout is in its last phase');
      await this.o.stepper.nextPhase(rollout, `phase ${rollout.currentPhase + 2} started by hand`);
      await this.o.stepper.stepNow(orgId, id);
    });
  }

  /** Stops the rollout for good: unfinished jobs are cancelled and their devices told so. */
  async abort(orgId: string, id: string, reason = 'aborted by hand') {
    return this.o.stepper.locked(id, async () => {
      const rollout = await this.found(orgId, id);
      if (rollout.status === 'aborted') throw new Conflict('The rollout is aborted already');
      return this.o.status.stop(rollout, reason);
    });
  }

  async found(orgId: string, id: string): Promise<RolloutRow> {
    const row = await this.o.repo.rollout(orgId, id);
    if (!row) throw new NotFound('No such rollout');
    return row;
  }
}
