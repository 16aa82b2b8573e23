import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hashDeviceSecret } from '@iotp/broker';
import { tempDir } from '@iotp/db/testing';
import type { AgentStatus } from '@iotp/edge-agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform, until } from './helpers.ts';

const run = promisify(execFile);

/** A real edge-agent process fed readings on standard input; its log lines are kept. */
interface AgentProcess {
  child: ChildProcess;
  lines: string[];
  send(from: number, to: number): void;
}

/** Real agent processes that the real broker refuses, then accepts. */
describe('edge agent after a refused CONNACK', { timeout: 120_000 }, () => {
  let p: TestPlatform;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const children: ChildProcess[] = [];

  function startAgent(config: string): AgentProcess {
    const child = spawn(
      process.execPath,
      ['--conditions=@iotp/source', '--import', 'tsx', 'edge-agent/src/bin.ts', 'run', '--config', config],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    children.push(child);
    const lines: string[] = [];
    for (const stream of [child.stdout!, child.stderr!])
      stream.on('data', (d: Buffer) => {
        lines.push(...d.toString().split('\n').filter(Boolean));
        if (process.env.TEST_AGENT_LOG) process.stderr.write(d);
      });
    return {
      child,
      lines,
      send(from, to) {
        for (let n = from; n < to; n++) child.stdin!.write(`${JSON.stringify({ n })}\n`);
      },
    };
  }

  /** agent.json for a device in its own folder; short waits between attempts keep the test quick. */
  async function agentConfig(name: string, device: { id: string; secret: string }, brokerPort = p.mqttPort) {
    const home = join(dir.path, name);
    await mkdir(home, { recursive: true });
    const config = join(home, 'agent.json');
    await writeFile(
      config,
      JSON.stringify({
        device_id: device.id,
        secret: device.secret,
        broker_url: `mqtt://127.0.0.1:${brokerPort}`,
        heartbeat_s: 0,
        sources: [{ kind: 'stdin' }],
        reconnect: { initial_s: 0.2, max_s: 1 },
      }),
    );
    return { config, statusFile: join(home, 'state', 'status.json') };
  }

  /** The agent's status file, as `edge-agent status` reads it (null before the first write). */
  async function status(file: string): Promise<AgentStatus | null> {
    return readFile(file, 'utf8').then(
      (t) => JSON.parse(t) as AgentStatus,
      () => null,
    );
  }

  const stored = (deviceId: string) =>
    p.count("SELECT count(*) AS n FROM telemetry WHERE device_id = $1 AND metric = 'n'", [deviceId]);
  const refusals = (agent: AgentProcess, code: number) =>
    agent.lines.filter((l) => l.includes('broker refused the connection') && l.includes(`"code":${code}`)).length;

  /** Refused at least `times` times with `code`, with `readings` queued on disk meanwhile. */
  async function refusedWhileQueueing(agent: AgentProcess, statusFile: string, code: number, readings: number) {
    await until(async () => (await status(statusFile))?.last_error?.code === code, `refusal ${code}`, 30_000);
    agent.send(0, readings);
    await until(async () => (await status(statusFile))?.queue_depth === readings, 'queued', 30_000);
    // Not one refusal and then silence: it keeps trying.
    await until(() => refusals(agent, code) >= 3, 'repeated attempts', 30_000);
    const s = await status(statusFile);
    expect(s).toMatchObject({ connected: false, queue_depth: readings });
  }

  /** Every queued reading arrives once the broker accepts, with nothing left in the queue. */
  async function delivered(agent: AgentProcess, statusFile: string, deviceId: string, readings: number) {
    await until(async () => (await stored(deviceId)) === readings, 'queued readings stored', 30_000).catch(
      async (err) => {
        const seen = { stored: await stored(deviceId), status: await status(statusFile), log: agent.lines.slice(-10) };
        throw new Error(`${(err as Error).message}: ${JSON.stringify(seen)}`);
      },
    );
    await until(async () => {
      const s = await status(statusFile);
      return s?.connected === true && s.queue_depth === 0 && s.next_attempt_at === null;
    }, 'connected with an empty queue');
  }

  beforeAll(async () => {
    dir = await tempDir();
    p = await startTestPlatform('postgres');
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await p?.stop();
    await dir?.remove();
  });

  it('keeps trying with a secret the platform does not know yet, and sends its queue once re-provisioned', async () => {
    const device = await p.device('reprovisioned');
    // The device holds its new secret before the platform has stored it.
    const secret = randomBytes(32).toString('base64url');
    const { config, statusFile } = await agentConfig('reprovisioned', { id: device.id, secret });
    const agent = startAgent(config);
    await refusedWhileQueueing(agent, statusFile, 4, 20);

    const human = await run(process.execPath, [
      '--conditions=@iotp/source',
      '--import',
      'tsx',
      'edge-agent/src/bin.ts',
      'status',
      '--config',
      config,
    ]);
    expect(human.stdout).toMatch(/connection: offline, next attempt at \d{4}-/);
    expect(human.stdout).toMatch(/last error: Connection refused: Bad username or password \(code 4\) at \d{4}-/);

    await p.db.sql.query('UPDATE devices SET secret_hash = $1 WHERE id = $2', [hashDeviceSecret(secret), device.id]);
    await delivered(agent, statusFile, device.id, 20);
    expect(agent.lines.some((l) => l.includes(secret))).toBe(false);
    expect(agent.lines.some((l) => l.includes('Connection refused: Bad username or password'))).toBe(true);
  });

  it('keeps trying while the device is disabled, and sends its queue once enabled again', async () => {
    const device = await p.device('disabled');
    await p.db.sql.query('UPDATE devices SET disabled_at = now() WHERE id = $1', [device.id]);
    const { config, statusFile } = await agentConfig('disabled', device);
    const agent = startAgent(config);
    await refusedWhileQueueing(agent, statusFile, 5, 15);

    await p.db.sql.query('UPDATE devices SET disabled_at = NULL WHERE id = $1', [device.id]);
    await delivered(agent, statusFile, device.id, 15);
    // The refusal stays visible after reconnecting, for whoever looks at the device later.
    expect((await status(statusFile))?.last_error).toMatchObject({
      code: 5,
      message: expect.stringMatching(/Not authorized/),
    });
  });

  it('keeps trying while the broker answers "server unavailable" (as past its connect rate)', async () => {
    const device = await p.device('busy');
    const front = await refusingFront(p.mqttPort);
    try {
      const { config, statusFile } = await agentConfig('busy', device, front.port);
      const agent = startAgent(config);
      await refusedWhileQueueing(agent, statusFile, 3, 10);
      front.refusing = false;
      await delivered(agent, statusFile, device.id, 10);
    } finally {
      await front.close();
    }
  });
});

/**
 * A TCP front to the broker that, while `refusing`, answers every CONNECT itself with CONNACK
 * return code 3, "server unavailable" (MQTT 3.1.1 §3.2.2.3), and otherwise passes bytes through.
 */
async function refusingFront(brokerPort: number) {
  const sockets = new Set<{ destroy(): void }>();
  const front = {
    refusing: true,
    port: 0,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client)).on('error', () => client.destroy());
    if (front.refusing) {
      client.once('data', () => client.end(Buffer.from([0x20, 0x02, 0x00, 0x03])));
      return;
    }
    const upstream = createConnection(brokerPort, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('close', () => client.destroy()).on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  front.port = typeof address === 'object' && address ? address.port : 0;
  return front;
}
