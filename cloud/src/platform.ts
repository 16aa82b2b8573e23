import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { type BatchWriter, type BillingAccount, ConfigError, type createBroker, type UsageMeter } from '@iotp/broker';
import { type Database, type EmbeddedJobs, openDatabase } from '@iotp/db';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { App } from './app.ts';
import type { Auth } from './auth/create-auth.ts';
import type { TokenService } from './auth/tokens.ts';
import type { BillingService } from './billing/billing.service.ts';
import { AppRelay } from './cluster/app-relay.ts';
import { connectNats } from './cluster/nats.ts';
import { TelemetryConsumer } from './cluster/telemetry-consumer.ts';
import type { PlatformConfig, Role } from './config.ts';
import { prepareDataDir } from './data-dir.ts';
import { routeDeviceEvents } from './device-router.ts';
import type { DeviceService } from './devices/device.service.ts';
import { OrgDeviceIndex } from './devices/org-device-index.ts';
import type { EventService } from './events/event.service.ts';
import { eventsToApps } from './events/events-to-apps.ts';
import { recordLostConnections, recordPlatformEvents } from './events/platform-events.ts';
import { DatabaseJobLeases } from './job-lease.ts';
import { OrgRepository } from './orgs/org.repository.ts';
import type { OrgService } from './orgs/org.service.ts';
import type { RolloutService } from './ota/rollout.service.ts';
import { Scheduler } from './scheduler.ts';
import type { DeletedObjects } from './storage/deleted-objects.ts';
import type { TwinService } from './twin/twin.service.ts';
import { type AccountParts, wireAccounts } from './wiring/accounts.ts';
import { wireAnalytics } from './wiring/analytics.ts';
import { wireBroker } from './wiring/broker.ts';
import { wireDeviceIngest } from './wiring/device-ingest.ts';
import { wireDevices } from './wiring/devices.ts';
import { wireEvents, wireWebhooks } from './wiring/events.ts';
import { wireFiles } from './wiring/files.ts';
import { wireApp, wireConsole } from './wiring/http.ts';
import { wireIngest } from './wiring/ingest.ts';
import { wireNotify } from './wiring/notify.ts';
import { wireBilling, wireOrgs } from './wiring/organizations.ts';
import { wireOta } from './wiring/ota.ts';
import { wireRules } from './wiring/rules.ts';
import { wireTasks } from './wiring/tasks.ts';
import type { Wiring } from './wiring/wiring.ts';
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
export type PlatformParts = AccountParts;

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
  /** Deletes from the object store what triggers recorded as gone (the job `sweep-deleted-objects`). */
  deletedObjects: DeletedObjects;
  tokens: TokenService;
  auth: Auth;
  orgs: OrgService;
  billing: BillingService;
  /** The device registry (named apart from tests' `devices` store). */
  deviceService: DeviceService;
  twins: TwinService;
  rollouts: RolloutService;
  /** The outbox of domain events: record, page, follow. */
  events: EventService;
  webhooks: ReturnType<typeof wireWebhooks>;
  /** What the platform tells people: alarms, notices and transactional mail; users' inboxes and organizations' routes. */
  notify: ReturnType<typeof wireNotify>;
  /** Rules, alarms and the engine that evaluates rules on the broker's readings. */
  rules: Awaited<ReturnType<typeof wireRules>>;
  /** Background jobs by name (`scheduler.list()`); they run once the platform is started. */
  scheduler: Scheduler;
  /** TimescaleDB's jobs, run by the platform itself on the embedded database. */
  embeddedJobs?: EmbeddedJobs;
  /** Long work as tasks with a status (`tasks.enqueue`); run on nodes with the worker role. */
  tasks: ReturnType<typeof wireTasks>['tasks'];
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
  /** The MQTT-over-secure-WebSocket port, when a certificate is configured. */
  mqttWssPort?: number;
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
    const runs = (role: Role) => config.ROLES.has(role);
    // With NATS, messages to a device and orders to drop its connection reach whichever node holds it.
    const nc = config.NATS_URL ? await connectNats(config.NATS_URL) : undefined;
    if (nc) cleanup.push(() => nc.drain().catch(() => undefined));
    const publicUrl = config.PUBLIC_URL ?? `http://localhost:${config.HTTP_PORT}`;
    const w: Wiring = {
      config,
      logger,
      registry,
      db,
      scheduler,
      onClose: (step) => void cleanup.push(step),
      runs,
      nc,
      publicUrl,
    };
    // First: every part records what happens through it.
    const events = await wireEvents(w);
    // Then what tells people: the services below send their mail and notices through it.
    const notify = wireNotify(w, { events });

    const { metrics, writer, meter, embeddedJobs } = await wireIngest(w);
    const { tokens, limits, shared, authRepo, objects, auth, callers, deletedObjects } = await wireAccounts(w, parts, {
      notify: notify.notifier,
    });
    const orgRepo = new OrgRepository(db.orm, () => callers.changed());
    const billing = wireBilling(w, { orgs: orgRepo, notify: notify.notifier });
    // Loaded before the broker takes readings; a rule's command goes out as the API sends one.
    const rules = await wireRules(w, {
      events,
      sendCommand: (orgId, deviceId, name, params) =>
        twins.send(orgId, deviceId, { name, params, timeout_s: 0, ttl_s: 3600 }),
    });
    const plan = {
      admission: (orgId: string, deviceId: string, account?: BillingAccount) =>
        billing.admission(orgId, deviceId, account),
      messagesPerDay: (orgId: string) => billing.messagesPerDay(orgId),
    };
    // Applications subscribe with an organization API key; the devices they may hear are kept in
    // memory per organization, current through the event feed.
    const orgDevices = new OrgDeviceIndex((orgId) => deviceRepo.ids(orgId), events);
    cleanup.push(async () => orgDevices.close());
    // Devices marked offline because their node died (a sweep, or this single node's start): counted and told.
    const lostConnections = (deviceIds: string[]) => {
      metrics.lostConnections.inc(deviceIds.length);
      recordLostConnections(events, deviceIds, logger);
    };
    const { broker, streamed, deviceOrders, toDevices, ...ingest } = await wireBroker(w, {
      apps: { verifyKey: (secret) => auth.apiKeys.orgKey(secret), devices: orgDevices },
      onReadings: rules.engine.onReadings,
      writer,
      meter,
      metrics,
      shared,
      plan,
      register: (orgId, deviceId) => devices.adopt(orgId, deviceId),
      onLost: (deviceIds) => lostConnections(deviceIds),
    });
    // Telemetry over HTTP takes the broker's path: its credential check, limits and sink.
    const deviceTelemetry = wireDeviceIngest(w, {
      devices: ingest.devices,
      sink: ingest.ingest,
      limits: broker.limits,
      quotas: broker.quotas,
      meter,
      plan,
      onReadings: rules.engine.onReadings,
      failures: limits,
      rateLimits: parts.auth?.rateLimits,
    });
    const orgs = wireOrgs(w, {
      orgs: orgRepo,
      users: authRepo,
      notify: notify.notifier,
      billing,
      deviceOrders,
      events,
    });
    // Ports are known once listening: devices get the broker's, and fetch artifacts from PUBLIC_URL
    // or from this host on the HTTP port.
    const ports = { http: config.HTTP_PORT, mqtt: { host: new URL(publicUrl).hostname, port: config.MQTT_PORT } };
    const { deviceRepo, telemetry, twins, devices, deviceCas } = wireDevices(w, {
      events,
      billing,
      toDevices,
      deviceOrders,
      mqtt: ports.mqtt,
    });
    const { releases, rollouts } = wireOta(w, {
      events,
      objects,
      tokens,
      billing,
      toDevices,
      devices: deviceRepo,
      orgs: orgRepo,
      downloadBase: () =>
        config.PUBLIC_URL ?? `http://${config.HTTP_HOST === '0.0.0.0' ? 'localhost' : config.HTTP_HOST}:${ports.http}`,
    });
    // What devices say reaches the service that handles it: the topic is parsed once.
    routeDeviceEvents(broker.deviceEvents, { twins, rollouts });
    if (runs('broker')) {
      const stop = eventsToApps(events, broker, logger);
      cleanup.push(async () => stop());
      // Several nodes: applications hear their organization's devices on whichever node they are.
      if (nc) {
        const relay = new AppRelay({ nc, broker, logger, registry });
        orgDevices.onHeld = (orgId, held) => relay.held(orgId, held);
        cleanup.push(async () => relay.close());
      }
    }
    recordPlatformEvents(events, { devices: broker.deviceEvents, ota: rollouts.events, logger });
    const webhooks = wireWebhooks(w, { events, notify: notify.notifier });
    const tasks = wireTasks(w, { telemetry, objects, orgs, devices });
    const files = wireFiles(w, { objects, billing });
    const analytics = await wireAnalytics(w, { orgs: orgRepo, billing, limits });
    const app = wireApp(w, {
      api: {
        ota: { releases, rollouts, redirectDownloads: config.OTA_DOWNLOAD_REDIRECT },
        auth: { ...auth, tokens, limits },
        orgs: { repo: orgRepo, service: orgs },
        twins,
        billing,
        rules: { rules: rules.rules, alarms: rules.alarms },
        events,
        webhooks: webhooks.webhooks,
        notifications: notify.notifications,
        meter,
        devices,
        deviceCas,
        telemetry,
        deviceTelemetry,
        tasks: { tasks: tasks.tasks, objects },
        files,
        analytics,
        webConsole: await wireConsole(w),
      },
      writer,
      broker,
      streamed: streamed !== undefined,
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
      deletedObjects,
      tokens,
      auth,
      orgs,
      billing,
      deviceService: devices,
      twins,
      rollouts,
      events,
      webhooks,
      notify,
      rules,
      scheduler,
      embeddedJobs,
      tasks: tasks.tasks,
      async start() {
        logger.info({ roles: [...config.ROLES] }, 'starting the roles of this node');
        let mqttPort = 0;
        let mqttsPort: number | undefined;
        let mqttWssPort: number | undefined;
        if (runs('broker')) {
          // One node (no NATS) holds every connection: the devices a killed run left online are not.
          if (!nc) {
            const ended = await ingest.devices.endPresence();
            if (ended.length) {
              logger.info({ devices: ended.length }, 'devices the last run left online marked offline');
              lostConnections(ended);
            }
          }
          // Alive in broker_nodes before the first connection is written as this node's.
          await broker.heartbeat();
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
        if (runs('broker') && config.MQTT_WS_PATH) {
          const dropWebSockets = await broker.acceptWebSockets(listening.server, {
            path: config.MQTT_WS_PATH,
            trusted: config.TRUSTED_PROXIES,
          });
          // Before the HTTP server closes, which would wait for them.
          cleanup.push(async () => dropWebSockets());
          logger.info({ path: config.MQTT_WS_PATH }, 'MQTT over WebSocket on the HTTP port');
        }
        if (tls && config.MQTT_WS_PATH) {
          mqttWssPort = await bind('MQTT_WSS_PORT', config.MQTT_WSS_PORT, () =>
            broker.listenWebSocket(config.MQTT_WSS_PORT, config.MQTT_HOST, tls, {
              path: config.MQTT_WS_PATH,
              trusted: config.TRUSTED_PROXIES,
            }),
          );
          logger.info({ port: mqttWssPort, path: config.MQTT_WS_PATH }, 'MQTT over secure WebSocket listening');
        }
        ports.http = listening.port;
        logger.info({ port: listening.port }, 'HTTP API listening');
        if (streamed && runs('writer')) {
          const consumer = await TelemetryConsumer.start({ ...streamed, writer, logger, registry });
          // Runs before the NATS connection drains: what is in hand is written and acknowledged first.
          cleanup.push(() => consumer.close());
          logger.info({ stream: streamed.stream }, 'writing telemetry from the stream');
        }
        scheduler.start(runs('worker') ? 'all' : 'node');
        await tasks.start();
        return Object.assign(platform, { httpPort: listening.port, mqttPort, mqttsPort, mqttWssPort });
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
    // Longer than a load balancer's idle timeout (HAProxy, cloud balancers: 60 s), so the server never
    // closes a kept-alive connection the balancer is about to reuse; Node's 5 s default does.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
  });
}
