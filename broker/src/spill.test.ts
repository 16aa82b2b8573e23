import { appendFile, mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@iotp/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Spill, type SpilledWrite } from './spill.ts';

const DEVICE = '00000000-0000-4000-8000-000000000001';
const write = (v: number): SpilledWrite => ({
  deviceId: DEVICE,
  readings: { time: [v], metric: ['temp'], value: [v], bool: [null], text: [null] },
});
const counter = () => ({
  n: 0,
  inc(by = 1) {
    this.n += by;
  },
});

describe('Spill', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('keeps writes across a restart and gives them back in order, segment by segment', async () => {
    const first = await Spill.open(dir.path);
    await Promise.all([first.append(write(1)), first.append(write(2))]);
    const again = await Spill.open(dir.path);
    expect(again.empty).toBe(false);
    const [segment] = await again.rotate();
    expect((await again.read(segment!)).map((w) => w.readings.value[0])).toEqual([1, 2]);
    await again.remove(segment!);
    expect(again.empty).toBe(true);
  });

  it('reads a segment whose last line a power loss cut short up to the cut, and counts the torn line', async () => {
    const first = await Spill.open(dir.path);
    await first.append(write(1));
    await first.append(write(2));
    const [file] = await readdir(dir.path);
    const whole = `${JSON.stringify({ d: DEVICE, r: write(3).readings })}\n`;
    await appendFile(join(dir.path, file!), whole.slice(0, 25)); // the power went here

    const skipped = counter();
    const spill = await Spill.open(dir.path, { skippedLines: skipped });
    const [segment] = await spill.rotate();
    expect((await spill.read(segment!)).map((w) => w.readings.value[0])).toEqual([1, 2]);
    expect(skipped.n).toBe(1); // counted once, however often the segment is read
    // New writes go to a new segment, never after the torn line.
    await spill.append(write(4));
    expect(await spill.rotate()).toHaveLength(2);
  });

  it('skips lines that are whole JSON but not a spilled write, and a segment of nothing readable', async () => {
    await writeFile(join(dir.path, 'spill-000001.ndjson'), '{"d":"x"}\n[1,2]\n{"d":');
    const skipped = counter();
    const spill = await Spill.open(dir.path, { skippedLines: skipped });
    expect(spill.empty).toBe(true); // nothing to replay: the segment is gone
    expect(await readdir(dir.path)).toEqual([]);
    expect(skipped.n).toBe(3);
  });

  it('does not let one failed append fail the ones after it', async () => {
    const spill = await Spill.open(dir.path);
    // A directory where the segment file belongs: appending to it fails (EISDIR) as a full disk would.
    const segmentPath = join(dir.path, 'spill-000001.ndjson');
    await mkdir(segmentPath);
    const failed = spill.append(write(1));
    await expect(failed).rejects.toThrow();
    expect(spill.empty).toBe(true); // the failed write is not counted as spilled
    await rmdir(segmentPath);
    await spill.append(write(2));
    await spill.append(write(3));
    expect(spill.empty).toBe(false);
    const [segment] = await spill.rotate();
    expect((await spill.read(segment!)).map((w) => w.readings.value[0])).toEqual([2, 3]);
    expect(await readFile(segmentPath, 'utf8')).toMatch(/^\n?\{/);
  });
});
