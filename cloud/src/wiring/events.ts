import { EventRepository } from '../events/event.repository.ts';
import { EventService } from '../events/event.service.ts';
import { inProcessBus, natsBus } from '../events/event-bus.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { OrgRepository } from '../orgs/org.repository.ts';
import { WebhookRepository } from '../webhooks/webhook.repository.ts';
import { WebhookService } from '../webhooks/webhook.service.ts';
import { WebhookDeliverer } from '../webhooks/webhook-deliverer.ts';
import type { Wiring } from './wiring.ts';

/**
 * The outbox of domain events: relayed once across the cluster (EVENTS_TICK_MS, and at once after a
 * record on this node), live on every node through NATS when NATS_URL is set, in process otherwise.
 */
export function wireEvents({ config, logger, db, scheduler, nc, onClose }: Wiring) {
  const events = new EventService({
    repo: new EventRepository(db.orm, db.kind !== 'embedded'),
    bus: nc ? natsBus(nc, logger) : inProcessBus(),
    logger,
  });
  scheduler.add({ name: 'relay-events', everyMs: config.EVENTS_TICK_MS, run: () => events.relay() });
  onClose(() => events.stop());
  return events;
}

/** Organizations' webhook endpoints: a delivery per event and endpoint, sent by a cluster-wide worker. */
export function wireWebhooks(
  { config, logger, db, scheduler, onClose }: Wiring,
  parts: { events: EventService; mailer: Mailer; orgs: OrgRepository },
) {
  const repo = new WebhookRepository(db.orm);
  const deliverer = new WebhookDeliverer({
    repo,
    logger,
    mailer: parts.mailer,
    owners: async (orgId) => (await parts.orgs.members(orgId)).filter((m) => m.role === 'owner').map((m) => m.email),
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
  parts.events.onPublish((event) => webhooks.enqueue(event));
  scheduler.add({ name: 'deliver-webhooks', everyMs: config.WEBHOOK_TICK_MS, run: () => deliverer.drain() });
  onClose(() => deliverer.stop());
  return { webhooks, deliverer };
}
