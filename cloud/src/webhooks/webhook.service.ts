import type { StoredEvent } from '../events/domain-events.ts';
import { NotFound } from '../http/problem.ts';
import { checkWebhookUrl } from './address-guard.ts';
import { newWebhookSecret } from './signature.ts';
import type { DeliveryRow, EndpointRow, WebhookRepository } from './webhook.repository.ts';

export interface WebhookServiceOptions {
  repo: WebhookRepository;
  /** WEBHOOK_ALLOW_PRIVATE: endpoints on loopback and private addresses are the operator's call. */
  allowPrivate: boolean;
  /** Called when deliveries became due (the worker runs at once rather than on its next tick). */
  onDue?: () => void;
}

export interface EndpointInput {
  url: string;
  event_types: string[];
  enabled?: boolean;
}

/** An endpoint as the API shows it; the secret only in the answer that creates it. */
export function publicEndpoint(e: EndpointRow) {
  return {
    id: e.id,
    url: e.url,
    event_types: e.eventTypes,
    enabled: e.enabled,
    disabled_reason: e.disabledReason,
    consecutive_failures: e.consecutiveFailures,
    created_at: e.createdAt.toISOString(),
  };
}

export function publicDelivery(d: DeliveryRow, type: string) {
  return {
    id: d.id,
    event_id: d.eventId,
    event_type: type,
    status: d.status,
    attempts: d.attempts,
    next_attempt_at: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
    response_status: d.responseStatus,
    response_ms: d.responseMs,
    error: d.lastError,
    created_at: d.createdAt.toISOString(),
    delivered_at: d.deliveredAt?.toISOString() ?? null,
  };
}

/** Organizations' webhook endpoints, and the deliveries events make to them. */
export class WebhookService {
  constructor(private readonly o: WebhookServiceOptions) {}

  /** Creates an endpoint with a new signing secret, answered this once. */
  async create(orgId: string, input: EndpointInput) {
    await checkWebhookUrl(input.url, this.o.allowPrivate);
    const secret = newWebhookSecret();
    const row = await this.o.repo.create({
      orgId,
      url: input.url,
      secret,
      eventTypes: [...new Set(input.event_types)],
      enabled: input.enabled ?? true,
    });
    return { ...publicEndpoint(row), secret };
  }

  async list(orgId: string) {
    return (await this.o.repo.list(orgId)).map(publicEndpoint);
  }

  async get(orgId: string, id: string) {
    return publicEndpoint(await this.found(orgId, id));
  }

  /** Enabling again clears the failure count and the reason it was disabled. */
  async update(orgId: string, id: string, patch: Partial<EndpointInput>) {
    if (patch.url !== undefined) await checkWebhookUrl(patch.url, this.o.allowPrivate);
    const row = await this.o.repo.endpoints.update(orgId, id, {
      ...(patch.url !== undefined ? { url: patch.url } : {}),
      ...(patch.event_types !== undefined ? { eventTypes: [...new Set(patch.event_types)] } : {}),
      ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
      ...(patch.enabled ? { disabledReason: null, consecutiveFailures: 0 } : {}),
    });
    if (!row) throw new NotFound('No such webhook');
    if (patch.enabled) this.o.onDue?.();
    return publicEndpoint(row);
  }

  async delete(orgId: string, id: string): Promise<void> {
    if (!(await this.o.repo.endpoints.delete(orgId, id))) throw new NotFound('No such webhook');
  }

  async deliveries(orgId: string, endpointId: string, limit: number, cursor?: string) {
    await this.found(orgId, endpointId);
    const before = cursor ? (await this.o.repo.delivery(orgId, endpointId, cursor))?.delivery : undefined;
    if (cursor && !before) throw new NotFound('No such delivery (cursor)');
    const rows = await this.o.repo.deliveries(orgId, endpointId, limit + 1, before);
    const page = rows.slice(0, limit);
    return {
      data: page.map((r) => publicDelivery(r.delivery, r.type)),
      next_cursor: rows.length > limit ? page[page.length - 1]!.delivery.id : null,
    };
  }

  /** Sends a delivery again, now, whatever became of it. */
  async redeliver(orgId: string, endpointId: string, id: string) {
    await this.found(orgId, endpointId);
    const found = await this.o.repo.delivery(orgId, endpointId, id);
    if (!found) throw new NotFound('No such delivery');
    const row = await this.o.repo.redeliver(id);
    this.o.onDue?.();
    return publicDelivery(row ?? found.delivery, found.type);
  }

  /** The `onPublishBatch` handler: one delivery per event and enabled endpoint that takes it (idempotent). */
  async enqueue(events: StoredEvent[]): Promise<void> {
    if ((await this.o.repo.enqueue(events)) > 0) this.o.onDue?.();
  }

  private async found(orgId: string, id: string): Promise<EndpointRow> {
    const row = await this.o.repo.endpoints.find(orgId, id);
    if (!row) throw new NotFound('No such webhook');
    return row;
  }
}
