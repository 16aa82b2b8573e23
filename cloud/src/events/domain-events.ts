import type { Orm } from '@iotp/db';

/** What happens in the platform, as events: the outbox, the events API and webhooks speak these. */
export const EVENT_TYPES = [
  'device.created',
  'device.deleted',
  'device.credentials_rotated',
  /** `data.changed`: the names of the fields that changed (`tags`, `name`, ...). */
  'device.updated',
  'device.connected',
  'device.disconnected',
  /** A group's tags changed (a dynamic group's devices with them), or it was deleted. */
  'group.updated',
  'group.deleted',
  /** `data.device_id` joined or left a static group. */
  'group.device_added',
  'group.device_removed',
  /** A rule's changes: every node reloads the organization's rules from these. */
  'rule.created',
  'rule.updated',
  'rule.deleted',
  'rule.fired',
  'alarm.raised',
  'alarm.acknowledged',
  'alarm.cleared',
  'ota.job.changed',
  'ota.rollout.changed',
  'member.joined',
  'invoice.paid',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** An event as a change records it. */
export interface DomainEvent {
  orgId: string;
  type: EventType;
  subjectType?: string;
  subjectId?: string;
  data?: Record<string, unknown>;
}

/** An event as stored in the outbox: `id` orders an organization's events (cursors, Last-Event-ID). */
export interface StoredEvent {
  id: number;
  orgId: string;
  type: EventType;
  subjectType: string | null;
  subjectId: string | null;
  data: Record<string, unknown>;
  createdAt: string;
}

/** Writes events to the outbox. Pass the transaction of the change, so both commit or neither. */
export interface EventRecorder {
  record(events: DomainEvent | DomainEvent[], tx?: Orm): Promise<void>;
}

/**
 * Hears published events. `onPublish` handlers run once across the cluster, by the outbox relay,
 * before the event is marked published (at least once: a handler must be idempotent); `live`
 * handlers run on every node for every event (server-sent event streams).
 */
export interface EventFeed {
  onPublish(handler: (event: StoredEvent) => Promise<void>): void;
  live(handler: (event: StoredEvent) => void): () => void;
}
