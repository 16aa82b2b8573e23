import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { tempDir } from '@iotp/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = new URL('..', import.meta.url).pathname;

/** Runs the platform as `npm start` does, on free ports; resolves once it reports ready. */
function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cloud/src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, MQTT_PORT: '0', HTTP_PORT: '0', EMBEDDED_PG_PORT: '0', LOG_LEVEL: 'info', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<{ http: string; wirePort: number }>((resolve, reject) => {
    child.stdout.on('data', () => {
      const line = stdout.split('\n').find((l) => l.includes('"platform ready"'));
      const wire = stdout.split('\n').find((l) => l.includes('"database open"'));
      if (line) resolve({ http: JSON.parse(line).http, wirePort: JSON.parse(wire ?? '{}').wirePort });
    });
    exited.then((code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  ready.catch(() => undefined); // awaited only by the tests that expect a start
  return { child, ready, exited, output: () => ({ stdout, stderr }) };
}

async function occupiedPort(): Promise<{ port: number; close(): void }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, close: () => server.close() };
}

describe('npm start', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await dir?.remove();
  });

  it('serves the API on the embedded database, stops cleanly on SIGTERM, and keeps data across restarts', async () => {
    const first = start({ DATA_DIR: dir.path });
    const { http } = await first.ready;
    for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs']) {
      expect((await fetch(`${http}${path}`)).status, path).toBe(200);
    }
    const { default: postgres } = await import('postgres');
    const { wirePort } = await first.ready;
    const sql = postgres({ host: '127.0.0.1', port: wirePort, username: 'postgres', database: 'postgres', max: 1 });
    await sql`INSERT INTO organizations (name) VALUES ('survivor')`;
    const ext = await sql`SELECT extname FROM pg_extension WHERE extname = 'timescaledb'`;
    expect(ext).toHaveLength(1);
    await sql.end();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output().stdout).toMatch(/stopped cleanly/);

    const second = start({ DATA_DIR: dir.path });
    const again = await second.ready;
    const sql2 = postgres({
      host: '127.0.0.1',
      port: again.wirePort,
      username: 'postgres',
      database: 'postgres',
      max: 1,
    });
    expect(await sql2`SELECT name FROM organizations`).toEqual([{ name: 'survivor' }]);
    await sql2.end();
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });

  it('stops with one line naming the variable when a port is taken', async () => {
    const taken = await occupiedPort();
    try {
      const run = start({ DATA_DIR: `${dir.path}/b`, HTTP_PORT: String(taken.port) });
      expect(await run.exited).toBe(1);
      expect(
        run
          .output()
          .stderr.trim()
          .split('\n')
          .filter((l) => !l.startsWith('npm warn')),
      ).toEqual([`port ${taken.port} is already in use: set HTTP_PORT to a free port`]);
    } finally {
      taken.close();
    }
  });

  it.each([
    [{ DATABASE_URL: 'not a url' }, /^configuration error: DATABASE_URL: must be a URL like postgres:\/\//],
    [
      { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test' },
      /^cannot reach the database at .*: start PostgreSQL or fix DATABASE_URL/,
    ],
    [{ MQTT_PORT: '70000' }, /^configuration error: MQTT_PORT: must be a port number from 0 to 65535$/],
    [{ MQTT_TLS_CERT: '/nowhere/broker.crt' }, /^configuration error: set both MQTT_TLS_CERT and MQTT_TLS_KEY/],
  ])('stops with one clear line on bad configuration %o', async (env, message) => {
    const run = start({ DATA_DIR: `${dir.path}/c`, ...env });
    expect(await run.exited).toBe(1);
    const lines = run.output().stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });
});
