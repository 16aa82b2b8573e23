import { z } from 'zod';
import { addressList, count, flag, port } from './env.ts';
import { DEFAULT_LIMITS } from './limits.ts';

const d = DEFAULT_LIMITS;

/** Environment variables of the broker and telemetry writer, with their defaults. */
export const brokerEnv = z.object({
  MQTT_PORT: port(1883).describe('MQTT port'),
  MQTT_HOST: z.string().default('0.0.0.0').describe('MQTT bind address'),
  MQTTS_PORT: port(8883).describe('MQTT-over-TLS port, when a certificate is set'),
  MQTT_TLS_CERT: z
    .string()
    .optional()
    .describe(
      "PEM file of the broker's certificate: with `MQTT_TLS_KEY`, MQTT over TLS is served too, where devices may also connect with a client certificate (X.509 devices)",
    ),
  MQTT_TLS_KEY: z.string().optional().describe('PEM file of the private key of `MQTT_TLS_CERT`'),
  MQTT_WS_PATH: z
    .string()
    .default('/mqtt')
    .refine((p) => p === '' || (p.startsWith('/') && !p.startsWith('/v1/')), 'must start with / and not be an API path')
    .describe('MQTT over WebSocket on the HTTP port at this path (browsers, mobile apps); empty turns it off'),
  MQTT_WSS_PORT: port(8084).describe('MQTT over secure WebSocket (`wss://host:8084/mqtt`), when a certificate is set'),
  MQTT_PROXY_PROTOCOL: flag(false).describe(
    "plain MQTT from `TRUSTED_PROXIES` must start with a PROXY protocol header, v1 or v2 (HAProxy's `send-proxy`); a header from any other peer drops the connection",
  ),
  TRUSTED_PROXIES: addressList().describe(
    "load balancers, as addresses or CIDRs (`10.0.0.0/8,127.0.0.1`, or `loopback`): their `X-Forwarded-For` names the HTTP client, and with `MQTT_PROXY_PROTOCOL` their PROXY header names the device; nobody else's is believed",
  ),
  MQTT_MAX_PACKET_BYTES: count(d.maxPacketBytes).describe(
    'larger packets (Remaining Length) close the connection before their body is read; MQTT 5 clients are told it, plus the fixed header, as Maximum Packet Size and get DISCONNECT 0x95',
  ),
  MQTT_MAX_PAYLOAD_BYTES: count(d.maxPayloadBytes).describe('larger telemetry payloads are acknowledged and dropped'),
  MQTT_KEEPALIVE_MAX_S: count(d.keepaliveMaxS).describe(
    'longest keepalive a client may ask for; `0` (none) is refused too (CONNACK 2); an MQTT 5 client is given this keepalive instead (Server Keep Alive)',
  ),
  MQTT_CONNECT_RATE_PER_S: count(d.connectRatePerS).describe('connection attempts per second per address'),
  MQTT_CONNECT_BURST: count(d.connectBurst).describe(
    'connection attempts per address allowed at once, above `MQTT_CONNECT_RATE_PER_S`',
  ),
  MQTT_MESSAGES_PER_S: count(d.messagesPerS).describe(
    'messages per second per device; a faster device is slowed, one 10 s behind is disconnected',
  ),
  MQTT_MESSAGES_BURST: count(d.messagesBurst).describe(
    'messages per device allowed at once, above `MQTT_MESSAGES_PER_S`',
  ),
  MQTT_MAX_TOPIC_LEVELS: count(d.maxTopicLevels)
    .pipe(z.number().max(100, 'must be at most 100'))
    .describe('deeper topics close the connection'),
  MQTT_MAX_SUBSCRIPTIONS: count(d.maxSubscriptions).describe('subscriptions per client'),
  MQTT_TOPIC_ALIAS_MAX: count(d.topicAliasMax)
    .pipe(z.number().max(65535, 'must be at most 65535'))
    .describe('MQTT 5: highest Topic Alias a client may use; a higher one is DISCONNECT 0x94'),
  MQTT_RECEIVE_MAXIMUM: count(d.receiveMaximum)
    .pipe(z.number().max(65535, 'must be at most 65535'))
    .describe(
      'MQTT 5: unacknowledged QoS 1 and 2 messages a client may have in flight (advertised, enforced: DISCONNECT 0x93). Generous because mqtt.js does not wait for it',
    ),
  MQTT_SESSION_EXPIRY_MAX_S: count(d.sessionExpiryMaxS).describe(
    'MQTT 5: longest Session Expiry Interval granted (a longer one, or "never", is cut to it; CONNACK says so). Kept short on purpose: the expiry timer lives in the memory of the node the device left, so a node restart forgets it (the session then stays in Redis until the device reconnects with Clean Start)',
  ),
  TELEMETRY_MAX_READINGS: count(d.maxReadings).describe('readings in one message'),
  TELEMETRY_MAX_FUTURE_MS: count(d.maxFutureMs).describe('how far ahead of the server clock a timestamp may be'),
  WRITER_BATCH_ROWS: count(5000).describe('a telemetry batch is written when it holds this many rows'),
  WRITER_BATCH_MS: count(50).describe('or when its oldest row is this old (ms)'),
  WRITER_EAGER: flag(true).describe(
    'also write as soon as a database connection is free (group commit): low latency when quiet, big batches under load',
  ),
  WRITER_HIGH_WATER_ROWS: count(100_000).describe('queued rows past which the broker stops reading device sockets'),
  WRITER_CONCURRENCY: count(2).describe('batches written at once on a PostgreSQL server (1 on the embedded database)'),
  WRITER_PARALLEL_ROWS: count(500).describe(
    'while a batch is being written, the next takes another connection only once it holds this many rows (or is WRITER_BATCH_MS old): a steady trickle commits one batch at a time, each bigger',
  ),
  WRITER_TIMEOUT_MS: count(10_000).describe(
    'a batch not committed within this long counts as a failed write: `/readyz` turns 503 and the batch is retried',
  ),
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
