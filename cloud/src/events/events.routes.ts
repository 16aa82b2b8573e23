import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Authenticator } from '../auth/authenticator.ts';
import type { AppEnv } from '../http/env.ts';
import { pageOf, problems } from '../http/openapi.ts';
import { SSE_RESPONSE } from '../http/sse.ts';
import type { OrgRepository } from '../orgs/org.repository.ts';
import { orgGuard } from '../orgs/org-guard.ts';
import { OrgId, orgRoutes } from '../orgs/org-route.ts';
import { EVENT_TYPES, type StoredEvent } from './domain-events.ts';
import type { EventService } from './event.service.ts';
import { eventStream } from './event-stream.ts';

const tags = ['events'];
/** A Last-Event-ID or cursor: an event id. */
export const EventId = z.string().regex(/^\d{1,18}$/, 'must be an event id');
export const Event = z
  .object({
    id: z.number().int(),
    type: z.enum(EVENT_TYPES),
    subject_type: z.string().nullable(),
    subject_id: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
    created_at: z.string(),
  })
  .openapi('Event');

/** An event as the API shows it. */
export function publicEvent(e: StoredEvent): z.infer<typeof Event> {
  return {
    id: e.id,
    type: e.type,
    subject_type: e.subjectType,
    subject_id: e.subjectId,
    data: e.data,
    created_at: e.createdAt,
  };
}

/** `/v1/orgs/{orgId}/events`: what happened in the organization, paged, and as a live stream. */
export function eventRoutes(auth: Authenticator, orgs: OrgRepository, events: EventService) {
  const route = orgRoutes((p) => orgGuard(auth, orgs, p));
  return new OpenAPIHono<AppEnv>()
    .openapi(
      route('events:read', {
        method: 'get',
        path: '/v1/orgs/{orgId}/events',
        tags,
        summary: 'Events, newest first; `cursor` is the `next_cursor` of the page before',
        request: {
          params: OrgId,
          query: z.object({
            type: z.enum(EVENT_TYPES).optional(),
            subject_id: z.string().max(200).optional(),
            since: z.string().datetime({ offset: true }).optional(),
            limit: z.coerce.number().int().min(1).max(500).default(100),
            cursor: EventId.optional(),
          }),
        },
        responses: { 200: pageOf(Event), ...problems(400, 401, 403, 404) },
      }),
      async (c) => {
        const q = c.req.valid('query');
        const page = await events.list(c.get('org').id, {
          type: q.type,
          subjectId: q.subject_id,
          since: q.since ? new Date(q.since) : undefined,
          before: q.cursor ? Number(q.cursor) : undefined,
          limit: q.limit,
        });
        return c.json({ data: page.data.map(publicEvent), next_cursor: page.next_cursor }, 200);
      },
    )
    .openapi(
      route('events:read', {
        method: 'get',
        path: '/v1/orgs/{orgId}/events/stream',
        tags,
        summary:
          'Events as they are published (server-sent events, `id:` the event id); with Last-Event-ID, first those after it',
        request: { params: OrgId, headers: z.object({ 'last-event-id': EventId.optional() }) },
        responses: {
          200: SSE_RESPONSE,
          ...problems(400, 401, 403, 404),
        },
      }),
      (c) =>
        eventStream(c, events, c.get('org').id, c.req.valid('header')['last-event-id'], (e) => ({
          event: e.type,
          data: JSON.stringify(publicEvent(e)),
        })),
    );
}
