import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import type { MetricValue, Registry } from 'prom-client';

/** Milliseconds, two decimals. */
const ms = (x: number) => Number(x.toFixed(2));

/**
 * Where a load's tail latency went, measured in the platform's process while `fn` runs: how long
 * its event loop was held (delay percentiles), its garbage collector's pauses, and the telemetry
 * commits (from the writer's `telemetry_flush_seconds` histogram: its coarse buckets give the share
 * of commits over 10 and 25 ms, not percentiles). A PUBACK waits for all three.
 * @example const { result, stalls } = await stallsDuring(registry, () => runLoad(job));
 */
export async function stallsDuring<T>(registry: Registry, fn: () => Promise<T>) {
  const commits0 = await commitBuckets(registry);
  const loop = monitorEventLoopDelay({ resolution: 1 });
  const pauses: number[] = [];
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push(e.duration);
  });
  gc.observe({ entryTypes: ['gc'] });
  loop.enable();
  let result: T;
  try {
    result = await fn();
  } finally {
    loop.disable();
    gc.disconnect();
  }
  const commits1 = await commitBuckets(registry);
  const count = commits1.count - commits0.count;
  const over = (le: number) =>
    count ? Number(((count - (commits1.upTo(le) - commits0.upTo(le))) / count).toFixed(4)) : null;
  pauses.sort((a, b) => a - b);
  return {
    result,
    stalls: {
      event_loop_delay_ms: {
        p50: ms(loop.percentile(50) / 1e6),
        p99: ms(loop.percentile(99) / 1e6),
        max: ms(loop.max / 1e6),
      },
      gc: {
        pauses: pauses.length,
        total_ms: ms(pauses.reduce((s, p) => s + p, 0)),
        max_ms: ms(pauses.at(-1) ?? 0),
        over_10ms: pauses.filter((p) => p > 10).length,
      },
      commits: {
        batches: count,
        mean_ms: count ? ms(((commits1.sum - commits0.sum) / count) * 1000) : null,
        share_over_10ms: over(0.01),
        share_over_25ms: over(0.025),
      },
    },
  };
}

/** The writer's commit-time histogram as it stands: count, sum (s), and the count at or under a bound. */
async function commitBuckets(registry: Registry) {
  // Histogram values name their series (`_bucket`, `_sum`, `_count`), which MetricValue's type omits.
  const values = ((await registry.getSingleMetric('telemetry_flush_seconds')?.get())?.values ??
    []) as (MetricValue<string> & { metricName?: string })[];
  const bucket = (le: number) =>
    values.find((v) => v.metricName?.endsWith('_bucket') && v.labels.le === le)?.value ?? 0;
  const single = (suffix: string) => values.find((v) => v.metricName?.endsWith(suffix))?.value ?? 0;
  return { count: single('_count'), sum: single('_sum'), upTo: bucket };
}
