import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { writePace } from './write-pace.ts';

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
