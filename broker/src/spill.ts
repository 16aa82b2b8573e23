import { appendFile, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
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
  private segment = 0;
  private chain: Promise<void> = Promise.resolve();

  private constructor(private readonly dir: string) {}

  /** Opens the spill directory, continuing after any segments left by an earlier run. */
  static async open(dir: string): Promise<Spill> {
    await mkdir(dir, { recursive: true });
    const spill = new Spill(dir);
    const existing = await spill.segments();
    spill.segment = existing.length ? existing[existing.length - 1]! + 1 : 1;
    return spill;
  }

  /** Appends in call order; resolves when the line is in the file. */
  append(write: SpilledWrite): Promise<void> {
    const line = `${JSON.stringify({ d: write.deviceId, r: write.readings })}\n`;
    const target = this.path(this.segment);
    this.chain = this.chain.then(() => appendFile(target, line));
    return this.chain;
  }

  /** Closes the segment being written and returns the numbers of all closed ones, oldest first. */
  async rotate(): Promise<number[]> {
    await this.chain;
    const current = this.segment;
    const size = await stat(this.path(current)).then(
      (s) => s.size,
      () => 0,
    );
    if (size > 0) this.segment++;
    return (await this.segments()).filter((n) => n < this.segment);
  }

  /** True when nothing is waiting in any segment. */
  async isEmpty(): Promise<boolean> {
    await this.chain;
    return (await this.segments()).length === 0 || (await this.totalSize()) === 0;
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

  remove(segment: number): Promise<void> {
    return rm(this.path(segment), { force: true });
  }

  private async segments(): Promise<number[]> {
    const names = await readdir(this.dir);
    return names
      .map((n) => /^spill-(\d+)\.ndjson$/.exec(n)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  private async totalSize(): Promise<number> {
    let total = 0;
    for (const n of await this.segments())
      total += await stat(this.path(n)).then(
        (s) => s.size,
        () => 0,
      );
    return total;
  }

  private path(n: number): string {
    return join(this.dir, `spill-${String(n).padStart(6, '0')}.ndjson`);
  }
}
