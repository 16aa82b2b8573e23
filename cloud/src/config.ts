import { brokerEnv, ConfigError, flag, parseEnv, port } from '@iotp/broker';
import { z } from 'zod';

const databaseUrl = z.string().refine((v) => /^postgres(ql)?:\/\/[^/]+/.test(v) && URL.canParse(v), {
  message: 'must be a URL like postgres://user:password@host:5432/database (unset it to use the embedded database)',
});

const streamName = (fallback: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a JetStream stream name: letters, digits, _ and -')
    .default(fallback);

/**
 * What a node runs: the MQTT broker, the HTTP API, the telemetry writer (with `INGEST=jetstream`:
 * consuming the stream; directly, the broker writes), background jobs.
 */
export const ROLES = ['broker', 'api', 'writer', 'worker'] as const;
export type Role = (typeof ROLES)[number];

const roles = z
  .string()
  .default('all')
  .transform((v, ctx) => {
    const names = v
      .split(',')
      .map((r) => r.trim().toLowerCase())
      .filter(Boolean);
    if (names.length === 0 || names.includes('all')) return new Set<Role>(ROLES);
    const unknown = names.filter((r) => !(ROLES as readonly string[]).includes(r));
    if (unknown.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown role ${unknown.join(', ')}: use all, or some of ${ROLES.join(', ')}`,
      });
      return z.NEVER;
    }
    return new Set(names as Role[]);
  });

/** Every environment variable of the all-in-one platform process. The README lists them. */
export const platformEnv = brokerEnv.extend({
  ENV_FILE: z
    .string()
    .optional()
    .describe(
      'read by `npm start` before the rest: a file of `KEY=value` lines, beneath the environment; unset, `.env` in the working directory; empty, none',
    ),
  ROLES: roles.describe(
    'what this node runs, comma-separated: `broker` (the MQTT listener; with `INGEST=direct` it stores telemetry too), `api` (the HTTP API; without it a node serves only health, readiness, metrics and docs), `writer` (with `INGEST=jetstream`: fills the database from the telemetry stream), `worker` (the cluster-wide background jobs; every node still runs its node-local ones)',
  ),
  HTTP_PORT: port(8080).describe('HTTP API port (`0`: any free port)'),
  HTTP_HOST: z.string().default('0.0.0.0').describe('HTTP bind address'),
  DATA_DIR: z.string().default('./data').describe('embedded database (`pg/`) and telemetry spill (`spill/`)'),
  DATABASE_URL: databaseUrl
    .optional()
    .describe('a PostgreSQL server, `postgres://user:password@host:5432/db`; unset: the embedded database'),
  DATABASE_POOL_SIZE: z.coerce
    .number()
    .int()
    .min(1)
    .max(200)
    .default(10)
    .describe(
      'connections to that server, per node. Fewer pipeline more queries on each: on 2 cores, 4 served 16-25% more `latest` reads/s than 10 under load, with a third less database CPU per read (ingest unchanged within the noise); more keep a long statement (an export, a month of buckets) from holding up the short ones queued behind it',
    ),
  EMBEDDED_PG_PORT: port(5433).describe('wire-protocol port of the embedded database, on 127.0.0.1 only'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('`fatal`, `error`, `warn`, `info`, `debug`, `trace`, `silent`'),
  LOG_FORMAT: z
    .enum(['auto', 'json', 'pretty'])
    .default('auto')
    .describe(
      '`auto`: readable lines (pino-pretty) when stdout is a terminal, JSON lines otherwise; `json` or `pretty` to choose',
    ),
  SHUTDOWN_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(10_000)
    .describe(
      "the whole shutdown's budget: a step still waiting on a slow or silent database when it is spent is left behind (acknowledged telemetry is stored already; the writer spills what it holds), and the process exits",
    ),
  PUBLIC_URL: z
    .string()
    .url('must be the URL people reach the platform at, like https://iot.example.com')
    .optional()
    .describe(
      "the URL people and devices reach the platform at: token issuer, links in mail, firmware download URLs, the server of the OpenAPI document, the origin the console's cookie calls may come from (`https` makes its cookie `Secure`); unset, `http://localhost:$HTTP_PORT`",
    ),
  CONSOLE_DIR: z
    .string()
    .optional()
    .describe('the built web console served at `/` (`web/dist` by default); `off` serves none'),
  REDIS_URL: z
    .string()
    .refine((v) => /^rediss?:\/\//.test(v), 'must be a URL like redis://127.0.0.1:6379')
    .optional()
    .describe(
      "`redis://host:6379`: rate-limit counters shared by every node: the API's credential limits, and the broker's connection attempts per address (each node's memory otherwise)",
    ),
  NATS_URL: z
    .string()
    .refine((v) => /^(nats|tls):\/\//.test(v), 'must be a URL like nats://127.0.0.1:4222')
    .optional()
    .describe(
      "`nats://host:4222`: several platform nodes on one PostgreSQL server share a NATS bus. Messages to a device (commands, desired state, OTA jobs) and orders to drop its live connection reach whichever node holds the connection, and a device's answer to a command reaches the caller on any node. The server needs JetStream (`nats-server -js`): published events are kept in the `EVENTS_STREAM` stream. Unset: one node, in process",
    ),
  BROKER_HEARTBEAT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(10_000)
    .describe('how often a broker node writes that it is alive (`broker_nodes`), so the others can tell when it died'),
  BROKER_NODE_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(200)
    .default(60_000)
    .describe(
      'a broker node not seen for this long is dead (killed, its machine lost): a node with the `worker` role marks the devices it held offline and closes their connections. At least four times `BROKER_HEARTBEAT_MS`; a node that was only stalled that long drops its devices on its next beat, and they connect again',
    ),
  MQTT_SESSIONS: z
    .enum(['memory', 'redis'])
    .default('memory')
    .describe(
      'where MQTT sessions live: `memory` (the node holding the connection) or `redis` (needs `REDIS_URL`): a device that reconnects with a persistent session to any broker node keeps its subscriptions and gets the QoS 1 messages queued meanwhile',
    ),
  MQTT_SESSIONS_PREFIX: z
    .string()
    .min(1)
    .default('iotp:mqtt:')
    .describe('prefix of the session keys in Redis; the nodes of one cluster share it'),
  INGEST: z
    .enum(['direct', 'jetstream'])
    .default('direct')
    .describe(
      "`direct`: a broker node writes telemetry to the database before its PUBACK. `jetstream` (needs `NATS_URL`): the PUBACK waits for JetStream to hold the message, and `writer` nodes write it to the database; a database outage then backs up in the stream instead of a broker's disk",
    ),
  INGEST_STREAM: streamName('IOTP_TELEMETRY').describe(
    'the JetStream stream telemetry goes through (a work queue on disk, created when missing, subjects `{stream}.{device id}`)',
  ),
  SMTP_URL: z
    .string()
    .refine((v) => /^smtps?:\/\//.test(v), 'must be a URL like smtp://user:password@mail.example.com:587')
    .optional()
    .describe(
      '`smtp://user:pass@host:587`; mail is queued in the `mail_outbox` table and sent from there at once by any API process; what the SMTP server cannot take is retried every 30 s for 24 hours, a permanent refusal (5xx) is logged and dropped; mail older than 7 days is deleted. Unset, mail is kept in the outbox and a log line names the row to read (never the text: it holds one-time tokens)',
    ),
  MAIL_FROM: z.string().default('IoT platform <no-reply@localhost>').describe('sender of the mail the platform sends'),
  JWT_SIGNING_KEY: z
    .string()
    .refine(
      (v) => v.includes('BEGIN PRIVATE KEY'),
      'must be an Ed25519 private key in PKCS#8 PEM (openssl genpkey -algorithm ed25519)',
    )
    .optional()
    .describe(
      'Ed25519 private key in PKCS#8 PEM (`openssl genpkey -algorithm ed25519`) that signs access tokens; unset, the platform makes its own signing keys and keeps them in the database',
    ),
  ACCESS_TOKEN_TTL_S: z.coerce
    .number()
    .int()
    .min(60)
    .max(86_400)
    .default(900)
    .describe('lifetime of an access token (s)'),
  AUTH_CACHE_TTL_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(60_000)
    .default(5000)
    .describe(
      "how long a session's lookup (with its role in an organization) is remembered; a logout, a revoked session, a disabled user or a membership change forgets every such answer at once on this node and, with `NATS_URL`, on every node: the TTL bounds only nodes without NATS. `0`: looked up on every request",
    ),
  REFRESH_TOKEN_TTL_S: z.coerce
    .number()
    .int()
    .min(300)
    .default(30 * 86_400)
    .describe('lifetime of a refresh token (s)'),
  S3_ENDPOINT: z
    .string()
    .url('must be a URL like http://127.0.0.1:9000')
    .optional()
    .describe('S3/MinIO for uploaded files (`http://127.0.0.1:9000`); unset, files go under `DATA_DIR/objects`'),
  S3_ACCESS_KEY: z.string().optional().describe('access key of `S3_ENDPOINT`'),
  S3_SECRET_KEY: z.string().optional().describe('secret key of `S3_ENDPOINT`'),
  S3_BUCKET: z.string().default('iot-platform').describe('bucket of `S3_ENDPOINT` the files go to'),
  S3_REGION: z.string().default('us-east-1').describe('region of `S3_ENDPOINT`'),
  STRIPE_SECRET_KEY: z
    .string()
    .startsWith('sk_', 'must be a Stripe secret key (sk_...)')
    .optional()
    .describe('enables billing; unset, everyone is on the free plan and billing routes answer 503'),
  STRIPE_WEBHOOK_SECRETS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .describe('comma-separated signing secrets of the webhook endpoint (several during a rotation)'),
  STRIPE_API_URL: z
    .string()
    .url('must be a URL like https://api.stripe.com')
    .optional()
    .describe("another endpoint for the Stripe SDK (a proxy, a local test server); unset, Stripe's own"),
  STRIPE_PRICE_PRO: z.string().optional().describe('Stripe price id of the pro plan'),
  STRIPE_PRICE_ENTERPRISE: z.string().optional().describe('Stripe price id of the enterprise plan'),
  STRIPE_METER_EVENT: z
    .string()
    .optional()
    .describe('a Stripe billing meter event name: new data points are reported to it every minute (pay as you go)'),
  CREDITS_PER_MILLION_OVERAGE: z.coerce
    .number()
    .min(0)
    .default(1)
    .describe('credits taken from the wallet per started million data points a day over the plan'),
  BILLING_GRACE_DAYS: z.coerce
    .number()
    .int()
    .min(0)
    .max(90)
    .default(7)
    .describe('days a failed payment is tolerated before the plan falls back to free'),
  ACCOUNT_DELETION_GRACE_DAYS: z.coerce
    .number()
    .int()
    .min(0)
    .max(90)
    .default(14)
    .describe(
      "days between a user's request to delete their account and its purge (0 to 90); signing in is refused meanwhile, and the deletion can be cancelled",
    ),
  TASK_RESULT_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(8760)
    .default(24)
    .describe(
      "how long the file a task made (an export) is kept; a background job then deletes it, the task's result gets `expired_at` and its `url` answers 410 `task-result-expired`",
    ),
  ANALYTICS_RETENTION_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .max(3650)
    .default(90)
    .describe(
      "how long product events (`/v1/analytics/events`) are kept: the hypertable's retention policy on TimescaleDB, an hourly purge job on plain PostgreSQL; an event older than this is refused",
    ),
  ANALYTICS_RATE_PER_MIN: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(600)
    .describe(
      'product-event requests (one event or a batch) per caller (user or API key) per minute; past it 429 `rate-limited`',
    ),
  OTA_URL_TTL_S: z.coerce
    .number()
    .int()
    .min(60)
    .max(86_400)
    .default(900)
    .describe("lifetime of the signed download URL in a device's job (a device asks for a fresh one when it expires)"),
  OTA_MAX_ARTIFACT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 ** 3)
    .describe('largest firmware artifact accepted'),
  FILES_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(100 * 1024 ** 2)
    .describe('largest file accepted at `/files` (413 past it)'),
  FILES_URL_TTL_S: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 86_400)
    .default(900)
    .describe('longest life of a signed file URL (1 s to 7 days)'),
  OTA_TICK_MS: z.coerce
    .number()
    .int()
    .min(50)
    .default(10_000)
    .describe(
      'how often rollouts are checked for phases to start, windows and devices that joined (every active rollout; completed ones when a device or group of their organization changed, else 20 a pass in turn)',
    ),
  OTA_DOWNLOAD_REDIRECT: flag(false).describe(
    "with S3 configured: the download URL checks the device's token, then redirects (307) to a presigned S3 URL good for as long, so artifact bytes do not pass through the API",
  ),
  DEVICE_CA_KEY_SECRET: z
    .string()
    .min(16, 'must be at least 16 characters')
    .optional()
    .describe(
      'passphrase (16 characters or more) that encrypts the private keys of device CAs the platform makes (`POST .../device-cas` with `generate: true`); unset, the platform makes none and answers 409 `device-ca-key-unavailable`. Keep it: a lost passphrase makes those CAs unable to sign',
    ),
  WEBHOOK_ALLOW_PRIVATE: flag(false).describe(
    'lets webhook endpoints resolve to loopback, private and link-local addresses; refused otherwise at creation and at each delivery (`webhook-address-refused`)',
  ),
  WEBHOOK_RETRY_BASE_MS: z.coerce
    .number()
    .int()
    .min(10)
    .default(10_000)
    .describe('first retry of a failed webhook delivery; doubling each time, at most an hour apart, for a day'),
  WEBHOOK_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(60_000)
    .default(10_000)
    .describe('how long a receiver has to answer a delivery'),
  WEBHOOK_DISABLE_AFTER: z.coerce
    .number()
    .int()
    .min(1)
    .default(20)
    .describe(
      "failed delivery attempts in a row after which an endpoint is disabled and the organization's owners are mailed",
    ),
  WEBHOOK_TICK_MS: z.coerce
    .number()
    .int()
    .min(50)
    .default(1000)
    .describe('how often due webhook deliveries are looked for (once across the cluster)'),
  EVENTS_TICK_MS: z.coerce
    .number()
    .int()
    .min(50)
    .default(500)
    .describe(
      'how often the outbox of domain events is relayed (once across the cluster; a node also relays at once after recording)',
    ),
  EVENTS_STREAM: streamName('IOTP_EVENTS').describe(
    'with `NATS_URL`: the JetStream stream every published event is kept in for outside consumers (created or updated at start, subjects `{stream}.{org id}`)',
  ),
  EVENTS_STREAM_MAX_AGE_DAYS: z.coerce
    .number()
    .positive()
    .max(3650)
    .default(7)
    .describe('how long the events stream keeps an event'),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'must be origins like https://app.example.com')))
    .describe(
      'origins of browser apps that may call `/v1` (`https://app.example.com,https://admin.example.com`); a preflight from any other gets no CORS headers',
    ),
  METRICS_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .optional()
    .describe(
      'when set, `/metrics` answers only `Authorization: Bearer <token>` (Prometheus `bearer_token`); keep it set on a public port',
    ),
  ADMIN_EMAILS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((e) => e.trim().toLowerCase())
        .filter(Boolean),
    )
    .describe('comma-separated emails whose accounts, once verified, are platform operators'),
});

export type PlatformConfig = z.infer<typeof platformEnv>;

/** Settings that only make sense together, checked once the environment has parsed. */
function checkTogether(c: PlatformConfig): string[] {
  const problems: string[] = [];
  if (c.INGEST === 'jetstream' && !c.NATS_URL)
    problems.push('INGEST=jetstream needs NATS_URL (a NATS server with JetStream)');
  if (c.MQTT_SESSIONS === 'redis' && !c.REDIS_URL)
    problems.push('MQTT_SESSIONS=redis needs REDIS_URL (where the sessions are kept)');
  if (c.MQTT_PROXY_PROTOCOL && c.TRUSTED_PROXIES.length === 0)
    problems.push("MQTT_PROXY_PROTOCOL=true needs TRUSTED_PROXIES (the load balancers' addresses)");
  // A node must miss beats to be dead; and a sweep counts a gap of half the timeout since the last
  // one as an outage (BrokerNodes.sweep), so a beat and a slow sweep must fit in that half.
  if (c.BROKER_NODE_TIMEOUT_MS < 4 * c.BROKER_HEARTBEAT_MS)
    problems.push(
      'BROKER_NODE_TIMEOUT_MS must be at least four times BROKER_HEARTBEAT_MS: a node must miss several beats to be dead',
    );
  if (c.NATS_URL && c.EVENTS_STREAM === c.INGEST_STREAM)
    problems.push('EVENTS_STREAM and INGEST_STREAM name one stream: give them different names');
  return problems;
}

/** Parses the environment once; throws ConfigError listing every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): PlatformConfig {
  const config = parseEnv(platformEnv, env);
  const problems = checkTogether(config);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
