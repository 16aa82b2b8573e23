import type { AedesOptions, PublishPacket } from 'aedes';
import { type Session, sessionOf } from './authenticate.ts';
import type { BatchWriter } from './batch-writer.ts';
import type { BrokerLimits } from './broker.ts';
import type { BrokerMetrics } from './metrics.ts';
import type { RateLimiter } from './rate-limit.ts';
import { type Reason, Rejection } from './reasons.ts';
import type { ReceiveTimes } from './receive-times.ts';
import { nowMicros, parseTelemetry, type ReceiveStamp } from './telemetry-parser.ts';
import type { UsageMeter } from './usage-meter.ts';

export interface PublishHooksOptions {
  limits: BrokerLimits;
  writer: BatchWriter;
  metrics: BrokerMetrics;
  /** Messages per device. */
  messageLimiter: RateLimiter;
  receiveTimes: ReceiveTimes;
  meter?: UsageMeter;
  /** The organization's daily message quota, if it has one. */
  quotaOf(orgId: string): number | null | undefined;
  /** Hands on a message a device published below its prefix, other than telemetry. */
  relay(deviceId: string, suffix: string, payload: Buffer): void;
  /** Counts and logs a refusal. */
  count: (reason: Reason, fields: Record<string, unknown>) => void;
}

const DROPPED = Symbol('dropped');
type MarkedPacket = PublishPacket & { [DROPPED]?: true };
type Done = (err?: Error | null) => void;

/**
 * The PUBLISH hooks: a device may publish only under `devices/{id}/`, at its message rate; its
 * telemetry is parsed and stored through the writer before `done` lets Aedes acknowledge it.
 * @example new Aedes({ ...publishHooks({ limits, writer, metrics, messageLimiter, receiveTimes, quotaOf, relay, count }) })
 */
export function publishHooks(
  o: PublishHooksOptions,
): Required<Pick<AedesOptions, 'authorizePublish' | 'authorizeForward'>> {
  const { limits, writer, meter, receiveTimes, count } = o;

  /** Telemetry goes to the writer; other topics in the namespace are relayed as they are. */
  function route(session: Session, packet: MarkedPacket, done: Done): void {
    if (packet.topic !== session.telemetryTopic) {
      o.relay(session.id, packet.topic.slice(session.prefix.length), packet.payload as Buffer);
      done(null);
      return;
    }
    if (packet.payload.length > limits.maxPayloadBytes) {
      drop(session, packet, new Rejection('payload_too_large', `${packet.payload.length} bytes`), done);
      return;
    }
    // A resend (after a lost PUBACK, or before PUBREL: Aedes authorizes a QoS 2 resend again) gets
    // its first copy's receive time, so its readings without a time of their own are stored once.
    const resentAt = packet.qos > 0 ? receiveTimes.resentAt(session.id, session.serial, packet) : undefined;
    const stamp: ReceiveStamp = { at: resentAt ?? nowMicros(), used: 0 };
    const readings = parseTelemetry(packet.payload as Buffer, limits, stamp);
    if (readings instanceof Rejection) {
      drop(session, packet, readings, done);
      return;
    }
    if (packet.qos > 0 && stamp.used > 0 && resentAt === undefined)
      receiveTimes.remember(session.id, session.serial, packet, stamp.at);
    // Nothing to write would never be committed, so never acknowledged: answer it now.
    if (readings.time.length === 0) {
      drop(session, packet, new Rejection('invalid_shape', 'no readings'), done);
      return;
    }
    const quota = o.quotaOf(session.orgId);
    if (quota && meter && meter.messagesToday(session.orgId) >= quota) {
      drop(session, packet, new Rejection('quota_exceeded', `${quota} messages a day`), done);
      return;
    }
    // A recognised resend was counted when it first came.
    if (resentAt === undefined) {
      meter?.count(session.orgId, session.id, {
        messages: 1,
        points: readings.time.length,
        bytes: packet.payload.length,
      });
      o.metrics.messages.inc({ qos: packet.qos });
    }
    const store = () => {
      if (packet.qos === 0) {
        writer.write(session.id, readings, false);
        return done(null);
      }
      writer.write(session.id, readings, true).then(
        () => done(null),
        (err: Error) => {
          count('storage_unavailable', { deviceId: session.id, err: err.message });
          done(err); // no PUBACK: the device resends after reconnecting
        },
      );
    };
    if (writer.saturated) writer.drained().then(store);
    else store();
  }

  /** MQTT 3.1.1 cannot refuse one PUBLISH: acknowledge it, so it is not resent forever, and drop it. */
  function drop(session: Session, packet: MarkedPacket, why: Rejection, done: Done): void {
    count(why.reason, { deviceId: session.id, detail: why.message });
    packet[DROPPED] = true;
    done(null);
  }

  return {
    authorizePublish(client, packet, done) {
      const session = sessionOf(client);
      if (!session) return done(new Error('not authenticated'));
      if (!packet.topic.startsWith(session.prefix)) {
        count('topic_not_allowed', { deviceId: session.id, topic: packet.topic.slice(0, 200) });
        return done(new Rejection('topic_not_allowed')); // closes the connection
      }
      const wait = o.messageLimiter.take(session.id);
      if (wait > limits.maxThrottleMs) {
        count('rate_limited', { deviceId: session.id, disconnected: true });
        return done(new Rejection('rate_limited'));
      }
      // Slowing is enough: Aedes reads no more from this socket until `done` is called.
      if (wait > 0) setTimeout(() => route(session, packet, done), wait);
      else route(session, packet, done);
    },

    /** A dropped reading is not relayed to subscribers either. */
    authorizeForward(_client, packet) {
      return (packet as MarkedPacket)[DROPPED] ? undefined : packet;
    },
  };
}
