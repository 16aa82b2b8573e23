import { openDatabase } from '@iotp/db';
import { createTestDatabase } from '@iotp/db/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BillingRepository } from './billing.repository.ts';

const logger = pino({ level: 'silent' });

describe('Stripe event claims', () => {
  let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
  let nodes: Awaited<ReturnType<typeof openDatabase>>[];
  beforeAll(async () => {
    testDb = await createTestDatabase();
    // Two nodes: each its own pool on the same database.
    nodes = await Promise.all([0, 1].map(() => openDatabase({ url: testDb.url, dataDir: '/unused', logger })));
  });
  afterAll(async () => {
    await Promise.all((nodes ?? []).map((db) => db.close()));
    await testDb?.drop();
  });

  it('hands each stored event to one worker when several drain at once, and a failed one back only later', async () => {
    const [a, b] = nodes.map((db) => new BillingRepository(db.orm)) as [BillingRepository, BillingRepository];
    for (let i = 0; i < 60; i++) await a.recordEvent(`evt_${i}`, 'invoice.paid', { id: `evt_${i}` });
    const handled: string[] = [];
    // Four workers on two nodes claim small batches until none is left, as drain() does.
    const worker = async (repo: BillingRepository) => {
      for (let batch = await repo.claimEvents(5); batch.length; batch = await repo.claimEvents(5)) {
        for (const row of batch) {
          handled.push(row.id);
          await repo.markEvent(row.id);
        }
      }
    };
    await Promise.all([worker(a), worker(b), worker(a), worker(b)]);
    expect(handled.length).toBe(60);
    expect(new Set(handled).size).toBe(60);

    // A failure is retried by a later drain, not by the one that saw it fail.
    await a.recordEvent('evt_bad', 'invoice.paid', { id: 'evt_bad' });
    const [bad] = await a.claimEvents(5);
    expect(bad!.id).toBe('evt_bad');
    await a.markEvent('evt_bad', 'boom');
    expect(await b.claimEvents(5)).toEqual([]);
    await nodes[0]!.sql.query(
      "UPDATE stripe_events SET locked_until = now() - interval '1 second' WHERE id = 'evt_bad'",
    );
    expect((await b.claimEvents(5)).map((e) => [e.id, e.attempts])).toEqual([['evt_bad', 1]]);
  });
});
