import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';
import { valid } from 'semver';
import { z } from 'zod';

/**
 * A plain file name, never a path: the artifact's name is read beside the manifest, and a device
 * unpacks or copies by it. No separators, dot segments or control characters (NUL included), so
 * no reader of a manifest can be led outside its folder.
 */
export const FileName = z
  .string()
  .min(1)
  .max(255)
  .refine(
    (v) => !/[/\\\p{Cc}]/u.test(v) && v !== '.' && v !== '..',
    'must be a plain file name: no / or \\, not . or .., no control characters',
  );

/** What `pack` writes beside an artifact: what it is, what it runs on, how to check it. */
export const Manifest = z.object({
  name: z.string().regex(/^[\w.-]{1,64}$/, 'must be 1-64 letters, digits, _ . -'),
  version: z.string().refine((v) => valid(v) !== null, 'must be a semantic version like 1.4.2'),
  hardware: z
    .array(
      z
        .string()
        .min(1)
        .max(64)
        .refine((v) => !/\p{Cc}/u.test(v), 'no control characters'),
    )
    .min(1, 'name at least one board it runs on'),
  artifact: FileName,
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /**
   * A binary delta from one earlier version, shipped beside the full artifact: a device running
   * `base_version` whose kept artifact has `base_sha256` may rebuild this release's artifact from
   * it, then checks the result against `size` and `sha256` above like a download.
   */
  delta: z
    .object({
      /** gzip over a Fossil delta (https://fossil-scm.org/home/doc/trunk/www/delta_format.wiki). */
      format: z.literal('fossil+gzip'),
      artifact: FileName,
      size: z.number().int().nonnegative(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      base_version: z.string().refine((v) => valid(v) !== null, 'must be a semantic version'),
      base_sha256: z.string().regex(/^[0-9a-f]{64}$/),
    })
    .optional(),
  min_version: z
    .string()
    .refine((v) => valid(v) !== null, 'must be a semantic version')
    .optional(),
  created_at: z.string().datetime(),
});
export type Manifest = z.infer<typeof Manifest>;

export const Signature = z.object({ alg: z.literal('ed25519'), key_id: z.string(), value: z.string() });
export const SignedManifest = Manifest.extend({ signature: Signature });
export type SignedManifest = z.infer<typeof SignedManifest>;

/** A short, stable id of a key pair (from either half): the first 16 hex digits of the SHA-256 of its DER form. */
export function keyId(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

/** The bytes a signature covers: the manifest without its signature, keys sorted at every level, no spaces. */
export function canonical(manifest: Manifest): Buffer {
  const { signature: _omit, ...rest } = manifest as SignedManifest;
  const sorted = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v)
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([k, x]) => [k, sorted(x)]),
        )
      : v;
  return Buffer.from(JSON.stringify(sorted(rest)));
}

/**
 * Checks a signed manifest against trusted public keys. Returns what is wrong, or undefined when
 * one of the keys made the signature over exactly these fields.
 */
export function signatureProblem(manifest: SignedManifest, trusted: KeyObject[]): string | undefined {
  const key = trusted.find((k) => keyId(k) === manifest.signature.key_id);
  if (!key) return `signed with key ${manifest.signature.key_id}, which is not trusted`;
  const ok = verify(null, canonical(manifest), key, Buffer.from(manifest.signature.value, 'base64'));
  return ok ? undefined : 'the signature does not match the manifest: it was changed after signing';
}
