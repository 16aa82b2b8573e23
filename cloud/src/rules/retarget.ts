import type { EventFeed, EventType, StoredEvent } from '../events/domain-events.ts';
import type { RuleEngine } from './rule-engine.ts';

/** Events after which a rule's target may name other devices: by tags, by a group, or by ids. */
const RETARGETING = new Set<EventType>([
  'device.created',
  'device.deleted',
  'group.updated',
  'group.deleted',
  'group.device_added',
  'group.device_removed',
]);
const RULE_CHANGES = new Set<EventType>(['rule.created', 'rule.updated', 'rule.deleted']);

/** Whether an event may move a device into or out of a target by tags, group or ids. */
export function retargets(e: StoredEvent): boolean {
  if (e.type === 'device.updated') return (e.data.changed as unknown[] | undefined)?.includes('tags') === true;
  return RETARGETING.has(e.type);
}

/**
 * Keeps the engine current on this node: a rule changed, or a device or group change that can move
 * a device into or out of a rule's target, reloads that organization's rules (device changes only
 * where it has live rules). The feed is live on every node (through NATS when NATS_URL is set), so a
 * change made on any node reaches them all; the periodic reload remains for an event missed.
 * Returns what stops listening.
 * @example const stop = followRuleChanges(events, engine);
 */
export function followRuleChanges(
  feed: Pick<EventFeed, 'live'>,
  engine: Pick<RuleEngine, 'reloadSoon' | 'count'>,
): () => void {
  return feed.live((e) => {
    if (RULE_CHANGES.has(e.type) || (retargets(e) && engine.count(e.orgId) > 0)) void engine.reloadSoon(e.orgId);
  });
}
