import { createHash, type Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { Logger } from 'pino';
import { ArtifactMismatch, Conflict, Invalid } from '../http/problem.ts';
import { MIN_PART_BYTES, type ObjectStore } from '../storage/object-store.ts';
import type { ReleaseUploadRepository, ReleaseUploadRow, UploadPart } from './release-upload.repository.ts';

/** What a `Content-Range: bytes start-end/total` header says of an upload's part. */
export interface ContentRange {
  start: number;
  total: number;
}

/** Where the bytes go and what they must be: size and SHA-256 from the signed manifest. */
export interface UploadTarget {
  releaseId: string;
  part: UploadPart;
  key: string;
  size: number;
  sha256: string;
}

export interface ResumableUploadsOptions {
  repo: ReleaseUploadRepository;
  objects: ObjectStore;
  /** Largest artifact: parts grow past MIN_PART_BYTES so that one fits in S3's 10,000 parts. */
  maxArtifactBytes: number;
  logger: Logger;
}

/**
 * Takes a release's artifact (or delta) in as parts of a multipart upload of the object store,
 * recorded in the database, so that a cut upload goes on from the bytes kept on whichever node the
 * next request reaches. Bytes short of a whole part wait in a tail object until more come; the
 * last part may be short (S3 allows it of the last part only).
 * @example await uploads.receive({ releaseId, part: 'artifact', key, size, sha256 }, c.req.raw.body, range);
 */
export class ResumableUploads {
  private readonly partBytes: number;
  private readonly log: Logger;
  constructor(private readonly o: ResumableUploadsOptions) {
    this.partBytes = Math.max(MIN_PART_BYTES, Math.ceil(o.maxArtifactBytes / 10_000));
    this.log = o.logger.child({ component: 'release-uploads' });
  }

  /** Bytes held of a cut upload: the next part starts there. */
  async received(releaseId: string, part: UploadPart): Promise<number> {
    return (await this.o.repo.find(releaseId, part))?.received ?? 0;
  }

  /**
   * Takes `body` in: from byte 0 (anything kept before is dropped), or with `range` from where the
   * kept bytes end. Answers the bytes held when they are short of the size (a part, or a body cut:
   * then it throws after keeping what arrived), or undefined once the object is whole and matches
   * the manifest's size and SHA-256.
   */
  async receive(target: UploadTarget, body: ReadableStream<Uint8Array> | null, range?: ContentRange) {
    if (!body) throw new Invalid('Send the artifact as the request body (application/octet-stream)');
    if (range && range.total !== target.size)
      throw new Invalid(`Content-Range: the total must be ${target.size} bytes, as the manifest says`);
    const start = range?.start ?? 0;
    let upload = start === 0 ? await this.begin(target) : await this.resumed(target, start);
    const tail = upload.tail > 0 ? await this.readTail(upload) : Buffer.alloc(0);
    // Hashed as it streams when this body is the whole; a resumed one is read back once joined.
    const hash = start === 0 ? createHash('sha256') : undefined;
    const pending = [tail];
    let pendingBytes = tail.length;
    let received = start;
    try {
      for await (const chunk of Readable.fromWeb(body as never) as AsyncIterable<Buffer>) {
        received += chunk.length;
        if (received > target.size) throw new SizeExceeded();
        hash?.update(chunk);
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes < this.partBytes) continue;
        const joined = Buffer.concat(pending);
        upload = await this.storePart(upload, joined.subarray(0, this.partBytes));
        pending.splice(0, pending.length, joined.subarray(this.partBytes));
        pendingBytes = joined.length - this.partBytes;
      }
    } catch (err) {
      if (err instanceof SizeExceeded) {
        await this.drop(upload);
        throw new ArtifactMismatch(err.message, { cause: err });
      }
      // Cut: what arrived stays for the next request, on any node.
      if (!(err instanceof Conflict)) await this.keepTail(upload, Buffer.concat(pending));
      throw err;
    }
    if (received < target.size) {
      if (!range) {
        await this.drop(upload);
        throw mismatch(received, target);
      }
      return (await this.keepTail(upload, Buffer.concat(pending))).received;
    }
    await this.finish(upload, Buffer.concat(pending), target, hash);
    return undefined;
  }

  /** A release's uploads under way: read before it is deleted, to `abandon` them after. */
  underWay(releaseId: string): Promise<ReleaseUploadRow[]> {
    return this.o.repo.ofRelease(releaseId);
  }

  /** Drops uploads begun more than `ageMs` ago and never finished; answers how many went. */
  async expire(ageMs: number): Promise<number> {
    const stale = await this.o.repo.begunBefore(new Date(Date.now() - ageMs), 100);
    await this.abandon(stale);
    return stale.length;
  }

  /** Drops uploads and what the store keeps of them. */
  async abandon(uploads: ReleaseUploadRow[]): Promise<void> {
    for (const upload of uploads) await this.drop(upload);
  }

  private async begin(target: UploadTarget): Promise<ReleaseUploadRow> {
    const before = await this.o.repo.find(target.releaseId, target.part);
    if (before) await this.drop(before);
    const storeUploadId = await this.o.objects.createMultipart(target.key, 'application/octet-stream');
    const row = await this.o.repo.create({
      releaseId: target.releaseId,
      part: target.part,
      objectKey: target.key,
      storeUploadId,
    });
    if (!row) throw new Conflict('Another upload of this part began meanwhile; ask how many bytes were kept');
    return row;
  }

  private async resumed(target: UploadTarget, start: number): Promise<ReleaseUploadRow> {
    const upload = await this.o.repo.find(target.releaseId, target.part);
    const held = upload?.received ?? 0;
    if (!upload || held !== start) throw new Conflict(`${held} bytes were received; send from byte ${held}`);
    return upload;
  }

  private async storePart(upload: ReleaseUploadRow, bytes: Buffer): Promise<ReleaseUploadRow> {
    const etag = await this.o.objects.putPart(upload.objectKey, upload.storeUploadId, upload.parts.length + 1, bytes);
    return changed(await this.o.repo.addPart(upload, { etag, size: bytes.length }));
  }

  private async keepTail(upload: ReleaseUploadRow, bytes: Buffer): Promise<ReleaseUploadRow> {
    if (bytes.length > 0) await this.o.objects.put(tailKey(upload), bytes, 'application/octet-stream');
    return changed(await this.o.repo.setTail(upload, bytes.length));
  }

  private async readTail(upload: ReleaseUploadRow): Promise<Buffer> {
    const object = await this.o.objects.get(tailKey(upload), { start: 0, end: upload.tail - 1 });
    if (!object) {
      await this.drop(upload);
      throw new Conflict('The bytes kept of this upload are gone from storage; send it again from byte 0');
    }
    return buffer(object.body);
  }

  /** Stores the last part, joins the parts, and checks the whole against the manifest. */
  private async finish(upload: ReleaseUploadRow, last: Buffer, target: UploadTarget, hash: Hash | undefined) {
    const { objectKey: key, storeUploadId } = upload;
    const done = last.length > 0 || upload.parts.length === 0 ? await this.storePart(upload, last) : upload;
    await this.o.objects.completeMultipart(
      key,
      storeUploadId,
      done.parts.map((p) => p.etag),
    );
    await this.o.repo.delete(upload.id);
    const sha256 = hash?.digest('hex') ?? (await this.hashStored(key));
    if (sha256 !== target.sha256) {
      await this.o.objects.delete(key);
      throw mismatch(target.size, target, sha256);
    }
  }

  private async hashStored(key: string): Promise<string | undefined> {
    const object = await this.o.objects.get(key);
    if (!object) return undefined;
    const hash = createHash('sha256');
    for await (const chunk of object.body as AsyncIterable<Buffer>) hash.update(chunk);
    return hash.digest('hex');
  }

  private async drop(upload: ReleaseUploadRow): Promise<void> {
    await this.o.repo.delete(upload.id);
    // Best effort: a bucket's lifecycle rule (AbortIncompleteMultipartUpload) takes what is left.
    await this.o.objects.abortMultipart(upload.objectKey, upload.storeUploadId).catch((err: unknown) => {
      this.log.warn({ err, key: upload.objectKey }, 'multipart upload not aborted in the store');
    });
  }
}

/** Where the bytes past an upload's last part wait: one object per upload, swept when it goes. */
function tailKey(upload: Pick<ReleaseUploadRow, 'objectKey' | 'id'>): string {
  return `${upload.objectKey}.${upload.id}.partial`;
}

function changed(row: ReleaseUploadRow | undefined): ReleaseUploadRow {
  if (!row) throw new Conflict('Another request changed this upload meanwhile; ask how many bytes were kept');
  return row;
}

function mismatch(size: number, target: UploadTarget, sha256?: string) {
  const got = sha256 ? `${size} bytes with SHA-256 ${sha256}` : `${size} bytes`;
  return new ArtifactMismatch(`Got ${got}; the manifest says ${target.size} bytes with SHA-256 ${target.sha256}`);
}

class SizeExceeded extends Error {
  constructor() {
    super('The body is larger than the size in the manifest');
  }
}
