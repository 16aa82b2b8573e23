import type { EventService } from '../events/event.service.ts';
import type { Mailer } from '../mail/mailer.ts';
import { emailChannel, inboxChannel } from '../notify/channels.ts';
import { NotificationRepository } from '../notify/notification.repository.ts';
import { NotificationService } from '../notify/notification.service.ts';
import { Notifier } from '../notify/notifier.ts';
import type { Wiring } from './wiring.ts';

/**
 * Notifications: published alarm events become inbox rows and mail for the members the
 * organization's routes name (once across the cluster, by the outbox relay); each node streams a
 * user's new rows to the user's open streams.
 */
export function wireNotify({ db, logger, publicUrl }: Wiring, parts: { events: EventService; mailer: Mailer }) {
  const repo = new NotificationRepository(db.orm);
  const notifications = new NotificationService(repo, parts.events);
  const notifier = new Notifier({
    repo,
    logger,
    channels: [inboxChannel(repo, (row) => notifications.announce(row)), emailChannel(parts.mailer, publicUrl)],
  });
  parts.events.onPublish((event) => notifier.handle(event));
  return { notifications, notifier };
}
