import { createHash, sign } from 'node:crypto';
import { loadPrivateKey } from '@iotp/firmware-tools/keys';
import { canonical, keyId, type Manifest } from '@iotp/protocol';
import { apiClient, creds, type TestPlatform, until } from '../helpers.ts';
import { signedFirmware, signingKey } from '../ota-fixtures.ts';

/**
 * One tenant as an attacker or a victim sees the platform: a signed-in user (real credentials),
 * an organization of their own, and a firmware signing key that organization trusts.
 */
export async function tenant(p: TestPlatform, dir: string, name: string) {
  const api = apiClient(p);
  await api.signIn(`${name}@example.com`);
  const userId: string = (await api.call('GET', '/v1/me')).body.id;
  const orgId: string = (await api.call('POST', '/v1/orgs', { name })).body.id;
  const base = `/v1/orgs/${orgId}`;
  // The free plan's 2 rollouts a month are too few for a test that rolls out to a device per check.
  await p.db.sql.query(
    `INSERT INTO billing_accounts (org_id, limit_overrides) VALUES ($1, '{"rollouts_per_month": null}')
     ON CONFLICT (org_id) DO UPDATE SET limit_overrides = excluded.limit_overrides`,
    [orgId],
  );
  const key = await signingKey(dir, name);
  const trusted = await api.call('POST', `${base}/ota/keys`, { name, public_key: key.pem });
  if (trusted.status !== 201) throw new Error(`key not trusted: ${JSON.stringify(trusted.body)}`);
  const url = (path: string) => `http://127.0.0.1:${p.httpPort}${path}`;

  const t = {
    api,
    userId,
    orgId,
    base,
    key,
    /** PUT with a raw body and this tenant's token. */
    put: (path: string, body: Buffer, contentType: string) =>
      fetch(url(path), {
        method: 'PUT',
        headers: { authorization: `Bearer ${api.token}`, 'content-type': contentType },
        body: new Uint8Array(body),
      }),
    /** GET with this tenant's token: status and bytes. */
    async get(path: string) {
      const res = await fetch(url(path), { headers: { authorization: `Bearer ${api.token}` } });
      return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
    },
    /** A release packed and signed the ordinary way (firmware-tools), registered and uploaded. */
    async release(version: string, content: string) {
      const fw = await signedFirmware(dir, key.privateKey, { name: 'app', version, content });
      const created = await api.call('POST', `${base}/ota/releases`, fw.manifest);
      if (created.status !== 201) throw new Error(`release refused: ${JSON.stringify(created.body)}`);
      const uploaded = await t.put(
        `${base}/ota/releases/${created.body.id}/artifact`,
        fw.bytes,
        'application/octet-stream',
      );
      if (uploaded.status !== 200) throw new Error(`upload refused: ${uploaded.status}`);
      return { id: created.body.id as string, manifest: fw.manifest, bytes: fw.bytes };
    },
    /**
     * A manifest this tenant signed by hand with any artifact name, as a hostile client would:
     * firmware-tools itself refuses to write or sign such a name.
     */
    async hostileManifest(artifact: string, bytes: Buffer, version = '6.6.6') {
      const manifest: Manifest = {
        name: 'app',
        version,
        hardware: ['pi4'],
        artifact,
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        created_at: new Date().toISOString(),
      };
      const privateKey = await loadPrivateKey(key.privateKey);
      const value = sign(null, canonical(manifest), privateKey).toString('base64');
      return { ...manifest, signature: { alg: 'ed25519', key_id: keyId(privateKey), value } };
    },
    /** A device of this organization, connected over MQTT and collecting its OTA jobs. */
    async device(deviceName: string) {
      const created = (await api.call('POST', `${base}/devices`, { name: deviceName, type: 'pi4' })).body;
      const client = await p.connect(creds({ id: created.id, secret: created.mqtt.password }));
      const jobs: { job_id: string; url: string }[] = [];
      client.on('message', (_t, payload) => jobs.push(JSON.parse(payload.toString())));
      await client.subscribeAsync(`devices/${created.id}/ota/job`, { qos: 1 });
      return { id: created.id as string, jobs };
    },
    /** What a device of this organization downloads for a release: a fresh device, a rollout to it, its job's URL. */
    async download(releaseId: string) {
      const d = await t.device(`downloader-${releaseId}`);
      const rollout = await api.call('POST', `${base}/ota/rollouts`, {
        release_id: releaseId,
        target: { device_ids: [d.id] },
      });
      if (rollout.status !== 201) throw new Error(`rollout refused: ${JSON.stringify(rollout.body)}`);
      await until(() => d.jobs.length > 0, 'the OTA job');
      const res = await fetch(d.jobs[0]!.url);
      return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
    },
  };
  return t;
}
