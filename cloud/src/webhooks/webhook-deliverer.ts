import type { Logger } from 'pino';
import { coalesced } from '../coalesced.ts';
import type { NoticePort } from '../notify/port.ts';
import { signWebhook } from './signature.ts';
import type { WebhookRepository } from './webhook.repository.ts';
import { postWebhook } from './webhook-post.ts';

export interface WebhookDelivererOptions {
  repo: WebhookRepository;
  logger: Logger;
  /** Tells the organization's owners when an endpoint is disabled. */
  notify: NoticePort;
  allowPrivate: boolean;
  /** The first retry; each next one waits twice as long, up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** How long after the event a delivery is retried before it is failed for good. */
  retryForMs?: number;
  timeoutMs?: number;
  /** Failed attempts in a row after which the endpoint is disabled. */
  disableAfter?: number;
  /** Deliveries claimed per round trip, and sent at once. */
  batch?: number;
}

/**
 * Sends due webhook deliveries, signed, until none is due; several nodes may run it at once (rows
 * are claimed with a lease). 2xx is success; anything else is retried with exponential backoff,
 * then failed; an endpoint failing `disableAfter` times in a row is disabled and its owners told.
 * @example scheduler.add({ name: 'deliver-webhooks', everyMs: 1000, run: () => deliverer.drain() });
 */
export class WebhookDeliverer {
  private stopped = false;
  private readonly log: Logger;

  constructor(private readonly o: WebhookDelivererOptions) {
    this.log = o.logger.child({ component: 'webhooks' });
  }

  readonly drain = coalesced(async () => {
    const batch = this.o.batch ?? 20;
    const leaseS = Math.ceil((this.o.timeoutMs ?? 10_000) / 1000) * 3;
    for (
      let due = await this.o.repo.claimDue(batch, leaseS);
      due.length;
      due = await this.o.repo.claimDue(batch, leaseS)
    )
      await Promise.all(due.map((d) => this.deliver(d)));
  });

  /** Runs `drain` soon, outside the caller's work. */
  kick(): void {
    if (this.stopped) return;
    setImmediate(() => {
      if (!this.stopped) this.drain().catch((err) => this.log.error({ err }, 'delivering webhooks failed'));
    });
  }

  /** No more kicks on this node: waits for the deliveries under way (a shutdown step, before the database closes). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.drain.settled();
  }

  private async deliver({ delivery, endpoint, event }: Awaited<ReturnType<WebhookRepository['claimDue']>>[number]) {
    const body = JSON.stringify({
      id: event.id,
      type: event.type,
      created_at: event.createdAt.toISOString(),
      org_id: event.orgId,
      subject_type: event.subjectType,
      subject_id: event.subjectId,
      data: event.data,
    });
    const attempt = await postWebhook(
      endpoint.url,
      body,
      { 'webhook-id': String(event.id), 'webhook-signature': signWebhook(endpoint.secret, body) },
      { timeoutMs: this.o.timeoutMs ?? 10_000, allowPrivate: this.o.allowPrivate },
    );
    const ok = attempt.status !== undefined && attempt.status >= 200 && attempt.status < 300;
    if (!ok && !attempt.error) attempt.error = `answered ${attempt.status}`;
    if (ok) await this.o.repo.settle(delivery.id, attempt, 'succeeded');
    else {
      const wait = Math.min((this.o.baseDelayMs ?? 10_000) * 2 ** delivery.attempts, this.o.maxDelayMs ?? 3600_000);
      const retryAt = new Date(Date.now() + wait);
      const giveUpAt = delivery.createdAt.getTime() + (this.o.retryForMs ?? 86_400_000);
      if (retryAt.getTime() <= giveUpAt) await this.o.repo.settle(delivery.id, attempt, 'pending', retryAt);
      else await this.o.repo.settle(delivery.id, attempt, 'failed');
    }
    const failures = await this.o.repo.countFailure(endpoint.id, !ok);
    if (!ok && failures >= (this.o.disableAfter ?? 20))
      await this.disable(endpoint, failures, `${delivery.id}:${delivery.attempts}`);
  }

  /** `attempt` names the failed attempt that disables: one notice per disabling, however often it is given. */
  private async disable(endpoint: { id: string; orgId: string; url: string }, failures: number, attempt: string) {
    const reason = `${failures} failed deliveries in a row`;
    if (!(await this.o.repo.disable(endpoint.id, reason))) return;
    this.log.warn({ endpointId: endpoint.id, orgId: endpoint.orgId }, 'webhook endpoint disabled');
    await this.o.notify.notice({
      orgId: endpoint.orgId,
      roles: ['owner'],
      kind: 'webhook.disabled',
      severity: 'major',
      title: 'A webhook endpoint was disabled',
      body:
        `The webhook endpoint ${endpoint.url} was disabled after ${reason}. ` +
        'Fix the receiver, then enable it again (PATCH the webhook with "enabled": true); deliveries left pending resume then.',
      link: `/orgs/${endpoint.orgId}/webhooks/${endpoint.id}`,
      data: { webhook_id: endpoint.id, url: endpoint.url },
      key: `webhook.disabled:${endpoint.id}:${attempt}`,
    });
  }
}
