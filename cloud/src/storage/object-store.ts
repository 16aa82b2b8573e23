import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { Client } from 'minio';

export interface ByteRange {
  start: number;
  end: number;
}

export interface StoredObject {
  body: Readable;
  size: number;
  contentType: string;
}

/** Where uploaded files live: a directory by default, an S3-compatible bucket when configured. */
export interface ObjectStore {
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** Stores a local file (large artifacts), never held in memory; the file may be moved away. */
  putFile(key: string, path: string, contentType: string): Promise<void>;
  /**
   * The object, or undefined when there is none. With `range`, the body holds only bytes
   * `start..end` (inclusive, as in HTTP Range, RFC 9110 §14.1.2); `size` stays the whole object's.
   */
  get(key: string, range?: ByteRange): Promise<StoredObject | undefined>;
  delete(key: string): Promise<void>;
  /** A URL that serves the object for `ttlS` seconds without credentials, where the store has one. */
  presignedUrl?(key: string, ttlS: number): Promise<string>;
}

/** Objects as files under `root`, each with a `.type` sidecar holding its content type. */
export class FileObjectStore implements ObjectStore {
  private readonly root: string;
  constructor(root: string) {
    this.root = resolve(root);
  }

  async put(key: string, body: Buffer, contentType: string) {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, body);
    await writeFile(`${path}.type`, contentType);
  }

  async putFile(key: string, source: string, contentType: string) {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    // A move when both are on one filesystem (the upload spool sits under DATA_DIR too).
    await rename(source, path).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EXDEV') throw err;
      await copyFile(source, path);
    });
    await writeFile(`${path}.type`, contentType);
  }

  async get(key: string, range?: ByteRange) {
    const path = this.path(key);
    const info = await stat(path).catch(() => undefined);
    if (!info) return undefined;
    const contentType = await readFile(`${path}.type`, 'utf8').catch(() => 'application/octet-stream');
    // 1 MiB reads: firmware is large, and 64 KiB chunks cost a round of stream machinery each.
    return { body: createReadStream(path, { ...range, highWaterMark: 1024 * 1024 }), size: info.size, contentType };
  }

  async delete(key: string) {
    const path = this.path(key);
    await rm(path, { force: true });
    await rm(`${path}.type`, { force: true });
  }

  private path(key: string): string {
    const path = resolve(this.root, key);
    if (!path.startsWith(this.root + sep)) throw new Error(`object key escapes the store: ${key}`);
    return path;
  }
}

export interface S3Options {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  region?: string;
}

/** Objects in an S3-compatible bucket (AWS S3, MinIO, ...) through the MinIO client. */
export class S3ObjectStore implements ObjectStore {
  private readonly client: Client;
  private ready: Promise<void> | undefined;

  constructor(private readonly o: S3Options) {
    const url = new URL(o.endpoint);
    this.client = new Client({
      endPoint: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      useSSL: url.protocol === 'https:',
      accessKey: o.accessKey,
      secretKey: o.secretKey,
      region: o.region ?? 'us-east-1',
      pathStyle: true,
    });
  }

  async put(key: string, body: Buffer, contentType: string) {
    await this.bucket();
    await this.client.putObject(this.o.bucket, key, body, body.length, { 'Content-Type': contentType });
  }

  async putFile(key: string, path: string, contentType: string) {
    await this.bucket();
    await this.client.fPutObject(this.o.bucket, key, path, { 'Content-Type': contentType });
  }

  async get(key: string, range?: ByteRange) {
    await this.bucket();
    const info = await this.client.statObject(this.o.bucket, key).catch((err: { code?: string }) => {
      if (err.code === 'NotFound' || err.code === 'NoSuchKey') return undefined;
      throw err;
    });
    if (!info) return undefined;
    const body = range
      ? await this.client.getPartialObject(this.o.bucket, key, range.start, range.end - range.start + 1)
      : await this.client.getObject(this.o.bucket, key);
    return { body, size: info.size, contentType: String(info.metaData['content-type'] ?? 'application/octet-stream') };
  }

  async delete(key: string) {
    await this.bucket();
    await this.client.removeObject(this.o.bucket, key);
  }

  async presignedUrl(key: string, ttlS: number) {
    await this.bucket();
    return this.client.presignedGetObject(this.o.bucket, key, ttlS);
  }

  /** Creates the bucket on first use if it does not exist. */
  private bucket(): Promise<void> {
    this.ready ??= (async () => {
      if (!(await this.client.bucketExists(this.o.bucket)))
        await this.client.makeBucket(this.o.bucket, this.o.region ?? 'us-east-1');
    })();
    return this.ready;
  }
}
