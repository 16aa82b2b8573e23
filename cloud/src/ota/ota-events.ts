import { EventEmitter } from 'node:events';
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
 * Every job and rollout change, for listeners (server-sent events, tests). With several nodes,
 * `share` sends this node's changes to the others, and `receive` takes theirs.
 */
export class OtaEvents extends EventEmitter<{ event: [OtaEvent] }> {
  private shareWith: ((event: OtaEvent) => void) | undefined;
  private readonly recorders: ((event: OtaEvent) => void)[] = [];

  constructor() {
    super();
    this.setMaxListeners(100);
  }

  /** Hands each change made on this node to `send` as well (another node's `receive`). */
  share(send: (event: OtaEvent) => void): void {
    this.shareWith = send;
  }

  /** Hands each change made on this node to `record` too (the outbox of domain events); once, on that node. */
  onLocal(record: (event: OtaEvent) => void): void {
    this.recorders.push(record);
  }

  /** A change made on another node: for this node's listeners only. */
  receive(event: OtaEvent): void {
    this.emit('event', event);
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
    this.emit('event', event);
    this.shareWith?.(event);
    for (const record of this.recorders) record(event);
  }
}
