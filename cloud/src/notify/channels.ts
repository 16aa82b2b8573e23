import type { Mailer } from '../mail/mailer.ts';
import type { NotificationRepository, NotificationRow, Recipient } from './notification.repository.ts';

/** What a notification says, whoever receives it. */
export interface Message {
  orgId: string;
  /** What it is about: an event's type (`alarm.raised`) or a notice's kind (`webhook.disabled`). */
  kind: string;
  /** The event or notice it comes from: each channel delivers it to a person once, however often it is handed over. */
  once: { event_id: number } | { notice_key: string };
  severity: 'info' | 'warning' | 'minor' | 'major' | 'critical';
  title: string;
  body: string;
  /** Where the console shows the subject, relative to the platform's address. */
  link: string;
  data: Record<string, unknown>;
}

/** A way to reach a person: the route's `channels` name them. */
export interface Channel {
  readonly name: ChannelName;
  send(to: Recipient, message: Message): Promise<void>;
}

export const CHANNELS = ['inbox', 'email'] as const;
export type ChannelName = (typeof CHANNELS)[number];

/**
 * The in-app inbox: a `notifications` row per user and event; `onCreated` hears each new row (the
 * live stream on this node).
 * @example inboxChannel(repo, (row) => emitter.emit(row.userId, row))
 */
export function inboxChannel(repo: NotificationRepository, onCreated: (row: NotificationRow) => void): Channel {
  return {
    name: 'inbox',
    async send(to, m) {
      const row = await repo.insertOnce({
        orgId: m.orgId,
        userId: to.userId,
        kind: m.kind,
        severity: m.severity,
        title: m.title,
        body: m.body,
        link: m.link,
        data: { ...m.data, ...m.once },
      });
      if (row) onCreated(row);
    },
  };
}

/**
 * Mail through the Mailer's outbox, once per message and person: the outbox row is keyed by both,
 * so an event handed over again after a failure queues no second mail.
 * @example emailChannel(mailer, 'https://iot.example.com')
 */
export function emailChannel(mailer: Pick<Mailer, 'send'>, baseUrl: string): Channel {
  return {
    name: 'email',
    send: (to, m) =>
      mailer.send(
        {
          to: to.email,
          subject: `[${m.severity}] ${m.title}`,
          text: `${m.body}\n\n${new URL(m.link, baseUrl).toString()}\n\nChoose your notification channels in your preferences.`,
        },
        { key: `${onceKey(m)}:${to.userId}` },
      ),
  };
}

/** The message's source as one string: `event:42`, `notice:stripe:evt_1`. */
function onceKey(m: Pick<Message, 'once'>): string {
  return 'event_id' in m.once ? `event:${m.once.event_id}` : `notice:${m.once.notice_key}`;
}
