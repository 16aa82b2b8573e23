import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { tempDir } from '@iotp/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../helpers.ts';
import { tenant } from './ota-tenants.ts';

/** The smallest PNG header the avatar check accepts, then bytes that tell one image from another. */
const png = (tag: string) =>
  Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(tag)]);

/**
 * Issue 12, hole 1: a firmware release's artifact name was used as a path in object storage, so
 * organization B could overwrite, serve and delete organization A's files (its avatar, its
 * firmware) and reach the file system. Two organizations with real credentials, over HTTP.
 */
describe('storage keys are never built from client-supplied names', () => {
  let p: TestPlatform;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let a: Awaited<ReturnType<typeof tenant>>;
  let b: Awaited<ReturnType<typeof tenant>>;
  let releaseA: Awaited<ReturnType<(typeof a)['release']>>;
  const avatarA = png('avatar of A');

  beforeAll(async () => {
    dir = await tempDir();
    // The default file store under DATA_DIR/objects, so the test can see what lands where.
    p = await startTestPlatform('postgres', { DATA_DIR: dir.path, OTA_TICK_MS: '100' });
    a = await tenant(p, dir.path, 'victim');
    b = await tenant(p, dir.path, 'attacker');
    expect((await a.put('/v1/me/avatar', avatarA, 'image/png')).status).toBe(200);
    releaseA = await a.release('1.0.0', 'firmware of A');
  });
  afterAll(async () => {
    await p?.stop();
    await dir?.remove();
  });

  /**
   * B's attack: a release signed with its own (trusted) key and named as it likes, then its bytes
   * uploaded, which the old code wrote wherever the name pointed. Returns the registration answer.
   */
  let attempts = 0;
  async function attack(artifact: string) {
    const bytes = Buffer.from(`bytes of B ${attempts}`);
    const manifest = await b.hostileManifest(artifact, bytes, `6.6.${attempts++}`);
    const created = await b.api.call('POST', `${b.base}/ota/releases`, manifest);
    if (created.status === 201)
      await b.put(`${b.base}/ota/releases/${created.body.id}/artifact`, bytes, 'application/octet-stream');
    return created;
  }

  const expectAvatarOfA = async () => expect(await a.get('/v1/me/avatar')).toEqual({ status: 200, bytes: avatarA });

  it("refuses an artifact name that climbs to another user's avatar; the avatar is neither overwritten nor deleted", async () => {
    const r = await attack(`../../../avatars/${a.userId}`);
    await expectAvatarOfA();
    if (r.status === 201) await b.api.call('DELETE', `${b.base}/ota/releases/${r.body.id}`);
    await expectAvatarOfA();
    expect([r.status, r.body.type]).toEqual([400, expect.stringContaining('invalid-request')]);
    expect(r.body.detail).toMatch(/artifact: must be a plain file name/);
  });

  it("refuses an artifact name that reaches another organization's firmware; A's devices get A's bytes", async () => {
    const r = await attack(`../../${a.orgId}/${releaseA.id}/${releaseA.manifest.artifact}`);
    expect(await a.download(releaseA.id)).toEqual({ status: 200, bytes: releaseA.bytes });
    expect([r.status, r.body.type]).toEqual([400, expect.stringContaining('invalid-request')]);
  });

  it('answers 400, not 500, for a name that reaches the file system', async () => {
    const r = await attack('../../../../../../../etc/passwd');
    expect([r.status, r.body.type]).toEqual([400, expect.stringContaining('invalid-request')]);
  });

  it.each([
    ['a path', 'dir/app.bin'],
    ['a Windows path', '..\\..\\app.bin'],
    ['an absolute path', '/etc/passwd'],
    ['a dot segment', '..'],
    ['the current folder', '.'],
    ['a NUL', 'app.bin\u0000.png'],
    ['a control character', 'app\n.bin'],
    ['nothing', ''],
  ])('refuses %s as a file name', async (_what, name) => {
    const r = await attack(name);
    expect([r.status, r.body.type]).toEqual([400, expect.stringContaining('invalid-request')]);
  });

  it("keys artifacts by organization and release only: B's release of the same name and version lives apart, and deleting it leaves A's files", async () => {
    const same = await b.release('1.0.0', 'firmware of B');
    expect(same.manifest.artifact).toBe(releaseA.manifest.artifact);
    const keys = await p.db.sql.query<{ object_key: string }>(
      'SELECT object_key FROM firmware_releases WHERE id = ANY($1::uuid[]) ORDER BY org_id = $2 DESC',
      [[releaseA.id, same.id], a.orgId],
    );
    expect(keys.map((k) => k.object_key)).toEqual([
      `firmware/${a.orgId}/${releaseA.id}`,
      `firmware/${b.orgId}/${same.id}`,
    ]);
    expect((await b.api.call('DELETE', `${b.base}/ota/releases/${same.id}`)).status).toBe(204);
    expect(await a.download(releaseA.id)).toEqual({ status: 200, bytes: releaseA.bytes });
    await expectAvatarOfA();
  });

  /** A release row as the old code stored it: the key built from the manifest's artifact name. */
  async function storedByOldCode(orgId: string, artifact: string, version: string) {
    const id = randomUUID();
    const objectKey = `firmware/${orgId}/${id}/${artifact}`;
    const { manifest } = releaseA;
    await p.db.sql.query(
      `INSERT INTO firmware_releases (id, org_id, name, version, hardware, size, sha256, key_id, manifest, object_key, status)
       VALUES ($1, $2, 'app', $3, $4, $5, $6, $7, $8::jsonb, $9, 'ready')`,
      [
        id,
        orgId,
        version,
        manifest.hardware,
        manifest.size,
        manifest.sha256,
        manifest.signature.key_id,
        JSON.stringify({ ...manifest, artifact }),
        objectKey,
      ],
    );
    return { id, objectKey };
  }

  it('a release stored under the old key scheme still downloads', async () => {
    const stored = await storedByOldCode(a.orgId, releaseA.manifest.artifact, '0.9.0');
    // Where the file store kept it: DATA_DIR/objects/<key>.
    const path = join(dir.path, 'objects', stored.objectKey);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, releaseA.bytes);
    expect(await a.download(stored.id)).toEqual({ status: 200, bytes: releaseA.bytes });
  });

  it("a hostile release the old code stored neither serves nor deletes A's avatar", async () => {
    const hostile = `../../../avatars/${a.userId}`;
    const served = await b.download((await storedByOldCode(b.orgId, hostile, '6.5.0')).id);
    expect(served.status).toBe(404);
    expect(served.bytes.includes(Buffer.from('avatar of A'))).toBe(false);
    const deleted = await storedByOldCode(b.orgId, hostile, '6.5.1');
    expect((await b.api.call('DELETE', `${b.base}/ota/releases/${deleted.id}`)).status).toBe(204);
    await expectAvatarOfA();
  });
});
