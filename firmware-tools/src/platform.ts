import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { SignedManifest } from '@iotp/protocol';
import { type components, createClient, type paths } from '@iotp/sdk';
import { SingleBar } from 'cli-progress';
import { ToolError } from './errors.ts';

export interface PlatformOptions {
  /** The platform's URL, like https://iot.example.com */
  url: string;
  org: string;
  /** An organization API key with ota:deploy (iot_...). */
  apiKey: string;
}

export type Release = components['schemas']['Release'];
export type Rollout = components['schemas']['Rollout'];
export type RolloutDryRun = components['schemas']['RolloutDryRun'];
export type RolloutInput = NonNullable<
  paths['/v1/orgs/{orgId}/ota/rollouts']['post']['requestBody']
>['content']['application/json'];
type Answer<T> = { data?: T; error?: unknown; response: Response };

/** The OTA part of the platform's HTTP API, through the SDK, with problems turned into one-line ToolErrors. */
export class PlatformClient {
  private readonly api: ReturnType<typeof createClient>;
  private readonly org: { params: { path: { orgId: string } } };

  constructor(private readonly o: PlatformOptions) {
    if (!o.apiKey) throw new ToolError('no API key: pass --api-key or set IOTP_API_KEY (an org key with ota:deploy)');
    if (!o.org) throw new ToolError('no organization: pass --org or set IOTP_ORG');
    this.api = createClient({ baseUrl: o.url, token: o.apiKey });
    this.org = { params: { path: { orgId: o.org } } };
  }

  /** Waits for an SDK call; an unreachable platform or a status outside 2xx and `accept` becomes a ToolError. */
  private async answer<T>(call: Promise<Answer<T>>, accept: number[] = []): Promise<{ status: number; data: T }> {
    let res: Answer<T>;
    try {
      res = await call;
    } catch (err) {
      throw new ToolError(`cannot reach ${this.o.url}: ${(err as Error).cause ?? (err as Error).message}`);
    }
    const { status } = res.response;
    if (res.response.ok || accept.includes(status)) return { status, data: res.data as T };
    throw problemError(status, res.error);
  }

  /** Starts a rollout (`POST .../ota/rollouts`). */
  async createRollout(body: RolloutInput): Promise<Rollout> {
    return (await this.answer(this.api.POST('/v1/orgs/{orgId}/ota/rollouts', { ...this.org, body }))).data as Rollout;
  }

  /** Which devices each phase of this rollout would reach, and who is left out and why; creates nothing. */
  async dryRun(body: RolloutInput): Promise<RolloutDryRun> {
    const params = { ...this.org.params, query: { dry_run: 'true' as const } };
    return (await this.answer(this.api.POST('/v1/orgs/{orgId}/ota/rollouts', { params, body }))).data as RolloutDryRun;
  }

  /** A rollout's phase and counts. */
  async rollout(id: string): Promise<Rollout> {
    const params = { path: { orgId: this.o.org, id } };
    return (await this.answer(this.api.GET('/v1/orgs/{orgId}/ota/rollouts/{id}', { params }))).data;
  }

  /** Pauses, resumes, advances or aborts a rollout. */
  async steer(id: string, verb: 'pause' | 'resume' | 'advance' | 'abort'): Promise<Rollout> {
    const params = { path: { orgId: this.o.org, id } };
    const paths = {
      pause: '/v1/orgs/{orgId}/ota/rollouts/{id}/pause',
      resume: '/v1/orgs/{orgId}/ota/rollouts/{id}/resume',
      advance: '/v1/orgs/{orgId}/ota/rollouts/{id}/advance',
      abort: '/v1/orgs/{orgId}/ota/rollouts/{id}/abort',
    } as const;
    return (await this.answer(this.api.POST(paths[verb], { params }))).data;
  }

  /**
   * Registers a signed release and uploads its artifact (beside the manifest), then its delta when
   * the manifest names one, showing progress. A release registered before whose upload was cut
   * resumes from what the platform kept.
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
    let created = await this.answer(this.api.POST('/v1/orgs/{orgId}/ota/releases', { ...this.org, body: m }), [409]);
    if (created.status === 409) {
      const params = { ...this.org.params, query: { name: m.name, limit: 200 } };
      const existing = (await this.answer(this.api.GET('/v1/orgs/{orgId}/ota/releases', { params }))).data.data.find(
        (r) => r.version === m.version,
      );
      const deltaLeft = existing?.status === 'ready' && m.delta && !existing.delta?.uploaded;
      if (!existing || (existing.status === 'ready' && !deltaLeft))
        throw new ToolError(`${m.name} ${m.version} is published already; raise the version to publish again`);
      if (deltaLeft) return this.upload(existing, join(dirname(manifestPath), m.delta!.artifact), 'delta', progress);
      created = { status: 200, data: existing };
    }
    const release = await this.upload(created.data as Release, artifact, 'artifact', progress);
    // The delta after the artifact: devices on its base version get it, the others the artifact.
    return m.delta ? this.upload(release, join(dirname(manifestPath), m.delta.artifact), 'delta', progress) : release;
  }

  /** Streams a file to a release's `artifact` or `delta` from what the platform kept of it, showing progress. */
  private async upload(release: Release, file: string, part: 'artifact' | 'delta', progress: boolean) {
    const size = (
      await stat(file).catch(() => {
        throw new ToolError(`cannot read the ${part} ${basename(file)} beside the manifest`);
      })
    ).size;
    const path = { orgId: this.o.org, id: release.id };
    const status = await this.answer(
      this.api.GET('/v1/orgs/{orgId}/ota/releases/{id}/uploads/{part}', { params: { path: { ...path, part } } }),
      [404],
    );
    const kept = status.status === 200 && status.data.received < size ? status.data.received : 0;
    if (kept > 0 && progress) process.stderr.write(`resuming ${basename(file)} at byte ${kept} of ${size}\n`);
    const bar = progress
      ? new SingleBar({
          format: `uploading ${basename(file)} [{bar}] {percentage}% | {value}/{total} bytes | ETA {eta}s`,
          stream: process.stderr,
          // In CI logs (no terminal), a line every few seconds instead of a redrawn bar.
          noTTYOutput: true,
          notTTYSchedule: 5000,
        })
      : undefined;
    bar?.start(size, kept);
    const stream = createReadStream(file, { start: kept });
    let sent = kept;
    stream.on('data', (chunk) => {
      sent += chunk.length;
      bar?.update(sent);
    });
    try {
      const put =
        part === 'artifact'
          ? '/v1/orgs/{orgId}/ota/releases/{id}/artifact'
          : '/v1/orgs/{orgId}/ota/releases/{id}/delta';
      const upload = (await this.api.PUT(put, {
        params: { path },
        // The bytes stream from the file: never read whole into memory.
        body: Readable.toWeb(stream) as unknown as string,
        bodySerializer: (body: unknown) => body as BodyInit,
        headers: {
          'content-type': 'application/octet-stream',
          'content-length': String(size - kept),
          ...(size > 0 ? { 'content-range': `bytes ${kept}-${size - 1}/${size}` } : {}),
        },
        duplex: 'half',
      } as never)) as Answer<Release>;
      if (!upload.response.ok) throw problemError(upload.response.status, upload.error);
      return upload.data as Release;
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
