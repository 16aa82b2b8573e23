import { type Orm, PacedBatches, writePace } from '@iotp/db';
import type { Logger } from 'pino';
import { coalesced } from '../coalesced.ts';
import type { DomainEvent, EventFeed, EventRecorder, StoredEvent } from './domain-events.ts';
import type { EventQuery, EventRepository } from './event.repository.ts';
import type { EventBus } from './event-bus.ts';

/** Most device events inserted by one statement; more wait for the next. */
const DEVICE_EVENTS_BATCH = 1000;
/** Least time between two inserts of device events while they keep coming (a fleet reconnecting). */
const DEVICE_EVENTS_GAP_MS = 25;
/** Most events (recorded outside a transaction) inserted by one statement; more wait for the next. */
const RECORDS_BATCH = 1000;
/** Least time between two inserts of such events while they keep coming (a rollout step over a fleet). */
const RECORDS_GAP_MS = 25;
/** Least time between two relay passes while events keep coming: each is a transaction of six statements. */
const RELAY_GAP_MS = 50;

interface QueuedDeviceEvent {
  deviceId: string;
  event: Omit<DomainEvent, 'orgId'>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface QueuedRecord {
  events: DomainEvent[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface EventServiceOptions {
  repo: EventRepository;
  bus: EventBus;
  logger: Logger;
  /** Events the relay takes per transaction. */
  batch?: number;
}

/**
 * The outbox of domain events: changes record them (in their transaction), the relay publishes
 * them in id order, and readers page through them or follow them live.
 * @example const events = new EventService({ repo, bus: inProcessBus(), logger }); scheduler.add({ name: 'relay-events', everyMs: 500, run: () => events.relay() });
 */
export class EventService implements EventRecorder, EventFeed {
  private readonly publishHandlers: ((event: StoredEvent) => Promise<void>)[] = [];
  private readonly batchHandlers: ((events: StoredEvent[]) => Promise<void>)[] = [];
  private stopped = false;
  private readonly deviceEvents = new PacedBatches<QueuedDeviceEvent>({
    gapMs: DEVICE_EVENTS_GAP_MS,
    batch: DEVICE_EVENTS_BATCH,
    write: (batch) => this.insertDeviceEvents(batch),
  });
  private readonly records = new PacedBatches<QueuedRecord>({
    gapMs: RECORDS_GAP_MS,
    batch: RECORDS_BATCH,
    write: (batch) => this.insertRecords(batch),
  });
  private readonly relayDue = writePace(RELAY_GAP_MS);
  private readonly log: Logger;

  constructor(private readonly o: EventServiceOptions) {
    this.log = o.logger.child({ component: 'events' });
  }

  /**
   * Records events: in `tx`, with the caller's change; without one, queued and inserted with
   * whatever else is recorded meanwhile, one statement per RECORDS_GAP_MS while they keep coming
   * (a rollout step over a fleet records an event per job). Resolves once they are stored.
   */
  async record(events: DomainEvent | DomainEvent[], tx?: Orm): Promise<void> {
    const list = Array.isArray(events) ? events : [events];
    if (!list.length) return;
    if (!tx) return new Promise((resolve, reject) => this.records.push({ events: list, resolve, reject }));
    await this.o.repo.insert(list, tx);
    // In a transaction the rows show once it commits: a moment later, else on the relay's schedule.
    this.kick(50);
  }

  /** Inserts queued records in one statement; when that fails, each caller's apart, so one bad event fails only its own. */
  private async insertRecords(batch: QueuedRecord[]): Promise<void> {
    try {
      await this.o.repo.insert(batch.flatMap((r) => r.events));
      for (const r of batch) r.resolve();
    } catch {
      for (const r of batch) await this.o.repo.insert(r.events).then(r.resolve, r.reject);
    }
    this.kick(0);
  }

  /**
   * Records an event of a device, in the organization the device belongs to. Events of devices
   * (connects, disconnects: thousands a second) are queued and inserted in order, one statement for
   * all that came in since the last one, at most one per DEVICE_EVENTS_GAP_MS while they keep
   * coming; resolves once this one is stored.
   */
  recordForDevice(deviceId: string, event: Omit<DomainEvent, 'orgId'>): Promise<void> {
    return new Promise((resolve, reject) => this.deviceEvents.push({ deviceId, event, resolve, reject }));
  }

  private async insertDeviceEvents(batch: QueuedDeviceEvent[]): Promise<void> {
    try {
      if (await this.o.repo.insertForDevices(batch)) this.kick(0);
      for (const e of batch) e.resolve();
    } catch (err) {
      for (const e of batch) e.reject(err);
    }
  }

  onPublish(handler: (event: StoredEvent) => Promise<void>): void {
    this.publishHandlers.push(handler);
  }

  /**
   * Like `onPublish`, for a handler that takes a relay batch at once (in id order), after the
   * `onPublish` handlers have taken each of its events. It must be idempotent: when it fails it is
   * called again with one event at a time, and events not marked published are handed again later.
   */
  onPublishBatch(handler: (events: StoredEvent[]) => Promise<void>): void {
    this.batchHandlers.push(handler);
  }

  live(handler: (event: StoredEvent) => void): () => void {
    return this.o.bus.subscribe(handler);
  }

  /** An organization's events, newest first; `next_cursor` is the id to pass as `cursor`. */
  async list(orgId: string, q: EventQuery) {
    const rows = await this.o.repo.page(orgId, { ...q, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    return { data: page, next_cursor: rows.length > q.limit ? String(page[page.length - 1]!.id) : null };
  }

  /** Published events after `afterId`, oldest first, a page at a time. */
  publishedAfter(orgId: string, afterId: number, limit = 500): Promise<StoredEvent[]> {
    return this.o.repo.publishedAfter(orgId, afterId, limit);
  }

  /**
   * Publishes what the outbox holds until it is empty: `onPublish` handlers first (an event whose
   * handler fails stays unpublished, with those after it, and is tried again next run), then the
   * mark, then, once committed, the live bus, so a stream that reads the table after subscribing
   * misses nothing.
   */
  readonly relay = coalesced(async () => {
    // Kicks that come meanwhile join this pass.
    await this.relayDue();
    const size = this.o.batch ?? 100;
    for (;;) {
      const done = await this.o.repo.publishBatch(size, (batch) => this.handle(batch));
      for (const event of done) this.o.bus.publish(event);
      if (done.length < size) break;
    }
  });

  private async handle(batch: StoredEvent[]): Promise<StoredEvent[]> {
    const done: StoredEvent[] = [];
    for (const event of batch) {
      try {
        for (const handler of this.publishHandlers) await handler(event);
      } catch (err) {
        this.log.error({ err, eventId: event.id, type: event.type }, 'event handler failed; publishing again later');
        break;
      }
      done.push(event);
    }
    if (!done.length || !this.batchHandlers.length) return done;
    try {
      for (const handler of this.batchHandlers) await handler(done);
      return done;
    } catch (err) {
      this.log.warn({ err, events: done.length }, 'batch event handler failed; handling the events one by one');
    }
    // One at a time, so the events before the one that fails are published.
    const each: StoredEvent[] = [];
    for (const event of done) {
      try {
        for (const handler of this.batchHandlers) await handler([event]);
      } catch (err) {
        this.log.error({ err, eventId: event.id, type: event.type }, 'event handler failed; publishing again later');
        break;
      }
      each.push(event);
    }
    return each;
  }

  /** No more relaying on this node: waits for the run under way (a shutdown step, before the database closes). */
  async stop(): Promise<void> {
    // The broker closed first: its last disconnects are queued, and stored before the database closes.
    await this.deviceEvents.settled();
    await this.records.settled();
    this.stopped = true;
    await this.relay.settled();
  }

  private kick(delayMs: number): void {
    if (this.stopped) return;
    setTimeout(() => {
      if (this.stopped) return;
      this.relay().catch((err) => this.log.error({ err }, 'relaying events failed'));
    }, delayMs).unref();
  }
}
