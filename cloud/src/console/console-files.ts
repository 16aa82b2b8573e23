import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

/** One file of the built console, held in memory with its compressed forms. */
export interface ConsoleFile {
  body: Buffer;
  type: string;
  etag: string;
  br?: Buffer;
  gzip?: Buffer;
}

/** The built console: its files by URL path (`/index.html`, `/assets/index-3f9a.js`). */
export type ConsoleFiles = ReadonlyMap<string, ConsoleFile>;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};
/** Worth compressing: text, past a packet's worth. */
const COMPRESSIBLE = /^(text\/|image\/svg|application\/(json|manifest))/;
const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/**
 * Where `npm install` builds the console: `dist/` of the `@iotp/web` workspace; undefined when it is
 * not installed (a production install without it).
 */
export function defaultConsoleDir(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@iotp/web/package.json')), 'dist');
  } catch {
    return undefined;
  }
}

/**
 * Reads the built console into memory, compressed once with Brotli and gzip: a few hundred KB that
 * every phone then gets at the smallest size, with no work per request. Undefined when `dir` holds
 * no built console.
 * @example const files = await loadConsoleFiles('web/dist'); files?.get('/index.html');
 */
export async function loadConsoleFiles(dir: string): Promise<ConsoleFiles | undefined> {
  if (!existsSync(join(dir, 'index.html'))) return undefined;
  const files = new Map<string, ConsoleFile>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const body = await readFile(path);
    const type = TYPES[extname(path)] ?? 'application/octet-stream';
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    const file: ConsoleFile = { body, type, etag };
    if (COMPRESSIBLE.test(type) && body.length > 1024) {
      file.br = await brotli(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
      file.gzip = await gzipAsync(body, { level: 9 });
    }
    files.set(`/${relative(dir, path).split(sep).join('/')}`, file);
  }
  return files;
}
