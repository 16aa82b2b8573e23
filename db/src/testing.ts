import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import postgres from 'postgres';
import { type Database, openDatabase } from './connect.ts';

/** The server the tests use for the plain-PostgreSQL path. */
export const TEST_SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A fresh, empty database on the test server, dropped by `drop()`: test files never see each
 * other's rows.
 */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(TEST_SERVER_URL, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_SERVER_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const a = postgres(TEST_SERVER_URL, { max: 1, onnotice: () => undefined });
      await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/**
 * A database for a test that runs on both: a fresh one on the test server, or an embedded one in a
 * temporary directory; `close()` closes it and drops or removes it.
 * @example describe.each(['postgres', 'embedded'] as const)('x on %s', (kind) => { ... await openTestDatabase(kind, logger) })
 */
export async function openTestDatabase(
  kind: 'postgres' | 'embedded',
  logger: Logger,
): Promise<{ db: Database; close(): Promise<void> }> {
  if (kind === 'postgres') {
    const testDb = await createTestDatabase();
    const db = await openDatabase({ url: testDb.url, dataDir: '/unused', poolSize: 2, logger });
    return { db, close: () => db.close().then(() => testDb.drop()) };
  }
  const dir = await tempDir();
  const db = await openDatabase({ dataDir: dir.path, embeddedPort: null, logger });
  return { db, close: () => db.close().then(() => dir.remove()) };
}

/** A temporary directory, removed by `remove()`. */
export async function tempDir(prefix = 'iotp-'): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/**
 * A TCP proxy (`startTcpProxy`) in front of the test server: `proxy.url(db.url)` reaches a test
 * database through it, which the test can then cut, reset or black-hole.
 * @example const proxy = await proxyToTestServer(); const url = proxy.url((await createTestDatabase()).url);
 */
export async function proxyToTestServer() {
  const server = new URL(TEST_SERVER_URL);
  return startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
}

/**
 * A TCP proxy in front of a server, for outage tests, while the server itself keeps serving other
 * tests:
 * - `cut()` drops every connection and stops listening (new connections are refused, as by a
 *   server that is down) until `restore()`;
 * - `reset()` resets every connection (RST, as a crashed peer or a middlebox does) and keeps
 *   listening;
 * - `blackhole()` keeps every socket open but forwards nothing, in either direction, and accepts
 *   new connections that go nowhere: a peer that silently drops packets. After `restore()` new
 *   connections work again; the ones that were black-holed stay dead (their bytes were lost), as
 *   behind a firewall that forgot them.
 */
export async function startTcpProxy(target: { host: string; port: number }) {
  const { createServer, connect } = await import('node:net');
  type Pair = { destroy(): void; reset(): void; silence(): void };
  const pairs = new Set<Pair>();
  /** Bytes after which the next connection is dropped mid-answer (once), to cut a download. */
  let dropAfter: number | undefined;
  let connections = 0;
  let blackholed = false;
  const server = createServer((client) => {
    connections++;
    client.on('error', () => undefined);
    if (blackholed) {
      // Accepted, then nothing: no upstream, every byte discarded.
      const pair: Pair = { destroy: () => client.destroy(), reset: () => client.resetAndDestroy(), silence() {} };
      pairs.add(pair);
      client.on('data', () => undefined).on('close', () => pairs.delete(pair));
      return;
    }
    const upstream = connect(target.port, target.host);
    if (dropAfter !== undefined) {
      const limit = dropAfter;
      dropAfter = undefined;
      let passed = 0;
      upstream.on('data', (chunk: Buffer) => {
        passed += chunk.length;
        if (passed > limit) pair.destroy();
      });
    }
    const pair: Pair = {
      destroy() {
        client.destroy();
        upstream.destroy();
      },
      reset() {
        // RST both ways: the client sees ECONNRESET, the server ends the backend.
        if (!client.destroyed) client.resetAndDestroy();
        if (!upstream.destroyed) upstream.resetAndDestroy();
      },
      silence() {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.on('data', () => undefined);
        upstream.on('data', () => undefined);
      },
    };
    pairs.add(pair);
    client.pipe(upstream).pipe(client);
    const end = () => {
      pair.destroy();
      pairs.delete(pair);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const dropAll = () => {
    for (const p of pairs) p.destroy();
    pairs.clear();
  };
  return {
    port,
    /** Connections accepted so far. */
    get connections() {
      return connections;
    },
    /** Connections open now. */
    get open() {
      return pairs.size;
    },
    /** Drops the next connection once `bytes` of its answer have passed. */
    dropNextAfter(bytes: number) {
      dropAfter = bytes;
    },
    /** Rewrites a database URL to go through this proxy. */
    url(dbUrl: string): string {
      const u = new URL(dbUrl);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    cut: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        dropAll();
      }),
    /** Resets (RST) every open connection; new ones are accepted as before. */
    reset() {
      for (const p of pairs) p.reset();
      pairs.clear();
    },
    /** From now on nothing passes: open connections go silent, new ones are accepted and ignored. */
    blackhole() {
      blackholed = true;
      for (const p of pairs) p.silence();
    },
    /** Ends a cut or a black hole: new connections reach the server again. */
    restore: () =>
      new Promise<void>((resolve) => {
        blackholed = false;
        if (server.listening) resolve();
        else server.listen(port, '127.0.0.1', resolve);
      }),
    close: () =>
      new Promise<void>((resolve) => {
        blackholed = false;
        dropAll();
        if (server.listening) server.close(() => resolve());
        else resolve();
      }),
  };
}
