import type { ChannelName } from './channels.ts';
import type { Recipient } from './notification.repository.ts';

/** What a notification may be about: the events that notify, and the platform's own notices. */
export const NOTIFICATION_KINDS = ['alarm.raised', 'rule.fired', 'webhook.disabled', 'payment.failed'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/**
 * Whether a member's preferences let a notification of `kind` reach them on `channel`. The inbox is
 * the platform's own record and is always written; beyond it, `notification_channels` (unset: every
 * channel) names the channels, and `notification_mute` the kinds kept to the inbox.
 * @example allows({ ...member, preferences: { notification_mute: ['rule.fired'] } }, 'email', 'rule.fired') // false
 */
export function allows(member: Pick<Recipient, 'preferences'>, channel: ChannelName, kind: string): boolean {
  if (channel === 'inbox') return true;
  const { notification_channels: chosen, notification_mute: muted } = member.preferences;
  if (Array.isArray(muted) && muted.includes(kind)) return false;
  return !Array.isArray(chosen) || chosen.includes(channel);
}
