import { type RouteConfig, z } from '@hono/zod-openapi';
import type { Context } from 'hono';

/** What every route's OpenAPI description is built from: problem responses, JSON bodies and answers. */

export const Problem = z
  .object({
    type: z.string().url(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
  })
  .openapi('Problem');

/** The error responses every route may give, as problem details. */
export function problems(...codes: (400 | 401 | 402 | 403 | 404 | 409 | 410 | 413 | 415 | 429 | 503)[]) {
  return Object.fromEntries(
    codes.map((code) => [
      code,
      { description: 'Problem details (RFC 9457)', content: { 'application/problem+json': { schema: Problem } } },
    ]),
  );
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

type Code = Parameters<typeof problems>[number];
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
