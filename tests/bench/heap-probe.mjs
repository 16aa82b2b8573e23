/**
 * Preloaded into a benchmark's platform (`node --expose-gc --import ./tests/bench/heap-probe.mjs`),
 * never into production: on SIGUSR2 it collects all garbage and writes `process.memoryUsage()` as
 * JSON to BENCH_HEAP_FILE. Heap used after a full collection holds still between runs where the
 * resident set size, which counts what the allocator keeps, does not. A signal, not a route: it adds
 * nothing a network peer can reach.
 * @example kill -USR2 <pid>; cat "$BENCH_HEAP_FILE"
 */
import { renameSync, writeFileSync } from 'node:fs';

const file = process.env.BENCH_HEAP_FILE;
if (file && typeof globalThis.gc === 'function') {
  const gc = globalThis.gc;
  process.on('SIGUSR2', () => {
    gc();
    // Written whole, then renamed: the reader never sees half a file.
    writeFileSync(`${file}.tmp`, JSON.stringify(process.memoryUsage()));
    renameSync(`${file}.tmp`, file);
  });
}
