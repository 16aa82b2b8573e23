import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';

/** Base of the errors the API answers with as RFC 9457 problem details. */
export class Problem extends Error {
  constructor(
    /** Stable, documented identifier: the last part of the `type` URI. */
    readonly slug: string,
    readonly status: ContentfulStatusCode,
    readonly title: string,
    readonly detail?: string,
    options?: { cause?: unknown; extra?: Record<string, unknown> },
  ) {
    super(detail ?? title, options);
    this.extra = options?.extra;
  }
  readonly extra?: Record<string, unknown>;
}

export class Invalid extends Problem {
  constructor(detail: string, extra?: Record<string, unknown>) {
    super('invalid-request', 400, 'The request is not valid', detail, { extra });
  }
}
export class NotFound extends Problem {
  constructor(detail = 'No such resource') {
    super('not-found', 404, 'Not found', detail);
  }
}
export class Conflict extends Problem {
  constructor(detail: string) {
    super('conflict', 409, 'Conflict', detail);
  }
}
export class Forbidden extends Problem {
  constructor(detail = 'You may not do this') {
    super('forbidden', 403, 'Forbidden', detail);
  }
}
export class Unauthorized extends Problem {
  constructor(detail = 'Sign in, or send a valid bearer token') {
    super('unauthorized', 401, 'Unauthorized', detail);
  }
}
export class RateLimited extends Problem {
  constructor(readonly retryAfterS: number) {
    super('rate-limited', 429, 'Too many requests', `Try again in ${retryAfterS} s`);
  }
}
export class Unavailable extends Problem {
  constructor(detail: string) {
    super('unavailable', 503, 'Service unavailable', detail);
  }
}

/** The base of every problem `type`; the docs list each slug. */
export const PROBLEM_BASE = 'https://iot-platform.dev/problems/';

/** Turns any error into an `application/problem+json` response; the app's one `onError`. */
export function problemResponse(err: Error, c: Context, logger: Logger): Response {
  const instance = c.get('requestId') as string | undefined;
  let problem: Problem;
  if (err instanceof Problem) problem = err;
  else if (err instanceof HTTPException && err.status < 500) {
    // Hono's own refusals, such as a body that is not JSON.
    const slug = err.status === 400 ? 'invalid-request' : err.status === 404 ? 'not-found' : 'http-error';
    problem = new Problem(
      slug,
      err.status,
      err.status === 400 ? 'The request is not valid' : 'Request refused',
      err.message,
    );
  } else {
    logger.error({ err, requestId: instance }, 'unhandled error');
    problem = new Problem('internal', 500, 'Internal server error', 'Something went wrong; quote the request id');
  }
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (problem instanceof RateLimited) headers['retry-after'] = String(problem.retryAfterS);
  return c.newResponse(
    JSON.stringify({
      type: PROBLEM_BASE + problem.slug,
      title: problem.title,
      status: problem.status,
      detail: problem.detail,
      instance,
      ...problem.extra,
    }),
    problem.status,
    headers,
  );
}
