import { writeFile } from 'node:fs/promises';
import { tempDir } from '@iotp/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { occupiedPort, startProcess } from './process.ts';

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
