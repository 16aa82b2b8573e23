import type { ParseLimits } from './telemetry-parser.ts';

export interface BrokerLimits extends ParseLimits {
  /** Largest MQTT packet; a bigger one closes the connection before its body is read. */
  maxPacketBytes: number;
  /** Largest telemetry payload; a bigger one is acknowledged and dropped. */
  maxPayloadBytes: number;
  /** Longest keepalive a client may ask for, in seconds (0, "never", is refused too). */
  keepaliveMaxS: number;
  /** Connection attempts per second per address, and the burst allowed. */
  connectRatePerS: number;
  connectBurst: number;
  /** Messages per second per device, and the burst; a faster device is slowed. */
  messagesPerS: number;
  messagesBurst: number;
  /** A device this far behind its rate (ms) is disconnected rather than slowed further. */
  maxThrottleMs: number;
  maxTopicLevels: number;
  maxSubscriptions: number;
}

export const DEFAULT_LIMITS: BrokerLimits = {
  maxPacketBytes: 256 * 1024,
  maxPayloadBytes: 64 * 1024,
  keepaliveMaxS: 1200,
  connectRatePerS: 20,
  connectBurst: 100,
  messagesPerS: 1000,
  messagesBurst: 2000,
  maxThrottleMs: 10_000,
  maxTopicLevels: 8,
  maxSubscriptions: 32,
  maxReadings: 1000,
  maxFutureMs: 10 * 60 * 1000,
  maxTextLength: 1024,
};
