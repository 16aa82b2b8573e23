import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { connectNats, type NatsConnection } from './nats.ts';
import { listenJson, publishJson } from './nats-json.ts';

const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

describe('JSON between nodes over NATS', () => {
  let a: NatsConnection;
  let b: NatsConnection;
  beforeAll(async () => {
    [a, b] = await Promise.all([connectNats(NATS_URL), connectNats(NATS_URL)]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('hands over what fits the shape and drops, with a log line each, what is not JSON or not of it', async () => {
    const subject = `iotp.test.${randomUUID()}`;
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line).msg) });
    const taken: { n: number }[] = [];
    listenJson(b, subject, z.object({ n: z.number() }), log, 'test message', (v) => taken.push(v));
    await b.flush();
    a.publish(subject, 'not json {');
    publishJson(a, subject, { n: 'one' }, log, 'test message');
    publishJson(a, subject, { n: 1 }, log, 'test message');
    await a.flush();
    await expect.poll(() => taken).toEqual([{ n: 1 }]);
    expect(lines).toEqual(['test message ignored: not JSON', 'test message ignored: not of its shape']);
  });
});
