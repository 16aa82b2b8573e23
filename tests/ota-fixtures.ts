import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pack, signManifest } from '@iotp/firmware-tools';
import { keygen } from '@iotp/firmware-tools/keys';
import S3rver from 's3rver';

/** A real S3 server on a free port, and the platform variables that point at it. */
export async function startS3(dir: string) {
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir });
  const { port } = await server.run();
  return {
    env: {
      S3_ENDPOINT: `http://127.0.0.1:${port}`,
      S3_ACCESS_KEY: 'S3RVER',
      S3_SECRET_KEY: 'S3RVER',
      S3_BUCKET: 'firmware',
    },
    close: () => server.close(),
  };
}

/** A signing key pair under `dir`: paths and the public key's PEM. */
export async function signingKey(dir: string, name = 'release') {
  const k = await keygen(join(dir, name));
  return { ...k, pem: await readFile(k.publicKey, 'utf8') };
}

/**
 * Packs `content` as firmware `name` `version` and signs it: the artifact, its manifest and bytes,
 * and with `deltaFrom` (an earlier artifact) the delta's bytes.
 */
export async function signedFirmware(
  dir: string,
  key: string,
  o: { name?: string; version: string; content?: Buffer | string; hardware?: string[]; deltaFrom?: string },
) {
  const input = join(dir, `input-${o.version}.bin`);
  await writeFile(input, o.content ?? `firmware ${o.version}\n`);
  const packed = await pack({
    input,
    name: o.name ?? 'app',
    version: o.version,
    hardware: o.hardware ?? ['pi4'],
    outDir: dir,
    deltaFrom: o.deltaFrom,
  });
  const manifest = await signManifest(packed.manifest, key);
  return {
    artifact: packed.artifact,
    manifestPath: packed.manifest,
    manifest,
    bytes: await readFile(packed.artifact),
    delta: manifest.delta ? await readFile(join(dir, manifest.delta.artifact)) : undefined,
  };
}
