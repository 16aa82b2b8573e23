import type { PublishPacket } from 'aedes';
import { markDropped } from './aedes-internals.ts';
import type { Session } from './authenticate.ts';
import type { BatchWriter } from './batch-writer.ts';
import type { BrokerLimits } from './limits.ts';
import type { BrokerMetrics } from './metrics.ts';
import type { Quotas } from './quotas.ts';
import { asPubackRefusal, type Reason, Rejection } from './reasons.ts';
import type { ReceiveTimes } from './receive-times.ts';
import { nowMicros, parseTelemetry, type Readings, type ReceiveStamp } from './telemetry-parser.ts';
import type { UsageMeter } from './usage-meter.ts';

/**
 * Where telemetry goes: the batch writer (into the database), or a durable stream that writer
 * nodes consume. `write` resolves once the readings are durably taken (durable writes only).
 */
export type TelemetrySink = Pick<BatchWriter, 'write' | 'saturated' | 'drained'>;

export interface StoreTelemetryOptions {
  limits: BrokerLimits;
  writer: TelemetrySink;
  metrics: BrokerMetrics;
  receiveTimes: ReceiveTimes;
  quotas: Pick<Quotas, 'dailyExceeded'>;
  meter?: UsageMeter;
  /** Counts and logs a refusal. */
  count: (reason: Reason, fields: Record<string, unknown>) => void;
  /** Hears readings once taken (see `BrokerOptions.onReadings`). */
  onReadings?: ReadingsListener;
}

/**
 * Hears a device's readings once they are taken (QoS 0: handed to the writer; QoS 1 and 2:
 * committed). Called on the PUBACK path: it must return at once and never throw.
 */
export type ReadingsListener = (deviceId: string, orgId: string, readings: Readings) => void;

/** Aedes' `authorizePublish` callback: called with no error, it acknowledges the packet. */
export type Done = (err?: Error | null) => void;

/**
 * What a telemetry message must pass before it is stored, whichever way it came (MQTT, HTTP): its
 * size, the parser, at least one reading, and the organization's daily quota. Returns the readings
 * or the Rejection; never throws.
 * @example const r = checkTelemetry({ limits, quotas }, orgId, payload, { at: nowMicros(), used: 0 });
 */
export function checkTelemetry(
  o: { limits: BrokerLimits; quotas: Pick<Quotas, 'dailyExceeded'> },
  orgId: string,
  payload: Buffer,
  stamp: ReceiveStamp,
): Readings | Rejection {
  if (payload.length > o.limits.maxPayloadBytes) return new Rejection('payload_too_large', `${payload.length} bytes`);
  const readings = parseTelemetry(payload, o.limits, stamp);
  if (readings instanceof Rejection) return readings;
  // Nothing to write would never be committed, so never acknowledged: refuse it now.
  if (readings.time.length === 0) return new Rejection('invalid_shape', 'no readings');
  return o.quotas.dailyExceeded(orgId) ?? readings;
}

/**
 * Telemetry storage: parses a device's telemetry PUBLISH, counts it, and hands it to the writer;
 * a QoS 1 or 2 packet is acknowledged (`done`) only once its readings are committed. A resend gets
 * its first copy's receive time, so readings without a time of their own are stored once.
 * @example const store = storeTelemetry({ limits, writer, metrics, receiveTimes, quotas, count }); store(session, packet, done);
 */
export function storeTelemetry(
  o: StoreTelemetryOptions,
): (session: Session, packet: PublishPacket, done: Done) => void {
  const { writer, meter, receiveTimes, count, onReadings } = o;

  /**
   * MQTT 3.1.1 cannot refuse one PUBLISH: acknowledge it, so it is not resent forever, and drop it.
   * MQTT 5 can: PUBACK (PUBREC) with the reason code, 0x99 payload format invalid, 0x97 quota
   * exceeded, 0x83 for a payload too large [MQTT-3.4.2.1]; Aedes (patched) then does not deliver it.
   * A QoS 0 one is just dropped.
   */
  function drop(session: Session, packet: PublishPacket, why: Rejection, done: Done): void {
    count(why.reason, { deviceId: session.id, detail: why.message });
    if (session.v5) {
      done(asPubackRefusal(why));
      return;
    }
    markDropped(packet);
    done(null);
  }

  return (session, packet, done) => {
    const payload = packet.payload as Buffer;
    // A resend (after a lost PUBACK, or before PUBREL: Aedes authorizes a QoS 2 resend again) gets
    // its first copy's receive time, so its readings without a time of their own are stored once.
    const resentAt = packet.qos > 0 ? receiveTimes.resentAt(session.id, session.serial, packet) : undefined;
    const stamp: ReceiveStamp = { at: resentAt ?? nowMicros(), used: 0 };
    const readings = checkTelemetry(o, session.orgId, payload, stamp);
    if (readings instanceof Rejection) {
      drop(session, packet, readings, done);
      return;
    }
    if (packet.qos > 0 && stamp.used > 0 && resentAt === undefined)
      receiveTimes.remember(session.id, session.serial, packet, stamp.at);
    // A recognised resend was counted when it first came.
    if (resentAt === undefined) {
      meter?.count(session.orgId, session.id, { messages: 1, points: readings.time.length, bytes: payload.length });
      o.metrics.messages.inc({ qos: packet.qos });
    }
    // [MQTT-3.3.1-1] A resend carries DUP: its readings may be stored already.
    const resend = packet.dup === true || resentAt !== undefined;
    const store = () => {
      if (packet.qos === 0) {
        writer.write(session.id, readings, false);
        onReadings?.(session.id, session.orgId, readings);
        return done(null);
      }
      writer.write(session.id, readings, true, resend).then(
        () => {
          onReadings?.(session.id, session.orgId, readings);
          done(null);
        },
        (err: Error) => {
          count('storage_unavailable', { deviceId: session.id, err: err.message });
          // No PUBACK, whatever the reason code: one would end delivery. The connection is closed
          // (MQTT 5: after a DISCONNECT) and the device resends after reconnecting [MQTT-4.4.0-1].
          done(new Rejection('storage_unavailable', undefined, { cause: err, disconnect: true }));
        },
      );
    };
    if (writer.saturated) writer.drained().then(store);
    else store();
  };
}
