import pino from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
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
    expect(text).toMatch(/scheduled_job_runs_total\{job="broken",result="failed"\} [3-9]\d*/);
    expect(text).toMatch(/scheduled_job_runs_total\{job="slow",result="ok"\} [3-9]\d*/);
    // Nothing runs after stop.
    const [slow, broken] = [slowRuns, failures];
    await sleep(20);
    expect([slowRuns, failures]).toEqual([slow, broken]);
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
});
