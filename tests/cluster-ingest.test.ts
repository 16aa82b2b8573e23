import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { type Database, openDatabase } from '@iotp/db';
import { createTestDatabase, proxyToTestServer, tempDir } from '@iotp/db/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logger, until } from './helpers.ts';
import { type Account, type Ready, setUp, startProcess } from './process.ts';
import { loadDevice, storedCounts } from './telemetry-load.ts';

/** Each start of a real process costs seconds, more on a busy machine. */
const SLOW = 180_000;
const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const WEBHOOK_SECRET = 'whsec_cluster';

/** A local endpoint for the nodes' real Stripe SDK: counts how often each subscription is read. */
async function stripeEndpoint() {
  const reads = new Map<string, number>();
  const server = createServer((req, res) => {
    const sub = /^\/v1\/subscriptions\/(\w+)/.exec(req.url ?? '');
    if (sub) reads.set(sub[1]!, (reads.get(sub[1]!) ?? 0) + 1);
    req.resume().on('end', () => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { type: 'invalid_request_error', message: 'No such subscription' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    reads,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * Telemetry through JetStream (`INGEST=jetstream`) on three real nodes: two brokers that answer
 * PUBACK once the stream holds a message, and a writer node that fills the database from it, its
 * database link through a proxy the test can cut.
 */
describe('a cluster with telemetry through JetStream', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
  let proxy: Awaited<ReturnType<typeof proxyToTestServer>>;
  let db: Database;
  // Its own stream: other runs on this NATS server never meet it.
  const stream = `IOTP_TEST_${randomUUID().slice(0, 8)}`;
  const nodes: ReturnType<typeof startProcess>[] = [];
  let brokers: Ready[];
  let account: Account;
  let stripe: Awaited<ReturnType<typeof stripeEndpoint>>;

  beforeAll(async () => {
    stripe = await stripeEndpoint();
    dir = await tempDir();
    testDb = await createTestDatabase();
    proxy = await proxyToTestServer();
    db = await openDatabase({ url: testDb.url, dataDir: '/unused', poolSize: 2, logger });
    const common = {
      NATS_URL,
      INGEST: 'jetstream',
      INGEST_STREAM: stream,
      MQTT_HOST: '127.0.0.1',
      STRIPE_SECRET_KEY: 'sk_test_cluster',
      STRIPE_API_URL: stripe.url,
      STRIPE_WEBHOOK_SECRETS: WEBHOOK_SECRET,
    };
    // The writer node migrates the database first; the brokers start on it.
    nodes.push(
      startProcess({
        ...common,
        ROLES: 'api,writer,worker',
        DATABASE_URL: proxy.url(testDb.url),
        DATA_DIR: join(dir.path, 'w'),
      }),
    );
    const writer = await nodes[0]!.ready;
    for (const name of ['b1', 'b2'])
      nodes.push(
        startProcess({
          ...common,
          ROLES: 'broker,api,worker',
          DATABASE_URL: testDb.url,
          DATA_DIR: join(dir.path, name),
        }),
      );
    brokers = await Promise.all(nodes.slice(1).map((n) => n.ready));
    account = await setUp(writer, 4);
    // Measured here: the platform's throughput, not the free plan's daily quota.
    await db.sql.query("INSERT INTO billing_accounts (org_id, plan) VALUES ($1, 'enterprise')", [account.org]);
  }, SLOW);
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    const nc = await connect({ servers: NATS_URL });
    await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
    await nc.close();
    await db?.close();
    await proxy?.close();
    await stripe?.close();
    await testDb?.drop();
    await dir?.remove();
  });

  it(
    'keeps acknowledging readings while the database is away, and stores every acknowledged one exactly once',
    async () => {
      // Devices on both brokers.
      const load = account.devices.map((d, i) => loadDevice(`mqtt://127.0.0.1:${brokers[i % 2]!.mqttPort}`, d));
      const acked = () => load.reduce((n, l) => n + l.acked.size, 0);
      try {
        await until(() => acked() >= 200, 'readings acknowledged', 60_000);
        await proxy.cut();
        // The writer node has no database; the brokers go on answering from the stream.
        const atCut = acked();
        await until(() => acked() >= atCut + 400, 'acknowledgements while the database is away', 60_000);
        // The writer node says it is not ready: it cannot store.
        const readyz = `${(await nodes[0]!.ready).http}/readyz`;
        await until(async () => (await fetch(readyz)).status === 503, 'the writer node not ready', 30_000);
        proxy.restore();
        await Promise.all(load.map((l) => l.drain()));
        for (const l of load) {
          await until(
            async () => (await storedCounts(db.sql, l))[1] === l.acked.size,
            'every acknowledged reading stored',
            60_000,
          );
          expect(await storedCounts(db.sql, l)).toEqual({ 1: l.acked.size });
        }
      } finally {
        await Promise.all(load.map((l) => l.end()));
      }
      for (const n of nodes) expect(n.alive, n.output().stderr).toBe(true);
    },
    SLOW,
  );

  it('handles each Stripe event once when every node receives it and three worker nodes drain at once', async () => {
    const signer = new Stripe('sk_test_signer');
    const ids = Array.from({ length: 30 }, (_, i) => `sub_cluster${i}`);
    const https = await Promise.all(nodes.map(async (n) => (await n.ready).http));
    // Every event reaches every node at the same moment, as Stripe's retries to a balanced endpoint can.
    await Promise.all(
      ids.flatMap((id) => {
        const payload = JSON.stringify({
          id: `evt_${id}`,
          object: 'event',
          type: 'customer.subscription.updated',
          created: Math.floor(Date.now() / 1000),
          data: { object: { id, object: 'subscription', customer: 'cus_nobody', status: 'active', metadata: {} } },
        });
        const signature = signer.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
        return https.map(async (http) => {
          const res = await fetch(`${http}/v1/billing/stripe/webhook`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'stripe-signature': signature },
            body: payload,
          });
          expect(res.status).toBe(200);
        });
      }),
    );
    const open = async () =>
      (
        await db.sql.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM stripe_events WHERE id LIKE 'evt_sub_cluster%' AND processed_at IS NULL",
        )
      )[0]!.n;
    await until(async () => (await open()) === 0, 'every event handled', 60_000);
    // Handling an event reads its subscription from Stripe: one read per event means handled once.
    expect(Object.fromEntries(stripe.reads)).toEqual(Object.fromEntries(ids.map((id) => [id, 1])));
  });
});
