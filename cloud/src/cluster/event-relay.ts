import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { OtaEvent, OtaEvents } from '../ota/ota-events.ts';
import type { NatsConnection } from './nats.ts';

const OTA_EVENTS = 'iotp.events.ota';

/** An event as another node sends it; anything else on the subject is dropped. */
const Relayed = z.object({
  node: z.string(),
  event: z.object({
    org_id: z.string(),
    rollout_id: z.string(),
    device_id: z.string().optional(),
    job_id: z.string().optional(),
    state: z.string(),
    detail: z.string().optional(),
    at: z.string(),
  }),
});

/**
 * Several nodes: each node's OTA changes go out on NATS and come back as `receive` on every other
 * node, so a server-sent event stream on any node carries the changes made on all of them.
 * @example relayOtaEvents({ nc, events: rollouts.events, logger });
 */
export function relayOtaEvents({ nc, events, logger }: { nc: NatsConnection; events: OtaEvents; logger: Logger }) {
  const log = logger.child({ component: 'event-relay' });
  const node = randomUUID();
  events.share((event: OtaEvent) => {
    try {
      nc.publish(OTA_EVENTS, JSON.stringify({ node, event }));
    } catch (err) {
      log.warn({ err }, 'OTA event not sent to the other nodes');
    }
  });
  nc.subscribe(OTA_EVENTS, {
    callback: (err, msg) => {
      if (err) return log.error({ err }, 'OTA events subscription failed');
      let parsed: ReturnType<typeof Relayed.safeParse>;
      try {
        parsed = Relayed.safeParse(msg.json());
      } catch {
        return log.warn('OTA event from the bus ignored: not JSON');
      }
      if (!parsed.success) return log.warn({ issues: parsed.error.issues.length }, 'OTA event from the bus ignored');
      if (parsed.data.node !== node) events.receive(parsed.data.event);
    },
  });
}
