import { putOnPlan } from '@iotp/cloud/testing';
import { tempDir } from '@iotp/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, startTestPlatform, type TestPlatform } from './helpers.ts';
import { signedFirmware, signingKey } from './ota-fixtures.ts';

/**
 * The scheduler's bounded pass over completed rollouts: a device that joins a completed rollout's
 * target with no event to say so (here, a tag written straight into the database) is still found,
 * by a pass that looks at 20 completed rollouts in turn. Passes run by hand (`runNow`), never on a timer.
 */
describe('completed rollouts without an event', () => {
  const ROLLOUTS = 45;
  const PER_PASS = 20;
  let p: TestPlatform;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let api: ReturnType<typeof apiClient>;
  let orgId: string;

  beforeAll(async () => {
    dir = await tempDir();
    // An hour between passes: only the test's `runNow` moves rollouts.
    p = await startTestPlatform('postgres', { OTA_TICK_MS: '3600000' });
    api = apiClient(p);
    await api.signIn('passes@example.com');
    orgId = (await api.call('POST', '/v1/orgs', { name: 'Fleet' })).body.id;
    await putOnPlan(p.db.sql, orgId, 'enterprise');
  });
  afterAll(async () => {
    await p?.stop();
    await dir?.remove();
  });

  /** Devices of the organization with `tags`, made in the database: no event tells of them. */
  async function silentDevices(names: string[], tags: (name: string) => string[]) {
    const ids: string[] = [];
    for (const name of names) {
      const { id } = await p.devices.create({ orgId, name });
      await p.db.sql.query("UPDATE devices SET type = 'pi4', tags = $2 WHERE id = $1", [id, tags(name)]);
      ids.push(id);
    }
    return ids;
  }

  it(`visits every completed rollout within ceil(N/${PER_PASS}) passes, at most ${PER_PASS} a pass`, async () => {
    const base = `/v1/orgs/${orgId}`;
    const key = await signingKey(dir.path);
    await api.call('POST', `${base}/ota/keys`, { name: 'ci', public_key: key.pem });
    const fw = await signedFirmware(dir.path, key.privateKey, { version: '1.0.0' });
    const release = (await api.call('POST', `${base}/ota/releases`, fw.manifest)).body;
    const put = await fetch(`http://127.0.0.1:${p.httpPort}${base}/ota/releases/${release.id}/artifact`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/octet-stream' },
      body: new Uint8Array(fw.bytes),
    });
    expect(put.status).toBe(200);

    // One rollout per tag, each reaching its one device, then completed.
    const tags = Array.from({ length: ROLLOUTS }, (_, i) => `r${i}`);
    await silentDevices(tags, (tag) => [tag]);
    for (const tag of tags) {
      const created = await api.call('POST', `${base}/ota/rollouts`, {
        release_id: release.id,
        target: { tags: [tag] },
      });
      expect(created.status).toBe(201);
    }
    await p.db.sql.query("UPDATE ota_jobs SET state = 'succeeded', progress = 100");
    await p.db.sql.query("UPDATE rollouts SET status = 'completed'");
    // Takes any organization event the setup left, so the passes below are the bounded ones alone.
    await p.scheduler.runNow('advance-rollouts');

    // A device joins every target, told of by no event: only the bounded pass can find them.
    await silentDevices(
      tags.map((t) => `late-${t}`),
      (name) => [name.slice('late-'.length)],
    );
    const visited = () =>
      p.count(
        `SELECT count(DISTINCT j.rollout_id) AS n FROM ota_jobs j JOIN devices d ON d.id = j.device_id
          WHERE d.name LIKE 'late-%'`,
      );
    const seen: number[] = [];
    for (let pass = 0; pass < Math.ceil(ROLLOUTS / PER_PASS); pass++) {
      await p.scheduler.runNow('advance-rollouts');
      seen.push(await visited());
    }
    expect(seen.at(-1)).toBe(ROLLOUTS);
    seen.forEach((n, i) => {
      expect(n).toBeGreaterThan(i === 0 ? 0 : seen[i - 1]!);
      expect(n - (seen[i - 1] ?? 0)).toBeLessThanOrEqual(PER_PASS);
    });
    // Every late device has exactly one job, from its own rollout.
    expect(
      await p.count(
        "SELECT count(*) AS n FROM ota_jobs j JOIN devices d ON d.id = j.device_id WHERE d.name LIKE 'late-%'",
      ),
    ).toBe(ROLLOUTS);
  }, 120_000);
});
