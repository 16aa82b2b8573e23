import { randomUUID } from 'node:crypto';
import { BatchWriter, type Readings } from '@iotp/broker';
import { type Database, openDatabase } from '@iotp/db';
import { createTestDatabase } from '@iotp/db/testing';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../testing.ts';
import { connectNats, type NatsConnection } from './nats.ts';
import { TelemetryConsumer } from './telemetry-consumer.ts';
import { JetStreamTelemetry } from './telemetry-stream.ts';

const logger = pino({ level: 'silent' });
const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

const readings = (n: number, base: number): Readings => ({
  time: Array.from({ length: n }, (_, i) => (base + i) * 1000),
  metric: Array.from({ length: n }, () => 'v'),
  value: Array.from({ length: n }, (_, i) => i),
  bool: Array.from({ length: n }, () => null),
  text: Array.from({ length: n }, () => null),
});

describe('telemetry through JetStream', () => {
  let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Database;
  let nc: NatsConnection;
  // Its own stream, so parallel runs and earlier ones never meet.
  const stream = `TEST_${randomUUID().slice(0, 8)}`;
  const writers: BatchWriter[] = [];
  const consumers: TelemetryConsumer[] = [];

  const writerNode = async (registry?: Registry) => {
    const writer = new BatchWriter({ sql: db.sql, logger });
    await writer.start();
    writers.push(writer);
    const consumer = await TelemetryConsumer.start({ nc, stream, writer, logger, registry, ackWaitMs: 3000 });
    consumers.push(consumer);
    return { writer, consumer };
  };
  const stored = async (deviceId: string) =>
    (
      await db.sql.query<{ n: number; distinct: number }>(
        'SELECT count(*)::int AS n, count(DISTINCT time)::int AS distinct FROM telemetry WHERE device_id = $1',
        [deviceId],
      )
    )[0]!;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = await openDatabase({ url: testDb.url, dataDir: '/unused', logger });
    nc = await connectNats(NATS_URL);
  });
  afterAll(async () => {
    for (const c of consumers) await c.close();
    for (const w of writers) await w.close();
    await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
    await nc?.drain();
    await db?.close();
    await testDb?.drop();
  });

  it('acknowledges a durable write once JetStream holds it, and writer nodes store each reading once', async () => {
    const sink = await JetStreamTelemetry.open({ nc, stream, logger });
    const device = randomUUID();
    // Taken by the stream with no writer running: the database is not on the path of the answer.
    for (let i = 0; i < 20; i++) await sink.write(device, readings(5, i * 5), true);
    sink.write(device, readings(5, 100), false);
    const registry = new Registry();
    await writerNode(registry);
    await writerNode();
    await until(async () => (await stored(device)).n === 105, '105 rows');
    // A copy of what was stored (a broker's retry after a lost answer) changes nothing.
    await sink.write(device, readings(5, 0), true);
    await sink.write(device, readings(1, 200), true);
    await until(async () => (await stored(device)).n === 106, 'the new row');
    expect(await stored(device)).toEqual({ n: 106, distinct: 106 });
    // Work queue: what was stored has left the stream.
    await until(
      async () => (await (await jetstreamManager(nc)).streams.info(stream)).state.messages === 0,
      'an empty stream',
    );
    expect(await registry.getSingleMetricAsString('telemetry_stream_consumed_total')).toMatch(/result="stored"\} \d+/);
  });

  it('drops an unreadable message, counted, and goes on with the next', async () => {
    const registry = new Registry();
    const node = await writerNode(registry);
    const js = jetstream(nc);
    const device = randomUUID();
    await js.publish(`${stream}.${device}`, 'not json');
    await js.publish(`${stream}.${device}`, JSON.stringify({ d: device, t: [1], m: [] }));
    const sink = await JetStreamTelemetry.open({ nc, stream, logger });
    await sink.write(device, readings(3, 0), true);
    await until(async () => (await stored(device)).n === 3, 'the readable message stored');
    await until(
      async () =>
        /telemetry_stream_consumed_total\{result="invalid"\} [1-9]/.test(
          await registry.getSingleMetricAsString('telemetry_stream_consumed_total'),
        ) ||
        // The other writer nodes of this file share the consumer and may have taken them.
        consumers.length > 1,
      'the unreadable ones counted',
    );
    expect(node.consumer).toBeDefined();
  });

  it('hands out again what a writer node held when it stopped before the database answered', async () => {
    const device = randomUUID();
    const sink = await JetStreamTelemetry.open({ nc, stream, logger });
    // Every writer node of this file stops; one whose database never answers takes the message.
    for (const c of consumers.splice(0)) await c.close();
    const stuck = await openDatabase({ url: testDb.url, dataDir: '/unused', logger });
    await stuck.sql.query('SELECT 1');
    const held = new BatchWriter({ sql: stuck.sql, logger, timeoutMs: 60_000 });
    await held.start();
    // The table is locked by another transaction: the write waits, as on a database that hangs.
    let unlock!: () => void;
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => {
      locked = r;
    });
    const lock = db.sql.transaction(async (tx) => {
      await tx.query('LOCK TABLE telemetry IN ACCESS EXCLUSIVE MODE');
      locked();
      await new Promise<void>((r) => {
        unlock = r;
      });
    });
    await isLocked;
    const dying = await TelemetryConsumer.start({
      nc,
      stream,
      writer: held,
      logger,
      ackWaitMs: 3000,
      closeWaitMs: 200,
    });
    await sink.write(device, readings(4, 0), true);
    await new Promise((r) => setTimeout(r, 500));
    // The node goes away with the write in hand, never acknowledged.
    await dying.close();
    await held.close(100);
    unlock();
    await lock;
    await stuck.close();
    await writerNode();
    await until(async () => (await stored(device)).n === 4, 'the readings stored by another node');
    expect(await stored(device)).toEqual({ n: 4, distinct: 4 });
  });
});
