import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { REASONS, type Reason } from './reasons.ts';

export interface WriterMetrics {
  queueDepth: Gauge;
  batchRows: Histogram;
  flushSeconds: Histogram;
  rowsWritten: Counter;
  flushFailures: Counter;
  spilledRows: Counter;
  /** Best-effort readings lost because the spill could not be written. */
  droppedRows: Counter;
  /** Spill lines that could not be read back (cut short by a power loss or a full disk). */
  spillSkippedLines: Counter;
  /** 1 while telemetry writes fail (or get no answer in time), 0 when they work. */
  failing: Gauge;
  /** Batches written again, skipping stored readings, after the plain insert met one. */
  dedupeRetries: Counter;
}

export interface BrokerMetrics {
  rejects: Counter<'reason'>;
  connections: Gauge;
  messages: Counter<'qos'>;
  /** Connections whose end no node wrote (their node killed, or taken for dead), ended by a sweep or a start. */
  lostConnections: Counter;
  writer: WriterMetrics;
}

/** The broker's and writer's Prometheus metrics, registered in `registry`. */
export function createBrokerMetrics(registry: Registry): BrokerMetrics {
  const registers = [registry];
  const rejects = new Counter({
    name: 'mqtt_rejects_total',
    help: 'Connections, packets and payloads refused or dropped, by reason',
    labelNames: ['reason'] as const,
    registers,
  });
  // Every reason shows from the start, at 0, so a dashboard can rate() it.
  for (const reason of Object.keys(REASONS) as Reason[]) rejects.inc({ reason }, 0);
  return {
    rejects,
    connections: new Gauge({ name: 'mqtt_connections', help: 'Connected MQTT clients', registers }),
    lostConnections: new Counter({
      name: 'mqtt_lost_connections_total',
      help: 'Devices marked offline because their broker node died (killed, or not seen for BROKER_NODE_TIMEOUT_MS)',
      registers,
    }),
    messages: new Counter({
      name: 'telemetry_messages_total',
      help: 'Telemetry messages accepted',
      labelNames: ['qos'] as const,
      registers,
    }),
    writer: {
      queueDepth: new Gauge({ name: 'telemetry_queue_depth', help: 'Readings waiting to be written', registers }),
      batchRows: new Histogram({
        name: 'telemetry_batch_rows',
        help: 'Rows per written batch',
        buckets: [1, 10, 100, 500, 1000, 2500, 5000, 10000, 20000],
        registers,
      }),
      flushSeconds: new Histogram({
        name: 'telemetry_flush_seconds',
        help: 'Time to write one batch',
        buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
        registers,
      }),
      rowsWritten: new Counter({ name: 'telemetry_rows_written_total', help: 'Readings committed', registers }),
      flushFailures: new Counter({
        name: 'telemetry_flush_failures_total',
        help: 'Failed batch writes (retried)',
        registers,
      }),
      spilledRows: new Counter({
        name: 'telemetry_spilled_rows_total',
        help: 'Best-effort readings spilled to disk while the database was down',
        registers,
      }),
      droppedRows: new Counter({
        name: 'telemetry_dropped_rows_total',
        help: 'Best-effort readings lost: the database was down and the spill could not be written',
        registers,
      }),
      spillSkippedLines: new Counter({
        name: 'telemetry_spill_skipped_lines_total',
        help: 'Spill lines cut short (power loss, full disk) and skipped when read back',
        registers,
      }),
      dedupeRetries: new Counter({
        name: 'telemetry_dedupe_retries_total',
        help: 'Batches written again skipping readings already stored (resends, repeated readings)',
        registers,
      }),
      failing: new Gauge({
        name: 'telemetry_writes_failing',
        help: '1 while telemetry writes fail or get no answer in time',
        registers,
      }),
    },
  };
}
