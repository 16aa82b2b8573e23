import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { Conflict, Invalid, NotFound, PayloadTooLarge, Problem } from '../http/problem.ts';
import { type ByteRange, type ObjectStore, objectKeyProblem } from '../storage/object-store.ts';
import { sniffContentType } from '../storage/sniff.ts';
import type { FileRepository, FileRow, Owner, UploadRow } from './file.repository.ts';
import { type Spooled, spool } from './spool.ts';

export type { Owner } from './file.repository.ts';
export type FileLimit = 'files_bytes' | 'files_count';

export interface FileServiceOptions {
  repo: FileRepository;
  objects: ObjectStore;
  /** Where bodies are spooled before they go to the store (under DATA_DIR). */
  tmpDir: string;
  /** Largest file (FILES_MAX_BYTES). */
  maxBytes: number;
  /** Throws a 402 when adding `adding` to `limit` would take the owner past its quota. */
  checkQuota: (owner: Owner, limit: FileLimit, adding: number) => Promise<void>;
  logger: Logger;
}

/** The 402 for a user's own files past the personal quota (organizations get PlanLimitReached). */
export class FileQuotaReached extends Problem {
  constructor(limit: FileLimit, allowed: number, current: number) {
    const what = limit === 'files_bytes' ? 'bytes of files' : 'files';
    super(
      'file-quota',
      402,
      'File quota reached',
      `Your own files may hold ${allowed} ${what}; you have ${current}. Delete some, or keep them in an organization`,
      { extra: { limit, allowed, current } },
    );
  }
}

/** Refuses a path that could not be a file's name: the rules of object keys (no `..`, no leading `/`). */
export function checkPath(path: string): string {
  const problem = objectKeyProblem(path);
  if (problem) throw new Invalid(`path ${problem}`, { errors: [{ path: 'path', message: problem }] });
  return path;
}

/** A file as the API shows it. */
export function publicFile(f: FileRow) {
  return {
    id: f.id,
    path: f.path,
    name: f.path.slice(f.path.lastIndexOf('/') + 1),
    size: f.size,
    content_type: f.contentType,
    sha256: f.sha256,
    created_at: f.createdAt.toISOString(),
    created_by: f.createdBy,
  };
}

/** A multipart upload as the API shows it: the parts received, and the bytes so far. */
export function publicUpload(u: UploadRow) {
  const parts = Object.entries(u.parts)
    .map(([n, size]) => ({ number: Number(n), size: Number(size) }))
    .sort((a, b) => a.number - b.number);
  return {
    id: u.id,
    path: u.path,
    parts,
    received: parts.reduce((sum, p) => sum + p.size, 0),
    created_at: u.createdAt.toISOString(),
  };
}

/**
 * Files of organizations and users in the object store: streamed in through a spool file (never
 * held in memory), their type sniffed from their bytes, within FILES_MAX_BYTES and the quotas.
 * Object keys come from ids (`files/<org|user>/<owner id>/<uuid>`), never from the client's path.
 */
export class FileService {
  private readonly log: Logger;
  constructor(private readonly o: FileServiceOptions) {
    this.log = o.logger.child({ component: 'files' });
  }

  /** Stores `body` at `path`; `replace` overwrites a file there (PUT), otherwise that is a 409 (POST). */
  async upload(
    owner: Owner,
    path: string,
    body: ReadableStream<Uint8Array> | Readable | null,
    by: string | null,
    { replace, declaredBytes }: { replace: boolean; declaredBytes?: number },
  ) {
    checkPath(path);
    if (declaredBytes !== undefined && declaredBytes > this.o.maxBytes) throw this.tooLarge();
    const existing = await this.o.repo.byPath(owner, path);
    if (existing && !replace) throw new Conflict(`A file is at ${path} already: PUT replaces it`);
    // Fail before reading the body when the quota is known to be past.
    if (!existing) await this.o.checkQuota(owner, 'files_count', 1);
    if (declaredBytes !== undefined)
      await this.o.checkQuota(owner, 'files_bytes', declaredBytes - (existing?.size ?? 0));
    const spooled = await spool(body, this.o.tmpDir, this.o.maxBytes);
    try {
      return await this.keep(owner, path, spooled, by, replace);
    } finally {
      await spooled.remove();
    }
  }

  async list(owner: Owner, q: { prefix?: string; cursor?: string; limit: number }) {
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    const rows = await this.o.repo.list(owner, { prefix: q.prefix, after, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    return {
      data: page.map(publicFile),
      next_cursor: rows.length > q.limit && last ? Buffer.from(last.path).toString('base64url') : null,
    };
  }

  async get(owner: Owner, id: string) {
    return publicFile(await this.found(owner, id));
  }

  /** The file's row; `owner` undefined only for a signed URL, whose token names the file. */
  async row(owner: Owner | undefined, id: string) {
    const file = owner ? await this.found(owner, id) : await this.o.repo.byId(id);
    if (!file) throw new NotFound('No such file');
    return file;
  }

  async object(file: FileRow, range?: ByteRange) {
    const object = await this.o.objects.get(file.objectKey, range);
    if (!object) throw new NotFound('The file is missing from storage');
    return object;
  }

  async delete(owner: Owner, id: string) {
    const file = await this.o.repo.delete(owner, id);
    if (!file) throw new NotFound('No such file');
    await this.o.objects.delete(file.objectKey);
    this.log.info({ owner: owner.kind, ownerId: owner.id, fileId: id, size: file.size }, 'file deleted');
  }

  async usage(owner: Owner) {
    return this.o.repo.usage(owner);
  }

  /** Begins a multipart upload to `path`: parts follow, then `complete` or `abort`. */
  async initiate(owner: Owner, path: string, by: string | null) {
    checkPath(path);
    return publicUpload(await this.o.repo.createUpload(owner, path, by));
  }

  async uploadStatus(owner: Owner, id: string) {
    return publicUpload(await this.foundUpload(owner, id));
  }

  /** Stores part `n` (1-10000); sending a number again replaces that part. Answers the bytes so far. */
  async uploadPart(owner: Owner, id: string, n: number, body: ReadableStream<Uint8Array> | null) {
    const upload = await this.foundUpload(owner, id);
    const others = publicUpload(upload).parts.filter((p) => p.number !== n);
    const room = this.o.maxBytes - others.reduce((sum, p) => sum + p.size, 0);
    const spooled = await spool(body, this.o.tmpDir, room);
    try {
      await this.o.objects.putFile(partKey(owner, id, n), spooled.path, 'application/octet-stream');
    } finally {
      await spooled.remove();
    }
    const updated = await this.o.repo.recordPart(owner, id, n, spooled.size);
    if (!updated) throw new NotFound('No such upload');
    return publicUpload(updated);
  }

  /** Joins parts 1..N in order into the file (they must leave no gap), replacing one at its path. */
  async complete(owner: Owner, id: string) {
    const upload = publicUpload(await this.foundUpload(owner, id));
    if (upload.parts.length === 0) throw new Invalid('Upload at least one part first');
    const gap = upload.parts.findIndex((p, i) => p.number !== i + 1);
    if (gap !== -1) throw new Invalid(`Part ${gap + 1} is missing: parts are numbered 1, 2, 3, ... without gaps`);
    const objects = this.o.objects;
    const keys = upload.parts.map((p) => partKey(owner, id, p.number));
    async function* joined() {
      for (const key of keys) {
        const part = await objects.get(key);
        if (!part) throw new Conflict('A part is missing from storage: upload it again');
        yield* part.body;
      }
    }
    const spooled = await spool(Readable.from(joined()), this.o.tmpDir, this.o.maxBytes);
    let file: ReturnType<typeof publicFile>;
    try {
      file = await this.keep(owner, upload.path, spooled, (await this.foundUpload(owner, id)).createdBy, true);
    } finally {
      await spooled.remove();
    }
    await this.o.repo.deleteUpload(owner, id);
    // One at a time: some S3-compatible servers answer 500 to a burst of deletes.
    for (const key of keys) await objects.delete(key);
    return file;
  }

  async abort(owner: Owner, id: string) {
    const upload = await this.o.repo.deleteUpload(owner, id);
    if (!upload) throw new NotFound('No such upload');
    for (const p of publicUpload(upload).parts) await this.o.objects.delete(partKey(owner, id, p.number));
  }

  /** Puts a spooled body in the store and records it, within the quotas. */
  private async keep(owner: Owner, path: string, spooled: Spooled, by: string | null, replace: boolean) {
    const existing = await this.o.repo.byPath(owner, path);
    if (existing && !replace) throw new Conflict(`A file is at ${path} already: PUT replaces it`);
    if (!existing) await this.o.checkQuota(owner, 'files_count', 1);
    await this.o.checkQuota(owner, 'files_bytes', spooled.size - (existing?.size ?? 0));
    const contentType = sniffContentType(spooled.head);
    const objectKey = `files/${owner.kind}/${owner.id}/${randomUUID()}`;
    await this.o.objects.putFile(objectKey, spooled.path, contentType);
    const row = await this.o.repo.save(
      owner,
      { path, size: spooled.size, contentType, sha256: spooled.sha256, objectKey, createdBy: by },
      replace,
    );
    if (!row) {
      await this.o.objects.delete(objectKey);
      throw new Conflict(`A file is at ${path} already: PUT replaces it`);
    }
    if (existing && existing.objectKey !== row.objectKey) await this.o.objects.delete(existing.objectKey);
    this.log.info(
      { owner: owner.kind, ownerId: owner.id, fileId: row.id, size: row.size, contentType, replaced: !!existing },
      'file stored',
    );
    return publicFile(row);
  }

  private async found(owner: Owner, id: string) {
    const file = await this.o.repo.find(owner, id);
    if (!file) throw new NotFound('No such file');
    return file;
  }

  private async foundUpload(owner: Owner, id: string) {
    const upload = await this.o.repo.findUpload(owner, id);
    if (!upload) throw new NotFound('No such upload');
    return upload;
  }

  private tooLarge() {
    return new PayloadTooLarge(`A file may hold at most ${this.o.maxBytes} bytes`, 'File too large');
  }
}

const partKey = (owner: Owner, uploadId: string, n: number) => `uploads/${owner.kind}/${owner.id}/${uploadId}/${n}`;

function decodeCursor(cursor: string): string {
  const path = Buffer.from(cursor, 'base64url').toString('utf8');
  // Only what `list` made: the base64url of a valid path (anything else could carry NUL or broken UTF-8).
  if (Buffer.from(path).toString('base64url') !== cursor || objectKeyProblem(path))
    throw new Invalid('cursor: not one this API gave');
  return path;
}
