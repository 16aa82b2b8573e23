import type { schema } from '@iotp/db';
import type { NotificationKind } from './preferences.ts';

/** A mail to one address that is no notification: a verification, a password reset, an invitation. */
export interface TransactionalMail {
  to: string;
  subject: string;
  /** May carry a one-time token: never logged. */
  text: string;
}

/** Something the members of an organization holding one of `roles` should hear of, apart from events. */
export interface Notice {
  orgId: string;
  roles: string[];
  kind: NotificationKind;
  severity: (typeof schema.SEVERITIES)[number];
  title: string;
  body: string;
  /** Where the console shows the subject, relative to the platform's address. */
  link: string;
  data?: Record<string, unknown>;
  /** Names the notice across retries (a Stripe event id, an endpoint and its failure count): each member gets it once. */
  key: string;
}

/**
 * What services ask of notifications. Each depends on the part it uses (`MailPort`, `NoticePort`),
 * never on the Notifier or the Mailer.
 * @example const port: NotifyPort = notifier; await port.sendMail({ to, subject: 'Verify your email address', text });
 */
export interface NotifyPort {
  /** Always by email, whatever the recipient's preferences, and never copied into an inbox. */
  sendMail(mail: TransactionalMail): Promise<void>;
  /** An inbox row for each member, and mail as their `notification_channels` and `notification_mute` allow. */
  notice(notice: Notice): Promise<void>;
}

export type MailPort = Pick<NotifyPort, 'sendMail'>;
export type NoticePort = Pick<NotifyPort, 'notice'>;
