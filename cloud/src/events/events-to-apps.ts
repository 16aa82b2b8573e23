import type { Logger } from 'pino';
import type { EventFeed } from './domain-events.ts';
import { publicEvent } from './events.routes.ts';

/**
 * Hands every event this node hears live (from any node, through NATS when NATS_URL is set) to the
 * applications subscribed on this node's broker, at `orgs/{orgId}/events/{type}`, as the API
 * shows it. Live, as the event stream's tail is: an application that was away reads what it missed
 * from `GET /v1/orgs/{orgId}/events`. Returns what stops it.
 * @example const stop = eventsToApps(events, broker, logger);
 */
export function eventsToApps(
  feed: Pick<EventFeed, 'live'>,
  broker: { publishToOrg(orgId: string, suffix: string, payload: string): Promise<void> },
  logger: Logger,
): () => void {
  return feed.live((event) => {
    broker
      .publishToOrg(event.orgId, `events/${event.type}`, JSON.stringify(publicEvent(event)))
      .catch((err) => logger.warn({ err, eventId: event.id }, 'event not handed to MQTT applications'));
  });
}
