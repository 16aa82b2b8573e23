import { EventEmitter } from 'node:events';
import type { EventFeed } from '../events/domain-events.ts';
import { Invalid, NotFound } from '../http/problem.ts';
import { isUuid } from '../http/uuid.ts';
import type { NotificationRepository, NotificationRow, RouteRow, RouteValues } from './notification.repository.ts';

/** The types of event that may notify: a stream on another node looks for new rows when one is published. */
const NOTIFYING = new Set(['alarm.raised', 'rule.fired']);

/**
 * A user's inbox (paged, counted, marked read, followed live) and organizations' routes.
 * @example const service = new NotificationService(repo, events); const stop = service.follow(userId, send);
 */
export class NotificationService {
  private readonly created = new EventEmitter().setMaxListeners(0);

  constructor(
    private readonly repo: NotificationRepository,
    private readonly feed: Pick<EventFeed, 'live'>,
  ) {}

  /** Tells this node's streams of a row just written (the inbox channel calls it). */
  announce(row: NotificationRow): void {
    this.created.emit(row.userId, row);
  }

  async list(userId: string, q: { unread?: boolean; cursor?: string; limit: number }) {
    if (q.cursor && !isUuid(q.cursor)) throw new Invalid('cursor: is not one this API gave out');
    const rows = await this.repo.page(userId, { ...q, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    return { data: page.map(publicNotification), next_cursor: rows.length > q.limit ? page.at(-1)!.id : null };
  }

  async unreadCount(userId: string) {
    return { unread: await this.repo.unreadCount(userId) };
  }

  async markRead(userId: string, id: string) {
    const row = await this.repo.markRead(userId, id);
    if (!row) throw new NotFound('No such notification');
    return publicNotification(row);
  }

  async markAllRead(userId: string) {
    return { marked: await this.repo.markAllRead(userId) };
  }

  /**
   * Hears the user's new notifications: at once for those written on this node, and, when a
   * notifying event is published on any node, those written since the last one sent. Each once.
   */
  follow(userId: string, send: (n: ReturnType<typeof publicNotification>) => void): () => void {
    const sent = new Set<string>();
    let last: string | undefined;
    const deliver = (row: NotificationRow) => {
      if (sent.has(row.id)) return;
      sent.add(row.id);
      last = row.id;
      send(publicNotification(row));
    };
    const local = (row: NotificationRow) => deliver(row);
    this.created.on(userId, local);
    let catchingUp = Promise.resolve();
    const stopLive = this.feed.live((event) => {
      if (!NOTIFYING.has(event.type) || !last) return;
      const from = last;
      catchingUp = catchingUp
        .then(async () => {
          for (const row of await this.repo.after(userId, from)) deliver(row);
        })
        .catch(() => undefined);
    });
    // The stream's starting point: rows older than the newest at subscription are not sent.
    void this.repo.page(userId, { limit: 1 }).then(([newest]) => {
      last ??= newest?.id;
    });
    return () => {
      this.created.off(userId, local);
      stopLive();
    };
  }

  listRoutes(orgId: string) {
    return this.repo.listRoutes(orgId).then((rows) => rows.map(publicRoute));
  }

  async getRoute(orgId: string, id: string) {
    return publicRoute(await this.foundRoute(this.repo.routes.find(orgId, id)));
  }

  async createRoute(orgId: string, body: RouteBody) {
    return publicRoute(await this.repo.createRoute(orgId, routeValues(body) as RouteValues));
  }

  async updateRoute(orgId: string, id: string, body: Partial<RouteBody>) {
    return publicRoute(await this.foundRoute(this.repo.routes.update(orgId, id, routeValues(body))));
  }

  async deleteRoute(orgId: string, id: string) {
    if (!(await this.repo.routes.delete(orgId, id))) throw new NotFound('No such notification route');
  }

  private async foundRoute(row: Promise<RouteRow | undefined>) {
    const found = await row;
    if (!found) throw new NotFound('No such notification route');
    return found;
  }
}

export interface RouteBody {
  min_severity: RouteRow['minSeverity'];
  roles: string[];
  channels: ('inbox' | 'email')[];
}

function routeValues(b: Partial<RouteBody>): Partial<RouteValues> {
  return {
    ...(b.min_severity ? { minSeverity: b.min_severity } : {}),
    ...(b.roles ? { roles: [...new Set(b.roles)] } : {}),
    ...(b.channels ? { channels: [...new Set(b.channels)] } : {}),
  };
}

export function publicNotification(n: NotificationRow) {
  return {
    id: n.id,
    org_id: n.orgId,
    kind: n.kind,
    severity: n.severity,
    title: n.title,
    body: n.body,
    link: n.link,
    data: n.data,
    created_at: n.createdAt.toISOString(),
    read_at: n.readAt?.toISOString() ?? null,
  };
}

export function publicRoute(r: RouteRow) {
  return {
    id: r.id,
    min_severity: r.minSeverity,
    roles: r.roles,
    channels: r.channels,
    created_at: r.createdAt.toISOString(),
  };
}
