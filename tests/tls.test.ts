import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { get } from 'node:https';
import { join } from 'node:path';
import { tempDir } from '@iotp/db/testing';
import { buildAgent } from '@iotp/edge-agent/build';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerTls, creds, startTestPlatform, type TestPlatform, until } from './helpers.ts';

/** MQTT over TLS beside plain MQTT, for devices on the open internet. */
describe('MQTT over TLS', () => {
  let p: TestPlatform;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let ca: string;
  let agent: ChildProcess | undefined;

  beforeAll(async () => {
    dir = await tempDir();
    const tls = await brokerTls(dir.path);
    ca = tls.ca;
    p = await startTestPlatform('postgres', {
      ...tls.env,
    });
  });
  afterAll(async () => {
    agent?.kill('SIGKILL');
    await p?.stop();
    await dir?.remove();
  });

  /** A new device connects at `url` trusting our CA, and its QoS 1 reading is stored before the PUBACK. */
  const storesOver = async (url: string, name: string) => {
    const d = await p.device(name);
    const client = await mqtt.connectAsync(url, { ...creds(d), ca, reconnectPeriod: 0, protocolVersion: 4 });
    await client.publishAsync(`devices/${d.id}/telemetry`, JSON.stringify({ temp: 20 }), { qos: 1 });
    expect(await p.count('SELECT count(*) AS n FROM telemetry WHERE device_id = $1', [d.id])).toBe(1);
    await client.endAsync();
    return d;
  };

  it('takes devices over TLS with the same credentials and rules, and refuses clients that do not trust it', async () => {
    const d = await storesOver(`mqtts://localhost:${p.mqttsPort}`, 'tls');

    const untrusting = mqtt.connectAsync(`mqtts://localhost:${p.mqttsPort}`, {
      ...creds(d),
      reconnectPeriod: 0,
      connectTimeout: 3000,
    });
    await expect(untrusting).rejects.toThrow(/self[- ]signed/i);
    const wrongSecret = mqtt.connectAsync(`mqtts://localhost:${p.mqttsPort}`, {
      ...creds({ id: d.id, secret: 'nope' }),
      ca,
      reconnectPeriod: 0,
    });
    await expect(wrongSecret).rejects.toThrow(/Bad username or password|Not authorized/);
  });

  it('takes devices over secure WebSocket (wss) with the same certificate, and answers a plain request 426', async () => {
    await storesOver(`wss://localhost:${p.mqttWssPort}/mqtt`, 'wss');
    const plain = await new Promise<number>((resolve, reject) =>
      get(`https://localhost:${p.mqttWssPort}/mqtt`, { ca }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject),
    );
    expect(plain).toBe(426);
  });

  it('connects the bundled edge agent (one file, run by node alone) with a pinned CA', async () => {
    // The file that goes on a device: no node_modules beside it.
    const bundle = join(dir.path, 'edge-agent.mjs');
    await buildAgent(bundle);
    const d = await p.device('tls-agent');
    await writeFile(join(dir.path, 'ca.pem'), ca);
    const config = join(dir.path, 'agent.json');
    await writeFile(
      config,
      JSON.stringify({
        device_id: d.id,
        secret: d.secret,
        broker_url: `mqtts://localhost:${p.mqttsPort}`,
        tls: { ca: 'ca.pem' },
        heartbeat_s: 1,
      }),
    );
    agent = spawn(process.execPath, [bundle, 'run', '--config', config], { cwd: dir.path, stdio: 'ignore' });
    await until(
      async () =>
        (await p.count("SELECT count(*) AS n FROM telemetry WHERE device_id = $1 AND metric = 'agent.uptime_s'", [
          d.id,
        ])) > 0,
      'telemetry over TLS',
      30_000,
    );
  });
});
