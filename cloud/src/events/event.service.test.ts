import { openTestDatabase } from '@iotp/db/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from './domain-events.ts';
import { EventRepository } from './event.repository.ts';
import { EventService } from './event.service.ts';
import { inProcessBus } from './event-bus.ts';

const logger = pino({ level: process.env.TEST_LOG ?? 'silent' });

describe.each(['postgres', 'embedded'] as const)('recording events on %s', (kind) => {
  let opened: Awaited<ReturnType<typeof openTestDatabase>> | undefined;
  let events: EventService;
  let inserts = 0;
  beforeAll(async () => {
    opened = await openTestDatabase(kind, logger);
    const { db } = opened;
    const repo = new EventRepository(db.orm, db.sql, kind !== 'embedded');
    const insert = repo.insert.bind(repo);
    repo.insert = (list, tx) => {
      inserts++;
      return insert(list, tx);
    };
    events = new EventService({ repo, bus: inProcessBus(), logger });
  });
  afterAll(async () => {
    await events?.stop();
    await opened?.close();
  });

  const org = async () =>
    (
      (await opened!.db.sql.query<{ id: string }>(
        "INSERT INTO organizations (name) VALUES ('events') RETURNING id",
      )) as [{ id: string }]
    )[0].id;
  const job = (orgId: string, i: number): DomainEvent => ({
    orgId,
    type: 'ota.job.changed',
    subjectType: 'ota_job',
    subjectId: `job-${i}`,
  });

  it("stores a rollout step's thousands of events in a few statements, in the order recorded", async () => {
    const orgId = await org();
    inserts = 0;
    await Promise.all(Array.from({ length: 3000 }, (_, i) => events.record(job(orgId, i))));
    expect(inserts).toBeLessThanOrEqual(5);
    const stored = await opened!.db.sql.query<{ subject_id: string }>(
      'SELECT subject_id FROM events WHERE org_id = $1 ORDER BY id',
      [orgId],
    );
    expect(stored.map((r) => r.subject_id)).toEqual(Array.from({ length: 3000 }, (_, i) => `job-${i}`));
  });

  it('fails only the events that cannot be stored, not those recorded with them', async () => {
    const orgId = await org();
    const gone = '00000000-0000-4000-8000-000000000000';
    const results = await Promise.allSettled([
      events.record(job(orgId, 1)),
      events.record(job(gone, 2)),
      events.record([job(orgId, 3), job(orgId, 4)]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const stored = await opened!.db.sql.query<{ subject_id: string }>(
      'SELECT subject_id FROM events WHERE org_id = $1 ORDER BY id',
      [orgId],
    );
    expect(stored.map((r) => r.subject_id)).toEqual(['job-1', 'job-3', 'job-4']);
  });
});
