import { type JetStreamClient, jetstream, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { StoredEvent } from '../events/domain-events.ts';
import { ensureStream } from './jetstream-streams.ts';
import type { NatsConnection } from './nats.ts';

export interface EventJournalOptions {
  nc: NatsConnection;
  /** The stream's name; its subjects are `{stream}.{org id}`. */
  stream: string;
  /** How long the stream keeps an event (ms). */
  maxAgeMs: number;
  /** How long JetStream may take to answer a publish (ms). */
  timeoutMs?: number;
}

/** The subject an organization's events are stored under in the stream. */
const journalSubject = (stream: string, orgId: string) => `${stream}.${orgId}`;

/**
 * Published domain events, kept in a JetStream stream for outside consumers to read durably:
 * limits by age, on disk, one message per event, the event id as `Nats-Msg-Id` so a relay that
 * publishes an event again (its pass failed after the ack) is deduplicated within the stream's
 * duplicate window. The payload is the event as the outbox holds it (`StoredEvent`, JSON).
 * @example const journal = await EventJournal.open({ nc, stream: 'IOTP_EVENTS', maxAgeMs: 7 * 86_400_000 }); events.onPublish((e) => journal.publish(e));
 */
export class EventJournal {
  private constructor(
    private readonly js: JetStreamClient,
    private readonly stream: string,
    private readonly timeoutMs: number,
  ) {}

  static async open(o: EventJournalOptions): Promise<EventJournal> {
    await ensureStream(o.nc, {
      name: o.stream,
      subjects: [`${o.stream}.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      max_age: nanos(o.maxAgeMs),
    });
    const timeoutMs = o.timeoutMs ?? 5000;
    return new EventJournal(jetstream(o.nc, { timeout: timeoutMs }), o.stream, timeoutMs);
  }

  /** Resolves once the stream holds the event (a duplicate counts: it is held already). */
  async publish(event: StoredEvent): Promise<void> {
    try {
      await this.js.publish(journalSubject(this.stream, event.orgId), JSON.stringify(event), {
        msgID: String(event.id),
        timeout: this.timeoutMs,
      });
    } catch (err) {
      throw new Error(`event ${event.id} not taken by the stream ${this.stream}`, { cause: err });
    }
  }
}
