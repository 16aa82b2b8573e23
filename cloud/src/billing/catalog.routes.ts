import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { requireAuth } from '../auth/authenticate.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import { cacheable } from '../http/cacheable.ts';
import { type AppEnv, noteAudit } from '../http/env.ts';
import { json, jsonBody, pageOf, problems } from '../http/openapi.ts';
import { CatalogItem, CatalogPatch, CatalogQuery, ItemId, NewCatalogItem } from './catalog.schemas.ts';
import type { CatalogService } from './catalog.service.ts';

const tags = ['catalog'];
const adminTags = ['admin'];
const security = [{ bearer: [] }];
const Id = z.object({ id: ItemId.openapi({ param: { name: 'id', in: 'path' } }) });
const cached = {
  ETag: { description: 'A strong tag of the answer: send it back in If-None-Match', schema: { type: 'string' } },
  'Cache-Control': { description: 'public, max-age=60', schema: { type: 'string' } },
} as const;
const notModified = { 304: { description: 'Not modified: If-None-Match named the current ETag', headers: cached } };

/**
 * The public catalog (no sign-in; shared caches may keep answers a minute) and operators' changes
 * to it, each in the audit trail with the item before and after. Ordering is `POST /v1/orgs/{orgId}/orders`.
 */
export function catalogRoutes(auth: Authenticator, catalog: CatalogService) {
  const operator = requireAuth(auth, { sessionOnly: true, admin: true });
  return new OpenAPIHono<AppEnv>()
    .openapi(
      createRoute({
        method: 'get',
        path: '/v1/catalog',
        security: [],
        tags,
        summary: 'What can be bought (active items, by id), filtered, in cursor pages; no sign-in',
        request: { query: CatalogQuery },
        responses: {
          200: { ...pageOf(CatalogItem), headers: cached },
          ...notModified,
          ...problems(400),
        },
      }),
      async (c) => {
        const q = c.req.valid('query');
        const page = await catalog.list({
          kind: q.kind,
          currency: q.currency,
          minPrice: q.min_price,
          maxPrice: q.max_price,
          search: q.q,
          after: q.cursor,
          limit: q.limit,
        });
        return cacheable(c, page) as never;
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/v1/catalog/{id}',
        security: [],
        tags,
        summary: 'One item, also one no longer sold (active: false); no sign-in',
        request: { params: Id },
        responses: { 200: { ...json(CatalogItem), headers: cached }, ...notModified, ...problems(400, 404) },
      }),
      async (c) => cacheable(c, await catalog.get(c.req.valid('param').id)) as never,
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/v1/admin/catalog',
        tags: adminTags,
        security,
        middleware: [operator],
        summary: 'Add an item to the catalog (operators; audited)',
        request: { body: jsonBody(NewCatalogItem) },
        responses: { 201: json(CatalogItem), ...problems(400, 401, 403, 409) },
      }),
      async (c) => {
        const item = await catalog.create(c.req.valid('json'));
        noteAudit(c, { detail: { item: { before: null, after: item } } });
        return c.json(item, 201);
      },
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/v1/admin/catalog/{id}',
        tags: adminTags,
        security,
        middleware: [operator],
        summary: 'Change an item: name, description, price, currency, what it holds, active (operators; audited)',
        request: { params: Id, body: jsonBody(CatalogPatch) },
        responses: { 200: json(CatalogItem), ...problems(400, 401, 403, 404) },
      }),
      async (c) => {
        const { before, after } = await catalog.update(c.req.valid('param').id, c.req.valid('json'));
        noteAudit(c, { detail: { item: { before, after } } });
        return c.json(after, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/v1/admin/catalog/{id}',
        tags: adminTags,
        security,
        middleware: [operator],
        summary: 'Delete an item; one that orders name is deactivated instead (200 with it) (operators; audited)',
        request: { params: Id },
        responses: {
          200: json(CatalogItem, 'Deactivated: orders name the item'),
          204: { description: 'Deleted' },
          ...problems(401, 403, 404),
        },
      }),
      async (c) => {
        const { done, before, after } = await catalog.remove(c.req.valid('param').id);
        noteAudit(c, { detail: { item: { before, after } } });
        return done === 'deleted' ? c.body(null, 204) : c.json(after!, 200);
      },
    );
}
