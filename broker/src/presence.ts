import { randomUUID } from 'node:crypto';
import { writePace } from '@iotp/db';
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
  private queue: PresenceChange[] = [];
  private writing: Promise<void> | undefined;
  private readonly due = writePace(GAP_MS);
  /** The connect of each connection open on this node, by connection id: `rewrite()` writes them again. */
  private readonly open = new Map<string, PresenceChange & { online: true }>();

  constructor(
    private readonly devices: Pick<DeviceStore, 'recordPresence'>,
    private readonly log: Logger,
    readonly nodeId: string = randomUUID(),
  ) {}

  online(session: Session, address: string | undefined): void {
    // Named here, so the disconnect can close the row whether or not it is written yet.
    session.connection = randomUUID();
    const change = {
      online: true as const,
      deviceId: session.id,
      connectionId: session.connection,
      address: address ?? null,
      at: new Date(),
    };
    this.open.set(change.connectionId, change);
    this.push(change);
  }

  /** `stillConnected`: a takeover by a new connection of the same device leaves it online. */
  offline(session: Session, stillConnected: boolean): void {
    if (session.connection) this.open.delete(session.connection);
    this.push({
      online: false,
      deviceId: session.id,
      connectionId: session.connection,
      stillConnected,
      at: new Date(),
    });
  }

  /**
   * Writes every connection open on this node again, as when it was accepted: after a sweep took
   * this node for dead (it missed its beats) and ended them in the database. Answers how many.
   */
  rewrite(): number {
    for (const change of this.open.values()) this.push(change);
    return this.open.size;
  }

  /** Resolves once every change queued so far, and any queued while writing, has landed. */
  async settled(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private push(change: PresenceChange): void {
    this.queue.push(change);
    this.writing ??= this.drain();
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      // The connections accepted meanwhile join this statement.
      await this.due();
      const batch = this.queue.splice(0, BATCH);
      await this.devices.recordPresence(batch, this.nodeId).catch(async (err) => {
        // One bad change (a device deleted meanwhile) must not lose the others: each on its own.
        this.log.warn({ err, changes: batch.length }, 'presence batch failed; writing its changes one by one');
        for (const change of batch)
          await this.devices
            .recordPresence([change], this.nodeId)
            .catch((cause) => this.log.warn({ err: cause, deviceId: change.deviceId }, 'presence change failed'));
      });
    }
    this.writing = undefined;
  }
}
