import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { SqlClient } from './sql-client.ts';

/** Where drizzle-kit writes the committed migrations (`npm run db:generate`). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));

const Journal = z.object({ entries: z.array(z.object({ idx: z.number(), tag: z.string() })) });

/** The advisory lock that serializes schema changes of processes starting together on one server. */
export const SCHEMA_LOCK = 8157001;

/** A migration whose first lines say `-- requires: timescaledb` runs only where the extension exists. */
const REQUIRES = /^--\s*requires:\s*timescaledb\s*$/m;

export interface MigrateOptions {
  sql: SqlClient;
  timescale: boolean;
  logger: Logger;
  dir?: string;
}

export interface MigrateResult {
  applied: string[];
  skipped: string[];
}

/**
 * Applies drizzle-kit's journal in order, all in one transaction, each file as one multi-statement
 * exec (PGlite prepares one statement per query, so per-statement execution is not an option).
 * Migrations that need TimescaleDB are skipped, not recorded, on plain PostgreSQL: they apply
 * later if the extension appears.
 */
export async function migrate({
  sql,
  timescale,
  logger,
  dir = MIGRATIONS_DIR,
}: MigrateOptions): Promise<MigrateResult> {
  const journal = Journal.parse(JSON.parse(await readFile(`${dir}/meta/_journal.json`, 'utf8')));
  const result: MigrateResult = { applied: [], skipped: [] };
  await sql.transaction(async (tx) => {
    // Two processes starting together against one server must not both migrate, nor both create
    // the bookkeeping table: CREATE TABLE IF NOT EXISTS is not safe against a concurrent one (the
    // second fails on pg_type's unique index), so it too waits for the lock.
    await tx.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      tag text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await tx.query<{ tag: string }>('SELECT tag FROM schema_migrations')).map((r) => r.tag));
    for (const { tag } of [...journal.entries].sort((a, b) => a.idx - b.idx)) {
      if (done.has(tag)) continue;
      const text = await readFile(`${dir}/${tag}.sql`, 'utf8');
      if (REQUIRES.test(text) && !timescale) {
        result.skipped.push(tag);
        continue;
      }
      await tx.exec(text.replaceAll('--> statement-breakpoint', ''));
      const checksum = createHash('sha256').update(text).digest('hex');
      await tx.query('INSERT INTO schema_migrations (tag, checksum) VALUES ($1, $2)', [tag, checksum]);
      result.applied.push(tag);
      logger.info({ tag }, 'migration applied');
    }
  });
  return result;
}
