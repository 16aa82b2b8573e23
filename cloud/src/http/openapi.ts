import { type OpenAPIHono, type RouteConfig, z } from '@hono/zod-openapi';
import type { Context } from 'hono';

/** What every route's OpenAPI description is built from: problem responses, JSON bodies and answers. */

export const Problem = z
  .object({
    type: z
      .string()
      .url()
      .openapi({ description: 'What went wrong, as a stable URI: `https://iot-platform.dev/problems/` and a slug' }),
    title: z.string().openapi({ description: 'A short, human-readable summary of the problem type' }),
    status: z.number().int().openapi({ description: 'The HTTP status code' }),
    detail: z.string().optional().openapi({ description: 'What went wrong this time, and what to do about it' }),
    instance: z.string().optional().openapi({ description: 'The request id (`x-request-id`), to quote in a report' }),
  })
  .catchall(z.unknown())
  .openapi('Problem', {
    description: 'Problem details (RFC 9457), sent as `application/problem+json`; some types add members of their own',
    example: {
      type: 'https://iot-platform.dev/problems/not-found',
      title: 'Not found',
      status: 404,
      detail: 'No such device',
      instance: '4f0c1a9e-2b7d-4e61-8a53-6d2c9f1e0b7a',
    },
  });

/** The error statuses routes answer with, each a shared response of the document. */
const PROBLEM_RESPONSES = {
  400: ['BadRequest', 'The request is not valid (`invalid-request`, or a more precise type)'],
  401: ['Unauthorized', 'No valid credentials were sent (`unauthorized`)'],
  402: ['PaymentRequired', 'The plan does not allow this (`plan-limit`)'],
  403: ['Forbidden', 'The credentials may not do this (`forbidden`)'],
  404: ['NotFound', 'No such resource, or not yours to see (`not-found`)'],
  409: ['Conflict', 'The request conflicts with the current state (`conflict`, or a more precise type)'],
  410: ['Gone', 'The resource was there once and is gone for good (`gone`)'],
  413: ['PayloadTooLarge', 'The body is past its limit (`payload-too-large`)'],
  415: ['UnsupportedMediaType', 'The body is of a media type the route does not take (`unsupported-media-type`)'],
  429: ['TooManyRequests', 'Too many requests; `Retry-After` says when to try again (`rate-limited`)'],
  503: ['ServiceUnavailable', 'Not possible now; may work soon (`unavailable`, or a more precise type)'],
} as const;
type Code = keyof typeof PROBLEM_RESPONSES;

/** Adds the `Problem` responses to a document's components, where `problems()` refers to them. */
export function registerProblemResponses(registry: OpenAPIHono['openAPIRegistry']) {
  registry.register('Problem', Problem);
  for (const [code, [name, description]] of Object.entries(PROBLEM_RESPONSES)) {
    registry.registerComponent('responses', name, {
      description,
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      ...(code === '429'
        ? { headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } } }
        : {}),
    });
  }
}

/** The error responses a route may give, as problem details (references to the shared responses). */
export function problems(...codes: Code[]) {
  return Object.fromEntries(
    codes.map((code) => [code, { $ref: `#/components/responses/${PROBLEM_RESPONSES[code][0]}` }]),
  ) as Record<Code, { $ref: string }>;
}

export const json = <T extends z.ZodType>(schema: T, description = 'OK') => ({
  description,
  content: { 'application/json': { schema } },
});

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

/** The answer of every collection: `{ data: [item, ...] }`. */
export const listOf = <T extends z.ZodType>(item: T, description = 'OK') =>
  json(z.object({ data: z.array(item) }), description);

/** The answer of a collection read with cursor pagination: a page, and the cursor of the next (null after the last). */
export const pageOf = <T extends z.ZodType>(item: T) =>
  json(z.object({ data: z.array(item), next_cursor: z.string().nullable() }));

/** What a built route has of its own: perhaps a summary, and its request's params, query or body. */
type Own = NonNullable<RouteConfig['request']> & { summary?: string };

/**
 * Builders for the route shapes that recur: a list, one thing, a deletion. Each is given what all of
 * a resource's routes share (`tags`; for routes outside an organization, `security` and `middleware`),
 * then per route its path, schema, request and the problems it may answer.
 * @example
 * const { list, show, remove } = routeShapes({ tags: ['groups'] });
 * app.openapi(route('devices:read', list('/v1/orgs/{orgId}/groups', Group, { params: OrgId }, [401, 403, 404])), handler);
 */
export function routeShapes<S extends Pick<RouteConfig, 'tags' | 'security' | 'middleware'>>(shared: S) {
  const shape = <M extends 'get' | 'delete', P extends string, O extends Own, R>(
    method: M,
    path: P,
    { summary, ...request }: O,
    responses: R,
  ) => ({ method, path, ...shared, ...(summary === undefined ? {} : { summary }), request, responses });
  return {
    /** `GET` of a collection, answered with `listOf(item)`. */
    list: <P extends string, T extends z.ZodType, O extends Own>(path: P, item: T, own: O, codes: Code[]) =>
      shape('get', path, own, { 200: listOf(item), ...problems(...codes) }),
    /** `GET` of one thing, answered with `schema`. */
    show: <P extends string, T extends z.ZodType, O extends Own>(path: P, schema: T, own: O, codes: Code[]) =>
      shape('get', path, own, { 200: json(schema), ...problems(...codes) }),
    /** `DELETE`, answered with an empty 204 whose `description` says what happened ('Deleted', 'Revoked'). */
    remove: <P extends string, O extends Own>(path: P, description: string, own: O, codes: Code[]) =>
      shape('delete', path, own, { 204: { description }, ...problems(...codes) }),
  };
}

/**
 * Waits for `work`, then answers 204 No Content: how a handler ends that has nothing to return.
 * @example (c) => noContent(c, devices.delete(orgId, c.req.valid('param').id))
 */
export async function noContent(c: Context, work: Promise<unknown>) {
  await work;
  return c.body(null, 204);
}
