import type { Context } from 'hono';
import type { SSEMessage } from 'hono/streaming';
import { sseStream } from '../http/sse.ts';
import type { StoredEvent } from './domain-events.ts';
import type { EventService } from './event.service.ts';

/**
 * Follows an organization's events: after `afterId` (a Last-Event-ID), the published events the
 * table holds, then live ones, with no gap and none twice. Listening starts before the table is
 * read, and the relay publishes live only after the mark commits: an event is either in what is
 * read or heard live (or both, and then sent once). `send` is called in order; the answer stops following.
 * Ids are taken as rows are inserted and published as transactions commit, so two events written at
 * once may go out in either order; a stream resumed after the later id does not replay the earlier.
 * (The relay publishes in id order what is committed, which keeps that window to concurrent writes.)
 * @example const stop = await followEvents(events, orgId, 41, (e) => write(e));
 */
export async function followEvents(
  events: EventService,
  orgId: string,
  afterId: number | undefined,
  send: (event: StoredEvent) => void,
): Promise<() => void> {
  let held: StoredEvent[] | undefined = [];
  const replayed = new Set<number>();
  const stop = events.live((event) => {
    if (event.orgId !== orgId) return;
    if (held) held.push(event);
    else if (!replayed.has(event.id)) send(event);
  });
  try {
    for (let after = afterId; after !== undefined; ) {
      const page = await events.publishedAfter(orgId, after);
      for (const event of page) {
        replayed.add(event.id);
        send(event);
      }
      after = page.length ? page[page.length - 1]!.id : undefined;
    }
  } catch (err) {
    stop();
    throw err;
  }
  const waiting = held;
  held = undefined;
  for (const event of waiting) if (!replayed.has(event.id)) send(event);
  return stop;
}

/**
 * Answers with an organization's events as a server-sent event stream whose `id:` is the event id:
 * after `lastEventId` (the client's Last-Event-ID) first the ones it missed, then live ones (followEvents).
 * `message` says what an event is sent as, or nothing to leave it out (a stream of some types only).
 * @example return eventStream(c, events, orgId, header['last-event-id'], (e) => ({ event: e.type, data: JSON.stringify(e) }));
 */
export function eventStream(
  c: Context,
  events: EventService,
  orgId: string,
  lastEventId: string | undefined,
  message: (event: StoredEvent) => Omit<SSEMessage, 'id'> | undefined,
) {
  return sseStream(c, (send) =>
    followEvents(events, orgId, lastEventId === undefined ? undefined : Number(lastEventId), (event) => {
      const m = message(event);
      if (m) send({ ...m, id: String(event.id) });
    }),
  );
}
