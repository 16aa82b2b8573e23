import type { JobRow, RolloutRow } from './ota.repository.ts';

/** One change of a rollout or of a device's job, as streamed at `/ota/events`. */
export interface OtaEvent {
  org_id: string;
  rollout_id: string;
  device_id?: string;
  job_id?: string;
  state: string;
  detail?: string;
  at: string;
}

/**
 * Every job and rollout change made on this node, handed to `onChange` listeners: the outbox of
 * domain events records each one (`ota.job.changed`, `ota.rollout.changed`), and from there it is
 * streamed on every node (`/ota/events`) and kept.
 * @example const events = new OtaEvents(); events.onChange((e) => record(e)); events.job(row);
 */
export class OtaEvents {
  private readonly listeners: ((event: OtaEvent) => void)[] = [];

  onChange(listener: (event: OtaEvent) => void): void {
    this.listeners.push(listener);
  }

  rollout(r: RolloutRow, state: string, detail?: string) {
    this.local({
      org_id: r.orgId,
      rollout_id: r.id,
      state,
      ...(detail ? { detail } : {}),
      at: new Date().toISOString(),
    });
  }

  job(j: JobRow, detail?: string) {
    this.local({
      org_id: j.orgId,
      rollout_id: j.rolloutId,
      device_id: j.deviceId,
      job_id: j.id,
      state: j.state,
      ...(detail ? { detail } : {}),
      at: new Date().toISOString(),
    });
  }

  private local(event: OtaEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
