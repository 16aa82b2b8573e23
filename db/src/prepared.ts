import type { Sql, TransactionSql } from 'postgres';

type Client = Sql | TransactionSql;

/**
 * The postgres.js client as drizzle should see it: every statement as a named prepared statement.
 * drizzle sends each query unnamed (parsed and planned anew every time) unless the caller names it;
 * prepared, the server parses a query text once per connection and reuses its plan, which is most
 * of the cost of the small lookups an API request makes (session, membership, device). The
 * statements live as long as their connection (`max_lifetime` bounds them), and postgres.js
 * prepares again when a migration changed what a statement returns.
 * @example drizzle({ client: preparing(postgres(url)), schema })
 */
export function preparing<T extends Client>(client: T): T {
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'unsafe') {
        return (text: string, params?: unknown[], options?: Record<string, unknown>) =>
          // biome-ignore lint/suspicious/noExplicitAny: postgres.js types parameters narrowly.
          target.unsafe(text, params as any[], { ...options, prepare: true });
      }
      if (prop === 'begin' || prop === 'savepoint') {
        // The transaction's own client is handed to drizzle inside: it prepares too.
        return (...args: unknown[]) => {
          const fn = args.pop() as (tx: TransactionSql) => unknown;
          // biome-ignore lint/suspicious/noExplicitAny: begin and savepoint take (options?, fn).
          return (target as any)[prop](...args, (tx: TransactionSql) => fn(preparing(tx)));
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
}
