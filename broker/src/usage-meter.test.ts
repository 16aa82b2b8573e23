import { randomUUID } from 'node:crypto';
import { type Database, openDatabase } from '@iotp/db';
import { createTestDatabase, tempDir } from '@iotp/db/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_DEVICE, NO_USER, UsageMeter } from './usage-meter.ts';

const logger = pino({ level: process.env.TEST_LOG ?? 'silent' });

describe('UsageMeter', () => {
  let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let db: Database;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    dir = await tempDir();
    db = await openDatabase({ url: testDb.url, dataDir: dir.path, embeddedPort: null, logger });
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
    await dir?.remove();
  });

  const messages = (meter: UsageMeter, orgId: string, n: number) => {
    for (let i = 0; i < n; i++) meter.count(orgId, randomUUID(), { messages: 1, points: 2, bytes: 10 });
  };

  it("starts from today's stored messages after a restart, flushed or not", async () => {
    const org = randomUUID();
    const first = new UsageMeter(db.sql, logger);
    messages(first, org, 7);
    await first.flush();
    messages(first, org, 3);
    expect(first.messagesToday(org)).toBe(10);
    await first.close(); // the last 3 are flushed on the way out

    const second = await new UsageMeter(db.sql, logger).seed();
    expect(second.messagesToday(org)).toBe(10);
    messages(second, org, 5);
    expect(second.messagesToday(org)).toBe(15);
    await second.flush();
    expect(second.messagesToday(org)).toBe(15); // what it flushed is not counted twice
    await second.close();
  });

  it('loads an organization first asked about after start, counting what others stored', async () => {
    const mine = await new UsageMeter(db.sql, logger).seed();
    const org = randomUUID();
    const other = new UsageMeter(db.sql, logger); // another process, or one that ran earlier today
    messages(other, org, 4);
    await other.close();
    messages(mine, org, 2);
    await mine.flush(); // reads today's totals back after writing: its own 2 are not counted twice
    expect(mine.messagesToday(org)).toBe(6);
    await mine.flush(); // queued behind the lookup the question started: it must not count them twice either
    expect(mine.messagesToday(org)).toBe(6);
    await mine.close();
  });

  it("counts another node's messages after each flush, so a daily quota holds across broker nodes", async () => {
    const org = randomUUID();
    const [a, b] = await Promise.all([new UsageMeter(db.sql, logger).seed(), new UsageMeter(db.sql, logger).seed()]);
    messages(a, org, 3);
    messages(b, org, 4);
    expect(a.messagesToday(org)).toBe(3);
    await a.flush();
    await b.flush(); // b reads a's 3 back with its own 4
    expect(b.messagesToday(org)).toBe(7);
    messages(b, org, 1);
    await b.flush();
    await a.flush();
    expect(a.messagesToday(org)).toBe(8);
    expect(b.messagesToday(org)).toBe(8);
    await Promise.all([a.close(), b.close()]);
  });

  it('adds up each device and user in one row a day, and keeps what a failed flush could not write', async () => {
    const org = randomUUID();
    const [device, user] = [randomUUID(), randomUUID()];
    let down = true;
    const sql = {
      ...db.sql,
      query: ((text: string, params?: unknown[]) =>
        down && text.includes('INSERT INTO usage_daily')
          ? Promise.reject(new Error('database down'))
          : db.sql.query(text, params)) as typeof db.sql.query,
    };
    const meter = new UsageMeter(sql, logger);
    meter.count(org, device, { messages: 1, points: 3, bytes: 20 });
    meter.count(org, device, { messages: 1, points: 2, bytes: 10 });
    meter.count(org, undefined, { apiCalls: 1 }, user);
    await expect(meter.flush()).rejects.toThrow('database down');
    meter.count(org, device, { messages: 1, points: 1, bytes: 5 });
    meter.count(org, undefined, { apiCalls: 1 }, user);
    down = false;
    await meter.flush();
    const rows = await db.sql.query<{
      device_id: string;
      user_id: string;
      messages: string;
      points: string;
      bytes: string;
      api_calls: string;
    }>(
      'SELECT device_id, user_id, messages::text, points::text, bytes::text, api_calls::text FROM usage_daily WHERE org_id = $1 ORDER BY api_calls',
      [org],
    );
    expect(rows).toEqual([
      { device_id: device, user_id: NO_USER, messages: '3', points: '6', bytes: '35', api_calls: '0' },
      { device_id: NO_DEVICE, user_id: user, messages: '0', points: '0', bytes: '0', api_calls: '2' },
    ]);
    expect(meter.messagesToday(org)).toBe(3);
    await meter.close();
  });
});
