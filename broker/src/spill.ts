import { appendFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readings } from './telemetry-parser.ts';

/** One spilled write: a device's readings in columns. */
export interface SpilledWrite {
  deviceId: string;
  readings: Readings;
}

/**
 * An append-only spill of best-effort (QoS 0) readings accepted while the database is down,
 * kept as numbered NDJSON segments so they can be replayed in order and removed one by one.
 */
export class Spill {
  private segment = 1;
  private chain: Promise<void> = Promise.resolve();
  /** Writes per segment not yet removed: known synchronously, so "empty" has no race. */
  private readonly pending = new Map<number, number>();

  private constructor(private readonly dir: string) {}

  /** Opens the spill directory, continuing after any segments left by an earlier run. */
  static async open(dir: string): Promise<Spill> {
    await mkdir(dir, { recursive: true });
    const spill = new Spill(dir);
    for (const n of await spill.listSegments()) {
      const lines = (await spill.read(n)).length;
      if (lines > 0) spill.pending.set(n, lines);
      else await spill.remove(n);
      spill.segment = n + 1;
    }
    return spill;
  }

  /** True when every write appended so far has been replayed and removed. */
  get empty(): boolean {
    return this.pending.size === 0;
  }

  /** Appends in call order; resolves when the line is in the file. */
  append(write: SpilledWrite): Promise<void> {
    const line = `${JSON.stringify({ d: write.deviceId, r: write.readings })}\n`;
    const target = this.path(this.segment);
    this.pending.set(this.segment, (this.pending.get(this.segment) ?? 0) + 1);
    this.chain = this.chain.then(() => appendFile(target, line));
    return this.chain;
  }

  /** Closes the segment being written; returns every segment with writes in it, oldest first. */
  async rotate(): Promise<number[]> {
    if (this.pending.has(this.segment)) this.segment++;
    await this.chain;
    return [...this.pending.keys()].sort((a, b) => a - b);
  }

  async read(segment: number): Promise<SpilledWrite[]> {
    const text = await readFile(this.path(segment), 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const { d, r } = JSON.parse(line) as { d: string; r: Readings };
        return { deviceId: d, readings: r };
      });
  }

  async remove(segment: number): Promise<void> {
    await rm(this.path(segment), { force: true });
    this.pending.delete(segment);
  }

  private async listSegments(): Promise<number[]> {
    const names = await readdir(this.dir);
    return names
      .map((n) => /^spill-(\d+)\.ndjson$/.exec(n)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  private path(n: number): string {
    return join(this.dir, `spill-${String(n).padStart(6, '0')}.ndjson`);
  }
}
