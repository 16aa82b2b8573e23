import { valid } from 'semver';
import { z } from 'zod';

/** What `pack` writes beside an artifact: what it is, what it runs on, how to check it. */
export const Manifest = z.object({
  name: z.string().regex(/^[\w.-]{1,64}$/, 'must be 1-64 letters, digits, _ . -'),
  version: z.string().refine((v) => valid(v) !== null, 'must be a semantic version like 1.4.2'),
  hardware: z.array(z.string().min(1).max(64)).min(1, 'name at least one board it runs on'),
  artifact: z.string().min(1),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
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

/** The bytes a signature covers: the manifest without its signature, keys sorted, no spaces. */
export function canonical(manifest: Manifest): Buffer {
  const { signature: _omit, ...rest } = manifest as SignedManifest;
  const sorted = Object.fromEntries(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : 1)));
  return Buffer.from(JSON.stringify(sorted));
}
