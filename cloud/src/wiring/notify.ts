import type { EventService } from '../events/event.service.ts';
import { Mailer } from '../mail/mailer.ts';
import { emailChannel, inboxChannel } from '../notify/channels.ts';
import { NotificationRepository } from '../notify/notification.repository.ts';
import { NotificationService } from '../notify/notification.service.ts';
import { Notifier } from '../notify/notifier.ts';
import type { Wiring } from './wiring.ts';

/**
 * Everything the platform tells people, wired before the services that tell: published alarm events
 * become inbox rows and mail for the members the organization's routes name (once across the
 * cluster, by the outbox relay); services' notices and transactional mail go through the same
 * notifier (`notifier` is their `NotifyPort`); each node streams a user's new rows to the user's
 * open streams. Mail leaves through the Mailer's outbox.
 */
export function wireNotify({ config, db, logger, scheduler, publicUrl }: Wiring, parts: { events: EventService }) {
  const mailer = new Mailer(db.orm, logger, { smtpUrl: config.SMTP_URL, from: config.MAIL_FROM });
  // Mail is sent as it is queued; this retries what the SMTP server could not take.
  scheduler.add({ name: 'mail-retry', everyMs: 30_000, run: () => mailer.drain() });
  scheduler.add({ name: 'purge-old-mail', everyMs: 3600_000, run: () => mailer.purge() });
  const repo = new NotificationRepository(db.orm);
  const notifications = new NotificationService(repo, parts.events);
  const notifier = new Notifier({
    repo,
    logger,
    mailer,
    channels: [inboxChannel(repo, (row) => notifications.announce(row)), emailChannel(mailer, publicUrl)],
  });
  parts.events.onPublish((event) => notifier.handle(event));
  return { notifications, notifier, mailer };
}
