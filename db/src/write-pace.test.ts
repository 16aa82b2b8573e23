import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PacedBatches, writePace } from './write-pace.ts';

describe('writePace', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setImmediate', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets the first write go after one turn, the next one the gap after it, and one after a quiet spell at once', async () => {
    const due = writePace(25);
    const gone: string[] = [];
    void due().then(() => gone.push('first'));
    await vi.advanceTimersByTimeAsync(0);
    expect(gone).toEqual(['first']);

    void due().then(() => gone.push('second'));
    await vi.advanceTimersByTimeAsync(24);
    expect(gone).toEqual(['first']);
    await vi.advanceTimersByTimeAsync(1);
    expect(gone).toEqual(['first', 'second']);

    await vi.advanceTimersByTimeAsync(100);
    void due().then(() => gone.push('third'));
    await vi.advanceTimersByTimeAsync(0);
    expect(gone).toEqual(['first', 'second', 'third']);
  });
});

describe('PacedBatches', () => {
  it('writes in order, what was pushed meanwhile together, at most `batch` a write, and goes on after a failed write', async () => {
    const written: number[][] = [];
    let fail = true;
    const batches = new PacedBatches<number>({
      gapMs: 1,
      batch: 3,
      write: async (batch) => {
        written.push(batch);
        if (fail) {
          fail = false;
          throw new Error('the database is gone');
        }
      },
    });
    for (const n of [1, 2, 3, 4]) batches.push(n);
    await new Promise((resolve) => setImmediate(resolve));
    batches.push(5);
    await batches.settled();
    expect(written).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    batches.push(6);
    await batches.settled();
    expect(written).toEqual([[1, 2, 3], [4, 5], [6]]);
  });
});
