import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import type { Result } from 'hono/router';
import { TrieRouter } from 'hono/router/trie-router';
import { describe, expect, it } from 'vitest';
import { shapeRouter } from './shape-router.ts';

/** Every route the API documents, in Hono's form, and the middleware patterns around them. */
const documented = Object.keys(
  (JSON.parse(readFileSync(new URL('../../../sdk/openapi.json', import.meta.url), 'utf8')) as { paths: object }).paths,
).map((p) => p.replace(/\{(\w+)\}/g, ':$1'));
const patterns = [
  '*',
  '/v1/*',
  '/v1/orgs/*',
  '/v1/orgs/:orgId/*',
  ...documented,
  '/v1/files/:path{.+}',
  '/v1/things/:id/:id2',
  '/v1/opt/:a?',
  '/v1/digits/:n{[0-9]+}',
];

function bothRouters(maxShapes?: number) {
  const trie = new TrieRouter<string>();
  const shaped = shapeRouter<string>({ maxShapes });
  for (const [i, p] of patterns.entries()) {
    for (const r of [trie, shaped]) {
      r.add('ALL', p, `all ${i}`);
      r.add('GET', p, `get ${i}`);
      r.add('POST', p, `post ${i}`);
    }
  }
  return { trie, shaped };
}

/** A match as handlers with their params by name, whichever form the router answered in. */
const resolved = ([handlers, stash]: Result<string>) =>
  handlers.map(([h, params]) => [
    h,
    Object.fromEntries(
      Object.entries(params as Record<string, unknown>).map(([k, v]) => [k, stash ? stash[v as number] : v]),
    ),
  ]);

/** Concrete paths for a pattern: ids, words, upper-case ids, a longer tail. */
function pathsFor(pattern: string): string[] {
  const fill = (value: () => string) => pattern.replace(/:\w+(\{[^}]+\})?\??/g, () => value()).replace(/\*$/, 'x/y');
  return [fill(randomUUID), fill(() => 'word'), fill(() => randomUUID().toUpperCase()), `${fill(randomUUID)}/extra`];
}

describe('shapeRouter', () => {
  it('matches every documented route as TrieRouter does, with each request its own ids, again and again', () => {
    const { trie, shaped } = bothRouters();
    // Answered from a remembered shape (a stash), not by walking the trie again.
    expect(shaped.match('GET', `/v1/orgs/${randomUUID()}/devices/${randomUUID()}/telemetry/latest`)[1]).toHaveLength(3);
    for (let round = 0; round < 3; round++) {
      for (const pattern of patterns) {
        for (const path of pathsFor(pattern)) {
          for (const method of ['GET', 'POST', 'DELETE']) {
            expect(resolved(shaped.match(method, path)), `${method} ${path}`).toEqual(
              resolved(trie.match(method, path)),
            );
          }
        }
      }
    }
  });

  it('keeps ids apart within one path, the same id twice, and more ids than it stands in for', () => {
    const { trie, shaped } = bothRouters();
    const a = randomUUID();
    const b = randomUUID();
    const many = `/${Array.from({ length: 20 }, () => randomUUID()).join('/')}`;
    for (const path of [`/v1/things/${a}/${b}`, `/v1/things/${a}/${a}`, `/v1/things/${b}/${a}`, many]) {
      expect(resolved(shaped.match('GET', path))).toEqual(resolved(trie.match('GET', path)));
    }
  });

  it('answers a param holding an id among other text, and a path that looks like its stand-ins', () => {
    const { trie, shaped } = bothRouters();
    for (const path of [
      `/v1/files/a/${randomUUID()}/b`,
      '/v1/files/x00000000-0000-4000-8000-000000000000',
      '/v1/things/00000000-0000-4000-8000-000000000000/00000000-0000-4000-8000-000000000001',
      `/v1/digits/${randomUUID()}`,
      '/v1/digits/42',
    ]) {
      for (let i = 0; i < 2; i++)
        expect(resolved(shaped.match('GET', path))).toEqual(resolved(trie.match('GET', path)));
    }
  });

  it('forgets its oldest shapes past its limit and still matches', () => {
    const { trie, shaped } = bothRouters(3);
    for (let i = 0; i < 20; i++) {
      const path = `/v1/orgs/${randomUUID()}/word${i}`;
      expect(resolved(shaped.match('GET', path))).toEqual(resolved(trie.match('GET', path)));
    }
  });

  it("serves a Hono app's params, percent-decoded as before", async () => {
    const app = new Hono({ router: shapeRouter() })
      .get('/v1/orgs/:orgId/devices/bulk', (c) => c.text('bulk'))
      .get('/v1/orgs/:orgId/devices/:id', (c) => c.json(c.req.param()))
      .get('/v1/orgs/:orgId/files/:name', (c) => c.json(c.req.param()));
    const org = randomUUID();
    const device = randomUUID();
    expect(await (await app.request(`/v1/orgs/${org}/devices/bulk`)).text()).toBe('bulk');
    expect(await (await app.request(`/v1/orgs/${org}/devices/${device}`)).json()).toEqual({ orgId: org, id: device });
    const other = randomUUID();
    expect(await (await app.request(`/v1/orgs/${other}/devices/${device}`)).json()).toEqual({
      orgId: other,
      id: device,
    });
    expect(await (await app.request(`/v1/orgs/${org}/files/a%20b`)).json()).toEqual({ orgId: org, name: 'a b' });
  });
});
