import type { Logger } from 'pino';
import type { Session } from './authenticate.ts';
import type { DeviceStore } from './device-store.ts';

/**
 * Keeps each device's online state and connection history in the database: online when its
 * connection is accepted, offline when it closes. Writes run in the background; `settled()`
 * waits for them, so the database is not closed under them.
 * @example const presence = new Presence(devices, log); presence.online(session, address);
 */
export class Presence {
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly devices: DeviceStore,
    private readonly log: Logger,
  ) {}

  online(session: Session, address: string | undefined): void {
    session.connection = this.track(
      this.devices.markOnline(session.id, address).catch((err) => {
        this.log.warn({ err }, 'markOnline failed');
        return undefined;
      }),
    );
  }

  /** `stillConnected`: a takeover by a new connection of the same device leaves it online. */
  offline(session: Session, stillConnected: boolean): void {
    this.track(
      (session.connection ?? Promise.resolve(undefined))
        .then((connectionId) => this.devices.markOffline(session.id, connectionId, stillConnected))
        .catch((err) => this.log.warn({ err }, 'markOffline failed')),
    );
  }

  /** Resolves once every write started so far, and any they started, has landed. */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
    return p;
  }
}
