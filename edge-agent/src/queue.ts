import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TelemetryObject } from '@iotp/protocol';
import { readJson, writeAtomic } from './files.ts';

/** One reading set, as the broker accepts it: `ts` (ms, fractional: µs) and metric values. */
export type Reading = TelemetryObject;

/**
 * The reading set to queue: `values` stamped `ts` (unless they carry a valid `ts` of their own),
 * less the metrics the broker would refuse, which it would refuse with the whole batch they go in.
 * @example const { reading, refused } = toReading({ temp: 21.5, 'bad name': 1 }, Date.now());
 */
export function toReading(values: Record<string, unknown>, ts: number): { reading: Reading; refused: string[] } {
  const reading: Record<string, unknown> = { ts, ...values };
  const refused: string[] = [];
  // zod checks values before names, so a second pass may find more; three passes suffice.
  for (let pass = 0; pass < 3; pass++) {
    const checked = TelemetryObject.safeParse(reading);
    if (checked.success) return { reading: checked.data, refused };
    for (const { path } of checked.error.issues) {
      const key = String(path[0]);
      if (!refused.includes(key)) refused.push(key);
      delete reading[key];
    }
    if (refused.includes('ts')) reading.ts = ts;
  }
  return { reading: { ts }, refused: Object.keys(values) };
}

interface Head {
  /** Byte offset of the first reading not yet sent. */
  offset: number;
  /** Readings dropped because the queue was full, since the device started keeping a queue. */
  dropped: number;
}

/**
 * Store and forward: every reading is appended to `queue.jsonl` first and sent from there, so
 * readings taken offline (or before a crash) go out in order once connected. Bounded: past
 * `maxReadings` the oldest are dropped and counted.
 */
export class DiskQueue {
  private entries: { line: string; bytes: number }[] = [];
  private head: Head = { offset: 0, dropped: 0 };
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly dir: string,
    private readonly maxReadings: number,
  ) {}

  static async open(dir: string, maxReadings: number): Promise<DiskQueue> {
    await mkdir(dir, { recursive: true });
    const q = new DiskQueue(dir, maxReadings);
    q.head = await readJson<Head>(q.headPath, { offset: 0, dropped: 0 });
    const data = await readFile(q.dataPath).catch(() => Buffer.alloc(0));
    let at = q.head.offset;
    while (at < data.length) {
      const end = data.indexOf(10, at);
      if (end === -1) break; // a line cut by a power loss: never acknowledged, so never counted as sent
      const line = data.subarray(at, end).toString('utf8');
      q.entries.push({ line, bytes: end + 1 - at });
      at = end + 1;
    }
    if (at < data.length) {
      // Drop the torn tail so the next append starts a clean line.
      await q.compact();
    }
    return q;
  }

  get depth(): number {
    return this.entries.length;
  }

  get dropped(): number {
    return this.head.dropped;
  }

  /** Appends readings (durable once the promise resolves). */
  push(readings: Reading[]): Promise<void> {
    const lines = readings.map((r) => JSON.stringify(r));
    for (const line of lines) this.entries.push({ line, bytes: Buffer.byteLength(line) + 1 });
    const task = async () => {
      await appendFile(this.dataPath, lines.map((l) => `${l}\n`).join(''));
      const over = this.entries.length - this.maxReadings;
      if (over > 0) {
        this.head.dropped += over;
        await this.advance(over);
      }
    };
    this.writing = this.writing.then(task, task);
    return this.writing;
  }

  /** The oldest `n` readings, still queued until `ack`. */
  peek(n: number): Reading[] {
    return this.entries.slice(0, n).map((e) => JSON.parse(e.line) as Reading);
  }

  /** Marks the oldest `n` readings sent. */
  ack(n: number): Promise<void> {
    const task = () => this.advance(Math.min(n, this.entries.length));
    this.writing = this.writing.then(task, task);
    return this.writing;
  }

  private async advance(n: number) {
    const gone = this.entries.splice(0, n);
    this.head.offset += gone.reduce((a, e) => a + e.bytes, 0);
    await writeAtomic(this.headPath, JSON.stringify(this.head));
    const size = (await stat(this.dataPath).catch(() => ({ size: 0 }))).size;
    if (this.head.offset > 1024 * 1024 && this.head.offset > size / 2) await this.compact();
  }

  /**
   * Rewrites the file with only what is queued, so it does not grow without end. The head goes to 0
   * first: a power cut between the two writes resends readings already sent, which the platform
   * stores once (a reading's key is device, metric and time), and never skips one.
   */
  private async compact() {
    this.head.offset = 0;
    await writeAtomic(this.headPath, JSON.stringify(this.head));
    await writeAtomic(this.dataPath, this.entries.map((e) => `${e.line}\n`).join(''));
  }

  private get dataPath() {
    return join(this.dir, 'queue.jsonl');
  }

  private get headPath() {
    return join(this.dir, 'queue.head.json');
  }
}
