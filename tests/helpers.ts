import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DeviceStore } from '@iotp/broker';
import { loadConfig } from '@iotp/cloud/config';
import { type RunningPlatform, startPlatform } from '@iotp/cloud/platform';
import { createTestDatabase, tempDir } from '@iotp/db/testing';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import pino, { type Logger } from 'pino';
import { generate } from 'selfsigned';

export const logger = pino({ level: process.env.TEST_LOG ?? 'silent' });

export interface TestPlatform extends RunningPlatform {
  devices: DeviceStore;
  orgId: string;
  /** Creates a device in the test organization; returns its id and secret. */
  device(name?: string): Promise<{ id: string; secret: string }>;
  /** Connects a real MQTT client to the broker. */
  connect(options: IClientOptions): Promise<MqttClient>;
  count(sql: string, params?: unknown[]): Promise<number>;
  stop(): Promise<void>;
  /** Stops, then starts a new platform on the same database and DATA_DIR, as a restart would; it owns them after. */
  restart(): Promise<TestPlatform>;
}

/**
 * The whole platform on free ports: on a fresh database of the local PostgreSQL server, or on a
 * fresh embedded TimescaleDB when `database` is 'embedded'.
 */
export async function startTestPlatform(
  database: 'postgres' | 'embedded',
  env: Record<string, string> = {},
  hooks: {
    databaseUrl?: (url: string) => string;
    /** The database and DATA_DIR of a stopped platform, to start on again (see `restart`). */
    reuse?: { dir: Awaited<ReturnType<typeof tempDir>>; testDb?: Awaited<ReturnType<typeof createTestDatabase>> };
    /** Where the platform logs, instead of the tests' shared logger. */
    logger?: Logger;
  } = {},
): Promise<TestPlatform> {
  const dir = hooks.reuse?.dir ?? (await tempDir());
  const testDb = hooks.reuse ? hooks.reuse.testDb : database === 'postgres' ? await createTestDatabase() : undefined;
  const url = testDb && (hooks.databaseUrl ? hooks.databaseUrl(testDb.url) : testDb.url);
  const config = loadConfig({
    HTTP_PORT: '0',
    MQTT_PORT: '0',
    MQTT_HOST: '127.0.0.1',
    HTTP_HOST: '127.0.0.1',
    EMBEDDED_PG_PORT: '0',
    DATA_DIR: dir.path,
    ...(url ? { DATABASE_URL: url } : {}),
    ...env,
  });
  const platform = await startPlatform(config, hooks.logger ?? logger);
  const devices = new DeviceStore(platform.db);
  const [org] = await platform.db.sql.query<{ id: string }>(
    "INSERT INTO organizations (name) VALUES ('test') RETURNING id",
  );
  const clients: MqttClient[] = [];
  const close = async () => {
    for (const c of clients) c.end(true);
    await platform.close();
  };
  return {
    ...platform,
    devices,
    orgId: org!.id,
    device: async (name = 'sensor') => devices.create({ orgId: org!.id, name }),
    async connect(options) {
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${platform.mqttPort}`, {
        reconnectPeriod: 0,
        connectTimeout: 5000,
        protocolVersion: 4,
        ...options,
      });
      clients.push(client);
      return client;
    },
    async count(sql, params) {
      const [row] = await platform.db.sql.query<{ n: number }>(sql, params);
      return Number(row?.n);
    },
    async stop() {
      await close();
      await testDb?.drop();
      await dir.remove();
    },
    async restart() {
      await close();
      return startTestPlatform(database, env, { ...hooks, reuse: { dir, testDb } });
    },
  };
}

/**
 * `count` platforms on one fresh PostgreSQL database, each with its own DATA_DIR: nodes of a
 * cluster (give them NATS_URL in `env`). `stop()` closes them and drops the database.
 * @example const { nodes: [a, b], stop } = await startNodes(2, { NATS_URL });
 */
export async function startNodes(count: number, env: Record<string, string> = {}) {
  const testDb = await createTestDatabase();
  const dirs: Awaited<ReturnType<typeof tempDir>>[] = [];
  const nodes: TestPlatform[] = [];
  const stop = async () => {
    for (const node of nodes) await node.close();
    await testDb.drop();
    for (const d of dirs) await d.remove();
  };
  try {
    for (let i = 0; i < count; i++) {
      dirs.push(await tempDir());
      nodes.push(await startTestPlatform('postgres', env, { reuse: { dir: dirs[i]!, testDb } }));
    }
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  return { nodes, testDb, stop };
}

/** Credentials as a device presents them. */
export const creds = (d: { id: string; secret: string }): IClientOptions => ({
  clientId: d.id,
  username: d.id,
  password: d.secret,
});

/** Waits for a condition that becomes true asynchronously. */
export async function until(
  check: () => Promise<boolean> | boolean,
  what = 'condition',
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The value of a Prometheus counter line, 0 when absent. */
export async function metric(platform: { registry: RunningPlatform['registry'] }, line: string): Promise<number> {
  const text = await platform.registry.metrics();
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found ? Number(found.split(' ')[1]) : 0;
}

/** Resolves when the client's connection is closed by the server. */
export function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    if (!client.connected) return resolve();
    client.once('close', () => resolve());
  });
}

/** A JSON client for the platform's HTTP API; `token` is sent when set. */
export function apiClient(p: { httpPort: number }) {
  const client = {
    token: '',
    async call(method: string, path: string, body?: unknown) {
      const res = await fetch(`http://127.0.0.1:${p.httpPort}${path}`, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(client.token ? { authorization: `Bearer ${client.token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: res.status === 204 ? undefined : await res.json() };
    },
    /** Signs up and in, keeping the access token for the next calls. */
    async signIn(email: string, password = 'correct horse battery') {
      await client.call('POST', '/v1/auth/signup', { email, password });
      client.token = (await client.call('POST', '/v1/auth/login', { email, password })).body.access_token;
    },
  };
  return client;
}

/** The JSON `data:` lines of a server-sent event stream's text. */
export function sseEvents(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('data: '))
    .map((l) => JSON.parse(l.slice(6)));
}

/**
 * A self-signed certificate for `localhost` written into `dir`, and the variables that make the
 * platform serve MQTT over TLS and secure WebSocket with it on free ports; `ca` is what clients trust.
 * @example const tls = await brokerTls(dir.path); p = await startTestPlatform('postgres', tls.env);
 */
export async function brokerTls(dir: string) {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'ec', algorithm: 'sha256' });
  await writeFile(join(dir, 'broker.crt'), pems.cert);
  await writeFile(join(dir, 'broker.key'), pems.private);
  return {
    ca: pems.cert,
    env: {
      MQTTS_PORT: '0',
      MQTT_WSS_PORT: '0',
      MQTT_TLS_CERT: join(dir, 'broker.crt'),
      MQTT_TLS_KEY: join(dir, 'broker.key'),
    },
  };
}
