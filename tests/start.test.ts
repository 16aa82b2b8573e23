import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { tempDir } from '@iotp/db/testing';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creds, until } from './helpers.ts';
import { buildPlatform, occupiedPort, setUp, startProcess } from './process.ts';

/** The first build compiles every workspace: minutes on a busy 2-core machine. */
const BUILD = 600_000;

describe('npm start, the built platform', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    dir = await tempDir();
    await buildPlatform();
  }, BUILD);
  afterAll(async () => {
    await dir?.remove();
  });

  it(
    'runs cloud/dist with node alone: healthy, ready, serves the API and devices, stops cleanly',
    async () => {
      const run = startProcess({ DATA_DIR: dir.path }, { built: true });
      const ready = await run.ready;
      // Nothing but node and the built entry point: no tsx, no loader through NODE_OPTIONS.
      expect(run.child.spawnargs.slice(-1)).toEqual(['cloud/dist/main.js']);
      expect(run.child.spawnargs.join(' ')).not.toMatch(/tsx|--import|\.ts\b/);
      expect((await fetch(`${ready.http}/healthz`)).status).toBe(200);
      await until(async () => (await fetch(`${ready.http}/readyz`)).status === 200, 'ready');
      const account = await setUp(ready);
      const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${ready.mqttPort}`, {
        ...creds(account.device),
        reconnectPeriod: 0,
      });
      expect(device.connected).toBe(true);
      await device.endAsync();
      expect(await run.stop()).toBe(0);
      expect(run.output().stdout).toMatch(/stopped cleanly/);
    },
    BUILD,
  );

  it.each(['firmware-tools', 'edge-agent'])('runs the %s command of its bin entry with node alone', async (cli) => {
    const { stdout } = await promisify(execFile)(process.execPath, [`${cli}/bin/${cli}.js`, '--version'], {
      cwd: new URL('..', import.meta.url).pathname,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('npm start, failing to start', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await dir?.remove();
  });

  // Starting, stopping and starting again are in lifecycle.test.ts.
  it('stops with one line naming the variable when a port is taken', async () => {
    const taken = await occupiedPort();
    try {
      const run = startProcess({ DATA_DIR: `${dir.path}/b`, HTTP_PORT: String(taken.port) });
      expect(await run.exited).toBe(1);
      expect(run.errorLines()).toEqual([`port ${taken.port} is already in use: set HTTP_PORT to a free port`]);
    } finally {
      taken.close();
    }
  });

  it('reads a .env file (ENV_FILE) beneath the environment, which wins', async () => {
    const file = `${dir.path}/platform.env`;
    await writeFile(file, 'DATABASE_URL=not a url\nMQTT_MAX_PACKET_BYTES=lots\n');
    const run = startProcess({ DATA_DIR: `${dir.path}/d`, ENV_FILE: file, MQTT_MAX_PACKET_BYTES: '4096' });
    expect(await run.exited).toBe(1);
    // Both bad values came from the file; the environment's MQTT_MAX_PACKET_BYTES won, so only one is named.
    const lines = run.output().stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^configuration error: DATABASE_URL: must be a URL/);
    expect(lines[0]).not.toMatch(/MQTT_MAX_PACKET_BYTES/);
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
    const run = startProcess({ DATA_DIR: `${dir.path}/c`, ...env });
    expect(await run.exited).toBe(1);
    const lines = run.output().stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });
});
