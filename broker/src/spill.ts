import { appendFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Readings } from './telemetry-parser.ts';

/** One spilled write: a device's readings in columns. */
export interface SpilledWrite {
  deviceId: string;
  readings: Readings;
}

export interface SpillOptions {
  logger?: Logger;
  /** Counts lines that could not be read back (a write cut by a power loss or a full disk). */
  skippedLines?: { inc(n?: number): void };
}

/**
 * An append-only spill of best-effort (QoS 0) readings accepted while the database is down,
 * kept as numbered NDJSON segments so they can be replayed in order and removed one by one.
 * A line cut short (power lost mid-write, a full disk) is skipped and counted when read back; the
 * lines around it are kept.
 */
export class Spill {
  private segment = 1;
  /** The last append; never rejects, so one failed append does not fail the ones after it. */
  private tail: Promise<void> = Promise.resolve();
  /** True after a failed append: the file may end in part of a line, which the next one must end. */
  private torn = false;
  /** Writes per segment not yet removed: known synchronously, so "empty" has no race. */
  private readonly pending = new Map<number, number>();
  /** Segments whose unreadable lines were counted already (a replay may read one twice). */
  private readonly counted = new Set<number>();

  private constructor(
    private readonly dir: string,
    private readonly options: SpillOptions,
  ) {}

  /**
   * Opens the spill directory, continuing after any segments left by an earlier run.
   * @example const spill = await Spill.open('./data/spill', { logger });
   */
  static async open(dir: string, options: SpillOptions = {}): Promise<Spill> {
    await mkdir(dir, { recursive: true });
    const spill = new Spill(dir, options);
    for (const n of await spill.listSegments()) {
      const writes = (await spill.read(n)).length;
      if (writes > 0) spill.pending.set(n, writes);
      else await spill.remove(n);
      spill.segment = n + 1;
    }
    return spill;
  }

  /** True when every write appended so far has been replayed and removed. */
  get empty(): boolean {
    return this.pending.size === 0;
  }

  /** Appends in call order; resolves when the line is in the file, rejects when it could not be. */
  append(write: SpilledWrite): Promise<void> {
    const line = `${JSON.stringify({ d: write.deviceId, r: write.readings })}\n`;
    const segment = this.segment;
    this.pending.set(segment, (this.pending.get(segment) ?? 0) + 1);
    const written = this.tail.then(async () => {
      await appendFile(this.path(segment), this.torn ? `\n${line}` : line);
      this.torn = false;
    });
    this.tail = written.catch(() => {
      this.torn = true;
      const left = (this.pending.get(segment) ?? 1) - 1;
      if (left > 0) this.pending.set(segment, left);
      else this.pending.delete(segment);
    });
    return written;
  }

  /** Closes the segment being written; returns every segment with writes in it, oldest first. */
  async rotate(): Promise<number[]> {
    if (this.pending.has(this.segment)) this.segment++;
    await this.tail;
    return [...this.pending.keys()].sort((a, b) => a - b);
  }

  /** The writes of a segment, in order; lines that cannot be read are skipped and counted. */
  async read(segment: number): Promise<SpilledWrite[]> {
    const text = await readFile(this.path(segment), 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return ''; // never written: every append to it failed
      throw err;
    });
    const writes: SpilledWrite[] = [];
    let skipped = 0;
    for (const line of text.split('\n')) {
      if (!line) continue;
      const write = parseLine(line);
      if (write) writes.push(write);
      else skipped++;
    }
    if (skipped && !this.counted.has(segment)) {
      this.counted.add(segment);
      this.options.skippedLines?.inc(skipped);
      this.options.logger?.warn(
        { segment: this.path(segment), skipped, kept: writes.length },
        'spill lines cut short (power loss or full disk) skipped',
      );
    }
    return writes;
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

/** One spilled line, or undefined when it is not a whole one. */
function parseLine(line: string): SpilledWrite | undefined {
  try {
    const { d, r } = JSON.parse(line) as { d?: unknown; r?: Readings };
    const n = r?.time?.length;
    const whole = r && [r.time, r.metric, r.value, r.bool, r.text].every((c) => Array.isArray(c) && c.length === n);
    return typeof d === 'string' && whole ? { deviceId: d, readings: r } : undefined;
  } catch {
    return undefined;
  }
}
