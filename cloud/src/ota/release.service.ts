import { createPublicKey, type KeyObject, randomUUID } from 'node:crypto';
import { keyId, SignedManifest, signatureProblem } from '@iotp/protocol';
import { BadSignature, Conflict, Invalid, NotFound, PayloadTooLarge, UnsignedRelease } from '../http/problem.ts';
import { type ByteRange, type ObjectStore, objectKeyProblem } from '../storage/object-store.ts';
import type { KeyRow, OtaRepository, ReleaseRow } from './ota.repository.ts';
import type { ContentRange, ResumableUploads } from './resumable-upload.ts';

export interface ReleaseServiceOptions {
  repo: OtaRepository;
  objects: ObjectStore;
  /** Takes artifacts and deltas in, resumable on any node. */
  uploads: ResumableUploads;
  /** Largest artifact accepted, in bytes. */
  maxArtifactBytes: number;
}

/**
 * Firmware signing keys and releases: a release is a signed manifest, checked against the
 * organization's keys when it is created, then its artifact, checked against the manifest's size
 * and SHA-256 as it streams in.
 */
export class ReleaseService {
  constructor(private readonly o: ReleaseServiceOptions) {}

  async addKey(orgId: string, input: { name: string; public_key: string }) {
    let key: KeyObject;
    try {
      key = createPublicKey(input.public_key);
    } catch (err) {
      throw new Invalid('public_key: must be a PEM public key (the .pub file from firmware-tools keygen)', undefined, {
        cause: err,
      });
    }
    if (key.asymmetricKeyType !== 'ed25519') throw new Invalid('public_key: must be an ed25519 key');
    const pem = key.export({ type: 'spki', format: 'pem' }).toString();
    const row = await this.o.repo.addKey({ orgId, keyId: keyId(key), name: input.name, publicKey: pem });
    if (!row) throw new Conflict(`Key ${keyId(key)} is registered already`);
    return publicKey(row);
  }

  async keys(orgId: string) {
    return (await this.o.repo.keys(orgId)).map(publicKey);
  }

  async revokeKey(orgId: string, id: string) {
    if (!(await this.o.repo.revokeKey(orgId, id))) throw new NotFound('No such active key');
  }

  /** Registers a release from its signed manifest; the artifact follows with `upload`. */
  async create(orgId: string, body: unknown) {
    const parsed = SignedManifest.safeParse(body);
    if (!parsed.success) {
      const unsigned = typeof body === 'object' && body !== null && !('signature' in body);
      if (unsigned) throw new UnsignedRelease();
      throw new Invalid(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), {
        errors: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      });
    }
    const manifest = parsed.data;
    if (Math.max(manifest.size, manifest.delta?.size ?? 0) > this.o.maxArtifactBytes)
      throw new PayloadTooLarge(
        `The limit is ${this.o.maxArtifactBytes} bytes (OTA_MAX_ARTIFACT_BYTES)`,
        'Artifact too large',
      );
    const trusted = (await this.o.repo.keys(orgId))
      .filter((k) => !k.revokedAt)
      .map((k) => createPublicKey(k.publicKey));
    const problem = signatureProblem(manifest, trusted);
    if (problem) throw new BadSignature(`${problem}; register the public key at /v1/orgs/{orgId}/ota/keys`);
    const id = randomUUID();
    const row = await this.o.repo.createRelease({
      id,
      orgId,
      name: manifest.name,
      version: manifest.version,
      hardware: manifest.hardware,
      size: manifest.size,
      sha256: manifest.sha256,
      keyId: manifest.signature.key_id,
      manifest,
      // Generated, never from the manifest: its artifact name is the signer's to choose. Rows of
      // older releases keep the key they were stored under (`.../{id}/{artifact}`).
      objectKey: `firmware/${orgId}/${id}`,
    });
    if (!row) throw new Conflict(`${manifest.name} ${manifest.version} is published already; raise the version`);
    return publicRelease(row);
  }

  /** Streams the artifact in, refusing it unless its size and SHA-256 match the signed manifest. */
  async upload(orgId: string, id: string, body: ReadableStream<Uint8Array> | null, range?: ContentRange) {
    const release = await this.found(orgId, id);
    if (release.status === 'ready') throw new Conflict('The artifact is uploaded already');
    const key = ownKey(release);
    if (!key) throw new Conflict('This release was registered with an artifact name that is now refused; delete it');
    const target = {
      releaseId: release.id,
      part: 'artifact' as const,
      key,
      size: release.size,
      sha256: release.sha256,
    };
    const received = await this.o.uploads.receive(target, body, range);
    if (received !== undefined) return { received };
    await this.o.repo.markUploaded(release.id);
    return publicRelease({ ...release, status: 'ready' });
  }

  /** How many bytes of a cut upload were kept (on any node): send the rest from there (`Content-Range`). */
  async received(orgId: string, id: string, part: 'artifact' | 'delta') {
    const release = await this.found(orgId, id);
    const key = ownKey(release);
    const size = part === 'artifact' ? release.size : deltaOf(release)?.size;
    if (!key || size === undefined) throw new NotFound(`This release has no ${part} to upload`);
    const done = part === 'artifact' ? release.status === 'ready' : !!release.deltaUploadedAt;
    return { part, size, received: done ? size : await this.o.uploads.received(release.id, part), complete: done };
  }

  /**
   * Streams in the delta the signed manifest names (`delta`), refused unless its size and SHA-256
   * match; kept beside the full artifact, which devices off the delta's base version get.
   */
  async uploadDelta(orgId: string, id: string, body: ReadableStream<Uint8Array> | null, range?: ContentRange) {
    const release = await this.found(orgId, id);
    const delta = deltaOf(release);
    if (!delta) throw new Conflict('The signed manifest names no delta; pack with --delta-from');
    if (release.deltaUploadedAt) throw new Conflict('The delta is uploaded already');
    const key = ownKey(release);
    if (!key) throw new Conflict('This release was registered with an artifact name that is now refused; delete it');
    const target = { releaseId: release.id, part: 'delta' as const, key: deltaKey(key), ...delta };
    const received = await this.o.uploads.receive(target, body, range);
    if (received !== undefined) return { received };
    const row = await this.o.repo.markDeltaUploaded(release.id);
    return publicRelease(row ?? release);
  }

  async list(orgId: string, q: { name?: string; limit: number; before?: Date }) {
    return (await this.o.repo.releases(orgId, q)).map(publicRelease);
  }

  async get(orgId: string, id: string) {
    return publicRelease(await this.found(orgId, id));
  }

  async delete(orgId: string, id: string) {
    const release = await this.found(orgId, id);
    const underWay = await this.o.uploads.underWay(release.id);
    const result = await this.o.repo.deleteRelease(orgId, id);
    if (result === 'in_use') throw new Conflict('A rollout uses this release; releases that shipped are kept');
    await this.o.uploads.abandon(underWay);
    const key = ownKey(release);
    if (key) await this.o.objects.delete(key);
    if (key && release.deltaUploadedAt) await this.o.objects.delete(deltaKey(key));
  }

  /** A release whose artifact can be downloaded. */
  async downloadable(releaseId: string): Promise<ReleaseRow> {
    const release = await this.o.repo.releaseById(releaseId);
    if (release?.status !== 'ready') throw new NotFound('No such release');
    return release;
  }

  /**
   * Where devices may fetch the artifact straight from object storage for `ttlS` seconds (an S3
   * presigned URL), or undefined when the store cannot hand out one.
   */
  async directUrl(release: ReleaseRow, ttlS: number, part: 'full' | 'delta' = 'full'): Promise<string | undefined> {
    const key = ownKey(release);
    if (!key || (part === 'delta' && !release.deltaUploadedAt)) return undefined;
    return this.o.objects.presignedUrl?.(part === 'delta' ? deltaKey(key) : key, ttlS);
  }

  /** The artifact's bytes (or its delta's, when it has one), all or a range. */
  async open(release: ReleaseRow, range?: ByteRange, part: 'full' | 'delta' = 'full') {
    const key = ownKey(release);
    const stored = part === 'delta' ? key && release.deltaUploadedAt && deltaKey(key) : key;
    const object = stored ? await this.o.objects.get(stored, range) : undefined;
    if (!object)
      throw new NotFound(part === 'delta' ? 'This release has no delta' : 'The artifact is missing from storage');
    return object;
  }

  private async found(orgId: string, id: string): Promise<ReleaseRow> {
    const row = await this.o.repo.release(orgId, id);
    if (!row) throw new NotFound('No such release');
    return row;
  }
}

/**
 * The release's object key, or undefined for a row stored before keys were generated whose key
 * came from a hostile artifact name (`firmware/{org}/{id}/../../...`): such a key names someone
 * else's object, so it is neither served nor deleted.
 */
function ownKey(release: ReleaseRow): string | undefined {
  const key = release.objectKey;
  const own = `firmware/${release.orgId}/${release.id}`;
  return (key === own || key.startsWith(`${own}/`)) && !objectKeyProblem(key) ? key : undefined;
}

/** Where a release's delta is kept: beside its artifact, under a key made from it. */
function deltaKey(artifactKey: string): string {
  return `${artifactKey}-delta`;
}

/** The signed manifest's delta, if it names one. */
export function deltaOf(release: Pick<ReleaseRow, 'manifest'>): SignedManifest['delta'] {
  return SignedManifest.shape.delta.safeParse(release.manifest.delta).data;
}

export function publicKey(k: KeyRow) {
  return {
    key_id: k.keyId,
    name: k.name,
    public_key: k.publicKey,
    created_at: k.createdAt.toISOString(),
    revoked_at: k.revokedAt?.toISOString() ?? null,
  };
}

export function publicRelease(r: ReleaseRow) {
  return {
    id: r.id,
    name: r.name,
    version: r.version,
    hardware: r.hardware,
    size: r.size,
    sha256: r.sha256,
    key_id: r.keyId,
    status: r.status,
    delta: deltaOf(r)
      ? { base_version: deltaOf(r)!.base_version, size: deltaOf(r)!.size, uploaded: !!r.deltaUploadedAt }
      : null,
    manifest: r.manifest,
    created_at: r.createdAt.toISOString(),
  };
}
