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
  /** MQTT 5: highest Topic Alias a client may use towards the broker (0: none); above it, DISCONNECT 0x94. */
  topicAliasMax: number;
  /** MQTT 5: unacknowledged QoS 1 and 2 messages a client may have in flight; above it, DISCONNECT 0x93. */
  receiveMaximum: number;
  /**
   * MQTT 5: longest Session Expiry Interval granted, in seconds (a longer one, or "never", is cut to
   * it and the CONNACK says so). Kept short: expiry timers live in the node's memory (lost when it
   * restarts, when the session then stays until the device reconnects with a clean start).
   */
  sessionExpiryMaxS: number;
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
  topicAliasMax: 16,
  // mqtt.js does not wait for the broker's Receive Maximum: a device flushing its offline queue
  // must not be cut off, so this is as generous as the QoS 2 cap Aedes keeps anyway.
  receiveMaximum: 1000,
  sessionExpiryMaxS: 900,
  maxReadings: 1000,
  maxFutureMs: 10 * 60 * 1000,
  maxTextLength: 1024,
};
