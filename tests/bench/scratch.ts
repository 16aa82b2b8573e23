import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { loadConfig } from '@iotp/cloud/config';
import { startPlatform } from '@iotp/cloud/platform';
import { tempDir } from '@iotp/db/testing';
import pino from 'pino';
import postgres from 'postgres';

/** A scratch database on the benchmark's server, dropped by `drop()`. */
export async function scratchDatabase(serverUrl: string, prefix: string) {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** One line of progress on stderr, so stdout keeps only the result. */
export const progressTo = (bench: string) => (msg: string) => process.stderr.write(`[bench:${bench}] ${msg}\n`);

/**
 * The whole platform on free ports over a scratch database of `serverUrl`, or over a fresh embedded
 * database when `serverUrl` is 'embedded', configured by `env` over the process's; `stop()` closes it
 * and drops the database.
 */
export async function benchPlatform(serverUrl: string | 'embedded', prefix: string, env: Record<string, string> = {}) {
  const scratch = serverUrl === 'embedded' ? undefined : await scratchDatabase(serverUrl, prefix);
  const dir = await tempDir();
  const { DATABASE_URL: _unused, ...rest } = process.env;
  const platform = await startPlatform(
    loadConfig({
      ...rest,
      ...(scratch ? { DATABASE_URL: scratch.url } : { EMBEDDED_PG_PORT: '0' }),
      MQTT_PORT: '0',
      HTTP_PORT: '0',
      MQTT_HOST: '127.0.0.1',
      DATA_DIR: dir.path,
      ...env,
    }),
    pino({ level: 'warn' }),
  );
  return {
    platform,
    /** The scratch database's URL; undefined on the embedded database. */
    url: scratch?.url,
    dataDir: dir.path,
    async stop() {
      await platform.close();
      await dir.remove();
      await scratch?.drop();
    },
  };
}

/**
 * Runs `fn`, and with BENCH_PROFILE=dir writes this process's CPU profile meanwhile into that
 * directory, as `{name}-{time}.cpuprofile` (open it in Chrome's DevTools or speedscope). With
 * BENCH_ALLOC_PROFILE=dir it writes what was allocated meanwhile, collected since or not, as
 * `{name}-{time}.heapprofile` (sampled every 4 KB): bytes allocated per message do not depend on
 * how busy the machine is, as times do. BENCH_ALLOC_SURVIVORS=1 keeps only what outlived a young
 * collection (what the GC copied and promoted: its pauses grow with that, not with garbage), and
 * BENCH_ALLOC_AFTER_MS starts sampling that long into `fn` (past a load's connections, say).
 */
export async function profiled<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const cpuDir = process.env.BENCH_PROFILE;
  const allocDir = process.env.BENCH_ALLOC_PROFILE;
  if (!cpuDir && !allocDir) return fn();
  const session = new Session();
  session.connect();
  const post = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))),
    );
  if (cpuDir) {
    await post('Profiler.enable');
    await post('Profiler.start');
  }
  // With a delay, `fn` starts before sampling does; without one, after, so all of it is sampled.
  const after = allocDir ? Number(process.env.BENCH_ALLOC_AFTER_MS ?? 0) : 0;
  let running: Promise<T> | undefined;
  if (after > 0) {
    running = fn();
    running.catch(() => undefined); // awaited below; a rejection while sampling waits is not unhandled
    await new Promise((r) => setTimeout(r, after));
  }
  if (allocDir)
    await post('HeapProfiler.startSampling', {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: process.env.BENCH_ALLOC_SURVIVORS !== '1',
    });
  try {
    return await (running ?? fn());
  } finally {
    const write = async (dir: string, ext: string, profile: unknown) => {
      const file = join(dir, `${name}-${Date.now()}.${ext}`);
      await writeFile(file, JSON.stringify(profile));
      process.stderr.write(`[bench] profile: ${file}\n`);
    };
    if (cpuDir) await write(cpuDir, 'cpuprofile', ((await post('Profiler.stop')) as { profile: unknown }).profile);
    if (allocDir)
      await write(allocDir, 'heapprofile', ((await post('HeapProfiler.stopSampling')) as { profile: unknown }).profile);
    session.disconnect();
  }
}
