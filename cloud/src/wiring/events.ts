import { EventJournal } from '../cluster/event-journal.ts';
import { EventRepository } from '../events/event.repository.ts';
import { EventService } from '../events/event.service.ts';
import { inProcessBus, natsBus } from '../events/event-bus.ts';
import type { NoticePort } from '../notify/port.ts';
import { WebhookRepository } from '../webhooks/webhook.repository.ts';
import { WebhookService } from '../webhooks/webhook.service.ts';
import { WebhookDeliverer } from '../webhooks/webhook-deliverer.ts';
import type { Wiring } from './wiring.ts';

/**
 * The outbox of domain events: relayed once across the cluster (EVENTS_TICK_MS, and at once after a
 * record on this node), live on every node through NATS when NATS_URL is set, in process otherwise.
 * With NATS_URL each event is also stored in the JetStream stream EVENTS_STREAM before it is marked
 * published (registered first, so it goes before the other `onPublish` handlers).
 */
export async function wireEvents({ config, logger, db, scheduler, nc, onClose }: Wiring) {
  const events = new EventService({
    repo: new EventRepository(db.orm, db.sql, db.kind !== 'embedded'),
    bus: nc ? natsBus(nc, logger) : inProcessBus(),
    logger,
  });
  if (nc) {
    const journal = await EventJournal.open({
      nc,
      stream: config.EVENTS_STREAM,
      maxAgeMs: config.EVENTS_STREAM_MAX_AGE_DAYS * 86_400_000,
    });
    events.onPublish((event) => journal.publish(event));
  }
  scheduler.add({ name: 'relay-events', everyMs: config.EVENTS_TICK_MS, run: () => events.relay() });
  onClose(() => events.stop());
  return events;
}

/** Organizations' webhook endpoints: a delivery per event and endpoint, sent by a cluster-wide worker. */
export function wireWebhooks(
  { config, logger, db, scheduler, onClose }: Wiring,
  parts: { events: EventService; notify: NoticePort },
) {
  const repo = new WebhookRepository(db.orm);
  const deliverer = new WebhookDeliverer({
    repo,
    logger,
    notify: parts.notify,
    allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
    baseDelayMs: config.WEBHOOK_RETRY_BASE_MS,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    disableAfter: config.WEBHOOK_DISABLE_AFTER,
  });
  const webhooks = new WebhookService({
    repo,
    allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
    onDue: () => deliverer.kick(),
  });
  parts.events.onPublishBatch((events) => webhooks.enqueue(events));
  scheduler.add({ name: 'deliver-webhooks', everyMs: config.WEBHOOK_TICK_MS, run: () => deliverer.drain() });
  onClose(() => deliverer.stop());
  return { webhooks, deliverer };
}
