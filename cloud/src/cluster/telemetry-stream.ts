import type { Readings, TelemetrySink } from '@iotp/broker';
import { DiscardPolicy, type JetStreamClient, jetstream, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { z } from 'zod';
import { ensureStream } from './jetstream-streams.ts';
import type { NatsConnection } from './nats.ts';

/** One device message's readings as they travel through the stream (arrays of one length). */
const StreamedReadings = z
  .object({
    d: z.string().uuid(),
    t: z.array(z.number().int()),
    m: z.array(z.string()),
    v: z.array(z.number().nullable()),
    b: z.array(z.boolean().nullable()),
    x: z.array(z.string().nullable()),
  })
  .refine((r) => [r.m, r.v, r.b, r.x].every((a) => a.length === r.t.length), 'arrays of different lengths');

export function encodeReadings(deviceId: string, r: Readings): string {
  return JSON.stringify({ d: deviceId, t: r.time, m: r.metric, v: r.value, b: r.bool, x: r.text });
}

/** The device and readings of a stream message, or why it cannot be read. */
export function decodeReadings(data: Uint8Array): { deviceId: string; readings: Readings } | Error {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch (err) {
    return new Error('not JSON', { cause: err });
  }
  const parsed = StreamedReadings.safeParse(doc);
  if (!parsed.success) return new Error(parsed.error.message);
  const { d, t, m, v, b, x } = parsed.data;
  return { deviceId: d, readings: { time: t, metric: m, value: v, bool: b, text: x } };
}

/**
 * Creates the telemetry stream when it does not exist: a work queue (a message leaves once a
 * writer acknowledged it), on disk, refusing new messages rather than dropping old ones when full,
 * so a full stream shows as "no PUBACK" to devices instead of lost readings.
 */
export function ensureTelemetryStream(nc: NatsConnection, stream: string): Promise<void> {
  return ensureStream(nc, {
    name: stream,
    subjects: [`${stream}.>`],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    discard: DiscardPolicy.New,
  });
}

export interface JetStreamTelemetryOptions {
  nc: NatsConnection;
  stream: string;
  logger: Logger;
  registry?: Registry;
  /** Publishes awaiting JetStream's answer past which the broker is told to wait. */
  maxInFlight?: number;
  /** How long JetStream may take to answer a publish (ms). */
  timeoutMs?: number;
}

/**
 * Telemetry into JetStream instead of the database (`INGEST=jetstream`): a QoS 1 message's write
 * resolves once JetStream has stored it, so the broker's PUBACK means "durably taken"; writer nodes
 * consume the stream into the database (TelemetryConsumer). A database outage then backs up in
 * JetStream instead of on a broker's disk.
 * @example const sink = await JetStreamTelemetry.open({ nc, stream: 'IOTP_TELEMETRY', logger }); createBroker({ writer: sink, ... });
 */
export class JetStreamTelemetry implements TelemetrySink {
  private inFlight = 0;
  private waiters: (() => void)[] = [];
  private readonly maxInFlight: number;
  private readonly timeoutMs: number;
  private readonly published: Counter<'result'>;
  private readonly log: Logger;

  private constructor(
    private readonly js: JetStreamClient,
    private readonly o: JetStreamTelemetryOptions,
  ) {
    this.maxInFlight = o.maxInFlight ?? 5000;
    this.timeoutMs = o.timeoutMs ?? 5000;
    this.log = o.logger.child({ component: 'telemetry-stream' });
    this.published = new Counter({
      name: 'telemetry_stream_published_total',
      help: 'Device messages published to the telemetry stream, by result (stored, failed)',
      labelNames: ['result'] as const,
      registers: o.registry ? [o.registry] : [],
    });
  }

  static async open(o: JetStreamTelemetryOptions): Promise<JetStreamTelemetry> {
    await ensureTelemetryStream(o.nc, o.stream);
    return new JetStreamTelemetry(jetstream(o.nc, { timeout: o.timeoutMs ?? 5000 }), o);
  }

  get saturated(): boolean {
    return this.inFlight >= this.maxInFlight;
  }

  drained(): Promise<void> {
    if (!this.saturated) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  write(deviceId: string, readings: Readings, durable: true): Promise<void>;
  write(deviceId: string, readings: Readings, durable: false): undefined;
  write(deviceId: string, readings: Readings, durable: boolean): Promise<void> | undefined {
    this.inFlight++;
    const done = this.js
      .publish(`${this.o.stream}.${deviceId}`, encodeReadings(deviceId, readings), { timeout: this.timeoutMs })
      .then(
        () => {
          this.published.inc({ result: 'stored' });
        },
        (err: Error) => {
          this.published.inc({ result: 'failed' });
          throw new Error(`telemetry stream did not take the message: ${err.message}`, { cause: err });
        },
      )
      .finally(() => this.settle());
    if (durable) return done;
    // QoS 0: nobody waits; a failure is counted above and logged here.
    done.catch((err: Error) => this.log.warn({ err: err.message, deviceId }, 'best-effort reading not streamed'));
    return undefined;
  }

  private settle(): void {
    this.inFlight--;
    if (this.inFlight < this.maxInFlight / 2 && this.waiters.length > 0) {
      for (const resolve of this.waiters.splice(0)) resolve();
    }
  }
}
