import { schema } from '@iotp/db';
import type { Logger } from 'pino';
import type { StoredEvent } from '../events/domain-events.ts';
import type { RuleAction } from '../rules/rule.schemas.ts';
import type { Channel, ChannelName, Message } from './channels.ts';
import type { NotificationRepository, Recipient, RouteValues } from './notification.repository.ts';

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
  logger: Logger;
}

/**
 * Turns published events into notifications: `alarm.raised`, and `rule.fired` of a rule with a
 * `notify` action but no alarm (with an alarm, its `alarm.raised` is the notification). Each of the
 * organization's routes whose `min_severity` the event reaches names roles and channels; a member
 * gets each channel once. A member's `notification_channels` preference, when set, decides the
 * channels beyond the inbox: the inbox is the platform's own record and is always written.
 * @example const notifier = new Notifier({ repo, channels: [inbox, email], logger }); events.onPublish((e) => notifier.handle(e));
 */
export class Notifier {
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
      const wanted = new Set(matching.filter((r) => r.roles.includes(member.role)).flatMap((r) => r.channels));
      for (const name of wanted) {
        const channel = this.channels.get(name as ChannelName);
        if (!channel || !allows(member, channel.name)) continue;
        // A failure throws: the outbox hands the event over again, and the inbox skips what it has.
        await channel.send(member, message);
      }
    }
    this.log.debug({ eventId: event.id, type: event.type, members: members.length }, 'notified');
  }
}

/** Whether the member's preferences let a channel reach them; unset, every channel does. */
function allows(member: Recipient, channel: ChannelName): boolean {
  if (channel === 'inbox') return true;
  const chosen = member.preferences.notification_channels;
  return !Array.isArray(chosen) || chosen.includes(channel);
}

/** What an event says to people, or undefined for events nobody is notified of. */
export function describe(e: StoredEvent): Message | undefined {
  const severity = e.data.severity;
  if (typeof severity !== 'string' || rank(severity) < 0) return undefined;
  const device = typeof e.data.device_id === 'string' ? e.data.device_id : undefined;
  const on = device ? ` on device ${device}` : '';
  const base = { orgId: e.orgId, kind: e.type, eventId: e.id, severity: severity as Severity };
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
