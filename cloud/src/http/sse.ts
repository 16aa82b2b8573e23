import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { type SSEMessage, streamSSE } from 'hono/streaming';

/** The OpenAPI answer of a server-sent event stream. */
export const SSE_RESPONSE = {
  description: 'text/event-stream',
  content: { 'text/event-stream': { schema: z.string() } },
};

/**
 * A server-sent event stream: `follow` starts sending (its `send` keeps messages in order) and
 * returns how to stop, called when the client goes; `first`, if any, is written before anything it
 * sends. A ping every 15 s keeps proxies from closing an idle stream.
 * @example return sseStream(c, (send) => { bus.on('x', send); return () => bus.off('x', send); });
 */
export function sseStream(
  c: Context,
  follow: (send: (message: SSEMessage) => void) => (() => void) | Promise<() => void>,
  first?: SSEMessage,
) {
  return streamSSE(c, async (out) => {
    let writing = Promise.resolve();
    const send = (message: SSEMessage) => {
      writing = writing.then(() => out.writeSSE(message));
    };
    const stop = await follow(send);
    out.onAbort(stop);
    if (first) await out.writeSSE(first);
    while (!out.aborted) await out.sleep(15_000).then(() => out.writeSSE({ event: 'ping', data: '' }));
    stop();
  });
}
