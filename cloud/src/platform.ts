import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import {
  BatchWriter,
  brokerLimits,
  ConfigError,
  connectSharedSessions,
  createBroker,
  createBrokerMetrics,
  DeviceStore,
  Spill,
  type TelemetrySink,
  UsageMeter,
} from '@iotp/broker';
import { type Database, EmbeddedJobs, openDatabase, withDatabaseLock } from '@iotp/db';
import { Redis } from 'ioredis';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { type App, createApp } from './app.ts';
import { AuthRepository } from './auth/auth.repository.ts';
import { type Auth, type AuthOptions, createAuth } from './auth/create-auth.ts';
import { type CounterStore, MemoryCounterStore, RedisCounterStore } from './auth/rate-limit.ts';
import { TokenService } from './auth/tokens.ts';
import { BillingRepository } from './billing/billing.repository.ts';
import { BillingService } from './billing/billing.service.ts';
import { PLANS } from './billing/plans.ts';
import { stripeClient } from './billing/stripe-client.ts';
import { NatsCommandAnswers } from './cluster/command-answers.ts';
import { type DevicePublisher, NatsDevicePublisher } from './cluster/device-delivery.ts';
import { type DeviceOrders, LocalDeviceOrders, NatsDeviceOrders } from './cluster/device-orders.ts';
import { relayOtaEvents } from './cluster/event-relay.ts';
import { connectNats } from './cluster/nats.ts';
import { TelemetryConsumer } from './cluster/telemetry-consumer.ts';
import { JetStreamTelemetry } from './cluster/telemetry-stream.ts';
import type { PlatformConfig, Role } from './config.ts';
import { prepareDataDir } from './data-dir.ts';
import { routeDeviceEvents } from './device-router.ts';
import { DeviceRepository } from './devices/device.repository.ts';
import { DeviceService } from './devices/device.service.ts';
import { GrafanaAccess, type GrafanaEndpoint } from './grafana/grafana-access.ts';
import { DatabaseJobLeases } from './job-lease.ts';
import { Mailer } from './mail/mailer.ts';
import { OrgRepository } from './orgs/org.repository.ts';
import { OrgService } from './orgs/org.service.ts';
import { OtaRepository } from './ota/ota.repository.ts';
import { ReleaseService } from './ota/release.service.ts';
import { RolloutService } from './ota/rollout.service.ts';
import { Scheduler } from './scheduler.ts';
import { FileObjectStore, type ObjectStore, S3ObjectStore } from './storage/object-store.ts';
import { TelemetryRepository } from './telemetry/telemetry.repository.ts';
import { TelemetryService } from './telemetry/telemetry.service.ts';
import { TwinRepository } from './twin/twin.repository.ts';
import { TwinService } from './twin/twin.service.ts';
import { withTimeout } from './with-timeout.ts';

/** A listener that could not bind, named by the variable that sets its port. */
export class PortInUse extends Error {
  override name = 'PortInUse';
  constructor(
    readonly variable: string,
    readonly port: number,
    options?: { cause?: unknown },
  ) {
    super(`port ${port} is already in use: set ${variable} to a free port`, options);
  }
}

/** Parts a caller supplies instead of those the configuration names (tests, benchmarks). */
export interface PlatformParts {
  /** Where avatars and firmware artifacts are kept; by default S3 when S3_ENDPOINT is set, else DATA_DIR. */
  objects?: ObjectStore;
  /** Counters of the rate limits; by default Redis when REDIS_URL is set, else in memory. */
  limits?: CounterStore;
  /** Tuning of the accounts service (rate limits, refresh-reuse grace) beyond the configuration. */
  auth?: Pick<AuthOptions, 'rateLimits' | 'refreshReuseGraceS'>;
}

/** The whole platform, built and not yet listening: what `start` serves and what tests call directly. */
export interface Platform {
  config: PlatformConfig;
  db: Database;
  registry: Registry;
  /** The HTTP API; `start` serves it, tests may call `app.request`. */
  app: App;
  writer: BatchWriter;
  broker: ReturnType<typeof createBroker>;
  meter: UsageMeter;
  tokens: TokenService;
  auth: Auth;
  orgs: OrgService;
  billing: BillingService;
  /** The device registry (named apart from tests' `devices` store). */
  deviceService: DeviceService;
  twins: TwinService;
  rollouts: RolloutService;
  /** Background jobs by name (`scheduler.list()`); they run once the platform is started. */
  scheduler: Scheduler;
  /** TimescaleDB's jobs, run by the platform itself on the embedded database. */
  embeddedJobs?: EmbeddedJobs;
  /** Binds the MQTT, MQTT over TLS and HTTP listeners and starts the background jobs. */
  start(): Promise<RunningPlatform>;
  /** Stops accepting, flushes what was accepted, closes the database. */
  close(): Promise<void>;
}

export interface RunningPlatform extends Platform {
  httpPort: number;
  /** 0 when this node does not run the broker role. */
  mqttPort: number;
  /** The MQTT-over-TLS port, when a certificate is configured. */
  mqttsPort?: number;
}

/**
 * Starts the whole platform in this process: database (embedded unless DATABASE_URL), telemetry
 * writer, MQTT broker, HTTP API and background jobs.
 * @example const platform = await startPlatform(loadConfig(), logger);
 */
export async function startPlatform(
  config: PlatformConfig,
  logger: Logger,
  parts: PlatformParts = {},
): Promise<RunningPlatform> {
  const platform = await buildPlatform(config, logger, parts);
  try {
    return await platform.start();
  } catch (err) {
    await platform.close().catch(() => undefined);
    throw err;
  }
}

/**
 * The one composition root: opens the database and wires every service, the broker and the HTTP
 * app, without listening or running background jobs (`start` does both). `main`, the tests and
 * the benchmarks all build the platform here.
 * @example const platform = await buildPlatform(loadConfig(env), logger); await platform.app.request('/healthz');
 */
export async function buildPlatform(
  config: PlatformConfig,
  logger: Logger,
  parts: PlatformParts = {},
): Promise<Platform> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  await prepareDataDir(config.DATA_DIR);
  const db = await bind('EMBEDDED_PG_PORT', config.EMBEDDED_PG_PORT, () =>
    openDatabase({
      url: config.DATABASE_URL,
      dataDir: config.DATA_DIR,
      embeddedPort: config.EMBEDDED_PG_PORT,
      poolSize: config.DATABASE_POOL_SIZE,
      logger,
    }),
  );
  // Each step is told how much of the shutdown budget is left (ms).
  const cleanup: ((leftMs: number) => Promise<void>)[] = [() => db.close()];
  const undo = async () => {
    for (const step of cleanup.reverse()) await step(0).catch(() => undefined);
  };
  try {
    // On a server several nodes may share the database: each cluster-wide job runs on one of them a period.
    const scheduler = new Scheduler(
      logger,
      registry,
      db.kind === 'embedded' ? undefined : new DatabaseJobLeases(db.sql),
    );
    // Before anything it runs is closed: stopping waits for the runs under way.
    cleanup.push(() => scheduler.stop());
    // PGlite has no background workers: without this, aggregates, compression and retention never run.
    const embeddedJobs = db.kind === 'embedded' ? new EmbeddedJobs({ sql: db.sql, logger, registry }) : undefined;
    if (embeddedJobs) {
      cleanup.push(() => embeddedJobs.stop());
      scheduler.add({ name: 'embedded-db-jobs', everyMs: 30_000, run: () => embeddedJobs.runDue(), scope: 'node' });
    }
    const metrics = createBrokerMetrics(registry);
    const writer = new BatchWriter({
      sql: db.sql,
      logger,
      metrics: metrics.writer,
      spill: await Spill.open(join(config.DATA_DIR, 'spill'), {
        logger,
        skippedLines: metrics.writer.spillSkippedLines,
      }),
      maxRows: config.WRITER_BATCH_ROWS,
      maxDelayMs: config.WRITER_BATCH_MS,
      eager: config.WRITER_EAGER,
      highWaterRows: config.WRITER_HIGH_WATER_ROWS,
      // PGlite is one backend: parallel batches would only queue behind each other.
      concurrency: db.kind === 'embedded' ? 1 : config.WRITER_CONCURRENCY,
      timeoutMs: config.WRITER_TIMEOUT_MS,
      maxFutureMs: config.TELEMETRY_MAX_FUTURE_MS,
    });
    await writer.start();
    cleanup.push((leftMs) => writer.close(leftMs));
    // Seeded from usage_daily before the broker listens, so a restart does not reset daily quotas.
    const meter = await new UsageMeter(db.sql, logger).seed();
    cleanup.push(() => meter.close());
    // Each node flushes the counts it holds.
    scheduler.add({ name: 'usage-flush', everyMs: 10_000, run: () => meter.flush(), scope: 'node' });

    const publicUrl = config.PUBLIC_URL ?? `http://localhost:${config.HTTP_PORT}`;
    const tokens = await new TokenService(db.orm, {
      issuer: publicUrl,
      audience: 'iot-platform',
      accessTtlS: config.ACCESS_TOKEN_TTL_S,
      signingKeyPem: config.JWT_SIGNING_KEY,
    }).init();
    let limits: CounterStore = parts.limits ?? new MemoryCounterStore();
    // Shared by every node: the API's credential limits, and the broker's connection rate per address.
    let shared: RedisCounterStore | undefined;
    if (config.REDIS_URL) {
      const redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2 });
      await redis.connect();
      cleanup.push(async () => void redis.disconnect());
      shared = new RedisCounterStore(redis);
      if (!parts.limits) limits = shared;
    }
    const authRepo = new AuthRepository(db.orm);
    const mailer = new Mailer(db.orm, logger, { smtpUrl: config.SMTP_URL, from: config.MAIL_FROM });
    // Mail is sent as it is queued; this retries what the SMTP server could not take.
    scheduler.add({ name: 'mail-retry', everyMs: 30_000, run: () => mailer.drain() });
    scheduler.add({ name: 'purge-old-mail', everyMs: 3600_000, run: () => mailer.purge() });
    const objects = parts.objects ?? objectStore(config);
    const auth = createAuth({
      repo: authRepo,
      tokens,
      limits,
      mailer,
      objects,
      logger,
      publicUrl,
      refreshTtlS: config.REFRESH_TOKEN_TTL_S,
      adminEmails: config.ADMIN_EMAILS,
      ...parts.auth,
    });
    // After the HTTP server has closed: mail auth queues once it has answered still goes in.
    cleanup.push(() => auth.settled());
    const orgRepo = new OrgRepository(db.orm);
    const billingRepo = new BillingRepository(db.orm);
    // Organizations and billing need each other (seats; the accounts of organizations): built in
    // this order, billing looked up when a limit is checked.
    let billing: BillingService | undefined;
    const runs = (role: Role) => config.ROLES.has(role);
    // With NATS, messages to a device and orders to drop its connection reach whichever node holds it.
    const nc = config.NATS_URL ? await connectNats(config.NATS_URL) : undefined;
    if (nc) cleanup.push(() => nc.drain().catch(() => undefined));
    // INGEST=jetstream: the broker's PUBACK waits for the stream, and writer nodes fill the database from it.
    const streamed = nc && config.INGEST === 'jetstream' ? { nc, stream: config.INGEST_STREAM } : undefined;
    const ingest: TelemetrySink =
      streamed && runs('broker') ? await JetStreamTelemetry.open({ ...streamed, logger, registry }) : writer;
    // With MQTT_SESSIONS=redis, a persistent session follows its device to whichever node it reconnects to.
    const sessions =
      runs('broker') && config.MQTT_SESSIONS === 'redis' && config.REDIS_URL
        ? await connectSharedSessions({ url: config.REDIS_URL, prefix: config.MQTT_SESSIONS_PREFIX, logger })
        : undefined;
    const broker = createBroker({
      sessions,
      counters: shared,
      devices: new DeviceStore(db.orm),
      writer: ingest,
      metrics,
      logger,
      limits: brokerLimits(config),
      meter,
      plan: {
        deviceAllowed: (orgId, deviceId) => billing?.deviceAllowed(orgId, deviceId) ?? Promise.resolve(true),
        messagesPerDay: (orgId) => billing?.messagesPerDay(orgId) ?? Promise.resolve(null),
      },
    });
    // Registered before any listener: a failed listen must still close Aedes and the session store.
    cleanup.push(() => broker.close());
    scheduler.add({ name: 'broker-housekeeping', everyMs: 60_000, run: () => broker.housekeeping(), scope: 'node' });
    const deviceOrders: DeviceOrders = nc
      ? new NatsDeviceOrders({ nc, devices: broker, logger, registry })
      : new LocalDeviceOrders(broker);
    const toDevices: DevicePublisher = nc ? new NatsDevicePublisher({ nc, broker, logger, registry }) : broker;
    const orgs = new OrgService({
      orgs: orgRepo,
      users: authRepo,
      mailer,
      logger,
      publicUrl,
      onDevicesRevoked: (ids) => void deviceOrders.disconnect(ids),
      checkSeats: async (orgId, adding) => billing?.checkLimit(orgId, 'seats', adding),
    });
    scheduler.add({ name: 'purge-deleted-orgs', everyMs: 3600_000, run: () => orgs.purgeDue() });
    billing = new BillingService({
      repo: billingRepo,
      orgs: orgRepo,
      mailer,
      logger,
      stripe: stripeClient(config.STRIPE_SECRET_KEY, config.STRIPE_API_URL),
      webhookSecrets: config.STRIPE_WEBHOOK_SECRETS,
      prices: { pro: config.STRIPE_PRICE_PRO, enterprise: config.STRIPE_PRICE_ENTERPRISE },
      publicUrl,
      graceDays: config.BILLING_GRACE_DAYS,
      meterEvent: config.STRIPE_METER_EVENT,
      creditsPerMillionOverage: config.CREDITS_PER_MILLION_OVERAGE,
      creditsPerDeviceLicense: config.CREDITS_PER_DEVICE_LICENSE,
    });
    const payments = billing;
    scheduler.add({ name: 'stripe-events', everyMs: 60_000, run: () => payments.drain() });
    scheduler.add({ name: 'settle-usage', everyMs: 60_000, run: () => payments.settleUsage() });
    const deviceRepo = new DeviceRepository(db.orm);
    const telemetry = new TelemetryService(new TelemetryRepository(db.orm), { timescale: db.timescale });
    scheduler.add({
      name: 'telemetry-retention',
      everyMs: 3600_000,
      // With billing on, retention follows each organization's plan; without, only explicit settings apply.
      run: () =>
        telemetry.applyRetention(
          payments.configured
            ? Object.fromEntries(Object.entries(PLANS).map(([n, l]) => [n, l.retention_days]))
            : undefined,
        ),
    });
    const answers = nc ? new NatsCommandAnswers({ nc, logger }) : undefined;
    const twins = new TwinService(new TwinRepository(db.orm), deviceRepo, toDevices, logger, answers && { answers });
    answers?.listen((deviceId, commandId) => void twins.answered(deviceId, commandId));
    scheduler.add({ name: 'expire-commands', everyMs: 30_000, run: () => twins.expireDue() });
    // Ports are known once listening: devices get the broker's, and fetch artifacts from PUBLIC_URL
    // or from this host on the HTTP port.
    const ports = { http: config.HTTP_PORT, mqtt: { host: new URL(publicUrl).hostname, port: config.MQTT_PORT } };
    const downloadBase = () =>
      config.PUBLIC_URL ?? `http://${config.HTTP_HOST === '0.0.0.0' ? 'localhost' : config.HTTP_HOST}:${ports.http}`;
    const otaRepo = new OtaRepository(db.orm);
    // A held rollout lock keeps a pool connection: at most two at once leave the pool to the work.
    const lockSlots = pLimit(2);
    const releases = new ReleaseService({
      repo: otaRepo,
      objects,
      tmpDir: join(config.DATA_DIR, 'tmp'),
      maxArtifactBytes: config.OTA_MAX_ARTIFACT_BYTES,
    });
    const rollouts = new RolloutService({
      checkLimit: (orgId) => payments.checkLimit(orgId, 'rollouts_per_month', 1),
      clusterLock:
        db.kind === 'embedded' ? undefined : (key, work) => lockSlots(() => withDatabaseLock(db.sql, key, work)),
      repo: otaRepo,
      devices: deviceRepo,
      orgs: orgRepo,
      broker: toDevices,
      logger,
      registry,
      downloadUrl: async (deviceId, releaseId) => {
        const token = await tokens.signDownload(deviceId, releaseId, config.OTA_URL_TTL_S);
        return {
          url: `${downloadBase()}/v1/ota/download/${releaseId}?token=${token}`,
          expires_at: new Date(Date.now() + config.OTA_URL_TTL_S * 1000).toISOString(),
        };
      },
    });
    // What devices say reaches the service that handles it: the topic is parsed once.
    routeDeviceEvents(broker.deviceEvents, { twins, rollouts });
    // Server-sent event streams on any node carry the changes made on every node.
    if (nc) relayOtaEvents({ nc, events: rollouts.events, logger });
    scheduler.add({ name: 'advance-rollouts', everyMs: config.OTA_TICK_MS, run: () => rollouts.tick() });
    const devices = new DeviceService({
      devices: deviceRepo,
      mqtt: ports.mqtt,
      disconnect: (ids) => void deviceOrders.disconnect(ids),
      checkLimit: (orgId, adding) => payments.checkLimit(orgId, 'devices', adding),
    });
    // A node without the api role serves only health, readiness, metrics and docs.
    const api = runs('api');
    const app = createApp({
      ...(api
        ? {
            ota: { releases, rollouts, redirectDownloads: config.OTA_DOWNLOAD_REDIRECT },
            auth: { ...auth, tokens, limits },
            orgs: { repo: orgRepo, service: orgs },
            twins,
            billing,
            meter,
            grafana: new GrafanaAccess(db, grafanaEndpoint(config.DATABASE_URL, db.wirePort)),
            devices,
            telemetry,
          }
        : {}),
      logger,
      registry,
      trustedProxies: config.TRUSTED_PROXIES,
      checks: {
        database: () => db.ping(),
        // Reachable is not enough: ready means telemetry is being stored.
        ...((streamed ? runs('writer') : runs('broker'))
          ? {
              telemetry: async () => {
                if (writer.problem) throw new Error(writer.problem);
              },
            }
          : {}),
        ...(runs('broker')
          ? {
              broker: async () => {
                if (!broker.listening) throw new Error('MQTT listener is not accepting connections');
              },
            }
          : {}),
      },
    });

    let closing: Promise<void> | undefined;
    let http: Server | undefined;
    const platform: Platform = {
      config,
      db,
      registry,
      app,
      writer,
      broker,
      meter,
      tokens,
      auth,
      orgs,
      billing,
      deviceService: devices,
      twins,
      rollouts,
      scheduler,
      embeddedJobs,
      async start() {
        logger.info({ roles: [...config.ROLES] }, 'starting the roles of this node');
        let mqttPort = 0;
        let mqttsPort: number | undefined;
        if (runs('broker')) {
          // Behind HAProxy (`send-proxy`), the PROXY header names the device's address for limits and logs.
          const proxied = config.MQTT_PROXY_PROTOCOL ? { trusted: config.TRUSTED_PROXIES } : undefined;
          mqttPort = await bind('MQTT_PORT', config.MQTT_PORT, () =>
            broker.listen(config.MQTT_PORT, config.MQTT_HOST, undefined, proxied),
          );
          ports.mqtt.port = mqttPort;
          logger.info({ port: mqttPort }, 'MQTT broker listening');
        }
        const tls = runs('broker') ? await tlsFiles(config.MQTT_TLS_CERT, config.MQTT_TLS_KEY) : undefined;
        if (tls) {
          mqttsPort = await bind('MQTTS_PORT', config.MQTTS_PORT, () =>
            broker.listen(config.MQTTS_PORT, config.MQTT_HOST, tls),
          );
          logger.info({ port: mqttsPort }, 'MQTT over TLS listening');
        }
        const listening = await bind('HTTP_PORT', config.HTTP_PORT, () =>
          listenHttp(app.fetch, config.HTTP_PORT, config.HTTP_HOST),
        );
        http = listening.server;
        // Closed first on shutdown: no new requests while the rest flushes.
        cleanup.push(() => new Promise<void>((resolve) => listening.server.close(() => resolve())));
        ports.http = listening.port;
        logger.info({ port: listening.port }, 'HTTP API listening');
        if (streamed && runs('writer')) {
          const consumer = await TelemetryConsumer.start({ ...streamed, writer, logger, registry });
          // Runs before the NATS connection drains: what is in hand is written and acknowledged first.
          cleanup.push(() => consumer.close());
          logger.info({ stream: streamed.stream }, 'writing telemetry from the stream');
        }
        scheduler.start(runs('worker') ? 'all' : 'node');
        return Object.assign(platform, { httpPort: listening.port, mqttPort, mqttsPort });
      },
      // Reverse start order: stop taking connections, flush the writer, close the database.
      // Within SHUTDOWN_TIMEOUT_MS even when the database hangs: a step still waiting when its share
      // of the budget is gone is left behind (what was acknowledged is stored already), and the
      // database is closed last whatever happened.
      close: () => {
        closing ??= (async () => {
          const deadline = Date.now() + config.SHUTDOWN_TIMEOUT_MS;
          http?.closeAllConnections?.();
          await withTimeout(scheduler.stop(), config.SHUTDOWN_TIMEOUT_MS).catch(() => undefined); // no new runs
          let late = 0;
          for (const step of cleanup.reverse()) {
            const leftMs = Math.max(deadline - Date.now(), 1000);
            await withTimeout(step(leftMs), leftMs).catch((err: Error) => {
              late++;
              logger.warn({ err: err.message }, 'a shutdown step did not finish');
            });
          }
          if (late) logger.warn({ steps: late }, 'stopped with shutdown steps left unfinished');
        })();
        return closing;
      },
    };
    return platform;
  } catch (err) {
    await undo();
    throw err;
  }
}

/** S3 when S3_ENDPOINT is set, else files under DATA_DIR. */
function objectStore(config: PlatformConfig): ObjectStore {
  return config.S3_ENDPOINT
    ? new S3ObjectStore({
        endpoint: config.S3_ENDPOINT,
        accessKey: config.S3_ACCESS_KEY ?? '',
        secretKey: config.S3_SECRET_KEY ?? '',
        bucket: config.S3_BUCKET,
        region: config.S3_REGION,
      })
    : new FileObjectStore(join(config.DATA_DIR, 'objects'));
}

/** The broker's TLS certificate and key, read from their files; both or neither. */
async function tlsFiles(cert: string | undefined, key: string | undefined) {
  if (!cert && !key) return undefined;
  if (!cert || !key) throw new ConfigError(['set both MQTT_TLS_CERT and MQTT_TLS_KEY (PEM files), or neither']);
  const read = (variable: string, path: string) =>
    readFile(path).catch(() => {
      throw new ConfigError([`${variable}: cannot read ${path}`]);
    });
  return { cert: await read('MQTT_TLS_CERT', cert), key: await read('MQTT_TLS_KEY', key) };
}

async function bind<T>(variable: string, port: number, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUse(variable, port, { cause: err });
    throw err;
  }
}

function listenHttp(fetch: (req: Request) => Response | Promise<Response>, port: number, hostname: string) {
  return new Promise<{ server: Server; port: number }>((resolve, reject) => {
    const server = serve({ fetch, port, hostname }, (info) =>
      resolve({ server: server as Server, port: info.port }),
    ) as Server;
    server.once('error', reject);
  });
}

/** The database as Grafana reaches it: the server of DATABASE_URL, or the embedded wire port. */
function grafanaEndpoint(url: string | undefined, wirePort: number | undefined): GrafanaEndpoint {
  if (!url) return { host: '127.0.0.1', port: wirePort ?? 5433, database: 'postgres' };
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 5432), database: u.pathname.slice(1) || 'postgres' };
}
