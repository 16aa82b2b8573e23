import { randomUUID } from 'node:crypto';
import { PacedBatches } from '@iotp/db';
import type { Logger } from 'pino';
import type { Session } from './authenticate.ts';
import type { DeviceStore, PresenceChange } from './device-store.ts';

/** Most changes written in one transaction; more wait for the next. */
const BATCH = 1000;
/** Least time between two writes while changes keep coming (a fleet reconnecting). */
const GAP_MS = 25;

/**
 * Keeps each device's online state and connection history in the database: online when its
 * connection is accepted, offline when it closes. Changes leave the hot path through a queue and
 * are written in order, one statement for all that came in since the last one, at most one per
 * GAP_MS while they keep coming (a connect then a disconnect of the same device ends offline).
 * `settled()` waits for them, so the database is not closed under them. The connections are
 * written as `nodeId`'s, whose death ends them (broker-nodes.ts).
 * @example const presence = new Presence(devices, log, nodeId); presence.online(session, address);
 */
export class Presence {
  private readonly changes = new PacedBatches<PresenceChange>({
    gapMs: GAP_MS,
    batch: BATCH,
    write: (batch) => this.write(batch),
  });

  constructor(
    private readonly devices: Pick<DeviceStore, 'recordPresence'>,
    private readonly log: Logger,
    readonly nodeId: string = randomUUID(),
  ) {}

  online(session: Session, address: string | undefined): void {
    // Named here, so the disconnect can close the row whether or not it is written yet.
    session.connection = randomUUID();
    this.changes.push({
      online: true,
      deviceId: session.id,
      connectionId: session.connection,
      address: address ?? null,
      at: new Date(),
    });
  }

  /** `stillConnected`: a takeover by a new connection of the same device leaves it online. */
  offline(session: Session, stillConnected: boolean): void {
    this.changes.push({
      online: false,
      deviceId: session.id,
      connectionId: session.connection,
      stillConnected,
      at: new Date(),
    });
  }

  /** Resolves once every change queued so far, and any queued while writing, has landed. */
  settled(): Promise<void> {
    return this.changes.settled();
  }

  private async write(batch: PresenceChange[]): Promise<void> {
    await this.devices.recordPresence(batch, this.nodeId).catch(async (err) => {
      // One bad change (a device deleted meanwhile) must not lose the others: each on its own.
      this.log.warn({ err, changes: batch.length }, 'presence batch failed; writing its changes one by one');
      for (const change of batch)
        await this.devices
          .recordPresence([change], this.nodeId)
          .catch((cause) => this.log.warn({ err: cause, deviceId: change.deviceId }, 'presence change failed'));
    });
  }
}
