import { Readable } from 'node:stream';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import parseRange from 'range-parser';
import { InvalidToken, type TokenService } from '../auth/tokens.ts';
import type { AppEnv } from '../http/env.ts';
import { problems } from '../http/openapi.ts';
import { DownloadUrlExpired, Forbidden } from '../http/problem.ts';
import { Uuid } from '../http/uuid.ts';
import type { ReleaseService } from './release.service.ts';

/**
 * `GET /v1/ota/download/{releaseId}?token=...`: an artifact through the short-lived signed URL a
 * device got with its job. Supports `Range` (RFC 9110 §14) so a cut download resumes.
 */
export function downloadRoutes(
  releases: ReleaseService,
  tokens: TokenService,
  { redirect = false }: { redirect?: boolean } = {},
) {
  return new OpenAPIHono<AppEnv>().openapi(
    createRoute({
      method: 'get',
      path: '/v1/ota/download/{releaseId}',
      security: [],
      tags: ['OTA'],
      summary: 'Download an artifact (the URL comes signed in a device job); Range supported',
      request: {
        params: z.object({ releaseId: Uuid }),
        query: z.object({ token: z.string().min(1) }),
      },
      responses: {
        200: { description: 'The artifact', content: { 'application/octet-stream': { schema: z.string() } } },
        307: { description: 'Fetch it from object storage (OTA_DOWNLOAD_REDIRECT)' },
        206: { description: 'Part of it', content: { 'application/octet-stream': { schema: z.string() } } },
        ...problems(400, 403, 404),
        416: { description: 'Range outside the artifact' },
      },
    }),
    async (c) => {
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
      if (redirect) {
        // Straight from object storage, for no longer than this URL is good for: the API checks the
        // device's right to it and serves no bytes.
        const ttlS = Math.max(1, Math.floor((claims.expiresAt - Date.now()) / 1000));
        const direct = await releases.directUrl(release, ttlS);
        if (direct) return c.redirect(direct, 307);
      }
      const size = release.size;
      const headers: Record<string, string> = {
        'accept-ranges': 'bytes',
        'content-type': 'application/octet-stream',
        etag: `"${release.sha256}"`,
      };
      const header = c.req.header('range');
      const ranges = header ? parseRange(size, header, { combine: true }) : undefined;
      if (ranges === -1) return c.body(null, 416, { 'content-range': `bytes */${size}` });
      // If-Range (RFC 9110 §13.1.5): resume only if the artifact is still the one the client began.
      const ifRange = c.req.header('if-range');
      const range =
        Array.isArray(ranges) && ranges.length === 1 && (!ifRange || ifRange === headers.etag) ? ranges[0] : undefined;
      if (!range) {
        const body = await releases.open(release);
        return c.body(Readable.toWeb(body.body) as ReadableStream, 200, { ...headers, 'content-length': String(size) });
      }
      const part = await releases.open(release, range);
      return c.body(Readable.toWeb(part.body) as ReadableStream, 206, {
        ...headers,
        'content-length': String(range.end - range.start + 1),
        'content-range': `bytes ${range.start}-${range.end}/${size}`,
      });
    },
  );
}
