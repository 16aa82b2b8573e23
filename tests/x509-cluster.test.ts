import { randomUUID } from 'node:crypto';
import { tempDir } from '@iotp/db/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect as connectNats } from '@nats-io/transport-node';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, brokerTls, closed, startNodes, type TestPlatform } from './helpers.ts';
import { opensslCerts } from './x509-certs.ts';

const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** Two nodes on one database and one NATS: CA changes made through one reach devices on the other. */
describe('X.509 devices across nodes (NATS)', () => {
  let cluster: Awaited<ReturnType<typeof startNodes>>;
  let a: TestPlatform;
  let b: TestPlatform;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let brokerCa: string;
  let certs: ReturnType<typeof opensslCerts>;
  let api: ReturnType<typeof apiClient>;
  let orgId: string;
  const clients: MqttClient[] = [];
  const stream = `TEST_EVENTS_${randomUUID().slice(0, 8)}`;

  /** A device connected to node B with a certificate of `ca`. */
  const onB = async (ca: { name: string }) => {
    const id = (await api.call('POST', `/v1/orgs/${orgId}/devices`, { name: 'x509' })).body.id as string;
    const tls = await certs.device(ca, id);
    const client = await mqtt.connectAsync(`mqtts://localhost:${b.mqttsPort}`, {
      clientId: id,
      ...tls,
      ca: brokerCa,
      reconnectPeriod: 0,
      protocolVersion: 4,
    });
    clients.push(client);
    return { id, tls, client };
  };
  const register = async (ca: { cert: string }) =>
    (await api.call('POST', `/v1/orgs/${orgId}/device-cas`, { name: 'ca', certificate_pem: ca.cert })).body
      .id as string;

  beforeAll(async () => {
    dir = await tempDir();
    const tls = await brokerTls(dir.path);
    brokerCa = tls.ca;
    cluster = await startNodes(2, {
      NATS_URL,
      EVENTS_STREAM: stream,
      ...tls.env,
    });
    [a, b] = cluster.nodes as [TestPlatform, TestPlatform];
    api = apiClient(a);
    await api.signIn('carol@x509.example');
    orgId = (await api.call('POST', '/v1/orgs', { name: 'C' })).body.id;
    certs = opensslCerts(dir.path);
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c.end(true);
    await cluster?.stop();
    const nc = await connectNats({ servers: NATS_URL });
    await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
    await nc.close();
    await dir?.remove();
  });

  it('knows a CA registered on node A at once on node B, and drops B’s devices on a revocation or a deactivation made on A', async () => {
    const ca = await certs.ca('cluster');
    const caId = await register(ca);
    const revoked = await onB(ca);
    const kept = await onB(ca);
    // B has read the CAs now; one registered on A is known at B's next device all the same.
    const later = await certs.ca('later');
    await register(later);
    const third = await onB(later);

    await api.call('POST', `/v1/orgs/${orgId}/device-cas/${caId}/revocations`, { serial: revoked.tls.serial });
    await closed(revoked.client);
    expect(kept.client.connected).toBe(true);

    await api.call('PATCH', `/v1/orgs/${orgId}/device-cas/${caId}`, { active: false });
    await closed(kept.client);
    expect(third.client.connected).toBe(true);
  });
});
