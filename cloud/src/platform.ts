import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import {
  BatchWriter,
  brokerLimits,
  ConfigError,
  createBroker,
  createBrokerMetrics,
  DeviceStore,
  Spill,
  UsageMeter,
} from '@iotp/broker';
import { type Database, EmbeddedJobs, openDatabase } from '@iotp/db';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createApp } from './app.ts';
import { AuthRepository } from './auth/auth.repository.ts';
import { AuthService } from './auth/auth.service.ts';
import { type CounterStore, MemoryCounterStore, RedisCounterStore } from './auth/rate-limit.ts';
import { TokenService } from './auth/tokens.ts';
import { BillingRepository } from './billing/billing.repository.ts';
import { BillingService } from './billing/billing.service.ts';
import { PLANS } from './billing/plans.ts';
import { stripeClient } from './billing/stripe-client.ts';
import type { PlatformConfig } from './config.ts';
import { prepareDataDir } from './data-dir.ts';
import { DeviceRepository } from './devices/device.repository.ts';
import { DeviceService } from './devices/device.service.ts';
import { GrafanaAccess, type GrafanaEndpoint } from './grafana/grafana-access.ts';
import { Mailer } from './mail/mailer.ts';
import { OrgRepository } from './orgs/org.repository.ts';
import { OrgService } from './orgs/org.service.ts';
import { OtaRepository } from './ota/ota.repository.ts';
import { ReleaseService } from './ota/release.service.ts';
import { RolloutService } from './ota/rollout.service.ts';
import { FileObjectStore, S3ObjectStore } from './storage/object-store.ts';
import { TelemetryRepository } from './telemetry/telemetry.repository.ts';
import { TelemetryService } from './telemetry/telemetry.service.ts';
import { TwinRepository } from './twin/twin.repository.ts';
import { TwinService } from './twin/twin.service.ts';

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

export interface Platform {
  db: Database;
  httpPort: number;
  mqttPort: number;
  /** The MQTT-over-TLS port, when a certificate is configured. */
  mqttsPort?: number;
  writer: BatchWriter;
  broker: ReturnType<typeof createBroker>;
  twins: TwinService;
  rollouts: RolloutService;
  meter: UsageMeter;
  registry: Registry;
  /** TimescaleDB's jobs, run by the platform itself on the embedded database. */
  embeddedJobs?: EmbeddedJobs;
  /** Stops accepting, flushes what was accepted, closes the database. */
  close(): Promise<void>;
}

/**
 * Starts the whole platform in this process: database (embedded unless DATABASE_URL), telemetry
 * writer, MQTT broker and HTTP API.
 * @example const platform = await startPlatform(loadConfig(), logger);
 */
export async function startPlatform(config: PlatformConfig, logger: Logger): Promise<Platform> {
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
  const cleanup: (() => Promise<void>)[] = [() => db.close()];
  const undo = async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  };
  try {
    // PGlite has no background workers: without this, aggregates, compression and retention never run.
    const embeddedJobs =
      db.kind === 'embedded' ? new EmbeddedJobs({ sql: db.sql, logger, registry }).start() : undefined;
    if (embeddedJobs) cleanup.push(() => embeddedJobs.stop());
    const metrics = createBrokerMetrics(registry);
    const billingRef: { current?: BillingService } = {};
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
    });
    await writer.start();
    cleanup.push(() => writer.close(config.SHUTDOWN_TIMEOUT_MS));
    // Seeded from usage_daily before the broker listens, so a restart does not reset daily quotas.
    const meter = await new UsageMeter(db.sql, logger).start().seed();
    cleanup.push(() => meter.close());
    const broker = createBroker({
      devices: new DeviceStore(db.orm),
      writer,
      metrics,
      logger,
      limits: brokerLimits(config),
      meter,
      // Billing is built after the broker (it needs the organizations): look it up late.
      plan: {
        deviceAllowed: (orgId, deviceId) => billingRef.current?.deviceAllowed(orgId, deviceId) ?? Promise.resolve(true),
        messagesPerDay: (orgId) => billingRef.current?.messagesPerDay(orgId) ?? Promise.resolve(null),
      },
    });
    // Before listening: a failed listen must still stop the broker's timers, or the process never exits.
    cleanup.push(() => broker.close());
    const mqttPort = await bind('MQTT_PORT', config.MQTT_PORT, () => broker.listen(config.MQTT_PORT, config.MQTT_HOST));
    logger.info({ port: mqttPort }, 'MQTT broker listening');
    let mqttsPort: number | undefined;
    const tls = await tlsFiles(config.MQTT_TLS_CERT, config.MQTT_TLS_KEY);
    if (tls) {
      mqttsPort = await bind('MQTTS_PORT', config.MQTTS_PORT, () =>
        broker.listen(config.MQTTS_PORT, config.MQTT_HOST, tls),
      );
      logger.info({ port: mqttsPort }, 'MQTT over TLS listening');
    }

    const publicUrl = config.PUBLIC_URL ?? `http://localhost:${config.HTTP_PORT}`;
    const tokens = await new TokenService(db.orm, {
      issuer: publicUrl,
      audience: 'iot-platform',
      accessTtlS: config.ACCESS_TOKEN_TTL_S,
      signingKeyPem: config.JWT_SIGNING_KEY,
    }).init();
    let limits: CounterStore = new MemoryCounterStore();
    if (config.REDIS_URL) {
      const redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2 });
      await redis.connect();
      cleanup.push(async () => void redis.disconnect());
      limits = new RedisCounterStore(redis);
    }
    const authRepo = new AuthRepository(db.orm);
    const mailer = new Mailer(db.orm, logger, { smtpUrl: config.SMTP_URL, from: config.MAIL_FROM });
    const objects = config.S3_ENDPOINT
      ? new S3ObjectStore({
          endpoint: config.S3_ENDPOINT,
          accessKey: config.S3_ACCESS_KEY ?? '',
          secretKey: config.S3_SECRET_KEY ?? '',
          bucket: config.S3_BUCKET,
          region: config.S3_REGION,
        })
      : new FileObjectStore(join(config.DATA_DIR, 'objects'));
    const authService = new AuthService({
      repo: authRepo,
      tokens,
      limits,
      mailer,
      objects,
      logger,
      publicUrl,
      refreshTtlS: config.REFRESH_TOKEN_TTL_S,
      adminEmails: config.ADMIN_EMAILS,
    });
    // Runs after the HTTP server has closed: mail auth queues once it has answered still goes in.
    cleanup.push(() => authService.settled());
    // Mail is sent as it is queued; this pass retries what the SMTP server could not take.
    const mailRetry = setInterval(() => void mailer.drain(), 30_000).unref();
    cleanup.push(async () => clearInterval(mailRetry));
    const orgRepo = new OrgRepository(db.orm);
    const orgService = new OrgService({
      orgs: orgRepo,
      users: authRepo,
      mailer,
      logger,
      publicUrl,
      onDevicesRevoked: (ids) => broker.disconnectDevices(ids),
      // Billing is built after the organizations: look it up late.
      checkSeats: async (orgId, adding) => billingRef.current?.checkLimit(orgId, 'seats', adding),
    });
    const purge = setInterval(() => {
      orgService.purgeDue().catch((err) => logger.error({ err }, 'purging deleted organizations failed'));
    }, 3600_000).unref();
    cleanup.push(async () => clearInterval(purge));
    const billing = new BillingService({
      repo: new BillingRepository(db.orm),
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
    billingRef.current = billing;
    const drainEvents = setInterval(() => {
      billing.drain().catch((err) => logger.error({ err }, 'processing Stripe events failed'));
      billing.settleUsage().catch((err) => logger.error({ err }, 'settling usage failed'));
    }, 60_000).unref();
    cleanup.push(async () => clearInterval(drainEvents));
    const deviceRepo = new DeviceRepository(db.orm);
    const telemetry = new TelemetryService(new TelemetryRepository(db.orm), { timescale: db.timescale });
    const retention = setInterval(() => {
      // With billing on, retention follows each organization's plan; without, only explicit settings apply.
      const planDays = billing.configured
        ? Object.fromEntries(Object.entries(PLANS).map(([n, l]) => [n, l.retention_days]))
        : undefined;
      telemetry.applyRetention(planDays).catch((err) => logger.error({ err }, 'applying retention failed'));
    }, 3600_000).unref();
    cleanup.push(async () => clearInterval(retention));
    const twins = new TwinService(new TwinRepository(db.orm), deviceRepo, broker, logger);
    broker.deviceEvents.on(
      'message',
      (deviceId, suffix, payload) => void twins.onDeviceMessage(deviceId, suffix, payload),
    );
    broker.deviceEvents.on('subscribe', (deviceId, filter) => void twins.onDeviceSubscribe(deviceId, filter));
    const expire = setInterval(() => {
      twins.expireDue().catch((err) => logger.error({ err }, 'expiring commands failed'));
    }, 30_000).unref();
    cleanup.push(async () => clearInterval(expire));
    // Devices fetch artifacts from PUBLIC_URL; without it, from this host on the port bound below.
    let httpPort = config.HTTP_PORT;
    const downloadBase = () =>
      config.PUBLIC_URL ?? `http://${config.HTTP_HOST === '0.0.0.0' ? 'localhost' : config.HTTP_HOST}:${httpPort}`;
    const otaRepo = new OtaRepository(db.orm);
    const releases = new ReleaseService({
      repo: otaRepo,
      objects,
      tmpDir: join(config.DATA_DIR, 'tmp'),
      maxArtifactBytes: config.OTA_MAX_ARTIFACT_BYTES,
    });
    const rollouts = new RolloutService({
      checkLimit: (orgId) => billing.checkLimit(orgId, 'rollouts_per_month', 1),
      repo: otaRepo,
      devices: deviceRepo,
      orgs: orgRepo,
      broker,
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
    broker.deviceEvents.on(
      'message',
      (deviceId, suffix, payload) => void rollouts.onDeviceMessage(deviceId, suffix, payload),
    );
    broker.deviceEvents.on('subscribe', (deviceId, filter) => void rollouts.onDeviceSubscribe(deviceId, filter));
    const rolloutTimer = setInterval(() => {
      rollouts.tick().catch((err) => logger.error({ err }, 'advancing rollouts failed'));
    }, config.OTA_TICK_MS).unref();
    cleanup.push(async () => clearInterval(rolloutTimer));
    const app = createApp({
      ota: { releases, rollouts, redirectDownloads: config.OTA_DOWNLOAD_REDIRECT },
      logger,
      registry,
      auth: { service: authService, tokens, limits },
      orgs: { repo: orgRepo, service: orgService },
      twins,
      billing,
      meter,
      grafana: new GrafanaAccess(db, grafanaEndpoint(config.DATABASE_URL, db.wirePort)),
      devices: new DeviceService({
        devices: deviceRepo,
        mqtt: { host: new URL(publicUrl).hostname, port: mqttPort },
        disconnect: (ids) => broker.disconnectDevices(ids),
        checkLimit: (orgId, adding) => billing.checkLimit(orgId, 'devices', adding),
      }),
      telemetry,
      checks: {
        database: () => db.ping(),
        // Reachable is not enough: ready means telemetry is being stored.
        telemetry: async () => {
          if (writer.problem) throw new Error(writer.problem);
        },
        broker: async () => {
          if (!broker.listening) throw new Error('MQTT listener is not accepting connections');
        },
      },
    });
    const http = await bind('HTTP_PORT', config.HTTP_PORT, () =>
      listenHttp(app.fetch, config.HTTP_PORT, config.HTTP_HOST),
    );
    cleanup.push(() => new Promise<void>((resolve) => http.server.close(() => resolve())));
    httpPort = http.port;
    logger.info({ port: http.port }, 'HTTP API listening');

    let closing: Promise<void> | undefined;
    return {
      db,
      httpPort: http.port,
      mqttPort,
      mqttsPort,
      writer,
      broker,
      twins,
      rollouts,
      meter,
      registry,
      embeddedJobs,
      // Reverse start order: stop taking connections, flush the writer, close the database.
      close: () => {
        closing ??= (async () => {
          http.server.closeAllConnections?.();
          for (const step of cleanup.reverse()) await step();
        })();
        return closing;
      },
    };
  } catch (err) {
    await undo();
    throw err;
  }
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
