import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from '@iotp/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const agent = (...args: string[]) =>
  run(process.execPath, ['--conditions=@iotp/source', '--import', 'tsx', 'edge-agent/src/bin.ts', ...args]).then(
    (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
  );

describe('edge-agent CLI', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => dir?.remove());

  it('shows a full example configuration in --help', async () => {
    const help = await agent('run', '--help');
    expect(help.out).toMatch(/edge-agent run --config \/etc\/edge-agent\/agent.json/);
    expect(help.out).toMatch(/"public_keys"/);
    expect((await agent('--version')).out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('says in one line what is wrong with a configuration, and exits 1', async () => {
    const missing = await agent('run', '--config', join(dir.path, 'nope.json'));
    expect([missing.code, missing.err.trim().split('\n')]).toEqual([
      1,
      [expect.stringMatching(/cannot read .*nope.json/)],
    ]);
    const bad = join(dir.path, 'bad.json');
    await writeFile(bad, JSON.stringify({ device_id: 'd', broker_url: 'http://x', sources: [{ kind: 'pigeon' }] }));
    const invalid = await agent('run', '--config', bad);
    expect(invalid.code).toBe(1);
    expect(invalid.err).toMatch(/secret: .*broker_url: must be a URL like mqtts:\/\/.*sources\.0\.kind/);
    const status = await agent('status', '--config', bad);
    expect(status.code).toBe(1);
  });

  it('says when no agent has run with a configuration yet', async () => {
    const ok = join(dir.path, 'ok.json');
    await writeFile(ok, JSON.stringify({ device_id: 'd', secret: 's', broker_url: 'mqtt://127.0.0.1:1' }));
    const status = await agent('status', '--config', ok);
    expect([status.code, status.err]).toEqual([1, expect.stringMatching(/start the agent with: edge-agent run/)]);
  });
});
