import { sign as edSign } from 'node:crypto';
import { copyFile, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  canonical,
  keyId,
  Manifest,
  type SignedManifest,
  SignedManifest as SignedSchema,
  signatureProblem,
} from '@iotp/protocol';
import { create as createTar } from 'tar';
import type { z } from 'zod';
import { buildDelta } from './delta.ts';
import { digest } from './digest.ts';
import { ToolError } from './errors.ts';

export { digest };

import { loadPrivateKey, loadPublicKey } from './keys.ts';

/** A schema's complaints, one line. */
const issues = (error: z.ZodError) => error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');

export interface PackOptions {
  input: string;
  name: string;
  version: string;
  hardware: string[];
  minVersion?: string;
  outDir: string;
  /** An earlier artifact of the same firmware (its manifest beside it): also write a delta from it. */
  deltaFrom?: string;
  /** A folder as a plain .tar: a delta between two of them stays small, where gzip scatters every change. */
  gzip?: boolean;
}

/**
 * Packs a firmware file (kept as it is) or folder (as .tar.gz, or .tar) into `<name>-<version>` plus its
 * manifest `<artifact>.manifest.json`; with `deltaFrom`, also a delta from that earlier artifact,
 * named in the manifest so that signing covers it.
 */
export async function pack(o: PackOptions): Promise<{ artifact: string; manifest: string; data: Manifest }> {
  const info = await stat(o.input).catch(() => {
    throw new ToolError(`cannot read ${o.input}`);
  });
  const gzip = o.gzip ?? true;
  const artifactName = `${o.name}-${o.version}${info.isDirectory() ? (gzip ? '.tar.gz' : '.tar') : '.bin'}`;
  // Checked before anything is written: the name and version become a file name.
  const named = Manifest.omit({ size: true, sha256: true, created_at: true }).safeParse({
    name: o.name,
    version: o.version,
    hardware: o.hardware,
    artifact: artifactName,
    ...(o.minVersion ? { min_version: o.minVersion } : {}),
  });
  if (!named.success) throw new ToolError(issues(named.error));
  const artifact = join(o.outDir, artifactName);
  if (info.isDirectory()) await createTar({ gzip, file: artifact, cwd: o.input, portable: true }, ['.']);
  else await copyFile(o.input, artifact);
  const { sha256, size } = await digest(artifact);
  const delta = o.deltaFrom ? await buildDelta(o.deltaFrom, artifact, o.name, o.version, o.outDir) : undefined;
  const data: Manifest = {
    ...named.data,
    size,
    sha256,
    ...(delta ? { delta } : {}),
    created_at: new Date().toISOString(),
  };
  const manifest = `${artifact}.manifest.json`;
  await writeFile(manifest, `${JSON.stringify(data, null, 2)}\n`);
  return { artifact, manifest, data };
}

async function readManifest(path: string): Promise<Manifest & Partial<SignedManifest>> {
  const text = await readFile(path, 'utf8').catch(() => {
    throw new ToolError(`cannot read the manifest ${path}`);
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ToolError(`${path} is not JSON`);
  }
  const parsed = Manifest.passthrough().safeParse(json);
  if (!parsed.success) throw new ToolError(`${path}: ${issues(parsed.error)}`);
  return parsed.data as Manifest & Partial<SignedManifest>;
}

/** Signs a manifest in place with an ed25519 private key. */
export async function signManifest(manifestPath: string, keyPath: string): Promise<SignedManifest> {
  const manifest = await readManifest(manifestPath);
  const key = await loadPrivateKey(keyPath);
  const { signature: _old, ...unsigned } = manifest;
  const signed: SignedManifest = {
    ...(unsigned as Manifest),
    signature: {
      alg: 'ed25519',
      key_id: keyId(key),
      value: edSign(null, canonical(unsigned as Manifest), key).toString('base64'),
    },
  };
  await writeFile(manifestPath, `${JSON.stringify(signed, null, 2)}\n`);
  return signed;
}

/**
 * Checks a signed manifest against a public key and its artifact (beside the manifest) against the
 * manifest's size and SHA-256. Throws a ToolError saying what is wrong.
 */
export async function verifyArtifact(manifestPath: string, publicKeyPath: string): Promise<SignedManifest> {
  const manifest = await readManifest(manifestPath);
  const signed = SignedSchema.safeParse(manifest);
  if (!signed.success)
    throw new ToolError(`${basename(manifestPath)} is not signed; sign it with: firmware-tools sign`);
  const key = await loadPublicKey(publicKeyPath);
  if (signed.data.signature.key_id !== keyId(key)) {
    throw new ToolError(`signed with key ${signed.data.signature.key_id}, not with ${publicKeyPath} (${keyId(key)})`);
  }
  const problem = signatureProblem(signed.data, [key]);
  if (problem) throw new ToolError(problem);
  const { sha256, size } = await digest(join(dirname(manifestPath), signed.data.artifact)).catch(() => {
    throw new ToolError(`cannot read the artifact ${signed.data.artifact} beside the manifest`);
  });
  if (size !== signed.data.size || sha256 !== signed.data.sha256)
    throw new ToolError('the artifact does not match its manifest: size or SHA-256 differ');
  const delta = signed.data.delta;
  if (delta) {
    const d = await digest(join(dirname(manifestPath), delta.artifact)).catch(() => {
      throw new ToolError(`cannot read the delta ${delta.artifact} beside the manifest`);
    });
    if (d.size !== delta.size || d.sha256 !== delta.sha256)
      throw new ToolError('the delta does not match its manifest: size or SHA-256 differ');
  }
  return signed.data;
}
