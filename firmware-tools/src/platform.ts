import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { SignedManifest } from '@iotp/protocol';
import { SingleBar } from 'cli-progress';
import { ToolError } from './errors.ts';

export interface PlatformOptions {
  /** The platform's URL, like https://iot.example.com */
  url: string;
  org: string;
  /** An organization API key with ota:deploy (iot_...). */
  apiKey: string;
}

interface Release {
  id: string;
  name: string;
  version: string;
  status: 'awaiting_upload' | 'ready';
  delta?: { uploaded: boolean } | null;
}

/** The OTA part of the platform's HTTP API, with problems turned into one-line ToolErrors. */
export class PlatformClient {
  constructor(private readonly o: PlatformOptions) {
    if (!o.apiKey) throw new ToolError('no API key: pass --api-key or set IOTP_API_KEY (an org key with ota:deploy)');
    if (!o.org) throw new ToolError('no organization: pass --org or set IOTP_ORG');
  }

  private orgUrl(path: string): string {
    return `${this.o.url.replace(/\/$/, '')}/v1/orgs/${this.o.org}${path}`;
  }

  /** Calls `/v1/orgs/{org}{path}`; statuses outside 2xx and `accept` become a ToolError. */
  async call<T>(
    method: string,
    path: string,
    body?: unknown,
    accept: number[] = [],
  ): Promise<{ status: number; body: T }> {
    const url = this.orgUrl(path);
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${this.o.apiKey}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new ToolError(`cannot reach ${this.o.url}: ${(err as Error).cause ?? (err as Error).message}`);
    }
    const text = await res.text();
    const parsed = text ? JSON.parse(text) : undefined;
    if (res.ok || accept.includes(res.status)) return { status: res.status, body: parsed as T };
    throw problemError(res.status, parsed);
  }

  /**
   * Registers a signed release and uploads its artifact (beside the manifest), showing progress.
   * A release registered before whose upload was cut is uploaded again.
   */
  async publish(manifestPath: string, progress: boolean): Promise<Release> {
    const text = await readFile(manifestPath, 'utf8').catch(() => {
      throw new ToolError(`cannot read the manifest ${manifestPath}`);
    });
    const manifest = SignedManifest.safeParse(JSON.parse(text));
    if (!manifest.success)
      throw new ToolError(`${basename(manifestPath)} is not a signed manifest; sign it with: firmware-tools sign`);
    const m = manifest.data;
    const artifact = join(dirname(manifestPath), m.artifact);
    const size = (
      await stat(artifact).catch(() => {
        throw new ToolError(`cannot read the artifact ${m.artifact} beside the manifest`);
      })
    ).size;
    let created = await this.call<Release>('POST', '/ota/releases', m, [409]);
    if (created.status === 409) {
      const existing = (
        await this.call<{ data: Release[] }>('GET', `/ota/releases?name=${encodeURIComponent(m.name)}&limit=200`)
      ).body.data.find((r) => r.version === m.version);
      const deltaLeft = existing?.status === 'ready' && m.delta && !existing.delta?.uploaded;
      if (!existing || (existing.status === 'ready' && !deltaLeft))
        throw new ToolError(`${m.name} ${m.version} is published already; raise the version to publish again`);
      if (deltaLeft) return this.upload(existing, join(dirname(manifestPath), m.delta!.artifact), 'delta', progress);
      created = { status: 200, body: existing };
    }
    const release = await this.upload(created.body, artifact, 'artifact', progress, size);
    // The delta after the artifact: devices on its base version get it, the others the artifact.
    return m.delta ? this.upload(release, join(dirname(manifestPath), m.delta.artifact), 'delta', progress) : release;
  }

  /** Streams a file to a release's `artifact` or `delta`, showing progress. */
  private async upload(
    release: Release,
    file: string,
    part: 'artifact' | 'delta',
    progress: boolean,
    known?: number,
  ): Promise<Release> {
    const size =
      known ??
      (
        await stat(file).catch(() => {
          throw new ToolError(`cannot read the ${part} ${basename(file)} beside the manifest`);
        })
      ).size;
    const bar = progress
      ? new SingleBar({
          format: `uploading ${basename(file)} [{bar}] {percentage}% | {value}/{total} bytes | ETA {eta}s`,
          stream: process.stderr,
          // In CI logs (no terminal), a line every few seconds instead of a redrawn bar.
          noTTYOutput: true,
          notTTYSchedule: 5000,
        })
      : undefined;
    // What the platform kept of a cut upload: the rest goes from there.
    const kept = await this.call<{ received: number }>(
      'GET',
      `/ota/releases/${release.id}/uploads/${part}`,
      undefined,
      [404],
    ).then((r) => (r.status === 200 && r.body.received < size ? r.body.received : 0));
    if (kept > 0 && progress) process.stderr.write(`resuming ${basename(file)} at byte ${kept} of ${size}\n`);
    bar?.start(size, kept);
    const stream = createReadStream(file, { start: kept });
    let sent = kept;
    stream.on('data', (chunk) => {
      sent += chunk.length;
      bar?.update(sent);
    });
    try {
      const res = await fetch(this.orgUrl(`/ota/releases/${release.id}/${part}`), {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${this.o.apiKey}`,
          'content-type': 'application/octet-stream',
          'content-length': String(size - kept),
          ...(size > 0 ? { 'content-range': `bytes ${kept}-${size - 1}/${size}` } : {}),
        },
        body: Readable.toWeb(stream) as ReadableStream,
        duplex: 'half',
      } as RequestInit);
      const body = await res.json();
      if (!res.ok) throw problemError(res.status, body);
      return body as Release;
    } catch (err) {
      if (err instanceof ToolError) throw err;
      throw new ToolError(`upload cut: ${(err as Error).message}; run publish again to resume it`);
    } finally {
      bar?.stop();
    }
  }
}

function problemError(status: number, body: unknown): ToolError {
  const p = (body ?? {}) as { title?: string; detail?: string };
  const hint = status === 401 ? ' (check the API key)' : status === 403 ? ' (the key needs ota:deploy)' : '';
  return new ToolError(`${status} ${p.title ?? 'error'}${p.detail ? `: ${p.detail}` : ''}${hint}`);
}
