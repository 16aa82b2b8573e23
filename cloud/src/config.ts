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
  ROLES: roles,
  HTTP_PORT: port(8080),
  HTTP_HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: databaseUrl.optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  EMBEDDED_PG_PORT: port(5433),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `auto`: readable lines on a terminal, JSON lines otherwise; `json` or `pretty` to choose. */
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  PUBLIC_URL: z.string().url('must be the URL people reach the platform at, like https://iot.example.com').optional(),
  /** The built web console (web/dist by default) served at `/`; `off` serves none. */
  CONSOLE_DIR: z.string().optional(),
  REDIS_URL: z
    .string()
    .refine((v) => /^rediss?:\/\//.test(v), 'must be a URL like redis://127.0.0.1:6379')
    .optional(),
  NATS_URL: z
    .string()
    .refine((v) => /^(nats|tls):\/\//.test(v), 'must be a URL like nats://127.0.0.1:4222')
    .optional(),
  /** `memory`: MQTT sessions live on the node that holds them; `redis` (needs REDIS_URL): shared by every broker node. */
  MQTT_SESSIONS: z.enum(['memory', 'redis']).default('memory'),
  /** Prefix of the session keys in Redis: the nodes of one cluster share it. */
  MQTT_SESSIONS_PREFIX: z.string().min(1).default('iotp:mqtt:'),
  /** `direct`: the broker writes telemetry to the database; `jetstream`: through the stream, by writer nodes. */
  INGEST: z.enum(['direct', 'jetstream']).default('direct'),
  INGEST_STREAM: streamName('IOTP_TELEMETRY'),
  SMTP_URL: z
    .string()
    .refine((v) => /^smtps?:\/\//.test(v), 'must be a URL like smtp://user:password@mail.example.com:587')
    .optional(),
  MAIL_FROM: z.string().default('IoT platform <no-reply@localhost>'),
  JWT_SIGNING_KEY: z
    .string()
    .refine(
      (v) => v.includes('BEGIN PRIVATE KEY'),
      'must be an Ed25519 private key in PKCS#8 PEM (openssl genpkey -algorithm ed25519)',
    )
    .optional(),
  ACCESS_TOKEN_TTL_S: z.coerce.number().int().min(60).max(86_400).default(900),
  /** How long a session's and its memberships' lookup is believed at most (ms); 0 looks them up on every request. */
  AUTH_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(5000),
  REFRESH_TOKEN_TTL_S: z.coerce
    .number()
    .int()
    .min(300)
    .default(30 * 86_400),
  S3_ENDPOINT: z.string().url('must be a URL like http://127.0.0.1:9000').optional(),
  S3_ACCESS_KEY: z.string().optional(),
  S3_SECRET_KEY: z.string().optional(),
  S3_BUCKET: z.string().default('iot-platform'),
  S3_REGION: z.string().default('us-east-1'),
  STRIPE_SECRET_KEY: z.string().startsWith('sk_', 'must be a Stripe secret key (sk_...)').optional(),
  STRIPE_WEBHOOK_SECRETS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  STRIPE_API_URL: z.string().url('must be a URL like https://api.stripe.com').optional(),
  STRIPE_PRICE_PRO: z.string().optional(),
  STRIPE_PRICE_ENTERPRISE: z.string().optional(),
  STRIPE_METER_EVENT: z.string().optional(),
  CREDITS_PER_MILLION_OVERAGE: z.coerce.number().min(0).default(1),
  BILLING_GRACE_DAYS: z.coerce.number().int().min(0).max(90).default(7),
  /** How long a deleted account can still be recovered (sign-in refused meanwhile) before it is purged. */
  ACCOUNT_DELETION_GRACE_DAYS: z.coerce.number().int().min(0).max(90).default(14),
  /** How long the file a task made (an export) is kept before a background job deletes it. */
  TASK_RESULT_TTL_HOURS: z.coerce.number().int().min(1).max(8760).default(24),
  /** How long product events (`/v1/analytics/events`) are kept. */
  ANALYTICS_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  /** Product-event requests (single or batch) per caller per minute. */
  ANALYTICS_RATE_PER_MIN: z.coerce.number().int().min(1).max(1_000_000).default(600),
  OTA_URL_TTL_S: z.coerce.number().int().min(60).max(86_400).default(900),
  OTA_MAX_ARTIFACT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 ** 3),
  /** Largest file a client may upload to /files (bytes). */
  FILES_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(100 * 1024 ** 2),
  /** Longest life of a signed file URL (seconds). */
  FILES_URL_TTL_S: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 86_400)
    .default(900),
  OTA_TICK_MS: z.coerce.number().int().min(50).default(10_000),
  OTA_DOWNLOAD_REDIRECT: flag(false),
  /** Encrypts the private keys of device CAs the platform makes; unset, it makes none. */
  DEVICE_CA_KEY_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Lets webhook endpoints on loopback, private and link-local addresses (an operator's own network). */
  WEBHOOK_ALLOW_PRIVATE: flag(false),
  /** The first retry of a failed webhook delivery, doubling each time up to an hour, for a day. */
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).default(10_000),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** Failed deliveries in a row after which an endpoint is disabled and its organization's owners told. */
  WEBHOOK_DISABLE_AFTER: z.coerce.number().int().min(1).default(20),
  WEBHOOK_TICK_MS: z.coerce.number().int().min(50).default(1000),
  EVENTS_TICK_MS: z.coerce.number().int().min(50).default(500),
  /** With NATS_URL: the JetStream stream published events are kept in for outside consumers (subjects `{stream}.{org id}`). */
  EVENTS_STREAM: streamName('IOTP_EVENTS'),
  /** How long the events stream keeps an event. */
  EVENTS_STREAM_MAX_AGE_DAYS: z.coerce.number().positive().max(3650).default(7),
  /** Origins of browser apps that may call the API (CORS), comma-separated, e.g. `https://app.example.com`; none when empty. */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'must be origins like https://app.example.com'))),
  /** When set, /metrics answers only `Authorization: Bearer <token>` (Prometheus' `bearer_token`). */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  ADMIN_EMAILS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((e) => e.trim().toLowerCase())
        .filter(Boolean),
    ),
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
