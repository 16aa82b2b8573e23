import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestDatabase, tempDir } from '@iotp/db/testing';
import mqtt from 'mqtt';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from './helpers.ts';
import { type Account, occupiedPort, type Ready, setUp, startProcess } from './process.ts';

/** Each start of a real process costs seconds, more on a busy machine. */
const SLOW = 300_000;
const EPOCH = Date.parse('2026-01-01T00:00:00Z');

/** Publishes readings `values` at QoS 1; resolves once every one is acknowledged (stored). */
async function publish(ready: Ready, account: Account, values: number[]) {
  const { id, secret } = account.device;
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${ready.mqttPort}`, {
    clientId: id,
    username: id,
    password: secret,
    reconnectPeriod: 0,
    protocolVersion: 4,
  });
  try {
    for (const v of values) {
      await client.publishAsync(`devices/${id}/telemetry`, JSON.stringify({ ts: EPOCH + v * 1000, temp: v }), {
        qos: 1,
      });
    }
  } finally {
    await client.endAsync();
  }
}

/** The stored readings of the device, oldest first, read back through the HTTP API. */
async function readBack(ready: Ready, account: Account): Promise<number[]> {
  const api = apiClient({ httpPort: Number(new URL(ready.http).port) });
  const login = await api.call('POST', '/v1/auth/login', { email: account.email, password: account.password });
  expect(login.status).toBe(200);
  api.token = login.body.access_token;
  const res = await api.call(
    'GET',
    `/v1/orgs/${account.org}/devices/${account.device.id}/telemetry?metric=temp&from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z`,
  );
  expect(res.status).toBe(200);
  return res.body.data.map((p: { value: number }) => p.value).reverse();
}

describe('the life of an installation', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await dir?.remove();
  });

  describe('on the embedded database', () => {
    let account: Account;

    it(
      'starts, stops on SIGINT, and starts again on the same DATA_DIR, any number of times, storing and serving telemetry',
      async () => {
        const env = { DATA_DIR: join(dir.path, 'embedded') };
        const first = startProcess(env);
        const ready = await first.ready;
        for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs']) {
          expect((await fetch(`${ready.http}${path}`)).status, path).toBe(200);
        }
        // The embedded database serves psql and Grafana too.
        const sql = postgres({
          host: '127.0.0.1',
          port: ready.wirePort,
          username: 'postgres',
          database: 'postgres',
          max: 1,
        });
        expect(await sql`SELECT extname FROM pg_extension WHERE extname = 'timescaledb'`).toHaveLength(1);
        await sql.end();
        account = await setUp(ready);
        await publish(ready, account, [1, 2]);
        expect(await first.stop('SIGTERM')).toBe(0);
        expect(first.output().stdout).toMatch(/stopped cleanly/);

        const stored = [1, 2];
        // Every later start reopens the directory: TimescaleDB must be loaded each time.
        for (const round of [1, 2, 3]) {
          const run = startProcess(env);
          const ready = await run.ready;
          expect((await fetch(`${ready.http}/readyz`)).status).toBe(200);
          stored.push(10 * round, 10 * round + 1);
          await publish(ready, account, stored.slice(-2));
          expect(await readBack(ready, account)).toEqual(stored);
          expect(await run.stop()).toBe(0);
          expect(run.output().stdout).toMatch(/stopped cleanly/);
        }
      },
      SLOW,
    );

    it(
      'exits 1 with one line when the MQTT port is taken, and the directory serves the next start',
      async () => {
        const env = { DATA_DIR: join(dir.path, 'embedded') };
        const taken = await occupiedPort();
        try {
          const run = startProcess({ ...env, MQTT_PORT: String(taken.port) });
          expect(await run.exited).toBe(1);
          expect(run.errorLines()).toEqual([`port ${taken.port} is already in use: set MQTT_PORT to a free port`]);
        } finally {
          taken.close();
        }
        const again = startProcess(env);
        expect(await readBack(await again.ready, account)).toEqual([1, 2, 10, 11, 20, 21, 30, 31]);
        expect(await again.stop()).toBe(0);
      },
      SLOW,
    );
  });

  describe('on a PostgreSQL server', () => {
    let db: Awaited<ReturnType<typeof createTestDatabase>>;
    beforeAll(async () => {
      db = await createTestDatabase();
    });
    afterAll(async () => {
      await db?.drop();
    });

    it(
      'comes up in two processes started together on a new database, and again after a restart',
      async () => {
        // Both migrate the empty database at once: one waits for the other.
        const a = startProcess({ DATABASE_URL: db.url, DATA_DIR: join(dir.path, 'a') });
        const b = startProcess({ DATABASE_URL: db.url, DATA_DIR: join(dir.path, 'b') });
        const [readyA, readyB] = await Promise.all([a.ready, b.ready]);
        for (const ready of [readyA, readyB]) expect((await fetch(`${ready.http}/readyz`)).status).toBe(200);
        const account = await setUp(readyA);
        await publish(readyA, account, [1]);
        await publish(readyB, account, [2]);
        expect(await readBack(readyB, account)).toEqual([1, 2]);
        expect(await Promise.all([a.stop(), b.stop('SIGTERM')])).toEqual([0, 0]);

        const again = startProcess({ DATABASE_URL: db.url, DATA_DIR: join(dir.path, 'a') });
        const ready = await again.ready;
        await publish(ready, account, [3]);
        expect(await readBack(ready, account)).toEqual([1, 2, 3]);
        expect(await again.stop()).toBe(0);
      },
      SLOW,
    );
  });

  it.each([
    ['under /proc', () => '/proc/nope/data'],
    ['a file', () => join(dir.path, 'a-file')],
  ])('exits 1 with one line when DATA_DIR is %s', async (_, path) => {
    await writeFile(join(dir.path, 'a-file'), '');
    const run = startProcess({ DATA_DIR: path() });
    expect(await run.exited).toBe(1);
    const lines = run.errorLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^configuration error: DATA_DIR: ${path()} is not a writable directory \\(`));
  });
});
