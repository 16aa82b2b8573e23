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
