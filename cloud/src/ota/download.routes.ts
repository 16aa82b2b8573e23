import { Readable } from 'node:stream';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import parseRange from 'range-parser';
import { InvalidToken, type TokenService } from '../auth/tokens.ts';
import type { AppEnv } from '../http/env.ts';
import { problems } from '../http/openapi.ts';
import { DownloadUrlExpired, Forbidden, NotFound } from '../http/problem.ts';
import { Uuid } from '../http/uuid.ts';
import { deltaOf, type ReleaseService } from './release.service.ts';

/**
 * `GET /v1/ota/download/{releaseId}?token=...`: an artifact through the short-lived signed URL a
 * device got with its job. Supports `Range` (RFC 9110 §14) so a cut download resumes.
 */
export function downloadRoutes(
  releases: ReleaseService,
  tokens: TokenService,
  { redirect = false }: { redirect?: boolean } = {},
) {
  const download = (part: 'full' | 'delta') =>
    createRoute({
      method: 'get',
      path: part === 'full' ? '/v1/ota/download/{releaseId}' : '/v1/ota/download/{releaseId}/delta',
      security: [],
      tags: ['OTA'],
      summary:
        part === 'full'
          ? 'Download an artifact (the URL comes signed in a device job); Range supported'
          : "Download a release's delta from its base version (the job's delta_url); Range supported",
      request: {
        params: z.object({ releaseId: Uuid }),
        query: z.object({ token: z.string().min(1) }),
      },
      responses: {
        200: { description: 'The bytes', content: { 'application/octet-stream': { schema: z.string() } } },
        307: { description: 'Fetch it from object storage (OTA_DOWNLOAD_REDIRECT)' },
        206: { description: 'Part of it', content: { 'application/octet-stream': { schema: z.string() } } },
        ...problems(400, 403, 404),
        416: { description: 'Range outside the artifact' },
      },
    });
  const serve =
    (part: 'full' | 'delta') =>
    async (c: Context<AppEnv, string, { out: { param: { releaseId: string }; query: { token: string } } }>) => {
      const { releaseId } = c.req.valid('param');
      let claims: { releaseId: string; expiresAt: number };
      try {
        claims = await tokens.verifyDownload(c.req.valid('query').token);
      } catch (err) {
        if (err instanceof InvalidToken) throw new DownloadUrlExpired(undefined, { cause: err });
        throw err;
      }
      if (claims.releaseId !== releaseId) throw new Forbidden('This URL is for another release');
      const release = await releases.downloadable(releaseId);
      const delta = deltaOf(release);
      if (part === 'delta' && !(delta && release.deltaUploadedAt)) throw new NotFound('This release has no delta');
      if (redirect) {
        // Straight from object storage, for no longer than this URL is good for: the API checks the
        // device's right to it and serves no bytes.
        const ttlS = Math.max(1, Math.floor((claims.expiresAt - Date.now()) / 1000));
        const direct = await releases.directUrl(release, ttlS, part);
        if (direct) return c.redirect(direct, 307);
      }
      const { size, sha256 } = part === 'delta' ? delta! : release;
      const headers: Record<string, string> = {
        'accept-ranges': 'bytes',
        'content-type': 'application/octet-stream',
        etag: `"${sha256}"`,
      };
      const header = c.req.header('range');
      const ranges = header ? parseRange(size, header, { combine: true }) : undefined;
      if (ranges === -1) return c.body(null, 416, { 'content-range': `bytes */${size}` });
      // If-Range (RFC 9110 §13.1.5): resume only if the artifact is still the one the client began.
      const ifRange = c.req.header('if-range');
      const range =
        Array.isArray(ranges) && ranges.length === 1 && (!ifRange || ifRange === headers.etag) ? ranges[0] : undefined;
      if (!range) {
        const body = await releases.open(release, undefined, part);
        return c.body(Readable.toWeb(body.body) as ReadableStream, 200, { ...headers, 'content-length': String(size) });
      }
      const piece = await releases.open(release, range, part);
      return c.body(Readable.toWeb(piece.body) as ReadableStream, 206, {
        ...headers,
        'content-length': String(range.end - range.start + 1),
        'content-range': `bytes ${range.start}-${range.end}/${size}`,
      });
    };
  return new OpenAPIHono<AppEnv>().openapi(download('full'), serve('full')).openapi(download('delta'), serve('delta'));
}
