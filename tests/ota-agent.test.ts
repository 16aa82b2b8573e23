import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { putOnPlan } from '@iotp/cloud/testing';
import { startTcpProxy, tempDir } from '@iotp/db/testing';
import { pack, signManifest } from '@iotp/firmware-tools';
import { Client } from 'minio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, startTestPlatform, type TestPlatform, until } from './helpers.ts';
import { signingKey, startS3 } from './ota-fixtures.ts';

const run = promisify(execFile);

/** A real edge-agent process: its log lines, and how to stop or kill it. */
interface AgentProcess {
  child: ChildProcess;
  lines: string[];
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Real agent processes against the real broker, API and an S3 server. */
describe('edge agent and OTA end to end', { timeout: 120_000 }, () => {
  let p: TestPlatform;
  let s3: Awaited<ReturnType<typeof startS3>>;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let api: ReturnType<typeof apiClient>;
  let base: string;
  let key: Awaited<ReturnType<typeof signingKey>>;
  let httpProxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let mqttProxy: Awaited<ReturnType<typeof startTcpProxy>>;
  const httpTarget = { host: '127.0.0.1', port: 0 };
  const mqttTarget = { host: '127.0.0.1', port: 0 };
  const agents: AgentProcess[] = [];

  function startAgent(config: string, { stdin = false } = {}): AgentProcess {
    const child = spawn(
      process.execPath,
      ['--conditions=@iotp/source', '--import', 'tsx', 'edge-agent/src/bin.ts', 'run', '--config', config],
      {
        stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      },
    );
    const lines: string[] = [];
    for (const stream of [child.stdout!, child.stderr!])
      stream.on('data', (d: Buffer) => {
        lines.push(...d.toString().split('\n').filter(Boolean));
        if (process.env.TEST_AGENT_LOG) process.stderr.write(d);
      });
    const agent = {
      child,
      lines,
      kill: (signal: NodeJS.Signals = 'SIGTERM') =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill(signal);
        }),
    };
    agents.push(agent);
    return agent;
  }

  /** A registered device and an agent.json for it in its own folder. */
  async function agentConfig(name: string, ota: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
    const device = (await api.call('POST', `${base}/devices`, { name, type: 'pi4', tags: ['fleet', name] })).body;
    const home = join(dir.path, name);
    await mkdir(home, { recursive: true });
    const config = join(home, 'agent.json');
    await writeFile(
      config,
      JSON.stringify({
        device_id: device.id,
        secret: device.mqtt.password,
        broker_url: `mqtt://127.0.0.1:${mqttProxy.port}`,
        firmware_version: '1.0.0',
        hardware: 'pi4',
        heartbeat_s: 0,
        ota: {
          public_keys: [key.publicKey],
          health: { command: 'test -f "$SLOT_DIR/ok"', deadline_s: 2, interval_s: 0.2 },
          ...ota,
        },
        ...extra,
      }),
    );
    return { id: device.id as string, config, home };
  }

  /**
   * A signed folder release (`ok` present when healthy, `files` besides), registered and uploaded,
   * with its delta when `deltaFrom` names an earlier artifact.
   */
  async function release(
    version: string,
    o: {
      healthy?: boolean;
      bytes?: number;
      signKey?: string;
      files?: Record<string, Buffer>;
      deltaFrom?: string;
      gzip?: boolean;
    } = {},
  ) {
    const folder = join(dir.path, `fw-${version}`);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'app.bin'), randomBytes(o.bytes ?? 1024));
    for (const [name, bytes] of Object.entries(o.files ?? {})) await writeFile(join(folder, name), bytes);
    if (o.healthy !== false) await writeFile(join(folder, 'ok'), 'yes');
    const packed = await pack({
      input: folder,
      name: 'app',
      version,
      hardware: ['pi4'],
      outDir: dir.path,
      deltaFrom: o.deltaFrom,
      gzip: o.gzip,
    });
    const manifest = await signManifest(packed.manifest, o.signKey ?? key.privateKey);
    const created = await api.call('POST', `${base}/ota/releases`, manifest);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const put = (part: string, file: string) =>
      readFile(file).then((bytes) =>
        fetch(`http://127.0.0.1:${p.httpPort}${base}/ota/releases/${created.body.id}/${part}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/octet-stream' },
          body: new Uint8Array(bytes),
        }),
      );
    expect((await put('artifact', packed.artifact)).status).toBe(200);
    if (manifest.delta) expect((await put('delta', join(dir.path, manifest.delta.artifact))).status).toBe(200);
    return { ...(created.body as { id: string; size: number }), artifact: packed.artifact };
  }

  /** An S3 client on the test's store, to change stored bytes behind the platform's back. */
  function s3Client() {
    return new Client({
      endPoint: '127.0.0.1',
      port: Number(new URL(s3.env.S3_ENDPOINT).port),
      useSSL: false,
      accessKey: 'S3RVER',
      secretKey: 'S3RVER',
      pathStyle: true,
    });
  }

  async function rollout(releaseId: string, target: object, extra: object = {}) {
    const res = await api.call('POST', `${base}/ota/rollouts`, { release_id: releaseId, target, ...extra });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  }

  async function jobOf(rolloutId: string, deviceId: string) {
    const jobs = (await api.call('GET', `${base}/ota/rollouts/${rolloutId}/devices`)).body.data;
    return jobs.find((j: { device_id: string }) => j.device_id === deviceId) as
      | { state: string; error: string | null; progress: number }
      | undefined;
  }

  const settled = (rolloutId: string, deviceId: string, state: string) =>
    until(async () => (await jobOf(rolloutId, deviceId))?.state === state, `job ${state}`, 40_000);

  async function agentStatus(config: string) {
    const { stdout } = await run(process.execPath, [
      '--conditions=@iotp/source',
      '--import',
      'tsx',
      'edge-agent/src/bin.ts',
      'status',
      '--config',
      config,
      '--json',
    ]);
    return JSON.parse(stdout);
  }

  beforeAll(async () => {
    dir = await tempDir();
    s3 = await startS3(join(dir.path, 's3'));
    httpProxy = await startTcpProxy(httpTarget);
    mqttProxy = await startTcpProxy(mqttTarget);
    p = await startTestPlatform('postgres', {
      ...s3.env,
      OTA_TICK_MS: '200',
      PUBLIC_URL: `http://127.0.0.1:${httpProxy.port}`,
    });
    httpTarget.port = p.httpPort;
    mqttTarget.port = p.mqttPort;
    api = apiClient(p);
    await api.signIn('fleet@example.com');
    const orgId = (await api.call('POST', '/v1/orgs', { name: 'Fleet' })).body.id;
    base = `/v1/orgs/${orgId}`;
    // More rollouts than the free plan's two a month.
    await putOnPlan(p.db.sql, orgId, 'enterprise');
    key = await signingKey(dir.path);
    await api.call('POST', `${base}/ota/keys`, { name: 'release', public_key: key.pem });
  });
  afterAll(async () => {
    await Promise.all(agents.map((a) => a.kill('SIGKILL')));
    await p?.stop();
    await httpProxy?.close();
    await mqttProxy?.close();
    await s3?.close();
    await dir?.remove();
  });

  it('updates a device, resuming a download cut midway, then rolls back a release that fails its health check', async () => {
    const restarts = join(dir.path, 'restarts.log');
    const device = await agentConfig('happy', { restart_command: `echo "$SLOT_DIR" >> ${restarts}` });
    const agent = startAgent(device.config);
    await until(
      async () => (await api.call('GET', `${base}/devices/${device.id}`)).body.online === true,
      'online',
      30_000,
    );

    const good = await release('1.1.0', { bytes: 3 * 1024 * 1024 });
    httpProxy.dropNextAfter(512 * 1024);
    const first = await rollout(good.id, { device_ids: [device.id] });
    await settled(first, device.id, 'succeeded');
    expect(agent.lines.some((l) => l.includes('resuming the download at byte'))).toBe(true);
    expect((await api.call('GET', `${base}/devices/${device.id}`)).body.firmware_version).toBe('1.1.0');
    // The rollout completes in the step its last job's end starts, under the rollout's lock: just after.
    await until(
      async () => (await api.call('GET', `${base}/ota/rollouts/${first}`)).body.status === 'completed',
      'the rollout to complete',
    );
    const status = await agentStatus(device.config);
    expect(status).toMatchObject({ running: true, connected: true, firmware_version: '1.1.0', job: null });
    expect(status.slots).toEqual({ active: 'b', versions: { a: '1.0.0', b: '1.1.0' }, trial: false });

    const bad = await release('1.2.0', { healthy: false });
    const second = await rollout(bad.id, { device_ids: [device.id] });
    await settled(second, device.id, 'rolled_back');
    expect((await jobOf(second, device.id))?.error).toMatch(/health check failed/);
    const after = await agentStatus(device.config);
    expect(after.firmware_version).toBe('1.1.0');
    expect(after.slots.active).toBe('b');
    // The application was restarted on the new slot, on the trial slot, then back on the good one.
    const slotsDir = join(device.home, 'slots');
    expect((await readFile(restarts, 'utf8')).trim().split('\n')).toEqual([
      join(slotsDir, 'b'),
      join(slotsDir, 'a'),
      join(slotsDir, 'b'),
    ]);
    const human = await run(process.execPath, [
      '--conditions=@iotp/source',
      '--import',
      'tsx',
      'edge-agent/src/bin.ts',
      'status',
      '--config',
      device.config,
    ]);
    expect(human.stdout).toMatch(/connection: connected/);
    expect(human.stdout).toMatch(/slots:\s+active b \(a: 1\.2\.0, b: 1\.1\.0\)/);
    const audit = (await api.call('GET', `${base}/audit?action=ota.job.rolled_back`)).body.data;
    expect(audit).toHaveLength(1);
  });

  it('refuses a tampered artifact and a signature from a key the device does not pin', async () => {
    const device = await agentConfig('careful');
    startAgent(device.config);
    await until(
      async () => (await api.call('GET', `${base}/devices/${device.id}`)).body.online === true,
      'online',
      30_000,
    );

    // Change the stored bytes behind the platform's back (same length).
    const tampered = await release('2.0.0');
    const objectKey = (
      await p.db.sql.query<{ object_key: string }>('SELECT object_key FROM firmware_releases WHERE id = $1', [
        tampered.id,
      ])
    )[0]!.object_key;
    await s3Client().putObject('firmware', objectKey, randomBytes(tampered.size));
    const r1 = await rollout(tampered.id, { device_ids: [device.id] });
    await settled(r1, device.id, 'failed');
    expect((await jobOf(r1, device.id))?.error).toMatch(/does not match its signed manifest/);

    // Trusted by the organization, not pinned on the device.
    const other = await signingKey(dir.path, 'second');
    await api.call('POST', `${base}/ota/keys`, { name: 'second', public_key: other.pem });
    const foreign = await release('2.0.1', { signKey: other.privateKey });
    const r2 = await rollout(foreign.id, { device_ids: [device.id] });
    await settled(r2, device.id, 'failed');
    expect((await jobOf(r2, device.id))?.error).toMatch(/signature refused: signed with key \w+, which is not trusted/);
    expect((await agentStatus(device.config)).firmware_version).toBe('1.0.0');
  });

  it('updates from a delta into the inactive slot, and falls back to the full artifact when the delta is corrupt', async () => {
    const device = await agentConfig('thrifty');
    const agent = startAgent(device.config);
    await until(
      async () => (await api.call('GET', `${base}/devices/${device.id}`)).body.online === true,
      'online',
      30_000,
    );
    const data = randomBytes(2 * 1024 * 1024);
    const first = await release('5.0.0', { gzip: false, files: { 'data.bin': data } });
    await settled(await rollout(first.id, { device_ids: [device.id] }), device.id, 'succeeded');

    // A few kilobytes change: the device on 5.0.0 gets the delta and rebuilds 5.1.0 from the artifact it kept.
    randomBytes(4096).copy(data, 700_000);
    const next = await release('5.1.0', { gzip: false, files: { 'data.bin': data }, deltaFrom: first.artifact });
    const byDelta = await rollout(next.id, { device_ids: [device.id] });
    await settled(byDelta, device.id, 'succeeded');
    expect(agent.lines.some((l) => l.includes('rebuilt 5.1.0 from a delta'))).toBe(true);
    const slots = JSON.parse(await readFile(join(device.home, 'slots', 'slots.json'), 'utf8'));
    expect(slots).toEqual({ active: 'a', versions: { a: '5.1.0', b: '5.0.0' } });
    expect(await readFile(join(device.home, 'slots', 'a', 'data.bin'))).toEqual(data);

    // The stored delta corrupted (same size): the agent finds out and downloads the full artifact.
    randomBytes(4096).copy(data, 1_500_000);
    const last = await release('5.2.0', { gzip: false, files: { 'data.bin': data }, deltaFrom: next.artifact });
    const [row] = await p.db.sql.query<{ object_key: string; manifest: { delta: { size: number } } }>(
      'SELECT object_key, manifest FROM firmware_releases WHERE id = $1',
      [last.id],
    );
    await s3Client().putObject('firmware', `${row!.object_key}-delta`, randomBytes(row!.manifest.delta.size));
    const fallback = await rollout(last.id, { device_ids: [device.id] });
    await settled(fallback, device.id, 'succeeded');
    expect(agent.lines.some((l) => l.includes('delta not used; downloading the full artifact'))).toBe(true);
    expect(agent.lines.some((l) => l.includes('rebuilt 5.2.0'))).toBe(false);
    expect((await api.call('GET', `${base}/devices/${device.id}`)).body.firmware_version).toBe('5.2.0');
    expect(await readFile(join(device.home, 'slots', 'b', 'data.bin'))).toEqual(data);
  }, 180_000);

  it('recovers an agent killed during install, and hands an offline agent its job when it comes back', async () => {
    const device = await agentConfig('phoenix', { install_command: 'sleep 2' });
    let agent = startAgent(device.config);
    await until(
      async () => (await api.call('GET', `${base}/devices/${device.id}`)).body.online === true,
      'online',
      30_000,
    );
    const rel = await release('3.0.0');
    const r = await rollout(rel.id, { device_ids: [device.id] });
    await settled(r, device.id, 'installing');
    await agent.kill('SIGKILL');
    agent = startAgent(device.config);
    await settled(r, device.id, 'succeeded');
    expect(agent.lines.some((l) => l.includes('resuming the update that was under way'))).toBe(true);
    expect((await agentStatus(device.config)).firmware_version).toBe('3.0.0');

    // Offline when the rollout starts; it gets the job on connect.
    await agent.kill('SIGTERM');
    await until(async () => (await api.call('GET', `${base}/devices/${device.id}`)).body.online === false, 'offline');
    const next = await release('3.1.0');
    const r2 = await rollout(next.id, { tags: ['phoenix'] });
    expect((await jobOf(r2, device.id))?.state).toBe('pending');
    startAgent(device.config);
    await settled(r2, device.id, 'succeeded');
  });

  it('pauses a staged rollout by itself when failures pass the threshold', async () => {
    const devices = await Promise.all(['s1', 's2', 's3', 's4'].map((n) => agentConfig(n)));
    for (const d of devices) startAgent(d.config);
    await until(
      async () =>
        (await api.call('GET', `${base}/devices?tag=fleet&online=true`)).body.data.filter((d: { name: string }) =>
          /^s\d$/.test(d.name),
        ).length === 4,
      'four online',
      30_000,
    );
    const bad = await release('4.0.0', { healthy: false });
    const r = await rollout(
      bad.id,
      { device_ids: devices.map((d) => d.id) },
      {
        phases: [
          { percent: 25, failure_threshold: 0.5 },
          { percent: 100, failure_threshold: 0.5 },
        ],
      },
    );
    await until(
      async () => (await api.call('GET', `${base}/ota/rollouts/${r}`)).body.status === 'paused',
      'paused',
      40_000,
    );
    const summary = (await api.call('GET', `${base}/ota/rollouts/${r}`)).body;
    expect(summary.counts).toEqual({ total: 1, rolled_back: 1 });
    expect(summary.status_reason).toMatch(/1 of 1 devices failed in phase 1/);
  });

  it('applies desired configuration, reports its state and answers ping, get-config, reboot and unknown commands', async () => {
    const device = await agentConfig(
      'twinned',
      {},
      {
        heartbeat_s: 1,
        reboot_command: `touch ${join(dir.path, 'rebooted')}`,
        sources: [
          { kind: 'command', command: 'echo 42', metric: 'answer', interval_s: 1 },
          { kind: 'file', path: join(dir.path, 'door.txt'), interval_s: 1 },
          { kind: 'stdin' },
        ],
      },
    );
    await writeFile(join(dir.path, 'door.txt'), 'door closed\n');
    const agent = startAgent(device.config, { stdin: true });
    await until(
      async () => (await api.call('GET', `${base}/devices/${device.id}`)).body.online === true,
      'online',
      30_000,
    );
    await api.call('PATCH', `${base}/devices/${device.id}/twin`, { desired: { sample_interval_s: 5 } });
    await until(
      async () => (await api.call('GET', `${base}/devices/${device.id}/twin`)).body.reported.sample_interval_s === 5,
      'reported',
      30_000,
    );
    const twin = (await api.call('GET', `${base}/devices/${device.id}/twin`)).body;
    expect(twin.delta).toEqual({});
    expect(twin.reported).toMatchObject({ firmware_version: '1.0.0', hardware: 'pi4', uptime_s: expect.any(Number) });
    expect(JSON.parse(await readFile(join(device.home, 'state', 'desired.json'), 'utf8'))).toEqual({
      sample_interval_s: 5,
    });
    // No slot holds `ok` yet, so the configured health check fails, and the twin says so.
    await until(
      async () =>
        String((await api.call('GET', `${base}/devices/${device.id}/twin`)).body.reported.health).startsWith('failing'),
      'health reported',
      30_000,
    );

    const command = (name: string) =>
      api.call('POST', `${base}/devices/${device.id}/commands`, { name, timeout_s: 10 }).then((r) => r.body);
    expect(await command('ping')).toMatchObject({ status: 'succeeded', result: { pong: true } });
    const config = await command('get-config');
    expect(config.result).toMatchObject({ device_id: device.id, hardware: 'pi4', desired: { sample_interval_s: 5 } });
    expect(JSON.stringify(config.result)).not.toContain('secret');
    expect(await command('self-destruct')).toMatchObject({
      status: 'failed',
      result: { error: expect.stringContaining('known: ping, get-config, reboot') },
    });
    expect(await command('reboot')).toMatchObject({ status: 'succeeded', result: { rebooting: true } });
    await until(async () => (await readFile(join(dir.path, 'rebooted')).catch(() => undefined)) !== undefined);
    expect(agent.child.exitCode).toBeNull();
    // The command's output, the file, standard input and the heartbeat arrive as telemetry.
    agent.child.stdin!.write('{"level": 7}\n');
    const latest = async () => (await api.call('GET', `${base}/devices/${device.id}/telemetry/latest`)).body;
    await until(
      async () => {
        const l = await latest();
        return l.answer?.value === 42 && l.door?.value === 'closed' && l.level?.value === 7 && 'agent.uptime_s' in l;
      },
      'telemetry',
      30_000,
    );
  });

  it('stores readings while offline, across a restart, and delivers every one once after the outage', async () => {
    const socket = join(dir.path, 'saf.sock');
    const device = await agentConfig('saf', {}, { sources: [{ kind: 'socket', path: socket }] });
    let agent = startAgent(device.config);
    await until(
      async () => (await api.call('GET', `${base}/devices/${device.id}`)).body.online === true,
      'online',
      30_000,
    );
    const send = async (from: number, to: number) => {
      // The agent opens its socket shortly after it starts: try until it listens.
      let conn = createConnection(socket);
      for (
        let i = 0;
        !(await new Promise((r) => conn.once('connect', () => r(true)).once('error', () => r(false))));
        i++
      ) {
        if (i > 100) throw new Error('the agent socket never opened');
        await new Promise((r) => setTimeout(r, 100));
        conn = createConnection(socket);
      }
      for (let i = from; i < to; i++) conn.write(`${JSON.stringify({ n: i })}\n`);
      await new Promise<void>((r) => conn.end(r));
    };
    const stored = () =>
      p.count("SELECT count(*) AS n FROM telemetry WHERE device_id = $1 AND metric = 'n'", [device.id]);
    await send(0, 10);
    await until(async () => (await stored()) === 10, 'first readings');

    await mqttProxy.cut();
    await send(10, 60);
    // 50 waiting, or 60 when the cut also swallowed the acknowledgement of the first batch: those
    // are sent again, and the platform keeps each reading once.
    await until(async () => (await agentStatus(device.config)).queue_depth >= 50, 'queued on disk', 30_000);
    await agent.kill('SIGKILL');
    agent = startAgent(device.config);
    await send(60, 80);
    await mqttProxy.restore();
    await until(async () => (await stored()) === 80, 'all readings', 60_000).catch(async (err) => {
      // Say what the agent saw, for a failure on a busy machine.
      const seen = { stored: await stored(), status: await agentStatus(device.config), log: agent.lines.slice(-15) };
      throw new Error(`${(err as Error).message}: ${JSON.stringify(seen)}`);
    });
    const distinct = await p.count(
      "SELECT count(DISTINCT value) AS n FROM telemetry WHERE device_id = $1 AND metric = 'n'",
      [device.id],
    );
    expect(distinct).toBe(80);
    await until(async () => (await agentStatus(device.config)).queue_depth === 0, 'queue drained', 30_000);
  });
});
