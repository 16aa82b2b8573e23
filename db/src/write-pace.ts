/**
 * Spaces the statements of a batching writer. The first after a quiet spell goes after one turn of
 * the event loop (what comes in meanwhile joins it); under a steady stream each goes at least
 * `gapMs` after the one before, with all that came in meanwhile. A fleet connecting at once then
 * costs one statement per gap, not one per few devices: a statement's fixed cost, on both sides of
 * the wire, is most of what a small batch costs.
 * @example const due = writePace(20); while (queue.length) { await due(); await write(queue.splice(0)); }
 */
export function writePace(gapMs: number): () => Promise<void> {
  let last = Number.NEGATIVE_INFINITY;
  return async () => {
    const wait = last + gapMs - performance.now();
    await new Promise((resolve) => (wait > 0 ? setTimeout(resolve, wait) : setImmediate(resolve)));
    last = performance.now();
  };
}

/**
 * A queue written in batches at `writePace(gapMs)`: in the order pushed, at most `batch` items a
 * statement, all that came in meanwhile together. `write` handles its own failures, logging them
 * (should it reject anyway, the queue goes on with the next batch). `settled()` waits until every item
 * pushed so far, and any pushed while writing, is written.
 * @example const presence = new PacedBatches({ gapMs: 25, batch: 1000, write: (b) => store.record(b) });
 */
export class PacedBatches<T> {
  private queue: T[] = [];
  private writing: Promise<void> | undefined;
  private readonly due: () => Promise<void>;

  constructor(private readonly o: { gapMs: number; batch: number; write: (batch: T[]) => Promise<void> }) {
    this.due = writePace(o.gapMs);
  }

  push(item: T): void {
    this.queue.push(item);
    this.writing ??= this.drain();
  }

  async settled(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length) {
        // What is pushed meanwhile joins this batch.
        await this.due();
        const batch = this.queue.splice(0, this.o.batch);
        // A write that throws rather than rejects must not end the queue either.
        await (async () => this.o.write(batch))().catch(() => undefined);
      }
    } finally {
      this.writing = undefined;
    }
  }
}
