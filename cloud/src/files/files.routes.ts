import { createRoute, OpenAPIHono, type RouteConfig, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { Permission } from '../access/permissions.ts';
import { requireAuth } from '../auth/authenticate.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import { InvalidToken, type TokenService } from '../auth/tokens.ts';
import type { AppEnv } from '../http/env.ts';
import { json, jsonBody, noContent, pageOf, problems } from '../http/openapi.ts';
import { DownloadUrlExpired } from '../http/problem.ts';
import { Uuid } from '../http/uuid.ts';
import type { OrgRepository } from '../orgs/org.repository.ts';
import { orgGuard } from '../orgs/org-guard.ts';
import { OrgId, orgRoutes } from '../orgs/org-route.ts';
import type { Owner } from './file.repository.ts';
import type { FileService } from './file.service.ts';
import { fileResponse } from './file-response.ts';
import { binary, FileMeta, FilePath, FileUpload, SignedUrl, Usage } from './files.schemas.ts';

/** What the file routes need: the service, the token signer, and where signed URLs point. */
export interface FileRouteParts {
  files: FileService;
  tokens: TokenService;
  /** PUBLIC_URL: signed URLs are absolute. */
  publicUrl: string;
  /** Longest life of a signed URL (FILES_URL_TTL_S). */
  urlTtlS: number;
}

type Secure = <R extends Omit<RouteConfig, 'middleware' | 'security'>>(p: Permission, route: R) => R;
type Scope = {
  base: string;
  params: z.ZodObject;
  tags: string[];
  secure: Secure;
  owner: (c: Context<AppEnv>) => Owner;
  by: (c: Context<AppEnv>) => string | null;
};

const Ttl = z
  .number()
  .int()
  .min(1)
  .optional()
  .openapi({ description: 'Seconds the URL works; FILES_URL_TTL_S at most' });
const Body = { required: true, ...binary('The file, as the raw body (any content type; it is sniffed)') };
const declared = (c: Context) => {
  const length = c.req.header('content-length');
  return length && /^\d+$/.test(length) ? Number(length) : undefined;
};

/** `/v1/orgs/{orgId}/files`: an organization's files, guarded by files:read and files:write. */
export function orgFileRoutes(auth: Authenticator, orgs: OrgRepository, parts: FileRouteParts) {
  const route = orgRoutes((p) => orgGuard(auth, orgs, p));
  return fileRoutes(parts, {
    base: '/v1/orgs/{orgId}/files',
    params: OrgId,
    tags: ['files'],
    secure: route as unknown as Secure,
    owner: (c) => ({ kind: 'org', id: c.get('org').id }),
    by: (c) => {
      const actor = c.get('org').actor;
      return actor.kind === 'user' ? actor.userId : null;
    },
  });
}

/** `/v1/me/files`: the signed-in user's own files; API keys need the files:read or files:write scope. */
export function myFileRoutes(auth: Authenticator, parts: FileRouteParts) {
  const secure: Secure = (p, route) =>
    createRoute({
      ...route,
      middleware: [requireAuth(auth, { scope: p })] as MiddlewareHandler<AppEnv>[],
      security: [{ bearer: [] }],
    }) as never;
  return fileRoutes(parts, {
    base: '/v1/me/files',
    params: z.object({}),
    tags: ['me'],
    secure,
    owner: (c) => ({ kind: 'user', id: c.var.principal.userId }),
    by: (c) => c.var.principal.userId,
  });
}

function fileRoutes({ files, tokens, publicUrl, urlTtlS }: FileRouteParts, s: Scope) {
  const { base, tags, secure, owner, by } = s;
  const WithId = s.params.extend({ id: Uuid });
  const WithUpload = s.params.extend({ uploadId: Uuid });
  const ttl = (asked?: number) => Math.min(asked ?? urlTtlS, urlTtlS);
  const signed = (path: string, token: string, ttlS: number) => ({
    url: `${publicUrl}${path}?token=${token}`,
    expires_at: new Date(Date.now() + ttlS * 1000).toISOString(),
  });
  const upload = (replace: boolean) =>
    secure('files:write', {
      method: replace ? 'put' : 'post',
      path: base,
      tags,
      summary: replace
        ? 'Upload a file to `path`, replacing one there; the body is streamed (FILES_MAX_BYTES at most)'
        : 'Upload a new file to `path` (409 when one is there); the body is streamed',
      request: { params: s.params, query: z.object({ path: FilePath }), body: Body },
      responses: { 201: json(FileMeta, 'Stored'), ...problems(400, 401, 402, 403, 404, 409, 413) },
    });
  const uploadHandler = (replace: boolean) => async (c: Context<AppEnv>) =>
    c.json(
      await files.upload(owner(c), c.req.query('path') ?? '', c.req.raw.body, by(c), {
        replace,
        declaredBytes: declared(c),
      }),
      201,
    );
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(
    secure('files:read', {
      method: 'get',
      path: base,
      tags,
      summary: 'List files in path order, those under `prefix` only if given; cursor pages',
      request: {
        params: s.params,
        query: z.object({
          prefix: z.string().max(1024).optional().openapi({ example: 'reports/' }),
          cursor: z.string().optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
      },
      responses: { 200: pageOf(FileMeta), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const q = c.req.valid('query') as { prefix?: string; cursor?: string; limit: number };
      return c.json(await files.list(owner(c), q), 200);
    },
  );
  app.openapi(upload(true), uploadHandler(true) as never);
  app.openapi(upload(false), uploadHandler(false) as never);
  app.openapi(
    secure('files:read', {
      method: 'get',
      path: `${base}/usage`,
      tags,
      summary: 'Bytes and files kept, against the quota',
      request: { params: s.params },
      responses: { 200: json(Usage), ...problems(401, 403, 404) },
    }),
    async (c) => c.json(await files.usage(owner(c)), 200),
  );
  app.openapi(
    secure('files:write', {
      method: 'post',
      path: `${base}/upload-url`,
      tags,
      summary: 'A signed URL that takes one upload (PUT, raw body) to `path` without credentials, until it expires',
      request: { params: s.params, body: jsonBody(z.object({ path: FilePath, ttl_s: Ttl }).strict()) },
      responses: { 201: json(SignedUrl), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const body = (await c.req.json()) as { path: string; ttl_s?: number };
      const ttlS = ttl(body.ttl_s);
      const token = await tokens.signFileUpload({ owner: owner(c), path: body.path, by: by(c) }, ttlS);
      return c.json(signed('/v1/files/upload', token, ttlS), 201);
    },
  );
  app.openapi(
    secure('files:write', {
      method: 'post',
      path: `${base}/uploads`,
      tags,
      summary: 'Begin a multipart upload to `path`: PUT parts 1, 2, 3, ..., then complete (or DELETE to abort)',
      request: { params: s.params, body: jsonBody(z.object({ path: FilePath }).strict()) },
      responses: { 201: json(FileUpload), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const { path } = (await c.req.json()) as { path: string };
      return c.json(await files.initiate(owner(c), path, by(c)), 201);
    },
  );
  app.openapi(
    secure('files:write', {
      method: 'get',
      path: `${base}/uploads/{uploadId}`,
      tags,
      summary: 'A multipart upload: its parts and the bytes received so far',
      request: { params: WithUpload },
      responses: { 200: json(FileUpload), ...problems(400, 401, 403, 404) },
    }),
    async (c) => c.json(await files.uploadStatus(owner(c), c.req.param('uploadId') ?? ''), 200),
  );
  app.openapi(
    secure('files:write', {
      method: 'put',
      path: `${base}/uploads/{uploadId}/parts/{number}`,
      tags,
      summary: 'Upload part `number` (1-10000) as the raw body; answers the bytes received so far',
      request: { params: WithUpload.extend({ number: z.coerce.number().int().min(1).max(10_000) }), body: Body },
      responses: { 200: json(FileUpload), ...problems(400, 401, 403, 404, 413) },
    }),
    async (c) => {
      const n = Number(c.req.param('number'));
      return c.json(await files.uploadPart(owner(c), c.req.param('uploadId') ?? '', n, c.req.raw.body), 200);
    },
  );
  app.openapi(
    secure('files:write', {
      method: 'post',
      path: `${base}/uploads/{uploadId}/complete`,
      tags,
      summary: 'Join the parts in order into the file, replacing one at its path',
      request: { params: WithUpload },
      responses: { 201: json(FileMeta, 'Stored'), ...problems(400, 401, 402, 403, 404, 409, 413) },
    }),
    async (c) => c.json(await files.complete(owner(c), c.req.param('uploadId') ?? ''), 201),
  );
  app.openapi(
    secure('files:write', {
      method: 'delete',
      path: `${base}/uploads/{uploadId}`,
      tags,
      summary: 'Abort a multipart upload: its parts are deleted',
      request: { params: WithUpload },
      responses: { 204: { description: 'Aborted' }, ...problems(400, 401, 403, 404) },
    }),
    (c) => noContent(c, files.abort(owner(c), c.req.param('uploadId') ?? '')),
  );
  app.openapi(
    secure('files:read', {
      method: 'get',
      path: `${base}/{id}`,
      tags,
      summary: "A file's metadata",
      request: { params: WithId },
      responses: { 200: json(FileMeta), ...problems(400, 401, 403, 404) },
    }),
    async (c) => c.json(await files.get(owner(c), c.req.param('id') ?? ''), 200),
  );
  app.openapi(
    secure('files:read', {
      method: 'get',
      path: `${base}/{id}/content`,
      tags,
      summary: "A file's bytes, with Range (206; 416 outside the file); attachment unless an image, nosniff",
      request: { params: WithId },
      responses: {
        200: binary('The file'),
        206: binary('Part of it'),
        416: { description: 'Range outside the file' },
        ...problems(400, 401, 403, 404),
      },
    }),
    async (c) => fileResponse(c, files, await files.row(owner(c), c.req.param('id') ?? '')),
  );
  app.openapi(
    secure('files:read', {
      method: 'post',
      path: `${base}/{id}/download-url`,
      tags,
      summary: 'A signed URL that downloads the file without credentials (Range too), until it expires',
      request: { params: WithId, body: { ...jsonBody(z.object({ ttl_s: Ttl }).strict()), required: false } },
      responses: { 201: json(SignedUrl), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const file = await files.row(owner(c), c.req.param('id') ?? '');
      const body = (await c.req.json().catch(() => ({}))) as { ttl_s?: number };
      const ttlS = ttl(body.ttl_s);
      return c.json(signed('/v1/files/download', await tokens.signFileDownload(file.id, ttlS), ttlS), 201);
    },
  );
  app.openapi(
    secure('files:write', {
      method: 'delete',
      path: `${base}/{id}`,
      tags,
      summary: 'Delete a file',
      request: { params: WithId },
      responses: { 204: { description: 'Deleted' }, ...problems(400, 401, 403, 404) },
    }),
    (c) => noContent(c, files.delete(owner(c), c.req.param('id') ?? '')),
  );
  return app;
}

/** `/v1/files/download` and `/v1/files/upload`: what a signed URL allows, for whoever holds it. */
export function signedFileRoutes({ files, tokens }: Pick<FileRouteParts, 'files' | 'tokens'>) {
  const verified = async <T>(check: Promise<T>) => {
    try {
      return await check;
    } catch (err) {
      if (err instanceof InvalidToken) throw new DownloadUrlExpired('Ask for a new signed URL', { cause: err });
      throw err;
    }
  };
  const Token = z.object({ token: z.string().min(1) });
  return new OpenAPIHono<AppEnv>()
    .openapi(
      createRoute({
        method: 'get',
        path: '/v1/files/download',
        security: [],
        tags: ['files'],
        summary: 'Download a file through a signed URL; Range supported',
        request: { query: Token },
        responses: {
          200: binary('The file'),
          206: binary('Part of it'),
          416: { description: 'Range outside the file' },
          ...problems(400, 403, 404),
        },
      }),
      async (c) => {
        const { fileId } = await verified(tokens.verifyFileDownload(c.req.valid('query').token));
        return fileResponse(c, files, await files.row(undefined, fileId));
      },
    )
    .openapi(
      createRoute({
        method: 'put',
        path: '/v1/files/upload',
        security: [],
        tags: ['files'],
        summary: 'Upload the file a signed URL names (its path and owner), as the raw body',
        request: { query: Token, body: Body },
        responses: { 201: json(FileMeta, 'Stored'), ...problems(400, 402, 403, 413) },
      }),
      async (c) => {
        const grant = await verified(tokens.verifyFileUpload(c.req.valid('query').token));
        return c.json(
          await files.upload(grant.owner, grant.path, c.req.raw.body, grant.by, {
            replace: true,
            declaredBytes: declared(c),
          }),
          201,
        );
      },
    );
}
