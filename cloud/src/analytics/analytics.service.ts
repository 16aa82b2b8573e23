import type { z } from '@hono/zod-openapi';
import type { OrgKeyPrincipal, Principal } from '../access/principal.ts';
import { type CounterStore, rateLimit } from '../auth/rate-limit.ts';
import { Forbidden, Invalid, NotFound } from '../http/problem.ts';
import type { OrgRepository } from '../orgs/org.repository.ts';
import type { AnalyticsEventRow, AnalyticsRepository } from './analytics.repository.ts';
import type { EventInput } from './analytics.schemas.ts';

export interface AnalyticsOptions {
  repo: AnalyticsRepository;
  orgs: Pick<OrgRepository, 'find' | 'membership'>;
  limits: CounterStore;
  /** Days events are kept (ANALYTICS_RETENTION_DAYS): an older `time` is refused too. */
  retentionDays?: number;
  /** Requests per caller per minute (ANALYTICS_RATE_PER_MIN); a batch counts as one. */
  ratePerMin?: number;
  /** How far ahead of the server clock an event's time may be, like TELEMETRY_MAX_FUTURE_MS. */
  maxFutureMs?: number;
}

const DAY_MS = 86_400_000;
/** Most buckets one metrics answer holds, as for telemetry. */
const MAX_BUCKETS = 10_000;
export const BUCKETS = { '1h': 3600, '1d': 86_400 } as const;

/** Product events: who may send them for which organization, their bounds, and reading them back. */
export class AnalyticsService {
  constructor(private readonly o: AnalyticsOptions) {}

  /**
   * Stores events for the caller's organization: an organization key's own (with the
   * `analytics:write` scope), or `orgId` for a person who belongs to it. All or none.
   * @example await analytics.ingest(principal, undefined, [{ name: 'app.opened', properties: {} }]);
   */
  async ingest(
    caller: Principal | OrgKeyPrincipal,
    orgId: string | undefined,
    events: z.infer<typeof EventInput>[],
  ): Promise<number> {
    const org = await this.orgOf(caller, orgId);
    await rateLimit(this.o.limits, `analytics:${caller.apiKeyId ?? (caller.kind === 'user' ? caller.userId : '')}`, [
      this.o.ratePerMin ?? 600,
      60,
    ]);
    const now = Date.now();
    const oldest = now - (this.o.retentionDays ?? 90) * DAY_MS;
    const newest = now + (this.o.maxFutureMs ?? 600_000);
    const errors: { path: string; message: string }[] = [];
    const rows = events.map((e, i) => {
      const time = e.time ? new Date(e.time) : new Date(now);
      if (time.getTime() > newest) errors.push({ path: `events.${i}.time`, message: 'is too far in the future' });
      if (time.getTime() < oldest) errors.push({ path: `events.${i}.time`, message: 'is older than events are kept' });
      return {
        time,
        orgId: org,
        name: e.name,
        userId: e.user ?? (caller.kind === 'user' ? caller.userId : null),
        sessionId: e.session_id ?? null,
        properties: e.properties ?? {},
      };
    });
    if (errors.length) throw new Invalid(errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
    return this.o.repo.insert(rows);
  }

  private async orgOf(caller: Principal | OrgKeyPrincipal, orgId: string | undefined): Promise<string> {
    if (caller.kind === 'org_key') {
      if (orgId !== undefined && orgId !== caller.orgId) throw new NotFound('No such organization');
      if (!caller.scopes.includes('analytics:write')) throw new Forbidden('This key needs the analytics:write scope');
      if (!(await this.o.orgs.find(caller.orgId))) throw new NotFound('No such organization');
      return caller.orgId;
    }
    if (!orgId)
      throw new Invalid('org_id: name the organization the events belong to', {
        errors: [{ path: 'org_id', message: 'is required for a person' }],
      });
    if (!(await this.o.orgs.membership(orgId, caller.userId))) throw new NotFound('No such organization');
    if (caller.scopes !== '*' && !caller.scopes.includes('analytics:write'))
      throw new Forbidden('This key needs the analytics:write scope');
    return orgId;
  }

  /** One page, newest first; `cursor` is the previous page's `next_cursor`. */
  async list(
    orgId: string,
    q: { name?: string; user?: string; from?: string; to?: string; cursor?: string; limit: number },
  ) {
    const rows = await this.o.repo.list(orgId, {
      name: q.name,
      userId: q.user,
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      before: q.cursor ? decodeCursor(q.cursor) : undefined,
      limit: q.limit + 1,
    });
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    return {
      data: page.map(publicAnalyticsEvent),
      next_cursor: rows.length > q.limit && last ? encodeCursor(last) : null,
    };
  }

  /** Events per bucket and name or user in [from, to). */
  async metrics(orgId: string, q: { from: string; to: string; bucket: keyof typeof BUCKETS; by: 'name' | 'user' }) {
    const from = new Date(q.from);
    const to = new Date(q.to);
    const bucketS = BUCKETS[q.bucket];
    if (to <= from)
      throw new Invalid('to: must be after from', { errors: [{ path: 'to', message: 'must be after from' }] });
    if ((to.getTime() - from.getTime()) / 1000 / bucketS > MAX_BUCKETS)
      throw new Invalid(`Too many buckets: use a larger bucket or a shorter range (at most ${MAX_BUCKETS})`);
    const rows = await this.o.repo.counts(orgId, { from, to, bucketS, by: q.by });
    return rows.map((r) => ({ bucket: r.bucket.toISOString(), key: r.key, count: r.count }));
  }

  /** Deletes events past the retention period: the job where TimescaleDB's policy does not exist. */
  purgeExpired(now = Date.now()): Promise<number> {
    return this.o.repo.purgeBefore(new Date(now - (this.o.retentionDays ?? 90) * DAY_MS));
  }
}

/** An event as the API shows it. */
export function publicAnalyticsEvent(r: AnalyticsEventRow) {
  return {
    id: r.id,
    name: r.name,
    user: r.userId,
    session_id: r.sessionId,
    properties: r.properties,
    time: r.time.toISOString(),
    received_at: r.receivedAt.toISOString(),
  };
}

function encodeCursor(r: AnalyticsEventRow): string {
  return Buffer.from(`${r.time.toISOString()}|${r.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { time: Date; id: string } {
  const [time, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const at = new Date(time ?? '');
  if (Number.isNaN(at.getTime()) || !/^[0-9a-f-]{36}$/.test(id ?? ''))
    throw new Invalid('cursor: not a cursor this API gave', { errors: [{ path: 'cursor', message: 'is not valid' }] });
  return { time: at, id: id! };
}
