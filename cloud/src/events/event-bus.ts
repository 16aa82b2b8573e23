import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { NatsConnection } from '../cluster/nats.ts';
import { EVENT_TYPES, type StoredEvent } from './domain-events.ts';

/** Carries published events to the `live` listeners: of this process, or of every node. */
export interface EventBus {
  publish(event: StoredEvent): void;
  subscribe(handler: (event: StoredEvent) => void): () => void;
}

/** One process: published events go straight to this process's listeners. */
export function inProcessBus(): EventBus {
  const emitter = new EventEmitter<{ event: [StoredEvent] }>();
  emitter.setMaxListeners(0);
  return {
    publish: (event) => void emitter.emit('event', event),
    subscribe(handler) {
      emitter.on('event', handler);
      return () => void emitter.off('event', handler);
    },
  };
}

/**
 * Core NATS, apart from the events stream's subjects (EventJournal): the stream takes an event before
 * its mark commits, and live listeners must hear it only after (see followEvents).
 */
const subject = (orgId: string) => `iotp.events.org.${orgId}`;

/** An event as it travels; anything else on the subjects is dropped. */
const Wire = z.object({
  id: z.number().int(),
  orgId: z.string(),
  type: z.enum(EVENT_TYPES),
  subjectType: z.string().nullable(),
  subjectId: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});

/**
 * Several nodes: a published event goes out on core NATS (`iotp.events.org.{orgId}`) and reaches
 * the listeners of every node, this one's included. Live delivery is at most once; a stream that
 * misses one resumes from the table (Last-Event-ID).
 * @example const bus = natsBus(nc, logger);
 */
export function natsBus(nc: NatsConnection, logger: Logger): EventBus {
  const log = logger.child({ component: 'event-bus' });
  const local = inProcessBus();
  nc.subscribe(subject('*'), {
    callback: (err, msg) => {
      if (err) return log.error({ err }, 'events subscription failed');
      let parsed: ReturnType<typeof Wire.safeParse>;
      try {
        parsed = Wire.safeParse(msg.json());
      } catch {
        return log.warn('event from the bus ignored: not JSON');
      }
      if (!parsed.success) return log.warn({ issues: parsed.error.issues.length }, 'event from the bus ignored');
      local.publish(parsed.data);
    },
  });
  return {
    publish(event) {
      try {
        nc.publish(subject(event.orgId), JSON.stringify(event));
      } catch (err) {
        log.warn({ err, eventId: event.id }, 'event not sent to the other nodes');
      }
    },
    subscribe: local.subscribe,
  };
}
