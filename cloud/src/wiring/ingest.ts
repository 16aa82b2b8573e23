import { join } from 'node:path';
import { BatchWriter, createBrokerMetrics, Spill, UsageMeter } from '@iotp/broker';
import { EmbeddedJobs } from '@iotp/db';
import type { Wiring } from './wiring.ts';

/**
 * Telemetry storage: the batch writer with its spill, the usage meter, and on the embedded
 * database the TimescaleDB jobs the platform runs itself.
 */
export async function wireIngest({ config, logger, registry, db, scheduler, onClose }: Wiring) {
  // PGlite has no background workers: without this, aggregates, compression and retention never run.
  const embeddedJobs = db.kind === 'embedded' ? new EmbeddedJobs({ sql: db.sql, logger, registry }) : undefined;
  if (embeddedJobs) {
    onClose(() => embeddedJobs.stop());
    scheduler.add({ name: 'embedded-db-jobs', everyMs: 30_000, run: () => embeddedJobs.runDue(), scope: 'node' });
  }
  const metrics = createBrokerMetrics(registry);
  const writer = new BatchWriter({
    sql: db.sql,
    logger,
    metrics: metrics.writer,
    spill: await Spill.open(join(config.DATA_DIR, 'spill'), {
      logger,
      skippedLines: metrics.writer.spillSkippedLines,
    }),
    maxRows: config.WRITER_BATCH_ROWS,
    maxDelayMs: config.WRITER_BATCH_MS,
    eager: config.WRITER_EAGER,
    highWaterRows: config.WRITER_HIGH_WATER_ROWS,
    // PGlite is one backend: parallel batches would only queue behind each other.
    concurrency: db.kind === 'embedded' ? 1 : config.WRITER_CONCURRENCY,
    parallelRows: config.WRITER_PARALLEL_ROWS,
    timeoutMs: config.WRITER_TIMEOUT_MS,
    maxFutureMs: config.TELEMETRY_MAX_FUTURE_MS,
  });
  await writer.start();
  onClose((leftMs) => writer.close(leftMs));
  // Seeded from usage_daily before the broker listens, so a restart does not reset daily quotas.
  const meter = await new UsageMeter(db.sql, logger).seed();
  onClose(() => meter.close());
  // Each node flushes the counts it holds.
  scheduler.add({ name: 'usage-flush', everyMs: 10_000, run: () => meter.flush(), scope: 'node' });
  return { metrics, writer, meter, embeddedJobs };
}
