import type { ParamIndexMap, Result, Router } from 'hono/router';
import { TrieRouter } from 'hono/router/trie-router';

/** A path segment that is a lowercase UUID, as ids appear in our paths. */
const UUID_SEGMENT = /\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?=\/|$)/g;
/** Stand-ins for the ids of a path while its shape is matched: UUIDs too, so a param's pattern sees one. */
const STAND_IN_PREFIX = '00000000-0000-4000-8000-';
const standIn = (i: number) => `${STAND_IN_PREFIX}${i.toString(16).padStart(12, '0')}`;
const STAND_INS = Array.from({ length: 16 }, (_, i) => standIn(i));

/** One shape's match: handlers with where each param sits in the stash, and the stash to fill. */
interface Shape<T> {
  handlers: [T, ParamIndexMap][];
  /** Index 0 is unused (a regexp match's whole text); 1..ids hold the ids; the rest, fixed values. */
  stash: (string | undefined)[];
  ids: number;
}

export interface ShapeRouterOptions {
  /** Shapes remembered at most; the oldest is forgotten first. */
  maxShapes?: number;
}

/**
 * Hono's TrieRouter, remembering each path's match by its shape: the path with its UUID segments
 * stood in for. Our routes put a literal beside a parameter (`devices/bulk`, `devices/{id}`), which
 * RegExpRouter refuses, so Hono falls back to walking the trie for every request (several µs and
 * about 5 KB each); every request for a device's latest values has one shape, matched once here.
 * A match answers in RegExpRouter's form (param indexes into a stash), which Hono reads as it does
 * that router's; what matches is exactly what TrieRouter matches, shape by shape.
 * @example new Hono({ router: shapeRouter() })
 */
export function shapeRouter<T>({ maxShapes = 2000 }: ShapeRouterOptions = {}): Router<T> {
  const trie = new TrieRouter<T>();
  const shapes = new Map<string, Shape<T> | null>();

  /** What TrieRouter answers for the shape, as indexes; null when a param holds an id inside other text. */
  const learn = (method: string, shaped: string, ids: number): Shape<T> | null => {
    const [matched] = trie.match(method, shaped) as [[T, Record<string, string | undefined>][]];
    const stash: (string | undefined)[] = Array.from({ length: ids + 1 }, () => undefined);
    const slots = new Map<string | undefined, number>();
    const handlers: [T, ParamIndexMap][] = [];
    for (const [handler, params] of matched) {
      const map: ParamIndexMap = Object.create(null);
      for (const key in params) {
        const value = params[key];
        const id = value === undefined ? -1 : STAND_INS.indexOf(value);
        if (id >= 0) map[key] = id + 1;
        else if (value?.includes(STAND_IN_PREFIX)) return null;
        else {
          if (!slots.has(value)) slots.set(value, stash.push(value) - 1);
          map[key] = slots.get(value)!;
        }
      }
      handlers.push([handler, map]);
    }
    return { handlers, stash, ids };
  };

  return {
    name: 'ShapeRouter(TrieRouter)',
    add: (method, path, handler) => trie.add(method, path, handler),
    match(method, path): Result<T> {
      const ids: string[] = [];
      const shaped =
        path.indexOf('-') === -1
          ? path
          : path.replace(UUID_SEGMENT, (segment) =>
              ids.length < STAND_INS.length ? `/${STAND_INS[ids.push(segment.slice(1)) - 1]}` : segment,
            );
      const key = `${method} ${shaped}`;
      let shape = shapes.get(key);
      if (shape === undefined) {
        shape = learn(method, shaped, ids.length);
        if (shapes.size >= maxShapes) shapes.delete(shapes.keys().next().value!);
        shapes.set(key, shape);
      }
      if (shape === null) return trie.match(method, path);
      const stash = shape.stash.slice();
      for (let i = 0; i < shape.ids; i++) stash[i + 1] = ids[i];
      return [shape.handlers, stash as string[]];
    },
  };
}
