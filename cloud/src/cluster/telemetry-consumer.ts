import type { Readings } from '@iotp/broker';
import { AckPolicy, type ConsumerMessages, type JsMsg, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { NatsConnection } from './nats.ts';
import { decodeReadings, ensureTelemetryStream } from './telemetry-stream.ts';

/** What the consumer needs of the batch writer. */
export interface DurableWriter {
  write(deviceId: string, readings: Readings, durable: true): Promise<void>;
  readonly saturated: boolean;
  drained(): Promise<void>;
  /** Writes what is queued now. */
  flush(): Promise<void>;
}

export interface TelemetryConsumerOptions {
  nc: NatsConnection;
  stream: string;
  writer: DurableWriter;
  logger: Logger;
  registry?: Registry;
  /** Messages handed out and not yet acknowledged, across every writer node. */
  maxAckPending?: number;
  /** How long JetStream waits for an acknowledgement before handing a message out again (ms). */
  ackWaitMs?: number;
  /** How long `close` waits for the writes in hand before leaving them to be handed out again (ms). */
  closeWaitMs?: number;
}

/** The durable consumer every writer node shares: each message goes to one of them. */
const DURABLE = 'writers';

/**
 * A writer node's side of `INGEST=jetstream`: takes device messages from the telemetry stream,
 * writes them through the batch writer and acknowledges each only once its batch is committed.
 * A message whose write fails, or that a node stopped before committing, is handed out again;
 * the telemetry table's unique key makes the second write of a reading change nothing.
 * @example const consumer = await TelemetryConsumer.start({ nc, stream: 'IOTP_TELEMETRY', writer, logger });
 */
export class TelemetryConsumer {
  private readonly pending = new Set<JsMsg>();
  private readonly log: Logger;
  private readonly consumed: Counter<'result'>;
  private heartbeat: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;

  private constructor(
    private readonly messages: ConsumerMessages,
    private readonly o: TelemetryConsumerOptions,
  ) {
    this.log = o.logger.child({ component: 'telemetry-consumer' });
    this.consumed = new Counter({
      name: 'telemetry_stream_consumed_total',
      help: 'Messages taken from the telemetry stream, by result: stored, retried (write failed; handed out again), invalid (unreadable; dropped)',
      labelNames: ['result'] as const,
      registers: o.registry ? [o.registry] : [],
    });
  }

  static async start(o: TelemetryConsumerOptions): Promise<TelemetryConsumer> {
    await ensureTelemetryStream(o.nc, o.stream);
    const ackWaitMs = o.ackWaitMs ?? 30_000;
    const config = {
      durable_name: DURABLE,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(ackWaitMs),
      max_ack_pending: o.maxAckPending ?? 20_000,
    };
    const jsm = await jetstreamManager(o.nc);
    await jsm.consumers.add(o.stream, config).catch(() => jsm.consumers.update(o.stream, DURABLE, config));
    const consumer = await jetstream(o.nc).consumers.get(o.stream, DURABLE);
    const self = new TelemetryConsumer(await consumer.consume({ max_messages: 2000 }), o);
    if (o.registry) self.countBacklog(o.registry, consumer);
    // A write held up by the database is still in hand: told to JetStream so it is not handed out again.
    self.heartbeat = setInterval(() => {
      for (const m of self.pending) m.working();
    }, ackWaitMs / 3).unref();
    self.loop = self.run();
    return self;
  }

  private async run(): Promise<void> {
    for await (const m of this.messages) {
      if (this.o.writer.saturated) await this.o.writer.drained();
      this.take(m);
    }
  }

  private take(m: JsMsg): void {
    const decoded = decodeReadings(m.data);
    if (decoded instanceof Error) {
      this.consumed.inc({ result: 'invalid' });
      this.log.warn({ subject: m.subject, seq: m.seq, err: decoded.message }, 'stream message dropped: unreadable');
      m.term();
      return;
    }
    const written = this.o.writer.write(decoded.deviceId, decoded.readings, true);
    this.pending.add(m);
    written.then(
      () => {
        this.pending.delete(m);
        this.consumed.inc({ result: 'stored' });
        m.ack();
      },
      (err: Error) => {
        this.pending.delete(m);
        this.consumed.inc({ result: 'retried' });
        this.log.warn({ err: err.message, seq: m.seq }, 'telemetry write failed; the stream hands it out again');
        m.nak(1000);
      },
    );
  }

  private countBacklog(registry: Registry, consumer: { info(cached?: boolean): Promise<{ num_pending: number }> }) {
    new Gauge({
      name: 'telemetry_stream_backlog',
      help: 'Messages in the telemetry stream not yet handed to a writer node',
      registers: [registry],
      async collect() {
        const info = await consumer.info(false).catch(() => undefined);
        if (info) this.set(info.num_pending);
      },
    });
  }

  /** Stops taking messages; what is in hand is acknowledged once written, or handed out again. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    await this.messages.close().catch(() => undefined);
    await this.loop?.catch(() => undefined);
    // Acknowledged while the connection is still open; what is not written in time is handed out again.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.o.writer.flush().catch(() => undefined),
      new Promise((resolve) => {
        timer = setTimeout(resolve, this.o.closeWaitMs ?? 5000);
      }),
    ]);
    clearTimeout(timer);
  }
}
