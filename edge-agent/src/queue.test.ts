import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@iotp/db/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskQueue, toReading } from './queue.ts';

describe('disk queue', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  afterEach(async () => dir?.remove());

  it('keeps readings in order across a reopen, and forgets only what was acknowledged', async () => {
    dir = await tempDir();
    const q = await DiskQueue.open(dir.path, 100);
    await q.push([
      { ts: 1, t: 1 },
      { ts: 2, t: 2 },
      { ts: 3, t: 3 },
    ]);
    expect(q.peek(2)).toEqual([
      { ts: 1, t: 1 },
      { ts: 2, t: 2 },
    ]);
    await q.ack(2);
    const again = await DiskQueue.open(dir.path, 100);
    expect([again.depth, again.peek(10)]).toEqual([1, [{ ts: 3, t: 3 }]]);
  });

  it('drops the oldest past its bound and counts them, also across a reopen', async () => {
    dir = await tempDir();
    const q = await DiskQueue.open(dir.path, 3);
    await q.push([1, 2, 3, 4, 5].map((i) => ({ ts: i, t: i })));
    expect(q.peek(10).map((r) => r.ts)).toEqual([3, 4, 5]);
    expect(q.dropped).toBe(2);
    const again = await DiskQueue.open(dir.path, 3);
    expect([again.depth, again.dropped]).toEqual([3, 2]);
  });

  it('ignores a line torn by a power cut and appends cleanly after it', async () => {
    dir = await tempDir();
    const q = await DiskQueue.open(dir.path, 100);
    await q.push([{ ts: 1, t: 1 }]);
    await appendFile(join(dir.path, 'queue.jsonl'), '{"ts":2,"t"');
    const again = await DiskQueue.open(dir.path, 100);
    await again.push([{ ts: 3, t: 3 }]);
    expect(again.peek(10)).toEqual([
      { ts: 1, t: 1 },
      { ts: 3, t: 3 },
    ]);
    expect((await readFile(join(dir.path, 'queue.jsonl'), 'utf8')).split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('stamps a reading set and leaves out what the broker would refuse with the whole batch', () => {
    const ts = 1767323045678.001;
    expect(toReading({ temp: 21.5, door: true, mode: 'eco' }, ts)).toEqual({
      reading: { ts, temp: 21.5, door: true, mode: 'eco' },
      refused: [],
    });
    expect(toReading({ temp: 1, 'bad name': 2, big: 'x'.repeat(1025), nul: 'a\u0000' }, ts)).toEqual({
      reading: { ts, temp: 1 },
      refused: ['big', 'nul', 'bad name'],
    });
    // A source's own ts is kept when the broker can read it, else replaced by the agent's.
    expect(toReading({ ts: '2026-01-02T03:04:05Z', a: 1 }, ts).reading).toEqual({ ts: '2026-01-02T03:04:05Z', a: 1 });
    expect(toReading({ ts: 'yesterday', a: 1 }, ts)).toEqual({ reading: { ts, a: 1 }, refused: ['ts'] });
  });
});
