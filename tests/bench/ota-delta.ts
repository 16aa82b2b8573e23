import { createHash, randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applyDelta } from '@iotp/edge-agent/delta';
import { pack, signManifest } from '@iotp/firmware-tools';

/** What the delta part of `bench:ota` needs of the running bench. */
export interface DeltaBench {
  dir: string;
  /** Registers a signed manifest, uploads its artifact and delta; answers the release id. */
  publish: (manifestPath: string) => Promise<string>;
  /** Starts a rollout of the release to `devices` devices on `baseVersion`; answers each device's job. */
  jobsFor: (releaseId: string, baseVersion: string) => Promise<{ url: string; delta_url?: string }[]>;
  progress: (msg: string) => void;
}

const FILE = 128 * 1024;

/**
 * A 50 MB image of 400 files of 128 KiB (half incompressible, like binaries and media, half
 * text-like), then a release in which `BENCH_CHANGED` (3) files changed; devices on the old version
 * download the delta, the others the full image. Reports bytes per device both ways, and how long
 * building and applying the delta take.
 */
export async function benchDelta(b: DeltaBench, changed = Number(process.env.BENCH_CHANGED ?? 3)) {
  const files = 400;
  const image = Buffer.alloc(files * FILE);
  for (let i = 0; i < files; i++) {
    if (i % 2 === 0) randomBytes(FILE).copy(image, i * FILE);
    else image.write(`config line ${i}: ${'key=value; '.repeat(12)}\n`.repeat(FILE / 150), i * FILE);
  }
  const old = join(b.dir, 'image-1.0.0.img');
  await writeFile(old, image);
  for (let k = 0; k < changed; k++) randomBytes(FILE).copy(image, (37 + k * 101) * FILE);
  const next = join(b.dir, 'image-1.1.0.img');
  await writeFile(next, image);
  const common = { name: 'image', hardware: ['any'], outDir: b.dir };
  const base = await pack({ ...common, input: old, version: '1.0.0' });
  b.progress(`building a delta between two ${(image.length / 1e6).toFixed(0)} MB images (${changed} files changed)`);
  const t0 = performance.now();
  const packed = await pack({ ...common, input: next, version: '1.1.0', deltaFrom: base.artifact });
  const buildS = (performance.now() - t0) / 1000;
  const key = join(b.dir, 'bench.key');
  await signManifest(packed.manifest, key);
  const releaseId = await b.publish(packed.manifest);
  const jobs = await b.jobsFor(releaseId, '1.0.0');
  const bytes = async (url: string) => Buffer.from(await (await fetch(url)).arrayBuffer());
  const withDelta = jobs.find((j) => j.delta_url);
  const delta = await bytes(withDelta!.delta_url!);
  const full = await bytes(jobs.find((j) => !j.delta_url)!.url);
  b.progress('applying the delta as the agent does (streamed from the kept artifact)');
  const t1 = performance.now();
  const rebuilt = await applyDelta(base.artifact, delta, join(b.dir, 'rebuilt.img'));
  const applyS = (performance.now() - t1) / 1000;
  if (rebuilt.sha256 !== createHash('sha256').update(image).digest('hex'))
    throw new Error('the delta rebuilt something else');
  return {
    image_bytes: (await stat(next)).size,
    changed_files: changed,
    bytes_per_device_full: full.length,
    bytes_per_device_delta: delta.length,
    delta_share: Number((delta.length / full.length).toFixed(4)),
    delta_build_s: Number(buildS.toFixed(1)),
    delta_apply_s: Number(applyS.toFixed(1)),
    check: (await readFile(join(b.dir, 'rebuilt.img'))).length === image.length,
  };
}
