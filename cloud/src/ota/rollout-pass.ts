import type { Logger } from 'pino';
import type { OtaRepository, RolloutRow } from './ota.repository.ts';

export interface RolloutPassOptions {
  repo: OtaRepository;
  /** One rollout's next move (the stepper's). */
  step: (rollout: RolloutRow) => Promise<void>;
  logger: Logger;
  /**
   * Completed rollouts a pass looks at for devices that joined their target, taking turns; those
   * of an organization whose devices or groups changed (`targetsMayHaveChanged`) go first.
   */
  completedPerPass?: number;
}

/**
 * The scheduler's pass over rollouts: every active rollout, the completed ones of organizations
 * whose devices changed, and a bounded, rotating share of the other completed ones (for a change
 * no event told of), so a pass never re-reads every finished rollout's whole target.
 */
export class RolloutPass {
  private running: Promise<void> | undefined;
  /** Organizations whose completed rollouts' targets may have grown since the last pass. */
  private readonly changed = new Set<string>();
  /** Where the bounded pass over completed rollouts goes on from (an id; undefined: the start). */
  private sweptTo: string | undefined;

  constructor(private readonly o: RolloutPassOptions) {}

  /**
   * A device or group of the organization changed (created, tagged, added to a group): its
   * completed rollouts are checked for new target devices in the next pass.
   */
  targetsMayHaveChanged(orgId: string): void {
    this.changed.add(orgId);
  }

  /** One pass, one at a time: a call during a pass gets that pass. */
  run(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<void> {
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
      await this.o
        .step(rollout)
        .catch((err) => this.o.logger.error({ err, rolloutId: rollout.id }, 'rollout step failed'));
    }
  }
}
