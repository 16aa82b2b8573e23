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

type Cause = { cause?: unknown };

/*
 * The catalogue: every problem the API answers with has a class here (or beside the one module
 * that raises it, such as `MalformedCsv`), so that one `type` is always built one way; nothing
 * throws a bare `Problem`. The slugs are a stable, documented API: never change one. A problem
 * thrown in place of a caught error keeps that error as its `cause`, for logs and debugging;
 * `problemResponse` writes only the members below, never the cause.
 */

export class Invalid extends Problem {
  constructor(detail: string, extra?: Record<string, unknown>, options?: Cause) {
    super('invalid-request', 400, 'The request is not valid', detail, { ...options, extra });
  }
}
export class NotFound extends Problem {
  constructor(detail = 'No such resource', options?: Cause) {
    super('not-found', 404, 'Not found', detail, options);
  }
}
export class Conflict extends Problem {
  constructor(detail: string, options?: Cause) {
    super('conflict', 409, 'Conflict', detail, options);
  }
}
export class Forbidden extends Problem {
  constructor(detail = 'You may not do this', options?: Cause) {
    super('forbidden', 403, 'Forbidden', detail, options);
  }
}
export class Unauthorized extends Problem {
  constructor(detail = 'Sign in, or send a valid bearer token', options?: Cause) {
    super('unauthorized', 401, 'Unauthorized', detail, options);
  }
}
export class RateLimited extends Problem {
  constructor(readonly retryAfterS: number) {
    super('rate-limited', 429, 'Too many requests', `Try again in ${retryAfterS} s`);
  }
}
/** A request body, image or artifact past its limit. */
export class PayloadTooLarge extends Problem {
  constructor(detail: string, title = 'Request body too large') {
    super('payload-too-large', 413, title, detail);
  }
}
/** A body of a media type the route does not take. */
export class UnsupportedMediaType extends Problem {
  constructor(detail: string, title = 'Unsupported media type') {
    super('unsupported-media-type', 415, title, detail);
  }
}
/** What cannot be done now but may work soon, such as storing telemetry while the database is down. */
export class Unavailable extends Problem {
  constructor(detail: string, options?: Cause) {
    super('unavailable', 503, 'Service unavailable', detail, options);
  }
}
/** Something that was there once and is no more, for good (RFC 9110 section 15.5.11). */
export class Gone extends Problem {
  constructor(title: string, detail?: string) {
    super('gone', 410, title, detail);
  }
}
/** A signed request (a webhook) whose signature is missing or does not verify. */
export class InvalidSignature extends Problem {
  constructor(title: string, detail?: string, options?: Cause) {
    super('invalid-signature', 400, title, detail, options);
  }
}
/** An uploaded artifact whose size or digest is not the one its manifest names. */
export class ArtifactMismatch extends Problem {
  constructor(detail: string, options?: Cause) {
    super('artifact-mismatch', 400, 'The artifact does not match its manifest', detail, options);
  }
}
/** A release manifest sent without a signature. */
export class UnsignedRelease extends Problem {
  constructor(detail = 'Sign it first: firmware-tools sign <manifest> --key <key>') {
    super('unsigned-release', 400, 'The manifest is not signed', detail);
  }
}
/** A release manifest whose signature is not by one of the organization's active keys, or does not verify. */
export class BadSignature extends Problem {
  constructor(detail: string, options?: Cause) {
    super('bad-signature', 400, 'Signature refused', detail, options);
  }
}
/** A rollout whose target holds no device that would install its release. */
export class RolloutMatchesNoDevice extends Problem {
  constructor(detail: string, extra: Record<string, unknown>) {
    super('rollout-matches-no-device', 400, 'The rollout would reach no device', detail, { extra });
  }
}
/** A signed download URL whose token does not verify or has expired. */
export class DownloadUrlExpired extends Problem {
  constructor(
    detail = 'Ask for the job again (publish to devices/{id}/ota/request) to get a fresh URL',
    options?: Cause,
  ) {
    super('download-url-expired', 403, 'The download URL is invalid or expired', detail, options);
  }
}
/** Billing routes on an installation without Stripe configured. */
export class BillingNotConfigured extends Problem {
  constructor() {
    super(
      'billing-not-configured',
      503,
      'Billing is not configured',
      'Set STRIPE_SECRET_KEY (and the price ids) to enable billing; everyone is on the free plan meanwhile',
    );
  }
}
/** What needs a PostgreSQL server, asked of the embedded database. */
export class NeedsDatabaseServer extends Problem {
  constructor(detail: string) {
    super('needs-database-server', 409, 'Needs a PostgreSQL server', detail);
  }
}
/** Deleting an account, or purging it, would leave these organizations without an owner. */
export class LastOwner extends Problem {
  constructor(orgs: { id: string; name: string }[]) {
    super(
      'last-owner',
      409,
      'The account is the last owner of organizations',
      `Make another member owner (PATCH /v1/orgs/{orgId}/members/{userId} with role owner) or delete these organizations first: ${orgs.map((o) => o.name).join(', ')}`,
      { extra: { organizations: orgs } },
    );
  }
}
/** A sign-in to an account whose deletion is pending: when it goes, and how to keep it. */
export class AccountDeletionPending extends Problem {
  constructor(purgeAfter: Date) {
    super(
      'account-deletion-pending',
      403,
      'This account is being deleted',
      `The account will be deleted on ${purgeAfter.toISOString()}; to keep it, send POST /v1/auth/deletion/cancel with your email and password (and MFA code), then sign in`,
      { extra: { purge_after: purgeAfter.toISOString(), cancel: 'POST /v1/auth/deletion/cancel' } },
    );
  }
}
/** Hono's own refusals below 500, such as a body that is not JSON. */
class Refused extends Problem {
  constructor(err: HTTPException) {
    const invalid = err.status === 400;
    const slug = invalid ? 'invalid-request' : err.status === 404 ? 'not-found' : 'http-error';
    super(slug, err.status, invalid ? 'The request is not valid' : 'Request refused', err.message, { cause: err });
  }
}
class Internal extends Problem {
  constructor(cause: unknown) {
    super('internal', 500, 'Internal server error', 'Something went wrong; quote the request id', { cause });
  }
}

/** The base of every problem `type`; the docs list each slug. */
const PROBLEM_BASE = 'https://iot-platform.dev/problems/';

/** Turns any error into an `application/problem+json` response; the app's one `onError`. */
export function problemResponse(err: Error, c: Context, logger: Logger): Response {
  const instance = c.get('requestId') as string | undefined;
  let problem: Problem;
  if (err instanceof Problem) problem = err;
  else if (err instanceof HTTPException && err.status < 500) problem = new Refused(err);
  else {
    logger.error({ err, requestId: instance }, 'unhandled error');
    problem = new Internal(err);
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
