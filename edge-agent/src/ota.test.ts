import { createHash, sign } from 'node:crypto';
import { mkdir, readdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { tempDir } from '@iotp/db/testing';
import { keygen, loadPrivateKey } from '@iotp/firmware-tools/keys';
import { canonical, keyId, type Manifest } from '@iotp/protocol';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentConfig } from './config.ts';
import { OtaAgent, type Report } from './ota.ts';
import { tarOf } from './testing.ts';

/**
 * A job from the platform names files (the artifact, the entries of its archive): none of them
 * may lead the agent to write outside its slots and download folder, even when signed.
 */
describe('OTA agent and hostile artifacts', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: Server;
  let served: Buffer = Buffer.alloc(0);
  let agent: OtaAgent;
  let reports: Report[];
  let logged: { msg: string; problems?: string }[];
  let privateKey: string;
  let outside: string;

  beforeEach(async () => {
    dir = await tempDir();
    outside = join(dir.path, 'outside');
    await mkdir(outside);
    // The agent makes its state folder at start; this test runs the OTA part alone.
    await mkdir(join(dir.path, 'device', 'state'), { recursive: true });
    const keys = await keygen(join(dir.path, 'release'));
    privateKey = keys.privateKey;
    server = createServer((_req, res) => res.end(served));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const config = AgentConfig.parse({
      device_id: 'device',
      secret: 'secret',
      broker_url: 'mqtt://127.0.0.1:1',
      hardware: 'pi4',
      state_dir: join(dir.path, 'device', 'state'),
      ota: { public_keys: [keys.publicKey], slots_dir: join(dir.path, 'device', 'slots') },
    });
    reports = [];
    logged = [];
    agent = new OtaAgent(config, {
      report: (r) => reports.push(r),
      requestJob: () => {},
      installed: async () => {},
      firmwareVersion: () => '1.0.0',
      log: pino({ level: 'warn' }, { write: (line: string) => logged.push(JSON.parse(line)) }),
    });
    await agent.resume();
  });
  afterEach(async () => {
    server?.close();
    await dir?.remove();
  });

  /** A job for `bytes` named `artifact`, its manifest signed with the key the device pins. */
  async function job(artifact: string, bytes: Buffer) {
    served = bytes;
    const manifest: Manifest = {
      name: 'app',
      version: '2.0.0',
      hardware: ['pi4'],
      artifact,
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      created_at: new Date().toISOString(),
    };
    const key = await loadPrivateKey(privateKey);
    const signature = {
      alg: 'ed25519',
      key_id: keyId(key),
      value: sign(null, canonical(manifest), key).toString('base64'),
    };
    const { port } = server.address() as AddressInfo;
    await agent.onJob({
      job_id: 'job-1',
      version: '2.0.0',
      manifest: { ...manifest, signature },
      url: `http://127.0.0.1:${port}/artifact`,
    });
    await agent.idle();
    return reports.at(-1);
  }

  const expectNothingOutside = async () => {
    expect(await readdir(outside)).toEqual([]);
    expect((await readdir(join(dir.path, 'device'))).sort()).toEqual(['slots', 'state']);
    expect(await readdir(join(dir.path, 'device', 'slots', 'b'))).toEqual([]);
    expect((await agent.slotState()).active).toBe('a');
  };

  it.each([
    ['not an object', 'job', /^job: .*expected object/],
    ['no job id', { version: '2.0.0', manifest: {}, url: 'http://127.0.0.1:1/a' }, /^job_id: /],
    ['no URL', { job_id: 'job-1', version: '2.0.0', manifest: {} }, /^url: /],
    ['a version of the wrong type', { job_id: 'job-1', version: 2, url: 'http://127.0.0.1:1/a' }, /^version: /],
  ])('refuses a job with %s: logged, never reported or started', async (_, message, problem) => {
    await agent.onJob(message);
    await agent.idle();
    expect(reports).toEqual([]);
    expect(agent.status).toBeNull();
    expect(logged).toEqual([expect.objectContaining({ msg: 'OTA job refused: not a job the agent can read' })]);
    expect(logged[0]?.problems).toMatch(problem);
    await expectNothingOutside();
  });

  it('fails a job whose signed manifest names the artifact with a path', async () => {
    const last = await job('../../outside/pwned.bin', Buffer.from('firmware'));
    expect(last).toMatchObject({ job_id: 'job-1', state: 'failed', error: expect.stringMatching(/artifact/) });
    // Refused before anything was fetched.
    expect(reports.map((r) => r.state)).toEqual(['failed']);
    await expectNothingOutside();
  });

  it('fails a job whose signed archive has entries that climb out of the slot', async () => {
    const archive = tarOf([
      { path: 'app', body: 'fine' },
      { path: '../../../outside/pwned', body: 'x' },
    ]);
    const last = await job('app-2.0.0.tar.gz', archive);
    expect(last).toMatchObject({ state: 'failed', error: expect.stringMatching(/archive was refused/) });
    // It got as far as installing: downloaded and verified first.
    expect(reports.map((r) => r.state)).toContain('installing');
    await expectNothingOutside();
  });
});
