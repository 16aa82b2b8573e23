import { execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { apiClient } from './helpers.ts';

const ROOT = new URL('..', import.meta.url).pathname;

/** Every child still alive: a failed test never leaves a platform running after its worker exits. */
const children = new Set<ReturnType<typeof spawn>>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export interface Ready {
  /** The HTTP API's base URL. */
  http: string;
  mqttPort: number;
  /** The embedded database's wire port, when it is served. */
  wirePort?: number;
}

export interface StartOptions {
  /**
   * Runs the built JavaScript (cloud/dist/main.js, see `buildPlatform`) with node alone, as `npm start`
   * and the image do; otherwise the TypeScript sources through tsx, so a test needs no build.
   */
  built?: boolean;
}

/**
 * Runs the platform as `npm start` does, in a child process on free ports; `ready` resolves once it
 * says so, and rejects if it exits first.
 * @example const p = startProcess({ DATA_DIR: dir }); await p.ready; expect(await p.stop()).toBe(0);
 */
export function startProcess(env: Record<string, string>, { built = false }: StartOptions = {}) {
  // CHILD_NODE_ARGS: flags NODE_OPTIONS refuses, such as --cpu-prof (profiling a benchmark's platform).
  const args = process.env.CHILD_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const entry = built ? ['cloud/dist/main.js'] : ['--conditions=@iotp/source', '--import', 'tsx', 'cloud/src/main.ts'];
  const child = spawn(process.execPath, [...args, ...entry], {
    cwd: ROOT,
    env: {
      ...process.env,
      // Not the test runner's own options (a loader, an inspector) unless asked for.
      NODE_OPTIONS: process.env.CHILD_NODE_OPTIONS ?? '',
      MQTT_PORT: '0',
      HTTP_PORT: '0',
      EMBEDDED_PG_PORT: '0',
      LOG_LEVEL: 'info',
      // No developer's .env in the repository: each test says what it runs with.
      ENV_FILE: '',
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  children.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  const line = (msg: string) => stdout.split('\n').find((l) => l.includes(`"msg":"${msg}"`));
  const ready = new Promise<Ready>((resolve, reject) => {
    child.stdout.on('data', () => {
      const up = line('platform ready');
      if (!up) return;
      const { http, mqtt } = JSON.parse(up);
      resolve({ http, mqttPort: mqtt, wirePort: JSON.parse(line('database open') ?? '{}').wirePort });
    });
    exited.then((code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  ready.catch(() => undefined); // awaited only by the tests that expect a start
  return {
    child,
    ready,
    exited,
    /** False once the process has exited or was killed. */
    get alive() {
      return child.exitCode === null && child.signalCode === null;
    },
    /** Log lines (pino JSON) whose message matches. */
    logs: (msg: RegExp) =>
      stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { msg: string; [k: string]: unknown })
        .filter((l) => msg.test(l.msg)),
    output: () => ({ stdout, stderr }),
    /** What the process wrote to stderr, without npm's own warnings. */
    errorLines: () =>
      stderr
        .trim()
        .split('\n')
        .filter((l) => l && !l.startsWith('npm warn')),
    /** Sends `signal` and resolves with the exit code. */
    stop(signal: NodeJS.Signals = 'SIGINT') {
      child.kill(signal);
      return exited;
    },
  };
}

/**
 * Brings every workspace's dist/ up to date as `npm start` does first (`tsc -b`: a minute or two the
 * first time, seconds once built).
 * @example await buildPlatform(); const p = startProcess({ DATA_DIR: dir }, { built: true });
 */
export async function buildPlatform(): Promise<void> {
  await promisify(execFile)(process.execPath, ['scripts/build-if-stale.mjs'], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
}

/** A port some other program holds. */
export async function occupiedPort(): Promise<{ port: number; close(): void }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, close: () => server.close() };
}

/**
 * What a user does first with a running platform: an account, an organization, `devices` devices.
 * @example const account = await setUp(await run.ready, 3); account.devices[2].secret;
 */
export async function setUp(ready: Ready, devices = 1) {
  const api = apiClient({ httpPort: Number(new URL(ready.http).port) });
  const email = 'owner@example.com';
  const password = 'correct horse battery';
  await api.signIn(email, password);
  const org = (await api.call('POST', '/v1/orgs', { name: 'Life' })).body.id as string;
  const created: { id: string; secret: string }[] = [];
  for (let i = 0; i < devices; i++) {
    const res = await api.call('POST', `/v1/orgs/${org}/devices`, { name: `d${i}` });
    if (res.status !== 201) throw new Error(`creating a device answered ${res.status}: ${JSON.stringify(res.body)}`);
    created.push({ id: res.body.id, secret: res.body.mqtt.password });
  }
  return { email, password, org, device: created[0]!, devices: created };
}
export type Account = Awaited<ReturnType<typeof setUp>>;
