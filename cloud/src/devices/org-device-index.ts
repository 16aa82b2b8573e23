import type { OrgDevices } from '@iotp/broker';
import type { EventFeed, StoredEvent } from '../events/domain-events.ts';

interface Held {
  /** Connections that hold the organization (its applications). */
  holders: number;
  ids: Set<string>;
  /** Deleted while the list was being read (the list may still name them); undefined once read. */
  gone?: Set<string>;
  loading: Promise<void>;
}

/**
 * The devices of each organization that has an application connected to this node, in memory, so
 * the broker can check every message an application may receive without a query. Loaded when the
 * first application of an organization connects, kept current by the live event feed (a device
 * created or deleted on any node), forgotten when its last application leaves.
 * @example const index = new OrgDeviceIndex((orgId) => repo.ids(orgId), events); await index.acquire(orgId);
 */
export class OrgDeviceIndex implements OrgDevices {
  private readonly held = new Map<string, Held>();
  private readonly stop: () => void;

  /** Told when an organization's first application comes to this node, and when its last one leaves. */
  onHeld: (orgId: string, held: boolean) => void = () => undefined;

  constructor(
    private readonly load: (orgId: string) => Promise<string[]>,
    feed: Pick<EventFeed, 'live'>,
  ) {
    this.stop = feed.live((event) => this.hear(event));
  }

  async acquire(orgId: string): Promise<void> {
    let held = this.held.get(orgId);
    if (!held) {
      const fresh: Held = { holders: 0, ids: new Set(), gone: new Set(), loading: Promise.resolve() };
      fresh.loading = this.load(orgId).then((ids) => {
        for (const id of ids) if (!fresh.gone?.has(id)) fresh.ids.add(id);
        fresh.gone = undefined;
      });
      held = fresh;
      this.held.set(orgId, held);
      this.onHeld(orgId, true);
      // A failed load is forgotten, so the next application tries again.
      held.loading.catch(() => this.held.get(orgId) === fresh && this.forget(orgId));
    }
    held.holders++;
    try {
      await held.loading;
    } catch (err) {
      held.holders--;
      throw err;
    }
  }

  release(orgId: string): void {
    const held = this.held.get(orgId);
    if (held && --held.holders <= 0) this.forget(orgId);
  }

  private forget(orgId: string): void {
    this.held.delete(orgId);
    this.onHeld(orgId, false);
  }

  has(orgId: string, deviceId: string): boolean {
    return this.held.get(orgId)?.ids.has(deviceId) ?? false;
  }

  /** Stops following the event feed. */
  close(): void {
    this.stop();
  }

  private hear(event: StoredEvent): void {
    if (event.type !== 'device.created' && event.type !== 'device.deleted') return;
    const held = this.held.get(event.orgId);
    const id = event.subjectId;
    if (!held || !id) return;
    if (event.type === 'device.created') held.ids.add(id);
    else {
      held.ids.delete(id);
      held.gone?.add(id);
    }
  }
}
