import type { MiddlewareHandler } from 'hono';
import { Invalid } from './problem.ts';

/**
 * U+0000 and unpaired UTF-16 surrogates: PostgreSQL's text and jsonb cannot hold them (the first is
 * refused with an error, the second would be stored as U+FFFD), so no request may carry them.
 */
const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const JSON_TYPE = /^application\/(.+\+)?json\b/i;
const TEXT_TYPE = /^text\//i;

/** Whether a decoded string can be stored in PostgreSQL as it is. */
export function storable(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/**
 * Refuses, with one 400 for every route, a request whose path, query or JSON body holds text
 * PostgreSQL cannot store, before any handler can pass it to the database.
 * @example app.use(storableText());
 */
export function storableText(): MiddlewareHandler {
  return (c, next) => {
    const url = c.req.url;
    // Decoding a URL changes only its escapes (`%`) and `+`: without escapes, what is storable as
    // it stands is storable decoded, and its path and query need no look one by one.
    if (url.includes('%') || !storable(url)) {
      if (!storable(c.req.path)) refuse('path');
      for (const [name, values] of Object.entries(c.req.queries())) {
        if (!storable(name) || values.some((v) => !storable(v))) refuse(storable(name) ? `query.${name}` : 'query');
      }
    }
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    return checkBody(c, next);
  };
}

const checkBody: MiddlewareHandler = async (c, next) => {
  const type = c.req.header('content-type') ?? '';
  // Hono caches the body: the route reads it again without a second read of the stream.
  if (TEXT_TYPE.test(type) && !storable(await c.req.text())) refuse('body');
  if (JSON_TYPE.test(type)) {
    let ok = true;
    try {
      // Escapes (\u0000, \ud800) are what JSON.parse turns into these characters: look at its output.
      JSON.parse(await c.req.text(), (key, value) => {
        if (!storable(key) || (typeof value === 'string' && !storable(value))) ok = false;
        return value;
      });
    } catch {
      // Not JSON: the route's validator answers that.
    }
    if (!ok) refuse('body');
  }
  await next();
};

function refuse(where: string): never {
  throw new Invalid(`${where}: must not contain U+0000 or unpaired surrogates`, {
    errors: [{ path: where, message: 'must not contain U+0000 or unpaired surrogates' }],
  });
}
