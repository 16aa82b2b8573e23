import type { Logger } from 'pino';
import type { z } from 'zod';
import type { NatsConnection } from './nats.ts';

/**
 * Tells every node something small, as JSON on `subject`. Never throws: a node that misses it
 * learns later or not at all, as its caller decides, and the failure is logged as `what`.
 * @example publishJson(nc, 'iotp.commands.answered', { deviceId, commandId }, log, 'command answer');
 */
export function publishJson(nc: NatsConnection, subject: string, value: unknown, log: Logger, what: string): void {
  try {
    nc.publish(subject, JSON.stringify(value));
  } catch (err) {
    log.warn({ err }, `${what} not sent to the other nodes`);
  }
}

/**
 * Hands `take` each message on `subject` that is JSON of `schema`'s shape; any other is logged as
 * `what` and dropped, so a bad message from a node (or a newer version of it) cannot throw here.
 * @example listenJson(nc, 'iotp.commands.answered', Answer, log, 'command answer', (a) => onAnswer(a));
 */
export function listenJson<T>(
  nc: NatsConnection,
  subject: string,
  schema: z.ZodType<T>,
  log: Logger,
  what: string,
  take: (value: T) => void,
): void {
  nc.subscribe(subject, {
    callback: (err, msg) => {
      if (err) return log.error({ err }, `${what} subscription failed`);
      let json: unknown;
      try {
        json = msg.json();
      } catch (cause) {
        return log.warn({ err: cause }, `${what} ignored: not JSON`);
      }
      const parsed = schema.safeParse(json);
      if (parsed.success) take(parsed.data);
      else log.warn({ issues: parsed.error.issues }, `${what} ignored: not of its shape`);
    },
  });
}
