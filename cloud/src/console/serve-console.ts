import type { Context } from 'hono';
import type { ConsoleFile, ConsoleFiles } from './console-files.ts';

/**
 * The console page's Content Security Policy: its own scripts and styles only, nothing inline, no
 * frames around it, and calls to its own origin only. A token in memory is then out of reach of a
 * script an attacker manages to put in the page's markup. Images may also be `blob:` URLs: the
 * avatar is fetched with the access token and shown from one.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  // The mailed links carry one-time tokens in their query: no other site may see them as a referrer.
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cache-control': 'no-cache',
};
/** Vite names each built asset by a hash of its content: a changed file is a new URL. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Paths that are the API's, never the console's: an unknown one is a problem+json 404. */
const API_PATH = /^\/(v1|\.well-known)(\/|$)/;

/**
 * Answers a GET or HEAD the API has no route for from the built console: a built file as it is
 * (hashed assets cached for a year, the rest revalidated), any other path with the console's page,
 * whose router shows it (`/verify-email`, `/billing`, `/devices/...`). Undefined for what is not
 * the console's: other methods, the API's paths, a missing asset.
 * @example app.notFound((c) => serveConsole(c, files) ?? problem404(c));
 */
export function serveConsole(c: Context, files: ConsoleFiles): Response | undefined {
  const { method, path } = c.req;
  if ((method !== 'GET' && method !== 'HEAD') || API_PATH.test(path)) return undefined;
  const file = files.get(path);
  if (file && path !== '/index.html') {
    return send(c, file, { 'cache-control': path.startsWith('/assets/') ? IMMUTABLE : 'public, max-age=3600' });
  }
  // An old page asking for an asset of a build that is gone gets a 404, not the page as script.
  if (path.startsWith('/assets/')) return undefined;
  const page = files.get('/index.html');
  return page && send(c, page, PAGE_HEADERS);
}

function send(c: Context, file: ConsoleFile, headers: Record<string, string>): Response {
  const common = { ...headers, etag: file.etag, vary: 'accept-encoding' };
  const wanted = c.req.header('if-none-match');
  if (wanted?.split(',').some((t) => t.trim().replace(/^W\//, '') === file.etag || t.trim() === '*'))
    return c.body(null, 304, common);
  const accepts = c.req.header('accept-encoding') ?? '';
  const [body, encoding] =
    file.br && /\bbr\b/.test(accepts)
      ? [file.br, 'br']
      : file.gzip && /\bgzip\b/.test(accepts)
        ? [file.gzip, 'gzip']
        : [file.body, undefined];
  // Hono answers a HEAD with this GET's headers, without the body.
  return c.body(new Uint8Array(body), 200, {
    ...common,
    'content-type': file.type,
    ...(encoding ? { 'content-encoding': encoding } : {}),
  });
}
