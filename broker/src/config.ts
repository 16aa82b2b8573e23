import { z } from 'zod';
import { addressList, count, flag, port } from './env.ts';
import { DEFAULT_LIMITS } from './limits.ts';

const d = DEFAULT_LIMITS;

/** Environment variables of the broker and telemetry writer, with their defaults. */
export const brokerEnv = z.object({
  MQTT_PORT: port(1883),
  MQTT_HOST: z.string().default('0.0.0.0'),
  /** MQTT over TLS, beside plain MQTT, when a certificate and key (PEM files) are given. */
  MQTTS_PORT: port(8883),
  MQTT_TLS_CERT: z.string().optional(),
  MQTT_TLS_KEY: z.string().optional(),
  /** MQTT over WebSocket on the HTTP port at this path (browsers, apps); empty turns it off. */
  MQTT_WS_PATH: z
    .string()
    .default('/mqtt')
    .refine(
      (p) => p === '' || (p.startsWith('/') && !p.startsWith('/v1/')),
      'must start with / and not be an API path',
    ),
  /** MQTT over secure WebSocket (wss), with MQTT_TLS_CERT and MQTT_TLS_KEY, on a port of its own. */
  MQTT_WSS_PORT: port(8084),
  /** Behind a load balancer: plain MQTT from TRUSTED_PROXIES must start with a PROXY header (v1 or v2). */
  MQTT_PROXY_PROTOCOL: flag(false),
  /** Load balancers whose PROXY headers (MQTT) and X-Forwarded-For (HTTP) are believed; nobody's when empty. */
  TRUSTED_PROXIES: addressList(),
  MQTT_MAX_PACKET_BYTES: count(d.maxPacketBytes),
  MQTT_MAX_PAYLOAD_BYTES: count(d.maxPayloadBytes),
  MQTT_KEEPALIVE_MAX_S: count(d.keepaliveMaxS),
  MQTT_CONNECT_RATE_PER_S: count(d.connectRatePerS),
  MQTT_CONNECT_BURST: count(d.connectBurst),
  MQTT_MESSAGES_PER_S: count(d.messagesPerS),
  MQTT_MESSAGES_BURST: count(d.messagesBurst),
  MQTT_MAX_TOPIC_LEVELS: count(d.maxTopicLevels).pipe(z.number().max(100, 'must be at most 100')),
  MQTT_MAX_SUBSCRIPTIONS: count(d.maxSubscriptions),
  /** MQTT 5 only: highest Topic Alias, unacknowledged messages in flight, longest session expiry. */
  MQTT_TOPIC_ALIAS_MAX: count(d.topicAliasMax).pipe(z.number().max(65535, 'must be at most 65535')),
  MQTT_RECEIVE_MAXIMUM: count(d.receiveMaximum).pipe(z.number().max(65535, 'must be at most 65535')),
  MQTT_SESSION_EXPIRY_MAX_S: count(d.sessionExpiryMaxS),
  TELEMETRY_MAX_READINGS: count(d.maxReadings),
  TELEMETRY_MAX_FUTURE_MS: count(d.maxFutureMs),
  WRITER_BATCH_ROWS: count(5000),
  WRITER_BATCH_MS: count(50),
  WRITER_EAGER: flag(true),
  WRITER_HIGH_WATER_ROWS: count(100_000),
  WRITER_CONCURRENCY: count(2),
  WRITER_TIMEOUT_MS: count(10_000),
});

export type BrokerEnv = z.infer<typeof brokerEnv>;

/** Broker limits from the parsed environment. */
export function brokerLimits(env: BrokerEnv) {
  return {
    ...DEFAULT_LIMITS,
    maxPacketBytes: env.MQTT_MAX_PACKET_BYTES,
    maxPayloadBytes: env.MQTT_MAX_PAYLOAD_BYTES,
    keepaliveMaxS: env.MQTT_KEEPALIVE_MAX_S,
    connectRatePerS: env.MQTT_CONNECT_RATE_PER_S,
    connectBurst: env.MQTT_CONNECT_BURST,
    messagesPerS: env.MQTT_MESSAGES_PER_S,
    messagesBurst: env.MQTT_MESSAGES_BURST,
    maxTopicLevels: env.MQTT_MAX_TOPIC_LEVELS,
    maxSubscriptions: env.MQTT_MAX_SUBSCRIPTIONS,
    topicAliasMax: env.MQTT_TOPIC_ALIAS_MAX,
    receiveMaximum: env.MQTT_RECEIVE_MAXIMUM,
    sessionExpiryMaxS: env.MQTT_SESSION_EXPIRY_MAX_S,
    maxReadings: env.TELEMETRY_MAX_READINGS,
    maxFutureMs: env.TELEMETRY_MAX_FUTURE_MS,
  };
}
