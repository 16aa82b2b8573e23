import { schema } from '@iotp/db';
import type { Logger } from 'pino';
import type { StoredEvent } from '../events/domain-events.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { RuleAction } from '../rules/rule.schemas.ts';
import type { Channel, ChannelName, Message } from './channels.ts';
import type { NotificationRepository, Recipient, RouteValues } from './notification.repository.ts';
import type { Notice, NotifyPort, TransactionalMail } from './port.ts';
import { allows } from './preferences.ts';

type Severity = (typeof schema.SEVERITIES)[number];
const rank = (s: string) => schema.SEVERITIES.indexOf(s as Severity);

/**
 * An organization without routes: its owners and admins hear of `major` and `critical`, in the
 * inbox and by mail.
 */
export const DEFAULT_ROUTES: readonly RouteValues[] = [
  { minSeverity: 'major', roles: ['owner', 'admin'], channels: ['inbox', 'email'] },
];

export interface NotifierOptions {
  repo: NotificationRepository;
  channels: Channel[];
  /** The email channel's transport, which transactional mail takes directly. */
  mailer: Pick<Mailer, 'send'>;
  logger: Logger;
}

/**
 * Everything the platform tells people. Published events become notifications: `alarm.raised`, and
 * `rule.fired` of a rule with a `notify` action but no alarm (with an alarm, its `alarm.raised` is
 * the notification). Each of the organization's routes whose `min_severity` the event reaches names
 * roles and channels; a member gets each channel once. Services' notices (`notice`) name the roles
 * themselves and go to the inbox and by mail. Either way the member's preferences (`allows`) decide
 * the channels beyond the inbox, which is the platform's own record and always written. Transactional
 * mail (`sendMail`) goes by email only, whatever the preferences.
 * @example const notifier = new Notifier({ repo, channels: [inbox, email], mailer, logger }); events.onPublish((e) => notifier.handle(e));
 */
export class Notifier implements NotifyPort {
  private readonly log: Logger;
  private readonly channels: Map<ChannelName, Channel>;

  constructor(private readonly o: NotifierOptions) {
    this.log = o.logger.child({ component: 'notifier' });
    this.channels = new Map(o.channels.map((c) => [c.name, c]));
  }

  async handle(event: StoredEvent): Promise<void> {
    const message = describe(event);
    if (!message) return;
    const routes = await this.o.repo.listRoutes(event.orgId);
    const matching = (routes.length ? routes : DEFAULT_ROUTES).filter(
      (r) => rank(message.severity) >= rank(r.minSeverity),
    );
    if (!matching.length) return;
    const members = await this.o.repo.members(event.orgId, [...new Set(matching.flatMap((r) => r.roles))]);
    for (const member of members) {
      const wanted = matching.filter((r) => r.roles.includes(member.role)).flatMap((r) => r.channels);
      await this.deliver(member, wanted as ChannelName[], message);
    }
    this.log.debug({ eventId: event.id, type: event.type, members: members.length }, 'notified');
  }

  async notice(n: Notice): Promise<void> {
    const { roles, key, data, ...said } = n;
    const message: Message = { ...said, data: data ?? {}, once: { notice_key: key } };
    const members = await this.o.repo.members(n.orgId, [...new Set(roles)]);
    for (const member of members) await this.deliver(member, ['inbox', 'email'], message);
    this.log.debug({ orgId: n.orgId, kind: n.kind, members: members.length }, 'notice given');
  }

  /** Not logged: the text may carry a one-time token. */
  sendMail(mail: TransactionalMail): Promise<void> {
    return this.o.mailer.send(mail);
  }

  private async deliver(member: Recipient, wanted: ChannelName[], message: Message): Promise<void> {
    for (const name of new Set(wanted)) {
      const channel = this.channels.get(name);
      if (!channel || !allows(member, channel.name, message.kind)) continue;
      // A failure throws: the outbox hands the event over again, and each channel skips what it has.
      await channel.send(member, message);
    }
  }
}

/** What an event says to people, or undefined for events nobody is notified of. */
export function describe(e: StoredEvent): Message | undefined {
  const severity = e.data.severity;
  if (typeof severity !== 'string' || rank(severity) < 0) return undefined;
  const device = typeof e.data.device_id === 'string' ? e.data.device_id : undefined;
  const on = device ? ` on device ${device}` : '';
  const base = { orgId: e.orgId, kind: e.type, once: { event_id: e.id }, severity: severity as Severity };
  if (e.type === 'alarm.raised') {
    return {
      ...base,
      title: `${capital(severity)} alarm${on}`,
      body: `A rule raised a ${severity} alarm${on}.`,
      link: `/orgs/${e.orgId}/alarms/${e.subjectId}`,
      data: { alarm_id: e.subjectId, rule_id: e.data.rule_id ?? null, device_id: device ?? null },
    };
  }
  if (e.type === 'rule.fired') {
    const actions = Array.isArray(e.data.actions) ? (e.data.actions as RuleAction[]) : [];
    if (!actions.some((a) => a.type === 'notify') || actions.some((a) => a.type === 'alarm')) return undefined;
    return {
      ...base,
      title: `Rule fired${on}`,
      body: `A ${severity} rule fired${on}.`,
      link: `/orgs/${e.orgId}/rules/${e.subjectId}`,
      data: { rule_id: e.subjectId, device_id: device ?? null, detail: e.data.detail ?? null },
    };
  }
  return undefined;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
