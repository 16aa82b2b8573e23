import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';
import type { AppEnv } from './env.ts';

const require = createRequire(import.meta.url);
const DIST = dirname(require.resolve('swagger-ui-dist/package.json'));
const VERSION: string = require('swagger-ui-dist/package.json').version;

/** The files of swagger-ui-dist the page loads, and our own starter (a CSP without inline scripts needs a file). */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};
const START = `window.addEventListener('load', () => {
  window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null });
});
`;

// Only this origin: the page works offline and nothing leaks to a third party. Swagger UI's
// stylesheet draws its icons from data: URIs; it sets styles through the DOM, which CSP allows.
const CSP =
  "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/**
 * `/docs`: Swagger UI on the OpenAPI document, served from the installed swagger-ui-dist. Assets
 * live under a versioned path, so browsers may keep them for a year.
 * @example app.route('/', docsRoutes());
 */
export function docsRoutes({ title = 'IoT platform API' }: { title?: string } = {}) {
  const base = `/docs/assets/${VERSION}`;
  const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" type="image/png" href="${base}/favicon-32x32.png">
<link rel="stylesheet" href="${base}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${base}/swagger-ui-bundle.js"></script>
<script src="${base}/start.js"></script>
</body>
</html>
`;
  const files = new Map<string, Promise<Buffer>>();
  const immutable = { 'cache-control': 'public, max-age=31536000, immutable', 'x-content-type-options': 'nosniff' };
  return new Hono<AppEnv>()
    .get('/docs', (c) => c.html(page, 200, { 'content-security-policy': CSP, 'cache-control': 'no-cache' }))
    .get(`${base}/start.js`, (c) =>
      c.body(START, 200, { 'content-type': 'text/javascript; charset=utf-8', ...immutable }),
    )
    .get(`${base}/:file`, async (c) => {
      const name = c.req.param('file');
      const type = ASSETS[name];
      if (!type) return c.notFound();
      if (!files.has(name)) files.set(name, readFile(join(DIST, name)));
      const bytes = await files.get(name)!;
      return c.body(new Uint8Array(bytes), 200, { 'content-type': type, ...immutable });
    });
}
