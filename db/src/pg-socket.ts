import { connect, type Socket } from 'node:net';

export interface WatchedSocketOptions {
  /** Longest wait for the TCP connection (ms). */
  connectTimeoutMs: number;
  /** A connection on which nothing arrives for this long is taken for dead and destroyed (ms); 0: never. */
  silenceMs: number;
}

/** The fields of postgres.js's parsed options that say where the server is and how. */
export interface WatchTarget {
  host: string[];
  port: number[];
  path?: string | false;
  ssl?: unknown;
}

/** Nothing came back from the database for too long: the peer is gone without closing the connection. */
export class DatabaseSilent extends Error {
  override name = 'DatabaseSilent';
  readonly code = 'DATABASE_SILENT';
}

/**
 * The `socket` option of postgres.js: opens one connection's TCP socket, and destroys it when the
 * database sends nothing for `silenceMs`.
 *
 * A database that stops answering without closing the connection (a host that died, a firewall or
 * NAT that dropped the flow, a proxy that black-holes) would otherwise leave the driver waiting for
 * ever: TCP keepalive does not help while a request is unanswered or the peer's kernel still
 * answers for it. Destroying the socket fails its queries (retried by their callers) and the pool
 * opens a fresh connection. Healthy connections are never silent that long: the server's
 * `statement_timeout` answers every statement before, and the pool's `idle_timeout` ends idle
 * connections first. Only bytes received count: a client that keeps writing to a dead peer must
 * not keep it alive. Over TLS the driver wraps the socket and takes its listeners, so there only
 * the connect timeout applies (statement_timeout and keepalive still do).
 * @example postgres(url, { socket: (o) => openWatchedSocket(o, { connectTimeoutMs: 5000, silenceMs: 65_000 }) })
 */
export function openWatchedSocket(target: WatchTarget, options: WatchedSocketOptions): Promise<Socket> {
  const i = next++ % Math.max(1, target.host.length);
  const socket = target.path
    ? connect({ path: target.path })
    : connect({ host: target.host[i] ?? 'localhost', port: target.port[i] ?? target.port[0] ?? 5432 });
  // Errors after the driver has let go of the socket (it removes its listeners when it closes)
  // must not become uncaught exceptions.
  socket.on('error', () => undefined);
  const connecting = setTimeout(
    () => socket.destroy(new DatabaseSilent(`no connection to the database within ${options.connectTimeoutMs} ms`)),
    options.connectTimeoutMs,
  );
  socket.once('close', () => clearTimeout(connecting));
  socket.once('connect', () => {
    clearTimeout(connecting);
    if (options.silenceMs > 0 && !target.ssl) watch(socket, options.silenceMs);
  });
  // Handed over at once, connected or not (what it writes meanwhile waits in the socket): a refused
  // or timed-out connect then reaches the driver as the socket's error and close, after which it
  // fails the waiting queries and connects again later. Were the promise rejected instead, postgres.js
  // (3.4.9) would never learn the connection closed: it stays `connecting` for ever, and once each
  // connection of the pool has failed so during an outage of a few seconds, every query waits for ever.
  return Promise.resolve(socket);
}

let next = 0;

function watch(socket: Socket, silenceMs: number): void {
  const silent = setTimeout(() => {
    socket.destroy(new DatabaseSilent(`no answer from the database for ${silenceMs} ms; connection dropped`));
  }, silenceMs).unref();
  socket.on('data', () => silent.refresh());
  socket.once('close', () => clearTimeout(silent));
}
