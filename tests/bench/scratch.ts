import { randomBytes } from 'node:crypto';
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
