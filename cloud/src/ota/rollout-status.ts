import type { Logger } from 'pino';
import type { OrgRepository } from '../orgs/org.repository.ts';
import type { JobChannel } from './job-channel.ts';
import type { OtaRepository, RolloutRow } from './ota.repository.ts';
import type { OtaEvents } from './ota-events.ts';
import { publicRollout } from './rollout-view.ts';

export interface RolloutStatusOptions {
  repo: OtaRepository;
  orgs: OrgRepository;
  events: OtaEvents;
  channel: JobChannel;
  logger: Logger;
}

/**
 * A rollout's status changes (paused, resumed, completed, aborted), each one logged, audited and
 * sent as an event; stopping one also cancels its unfinished jobs on the devices.
 */
export class RolloutStatus {
  private readonly log: Logger;
  constructor(private readonly o: RolloutStatusOptions) {
    this.log = o.logger.child({ component: 'ota' });
  }

  async set(rollout: RolloutRow, status: RolloutRow['status'], reason: string | null) {
    return this.changed((await this.o.repo.updateRollout(rollout.id, { status, statusReason: reason }))!, reason);
  }

  /** Aborts the rollout: its unfinished jobs are cancelled and their devices told so. */
  async stop(rollout: RolloutRow, reason: string) {
    const { rollout: row, cancelled } = await this.o.repo.abort(rollout.id, reason);
    const updated = await this.changed(row, reason);
    await this.o.channel.cancel(cancelled, reason);
    return updated;
  }

  /** Records a changed status: the log, the audit trail, the event, and the rollout as the API shows it. */
  private async changed(row: RolloutRow, reason: string | null) {
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
    this.o.events.rollout(row, status, reason ?? undefined);
    return publicRollout(row, await this.o.repo.counts(row.id));
  }
}
