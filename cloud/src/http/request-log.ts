import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';

/** One structured log line per request, carrying the request id set by `requestId()`. */
export function requestLog({ logger }: { logger: Logger }): MiddlewareHandler {
  return async (c, next) => {
    const start = performance.now();
    await next();
    logger.info(
      {
        requestId: c.get('requestId'),
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round((performance.now() - start) * 10) / 10,
      },
      'request',
    );
  };
}
