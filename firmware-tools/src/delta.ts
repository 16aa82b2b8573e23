import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { Manifest } from '@iotp/protocol';
import { createDelta } from 'fossil-delta';
import { digest } from './digest.ts';
import { ToolError } from './errors.ts';

export type Delta = NonNullable<Manifest['delta']>;

/**
 * Writes a binary delta from an earlier artifact (its manifest beside it) to `artifact`: a Fossil
 * delta (copies from the old bytes, new bytes inserted), gzipped. Returns the manifest's `delta`.
 * Both artifacts are read whole into memory; the agent applies it streaming from its kept copy.
 * @example await buildDelta('out/app-1.4.1.bin', 'out/app-1.4.2.bin', 'app', '1.4.2', 'out')
 */
export async function buildDelta(
  from: string,
  artifact: string,
  name: string,
  version: string,
  outDir: string,
): Promise<Delta> {
  const text = await readFile(`${from}.manifest.json`, 'utf8').catch(() => {
    throw new ToolError(
      `cannot read ${basename(from)}.manifest.json beside ${from}: --delta-from needs the old manifest`,
    );
  });
  const base = Manifest.passthrough().safeParse(JSON.parse(text));
  if (!base.success) throw new ToolError(`${from}.manifest.json is not a manifest`);
  if (base.data.name !== name) throw new ToolError(`--delta-from is ${base.data.name}, not ${name}`);
  const old = await readFile(from).catch(() => {
    throw new ToolError(`cannot read ${from}`);
  });
  const { sha256: baseSha } = await digest(from);
  if (baseSha !== base.data.sha256) throw new ToolError(`${from} does not match its manifest's SHA-256`);
  const file = `${name}-${version}.from-${base.data.version}.delta`;
  const bytes = await promisify(gzip)(createDelta(old, await readFile(artifact)), { level: 9 });
  await writeFile(join(outDir, file), bytes);
  const { sha256, size } = await digest(join(outDir, file));
  return {
    format: 'fossil+gzip',
    artifact: file,
    size,
    sha256,
    base_version: base.data.version,
    base_sha256: base.data.sha256,
  };
}
