import { randomUUID } from 'node:crypto';
import { tempDir } from '@iotp/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../helpers.ts';
import { tenant } from './ota-tenants.ts';

/**
 * Issue 12, hole 10: a rollout took another organization's device id in its target (201, the id
 * kept in the rollout). Two organizations with real credentials, over HTTP.
 */
describe("a rollout's target names only devices of its organization", () => {
  let p: TestPlatform;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let a: Awaited<ReturnType<typeof tenant>>;
  let b: Awaited<ReturnType<typeof tenant>>;
  let releaseA: string;

  beforeAll(async () => {
    dir = await tempDir();
    p = await startTestPlatform('postgres', { OTA_TICK_MS: '100' });
    a = await tenant(p, dir.path, 'owner');
    b = await tenant(p, dir.path, 'neighbour');
    releaseA = (await a.release('1.0.0', 'firmware of A')).id;
  });
  afterAll(async () => {
    await p?.stop();
    await dir?.remove();
  });

  const rollouts = async () => (await a.api.call('GET', `${a.base}/ota/rollouts`)).body.data as { id: string }[];

  it("refuses another organization's device, alone or beside its own, naming it, and keeps no rollout", async () => {
    const mine = (await a.api.call('POST', `${a.base}/devices`, { name: 'mine', type: 'pi4' })).body.id as string;
    const theirs = (await b.api.call('POST', `${b.base}/devices`, { name: 'theirs', type: 'pi4' })).body.id as string;
    const before = await rollouts();
    for (const device_ids of [[theirs], [mine, theirs], [mine, theirs.toUpperCase()]]) {
      const r = await a.api.call('POST', `${a.base}/ota/rollouts`, { release_id: releaseA, target: { device_ids } });
      expect([r.status, r.body.type]).toEqual([400, expect.stringContaining('invalid-request')]);
      expect(r.body.detail).toContain(device_ids.at(-1));
      expect(r.body.detail).not.toContain(mine);
      expect(r.body.unknown_device_ids).toEqual([device_ids.at(-1)]);
    }
    expect(await rollouts()).toEqual(before);
    const jobs = await p.count('SELECT count(*)::int AS n FROM ota_jobs WHERE device_id = $1', [theirs]);
    expect(jobs).toBe(0);
  });

  it('refuses an id that is no device at all', async () => {
    const ghost = randomUUID();
    const r = await a.api.call('POST', `${a.base}/ota/rollouts`, {
      release_id: releaseA,
      target: { device_ids: [ghost] },
    });
    expect([r.status, r.body.unknown_device_ids]).toEqual([400, [ghost]]);
  });

  it('accepts its own devices, in any case', async () => {
    const mine = (await a.api.call('POST', `${a.base}/devices`, { name: 'also mine', type: 'pi4' })).body.id as string;
    const r = await a.api.call('POST', `${a.base}/ota/rollouts`, {
      release_id: releaseA,
      target: { device_ids: [mine.toUpperCase()] },
    });
    expect(r.status).toBe(201);
  });
});
