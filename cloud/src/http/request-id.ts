import type { ServerResponse } from 'node:http';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './env.ts';

/** A caller's own id is kept when it is short and made of characters safe in a log line. */
const USABLE = /^[\w\-=]{1,255}$/;

/**
 * Names each request for the logs and the audit trail: by the caller's `X-Request-Id` when
 * usable, else by a random UUID; the answer carries it back in the same header. Behind Node's
 * server the header goes straight onto Node's response: set through Hono (as `hono/request-id`
 * does) it gives every answer a WHATWG Headers object, which @hono/node-server then copies out
 * entry by entry, a tenth of the CPU of a small read (#17).
 * @example app.use(requestId());
 */
export function requestId({ headerName = 'X-Request-Id' }: { headerName?: string } = {}): MiddlewareHandler<AppEnv> {
  return (c, next) => {
    const given = c.req.header(headerName);
    const id = given && USABLE.test(given) ? given : crypto.randomUUID();
    c.set('requestId', id);
    const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
    if (outgoing) outgoing.setHeader(headerName, id);
    else c.header(headerName, id);
    return next();
  };
}
