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

/** Every job and rollout change, for listeners (server-sent events, tests). */
export class OtaEvents extends EventEmitter<{ event: [OtaEvent] }> {
  constructor() {
    super();
    this.setMaxListeners(100);
  }

  rollout(r: RolloutRow, state: string, detail?: string) {
    this.emit('event', {
      org_id: r.orgId,
      rollout_id: r.id,
      state,
      ...(detail ? { detail } : {}),
      at: new Date().toISOString(),
    });
  }

  job(j: JobRow, detail?: string) {
    this.emit('event', {
      org_id: j.orgId,
      rollout_id: j.rolloutId,
      device_id: j.deviceId,
      job_id: j.id,
      state: j.state,
      ...(detail ? { detail } : {}),
      at: new Date().toISOString(),
    });
  }
}

/** Runs work keyed by name one at a time, in the order it came (a device's reports, a rollout's steps). */
export class KeyedSerial {
  private readonly chains = new Map<string, Promise<void>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const next = (this.chains.get(key) ?? Promise.resolve()).then(work, work);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.chains.set(key, settled);
    void settled.then(() => {
      if (this.chains.get(key) === settled) this.chains.delete(key);
    });
    return next;
  }
}
