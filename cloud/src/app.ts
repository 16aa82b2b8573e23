import { OpenAPIHono } from '@hono/zod-openapi';
import type { UsageMeter } from '@iotp/broker';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ANALYTICS_INGEST_PATH, analyticsRoutes } from './analytics/analytics.routes.ts';
import type { AnalyticsService } from './analytics/analytics.service.ts';
import type { UsageSummary } from './analytics/usage-summary.ts';
import { accountRoutes } from './auth/account.routes.ts';
import { adminRoutes } from './auth/admin.routes.ts';
import { personalApiKeyRoutes } from './auth/api-keys.routes.ts';
import { authRoutes } from './auth/auth.routes.ts';
import type { Auth } from './auth/create-auth.ts';
import { mfaRoutes } from './auth/mfa.routes.ts';
import { profileRoutes } from './auth/profile.routes.ts';
import type { CounterStore } from './auth/rate-limit.ts';
import { sameSecret } from './auth/secrets.ts';
import { sessionRoutes } from './auth/sessions.routes.ts';
import type { TokenService } from './auth/tokens.ts';
import { billingRoutes } from './billing/billing.routes.ts';
import type { BillingService } from './billing/billing.service.ts';
import { catalogRoutes } from './billing/catalog.routes.ts';
import { walletRoutes } from './billing/wallet.routes.ts';
import type { ConsoleFiles } from './console/console-files.ts';
import { serveConsole } from './console/serve-console.ts';
import type { DeviceCaService } from './device-cas/device-ca.service.ts';
import { deviceCaRoutes } from './device-cas/device-cas.routes.ts';
import { bulkDeviceRoutes } from './devices/bulk.routes.ts';
import { claimRoutes } from './devices/claim.routes.ts';
import type { DeviceService } from './devices/device.service.ts';
import { deviceRoutes } from './devices/devices.routes.ts';
import { groupRoutes } from './devices/groups.routes.ts';
import type { EventService } from './events/event.service.ts';
import { eventRoutes } from './events/events.routes.ts';
import type { FileService } from './files/file.service.ts';
import { myFileRoutes, orgFileRoutes, signedFileRoutes } from './files/files.routes.ts';
import { grafanaRoutes } from './grafana/grafana.routes.ts';
import type { GrafanaAccess } from './grafana/grafana-access.ts';
import { healthRoutes, type ReadinessChecks } from './health.routes.ts';
import { API_TAGS } from './http/api-tags.ts';
import { clientAddress } from './http/client-address.ts';
import { docsRoutes } from './http/docs.routes.ts';
import type { AppEnv } from './http/env.ts';
import { registerProblemResponses } from './http/openapi.ts';
import { describeApi } from './http/openapi-document.ts';
import {
  Invalid,
  NotFound,
  PayloadTooLarge,
  problemResponse,
  Unauthorized,
  UnsupportedMediaType,
} from './http/problem.ts';
import { requestId } from './http/request-id.ts';
import { requestLog } from './http/request-log.ts';
import { shapeRouter } from './http/shape-router.ts';
import { storableText } from './http/storable-text.ts';
import type { NotificationService } from './notify/notification.service.ts';
import { inboxRoutes, notificationRouteRoutes } from './notify/notifications.routes.ts';
import { auditTrail } from './orgs/audit.ts';
import type { OrgRepository } from './orgs/org.repository.ts';
import type { OrgService } from './orgs/org.service.ts';
import { organizationRoutes } from './orgs/orgs.routes.ts';
import { downloadRoutes } from './ota/download.routes.ts';
import { otaRoutes } from './ota/ota.routes.ts';
import type { ReleaseService } from './ota/release.service.ts';
import type { RolloutService } from './ota/rollout.service.ts';
import type { AlarmService } from './rules/alarm.service.ts';
import { alarmRoutes } from './rules/alarms.routes.ts';
import type { RuleService } from './rules/rule.service.ts';
import { ruleRoutes } from './rules/rules.routes.ts';
import type { ObjectStore } from './storage/object-store.ts';
import { auditExportRoutes } from './tasks/audit-export.routes.ts';
import type { TaskService } from './tasks/task.service.ts';
import { taskRoutes } from './tasks/tasks.routes.ts';
import { telemetryExportRoutes } from './tasks/telemetry-export.routes.ts';
import { DEVICE_TELEMETRY_PATH, deviceIngestRoutes } from './telemetry/device-ingest.routes.ts';
import type { DeviceIngest } from './telemetry/device-ingest.service.ts';
import { telemetryRoutes } from './telemetry/telemetry.routes.ts';
import type { TelemetryService } from './telemetry/telemetry.service.ts';
import { twinRoutes } from './twin/twin.routes.ts';
import type { TwinService } from './twin/twin.service.ts';
import type { WebhookService } from './webhooks/webhook.service.ts';
import { webhookRoutes } from './webhooks/webhooks.routes.ts';

export interface AppOptions {
  logger: Logger;
  /** Prometheus registry served at /metrics; the broker's metrics register here too. */
  registry: Registry;
  /** Checks behind /readyz. */
  checks?: ReadinessChecks;
  /** Accounts and authentication; without them only health, metrics and docs are served. */
  auth?: Auth & { tokens: TokenService; limits: CounterStore };
  /** Organizations, RBAC and the audit log; needs `auth`. */
  orgs?: { repo: OrgRepository; service: OrgService };
  /** The device registry and telemetry reads; needs `orgs`. */
  devices?: DeviceService;
  /** Organizations' device CAs (X.509 devices); needs `orgs`. */
  deviceCas?: DeviceCaService;
  /** Telemetry reads; needs `orgs`. */
  telemetry?: TelemetryService;
  /** Telemetry sent by devices over HTTP, with their own credentials. */
  deviceTelemetry?: DeviceIngest;
  /** Device twins and commands; needs `orgs`. */
  twins?: TwinService;
  /** Database logins for tenants' Grafana; needs `orgs`. */
  grafana?: GrafanaAccess;
  /** Plans, Stripe and the wallet; needs `orgs`. */
  billing?: BillingService;
  /** Firmware releases and rollouts; needs `orgs` and `events` (the rollout stream is one of its views). */
  ota?: { releases: ReleaseService; rollouts: RolloutService; redirectDownloads?: boolean };
  /** Rules on telemetry and the alarms they raise; needs `orgs`. */
  rules?: { rules: RuleService; alarms: AlarmService };
  /** The organization's events, paged and streamed; needs `orgs`. */
  events?: EventService;
  /** Webhook endpoints and their delivery log; needs `orgs`. */
  webhooks?: WebhookService;
  /** Users' notification inboxes and organizations' notification routes. */
  notifications?: NotificationService;
  /** Background tasks, their status and their files; needs `orgs`. */
  tasks?: { tasks: TaskService; objects: ObjectStore };
  /** Files of organizations and users; needs `auth` (and `orgs` for organizations' files). */
  files?: { service: FileService; publicUrl: string; urlTtlS: number };
  /** Product events from apps, their reads, and the usage and cost summary; needs `orgs`. */
  analytics?: { analytics: AnalyticsService; usage: UsageSummary };
  /** Counts API calls per organization. */
  meter?: UsageMeter;
  /** The built web console, served at `/` for every GET the API has no route for (outside /v1); needs `auth`. */
  webConsole?: ConsoleFiles;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes?: number;
  /** Load balancers whose X-Forwarded-For is believed (TRUSTED_PROXIES); nobody's by default. */
  trustedProxies?: readonly string[];
  /** Origins of browser apps that may call the API (CORS_ORIGINS); none by default. */
  corsOrigins?: readonly string[];
  /** When set, /metrics needs it as a bearer token (METRICS_TOKEN). */
  metricsToken?: string;
  /** Where people reach the platform (PUBLIC_URL): the server the OpenAPI document names. */
  publicUrl?: string;
}

const ARTIFACT_PATH = /^\/v1\/orgs\/[^/]+\/ota\/releases\/[^/]+\/(artifact|delta)$/;
/** Where a file's bytes are the body: streamed to storage within FILES_MAX_BYTES, in any content type. */
const FILE_BODY_PATH = /^\/v1\/(?:(?:orgs\/[^/]+|me)\/files(?:\/uploads\/[^/]+\/parts\/[^/]+)?|files\/upload)$/;
const fileBody = (path: string, method: string) => (method === 'PUT' || method === 'POST') && FILE_BODY_PATH.test(path);

/** An OpenAPIHono whose request validation failures become `invalid-request` problems. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    router: shapeRouter(),
    defaultHook: (result) => {
      if (!result.success) {
        const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
        throw new Invalid(issues.map((i) => `${i.path || '(body)'}: ${i.message}`).join('; '), { errors: issues });
      }
    },
  });
}

/**
 * The platform's HTTP API: every service's routes, health, metrics and docs.
 * @example const app = createApp({ logger, registry }); serve({ fetch: app.fetch, port: 8080 });
 */
export function createApp({
  logger,
  registry,
  checks = {},
  auth,
  orgs,
  devices,
  deviceCas,
  telemetry,
  deviceTelemetry,
  twins,
  grafana,
  billing,
  ota,
  events,
  webhooks,
  notifications,
  rules,
  tasks,
  files,
  analytics,
  meter,
  webConsole,
  maxBodyBytes = 1024 * 1024,
  trustedProxies = [],
  corsOrigins = [],
  metricsToken,
  publicUrl = 'http://localhost:8080',
}: AppOptions) {
  const log = logger.child({ component: 'http' });
  const app = createRouter();
  app.use(requestId());
  app.use(clientAddress(trustedProxies));
  // Before everything else on the API: a preflight is answered here, and a refused origin gets no
  // CORS headers (the browser then keeps the answer from the page).
  if (corsOrigins.length)
    app.use(
      '/v1/*',
      cors({
        origin: [...corsOrigins],
        allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
        allowHeaders: ['authorization', 'content-type', 'if-none-match', 'range', 'last-event-id'],
        exposeHeaders: ['x-request-id', 'retry-after', 'etag', 'location', 'content-disposition'],
        maxAge: 600,
      }),
    );
  app.use(requestLog({ logger: log, registry }));
  // Artifacts stream to storage with their own limit (OTA_MAX_ARTIFACT_BYTES), checked against the manifest.
  // Files likewise, with FILES_MAX_BYTES.
  const artifactUpload = (path: string, method: string) =>
    (method === 'PUT' && ARTIFACT_PATH.test(path)) || fileBody(path, method);
  const limitBody = bodyLimit({
    maxSize: maxBodyBytes,
    onError: () => {
      throw new PayloadTooLarge(`Send at most ${maxBodyBytes} bytes`);
    },
  });
  // GET and HEAD carry no body; asking for one would build the whole WHATWG Request of every read,
  // the most expensive part of a small request.
  const bodiless = (method: string) => method === 'GET' || method === 'HEAD';
  app.use('/v1/*', (c, next) =>
    bodiless(c.req.method) || artifactUpload(c.req.path, c.req.method) ? next() : limitBody(c, next),
  );
  app.use('/v1/*', (c, next) => {
    const type = c.req.header('content-type');
    if (!type || c.req.method === 'GET') return next();
    // Besides JSON: an avatar image, and CSV for bulk device registration.
    const image = c.req.path === '/v1/me/avatar' && /^image\//i.test(type);
    const csv = c.req.path.endsWith('/devices/bulk') && /^text\/csv/i.test(type);
    const artifact =
      fileBody(c.req.path, c.req.method) ||
      (artifactUpload(c.req.path, c.req.method) && /^application\/octet-stream/i.test(type));
    if (!image && !csv && !artifact && !/^application\/(.+\+)?json\b/i.test(type)) {
      throw new UnsupportedMediaType('Send the body as application/json');
    }
    return next();
  });
  // A file's body is bytes, not text for the database: reading it here would buffer it whole.
  const storable = storableText();
  app.use((c, next) => (fileBody(c.req.path, c.req.method) ? next() : storable(c, next)));
  if (orgs) {
    // Device telemetry is not audited, as on MQTT: its refusals are counted and logged instead.
    // Nor are product events, which are data, not changes to the organization.
    const audit = auditTrail({ orgs: orgs.repo, logger: log });
    const unaudited = (path: string) => DEVICE_TELEMETRY_PATH.test(path) || ANALYTICS_INGEST_PATH.test(path);
    app.use('/v1/*', (c, next) => (unaudited(c.req.path) ? next() : audit(c, next)));
  }
  if (meter) {
    const countCall: MiddlewareHandler<AppEnv> = async (c, next) => {
      await next();
      const org = c.get('org');
      if (org)
        meter.count(org.id, undefined, { apiCalls: 1 }, org.actor.kind === 'user' ? org.actor.userId : undefined);
    };
    app.use('/v1/orgs/*', countCall);
    app.use('/v1/analytics/*', countCall);
  }
  app.onError((err, c) => problemResponse(err, c, log));
  const consoleFiles = auth && webConsole;
  app.notFound(
    (c) =>
      (consoleFiles && serveConsole(c, consoleFiles)) ||
      problemResponse(new NotFound(`No route for ${c.req.method} ${c.req.path}`), c, log),
  );
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An access token from /v1/auth/login, or an API key (iot_...)',
  });
  registerProblemResponses(app.openAPIRegistry);

  app.route('/', healthRoutes({ checks }));
  if (deviceTelemetry) app.route('/', deviceIngestRoutes(deviceTelemetry));
  if (auth) {
    app.route('/', authRoutes(auth, auth.tokens));
    app.route('/', profileRoutes(auth));
    app.route('/', sessionRoutes(auth));
    app.route('/', personalApiKeyRoutes(auth));
    app.route('/', mfaRoutes(auth));
    app.route('/', adminRoutes(auth));
    app.route('/', accountRoutes(auth));
    if (orgs) app.route('/', organizationRoutes(auth.authenticator, orgs.repo, orgs.service));
    if (orgs && devices) {
      app.route('/', claimRoutes(auth.authenticator, orgs.repo, devices, auth.limits));
      app.route('/', deviceRoutes(auth.authenticator, orgs.repo, devices));
      app.route('/', groupRoutes(auth.authenticator, orgs.repo, devices.groups));
    }
    if (orgs && deviceCas) app.route('/', deviceCaRoutes(auth.authenticator, orgs.repo, deviceCas));
    if (orgs && devices && telemetry) {
      app.route(
        '/',
        telemetryRoutes(auth.authenticator, orgs.repo, telemetry, (orgId, groupId) =>
          devices.groupDeviceIds(orgId, groupId),
        ),
      );
    }
    if (orgs && devices && twins) app.route('/', twinRoutes(auth.authenticator, orgs.repo, twins, devices));
    if (orgs && grafana) app.route('/', grafanaRoutes(auth.authenticator, orgs.repo, grafana));
    if (orgs && billing) {
      app.route('/', billingRoutes(auth.authenticator, orgs.repo, billing));
      app.route('/', walletRoutes(auth.authenticator, orgs.repo, billing));
      app.route('/', catalogRoutes(auth.authenticator, billing.catalog));
    }
    if (orgs && rules) {
      app.route('/', ruleRoutes(auth.authenticator, orgs.repo, rules.rules));
      app.route('/', alarmRoutes(auth.authenticator, orgs.repo, rules.alarms));
    }
    if (orgs && analytics) {
      app.route('/', analyticsRoutes(auth.authenticator, orgs.repo, analytics.analytics, analytics.usage));
    }
    if (orgs && tasks) app.route('/', taskRoutes(auth.authenticator, orgs.repo, tasks.tasks, tasks.objects));
    if (orgs && tasks) app.route('/', auditExportRoutes(auth.authenticator, orgs.repo, tasks.tasks));
    if (orgs && tasks && devices) {
      app.route('/', bulkDeviceRoutes(auth.authenticator, orgs.repo, { tasks: tasks.tasks, devices }));
    }
    if (orgs && tasks && devices && telemetry) {
      const groupDeviceIds = (orgId: string, groupId: string) => devices.groupDeviceIds(orgId, groupId);
      app.route(
        '/',
        telemetryExportRoutes(auth.authenticator, orgs.repo, { tasks: tasks.tasks, telemetry, groupDeviceIds }),
      );
    }
    if (orgs && events) app.route('/', eventRoutes(auth.authenticator, orgs.repo, events));
    if (orgs && webhooks) app.route('/', webhookRoutes(auth.authenticator, orgs.repo, webhooks));
    if (notifications) app.route('/', inboxRoutes(auth.authenticator, notifications));
    if (orgs && notifications) {
      app.route('/', notificationRouteRoutes(auth.authenticator, orgs.repo, notifications));
    }
    if (files) {
      const parts = { files: files.service, tokens: auth.tokens, publicUrl: files.publicUrl, urlTtlS: files.urlTtlS };
      if (orgs) app.route('/', orgFileRoutes(auth.authenticator, orgs.repo, parts));
      app.route('/', myFileRoutes(auth.authenticator, parts));
      app.route('/', signedFileRoutes(parts));
    }
    if (orgs && ota && events) {
      app.route('/', otaRoutes(auth.authenticator, orgs.repo, ota.releases, ota.rollouts, events));
      app.route('/', downloadRoutes(ota.releases, auth.tokens, { redirect: ota.redirectDownloads }));
    }
  }
  app.get('/metrics', async (c) => {
    if (metricsToken && !sameSecret(c.req.header('authorization') ?? '', `Bearer ${metricsToken}`))
      throw new Unauthorized('Send the metrics token (METRICS_TOKEN) as a bearer token');
    return c.text(await registry.metrics(), 200, { 'content-type': registry.contentType });
  });
  let document: unknown;
  app.get('/openapi.json', (c) => {
    // Built at the first request, once every route is registered.
    document ??= describeApi(
      app.getOpenAPI31Document({
        openapi: '3.1.0',
        info: {
          title: 'IoT platform API',
          version: '0.1.0',
          description: 'Devices, telemetry, OTA, organizations and billing. Errors are RFC 9457 problem details.',
          license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
        },
      }),
      { servers: [{ url: publicUrl, description: 'This installation' }], tags: API_TAGS },
    );
    return c.json(document);
  });
  app.route('/', docsRoutes());
  return app;
}

export type App = ReturnType<typeof createApp>;
