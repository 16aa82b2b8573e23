import { randomUUID } from 'node:crypto';
import { tempDir } from '@iotp/db/testing';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, brokerTls, closed, creds, metric, startTestPlatform, type TestPlatform, until } from './helpers.ts';
import { expiredCertificate, opensslCerts } from './x509-certs.ts';

/** Issue 18: devices that connect over MQTTS with a client certificate of their organization's CA. */
describe('X.509 devices', () => {
  let p: TestPlatform;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let brokerCa: string;
  let certs: ReturnType<typeof opensslCerts>;
  const a = apiClient({ httpPort: 0 });
  const b = apiClient({ httpPort: 0 });
  let orgA: string;
  let orgB: string;
  const clients: MqttClient[] = [];

  /** A new device of the organization, made through the API. */
  const device = async (api: typeof a, orgId: string) =>
    (await api.call('POST', `/v1/orgs/${orgId}/devices`, { name: 'x509' })).body.id as string;
  const registerCa = async (ca: { cert: string }, extra: Record<string, unknown> = {}) => {
    const res = await a.call('POST', `/v1/orgs/${orgA}/device-cas`, { name: 'ca', certificate_pem: ca.cert, ...extra });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  };
  const connect = async (id: string, tls: { key: string; cert: string }, more: IClientOptions = {}) => {
    const client = await mqtt.connectAsync(`mqtts://localhost:${p.mqttsPort}`, {
      clientId: id,
      ...tls,
      ca: brokerCa,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      protocolVersion: 4,
      ...more,
    });
    clients.push(client);
    return client;
  };
  const stores = async (client: MqttClient, id: string) => {
    await client.publishAsync(`devices/${id}/telemetry`, JSON.stringify({ temp: 21 }), { qos: 1 });
    return p.count('SELECT count(*) AS n FROM telemetry WHERE device_id = $1', [id]);
  };
  const refused = (reason: string) => metric(p, `mqtt_rejects_total{reason="${reason}"}`);

  beforeAll(async () => {
    dir = await tempDir();
    const tls = await brokerTls(dir.path);
    brokerCa = tls.ca;
    p = await startTestPlatform('postgres', {
      ...tls.env,
      DEVICE_CA_KEY_SECRET: 'a test secret of some length',
    });
    Object.assign(a, apiClient(p), { token: '' });
    Object.assign(b, apiClient(p), { token: '' });
    await a.signIn('alice@x509.example');
    await b.signIn('bob@x509.example');
    orgA = (await a.call('POST', '/v1/orgs', { name: 'A' })).body.id;
    orgB = (await b.call('POST', '/v1/orgs', { name: 'B' })).body.id;
    certs = opensslCerts(dir.path);
  });
  afterAll(async () => {
    for (const c of clients) c.end(true);
    await p?.stop();
    await dir?.remove();
  });

  it("connects a device with a certificate of its organization's CA, the password ignored, and stores its telemetry", async () => {
    const ca = await certs.ca('plain');
    await registerCa(ca);
    const id = await device(a, orgA);
    const client = await connect(id, await certs.device(ca, id), { username: id, password: 'not the secret' });
    expect(await stores(client, id)).toBe(1);
    const [row] = await p.db.sql.query<{ online: boolean }>('SELECT online FROM devices WHERE id = $1', [id]);
    expect(row?.online).toBe(true);
  });

  it("refuses a wrong CA, an expired certificate, another organization's device and a client id that is not the CN", async () => {
    const ca = await certs.ca('strict');
    await registerCa(ca);
    const rogue = await certs.ca('rogue'); // never registered
    const id = await device(a, orgA);
    const bobs = await device(b, orgB);
    const invalid = await refused('certificate_invalid');
    await expect(connect(id, await certs.device(rogue, id))).rejects.toThrow(/Bad username or password/);
    await expect(connect(id, await expiredCertificate(ca, id))).rejects.toThrow(/Bad username or password/);
    expect(await refused('certificate_invalid')).toBe(invalid + 2);
    // A's CA can never act as B's device, however the CN reads.
    await expect(connect(bobs, await certs.device(ca, bobs))).rejects.toThrow(/Not authorized/);
    await expect(connect(randomUUID(), await certs.device(ca, id))).rejects.toThrow(/Identifier rejected/);
    expect(await p.count('SELECT count(*) AS n FROM devices WHERE org_id = $1', [orgB])).toBe(1);
  });

  it('registers an unknown device just in time once, when the CA allows it, and refuses it otherwise', async () => {
    const jit = await certs.ca('jit');
    await registerCa(jit, { auto_register: true });
    const id = randomUUID();
    const tls = await certs.device(jit, id);
    const first = await connect(id, tls);
    expect(await stores(first, id)).toBe(1);
    await first.endAsync();
    const again = await connect(id, tls);
    await again.endAsync();
    expect(await p.count('SELECT count(*) AS n FROM devices WHERE id = $1 AND org_id = $2', [id, orgA])).toBe(1);
    // Its first two connections at once: one device, and neither is refused for it.
    const twin = randomUUID();
    const twinTls = await certs.device(jit, twin);
    const both = await Promise.allSettled([connect(twin, twinTls), connect(twin, twinTls)]);
    expect(both.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(await p.count('SELECT count(*) AS n FROM devices WHERE id = $1', [twin])).toBe(1);

    const off = await certs.ca('nojit');
    await registerCa(off);
    const unknown = randomUUID();
    await expect(connect(unknown, await certs.device(off, unknown))).rejects.toThrow(/Not authorized/);
    expect(await p.count('SELECT count(*) AS n FROM devices WHERE id = $1', [unknown])).toBe(0);
  });

  it("holds just-in-time registration to the plan's device limit", async () => {
    const full = (await a.call('POST', '/v1/orgs', { name: 'Full' })).body.id as string;
    // The free plan's 25 devices.
    await p.db.sql.query(
      "INSERT INTO devices (org_id, name, secret_hash) SELECT $1, 'd' || g, '' FROM generate_series(1, 25) g",
      [full],
    );
    const ca = await certs.ca('full');
    const res = await a.call('POST', `/v1/orgs/${full}/device-cas`, {
      name: 'ca',
      certificate_pem: ca.cert,
      auto_register: true,
    });
    expect(res.status).toBe(201);
    const id = randomUUID();
    const limited = await refused('plan_device_limit');
    await expect(connect(id, await certs.device(ca, id))).rejects.toThrow(/Not authorized/);
    expect(await refused('plan_device_limit')).toBe(limited + 1);
    expect(await p.count('SELECT count(*) AS n FROM devices WHERE org_id = $1', [full])).toBe(25);
  });

  it('refuses a revoked serial and drops the device connected with it', async () => {
    const ca = await certs.ca('revoking');
    const caId = await registerCa(ca);
    const id = await device(a, orgA);
    const tls = await certs.device(ca, id);
    const live = await connect(id, tls);
    const res = await a.call('POST', `/v1/orgs/${orgA}/device-cas/${caId}/revocations`, { serial: `00${tls.serial}` });
    expect(res.status).toBe(201);
    await closed(live);
    await expect(connect(id, tls)).rejects.toThrow(/Not authorized/);
    const list = await a.call('GET', `/v1/orgs/${orgA}/device-cas/${caId}/revocations`);
    expect(list.body.data).toEqual([{ serial: tls.serial, revoked_at: expect.any(String) }]);
    // Another certificate of the same device still connects.
    (await connect(id, await certs.device(ca, id))).end(true);
  });

  it("refuses a deactivated CA's devices and drops the connected ones", async () => {
    const ca = await certs.ca('deactivated');
    const caId = await registerCa(ca);
    const id = await device(a, orgA);
    const tls = await certs.device(ca, id);
    const live = await connect(id, tls);
    expect((await a.call('PATCH', `/v1/orgs/${orgA}/device-cas/${caId}`, { active: false })).body.active).toBe(false);
    await closed(live);
    await expect(connect(id, tls)).rejects.toThrow(/Not authorized/);
    await a.call('PATCH', `/v1/orgs/${orgA}/device-cas/${caId}`, { active: true });
    await until(async () => {
      const c = await connect(id, tls).catch(() => undefined);
      c?.end(true);
      return c !== undefined;
    }, 'reactivated CA');
  });

  it('still takes password devices on the MQTTS port', async () => {
    const d = await p.device('password');
    const client = await mqtt.connectAsync(`mqtts://localhost:${p.mqttsPort}`, {
      ...creds(d),
      ca: brokerCa,
      reconnectPeriod: 0,
      protocolVersion: 4,
    });
    clients.push(client);
    expect(await stores(client, d.id)).toBe(1);
  });

  it("signs a device's CSR with a CA the platform made, or makes its key, and the device connects", async () => {
    const made = await a.call('POST', `/v1/orgs/${orgA}/device-cas`, { name: 'platform', generate: true });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ platform_key: true, active: true });
    expect(JSON.stringify(made.body)).not.toMatch(/PRIVATE KEY/);
    const id = await device(a, orgA);
    const { key, csr } = await certs.csr(id);
    const signed = await a.call('POST', `/v1/orgs/${orgA}/device-cas/${made.body.id}/certificates`, {
      device_id: id,
      csr_pem: csr,
    });
    expect(signed.status, JSON.stringify(signed.body)).toBe(201);
    expect(signed.body.private_key_pem).toBeUndefined();
    const client = await connect(id, { key, cert: signed.body.certificate_pem });
    expect(await stores(client, id)).toBe(1);
    await client.endAsync();

    const withKey = await a.call('POST', `/v1/orgs/${orgA}/device-cas/${made.body.id}/certificates`, { device_id: id });
    expect(withKey.body.private_key_pem).toMatch(/BEGIN PRIVATE KEY/);
    (await connect(id, { key: withKey.body.private_key_pem, cert: withKey.body.certificate_pem })).end(true);
    // Not a device of A's, and the CA does not register devices: nothing is signed.
    const bobs = await device(b, orgB);
    const foreign = await a.call('POST', `/v1/orgs/${orgA}/device-cas/${made.body.id}/certificates`, {
      device_id: bobs,
    });
    expect(foreign.status).toBe(404);
  });

  it('answers bad CA certificates with problems of stable types', async () => {
    const problem = async (body: unknown, status: number, slug: string) => {
      const res = await a.call('POST', `/v1/orgs/${orgA}/device-cas`, body);
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(res.body.type).toMatch(new RegExp(`/${slug}$`));
    };
    await problem({ name: 'x', certificate_pem: 'garbage' }, 400, 'certificate-invalid');
    await problem(
      { name: 'x', certificate_pem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' },
      400,
      'certificate-invalid',
    );
    const ca = await certs.ca('leafy');
    const leaf = await certs.device(ca, randomUUID());
    await problem({ name: 'x', certificate_pem: leaf.cert }, 400, 'not-a-ca');
    await registerCa(ca);
    await problem({ name: 'again', certificate_pem: ca.cert }, 409, 'device-ca-duplicate');
    // Another organization may register the same certificate: it is its own choice to trust it.
    const inB = await b.call('POST', `/v1/orgs/${orgB}/device-cas`, { name: 'x', certificate_pem: ca.cert });
    expect(inB.status).toBe(201);
    const page = await a.call('GET', `/v1/orgs/${orgA}/device-cas?limit=2`);
    expect(page.body.data).toHaveLength(2);
    expect(page.body.next_cursor).toEqual(expect.any(String));
  });
});
