import { openDatabase } from '@iotp/db';
import { createTestDatabase } from '@iotp/db/testing';
import pino from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { DatabaseJobLeases } from './job-lease.ts';
import { Scheduler } from './scheduler.ts';

const logger = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Scheduler', () => {
  it('runs each named job on its period, never two runs of one job at once, and counts failures', async () => {
    const registry = new Registry();
    const scheduler = new Scheduler(logger, registry);
    let running = 0;
    let overlapped = false;
    let slowRuns = 0;
    scheduler.add({
      name: 'slow',
      everyMs: 1,
      run: async () => {
        overlapped ||= running > 0;
        running++;
        await sleep(15);
        running--;
        slowRuns++;
      },
    });
    let failures = 0;
    scheduler.add({
      name: 'broken',
      everyMs: 1,
      run: () => {
        failures++;
        throw new Error('boom');
      },
    });
    expect(scheduler.list()).toEqual([
      { name: 'slow', everyMs: 1 },
      { name: 'broken', everyMs: 1 },
    ]);
    scheduler.start();
    while (slowRuns < 3 || failures < 3) await sleep(5);
    await scheduler.stop();
    expect(overlapped).toBe(false);
    const text = await registry.metrics();
    const runs = (job: string, result: string) =>
      Number(new RegExp(`scheduled_job_runs_total\\{job="${job}",result="${result}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
    expect(runs('broken', 'failed')).toBeGreaterThanOrEqual(3);
    expect(runs('slow', 'ok')).toBeGreaterThanOrEqual(3);
    // Nothing runs after stop.
    const [slow, broken] = [slowRuns, failures];
    await sleep(20);
    expect([slowRuns, failures]).toEqual([slow, broken]);
  });

  it('runs only the node-local jobs on a node that leaves cluster-wide work to the workers', async () => {
    const scheduler = new Scheduler(logger);
    const ran: string[] = [];
    scheduler.add({ name: 'cluster', everyMs: 1, run: async () => void ran.push('cluster') });
    scheduler.add({ name: 'local', everyMs: 1, scope: 'node', run: async () => void ran.push('local') });
    scheduler.start('node');
    while (ran.length < 3) await sleep(5);
    await scheduler.stop();
    expect(new Set(ran)).toEqual(new Set(['local']));
  });

  it('runs a job on demand, and refuses two jobs of one name', async () => {
    const scheduler = new Scheduler(logger);
    let runs = 0;
    scheduler.add({ name: 'tick', everyMs: 3600_000, run: async () => void runs++ });
    expect(() => scheduler.add({ name: 'tick', everyMs: 1, run: async () => undefined })).toThrow(/already/);
    await scheduler.runNow('tick');
    expect(runs).toBe(1);
    await scheduler.stop();
  });

  it('runs a cluster-wide job on one node at a time through leases in the database, and another takes over', async () => {
    const testDb = await createTestDatabase();
    const nodes = await Promise.all([0, 1].map(() => openDatabase({ url: testDb.url, dataDir: '/unused', logger })));
    try {
      let running = 0;
      let most = 0;
      const runs = [0, 0];
      const schedulers = nodes.map((db, i) => {
        const scheduler = new Scheduler(logger, undefined, new DatabaseJobLeases(db.sql, `node-${i}`));
        // Two nodes firing every period: without leases their runs would overlap. A run is short
        // beside its lease (90% of the period), so a busy machine does not make it outlast the lease.
        scheduler.add({
          name: 'sweep',
          everyMs: 120,
          run: async () => {
            most = Math.max(most, ++running);
            runs[i]!++;
            await sleep(15);
            running--;
          },
        });
        // Work on each node's own memory runs everywhere.
        scheduler.add({ name: 'local', everyMs: 40, scope: 'node', run: async () => undefined });
        return scheduler.start();
      });
      while (runs[0]! + runs[1]! < 10) await sleep(10);
      expect(most).toBe(1);
      // The node holding the lease stops; the other takes the job over once the lease runs out.
      const [lease] = await nodes[0]!.sql.query<{ holder: string }>(
        "SELECT holder FROM job_leases WHERE name = 'sweep'",
      );
      const last = lease!.holder === 'node-0' ? 0 : 1;
      await schedulers[last]!.stop();
      const other = 1 - last;
      const before = runs[other]!;
      while (runs[other]! < before + 3) await sleep(10);
      await schedulers[other]!.stop();
      expect(most).toBe(1);
    } finally {
      await Promise.all(nodes.map((db) => db.close()));
      await testDb.drop();
    }
  });
});
