import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, openDatabase } from '@iotp/db';
import { createTestDatabase } from '@iotp/db/testing';
import pino from 'pino';
import { Registry } from 'prom-client';
import { createApp } from '../app.ts';
import { BillingRepository } from '../billing/billing.repository.ts';
import { BillingService } from '../billing/billing.service.ts';
import { stripeClient } from '../billing/stripe-client.ts';
import { DeviceRepository } from '../devices/device.repository.ts';
import { DeviceService } from '../devices/device.service.ts';
import { GrafanaAccess } from '../grafana/grafana-access.ts';
import { Mailer } from '../mail/mailer.ts';
import { OrgRepository } from '../orgs/org.repository.ts';
import { OrgService } from '../orgs/org.service.ts';
import { OtaRepository } from '../ota/ota.repository.ts';
import { ReleaseService } from '../ota/release.service.ts';
import { RolloutService } from '../ota/rollout.service.ts';
import { FileObjectStore } from '../storage/object-store.ts';
import { TelemetryRepository } from '../telemetry/telemetry.repository.ts';
import { TelemetryService } from '../telemetry/telemetry.service.ts';
import { AuthRepository } from './auth.repository.ts';
import { AuthService, type AuthServiceOptions, DEFAULT_RATE_LIMITS } from './auth.service.ts';
import { type CounterStore, MemoryCounterStore } from './rate-limit.ts';
import { TokenService } from './tokens.ts';

export const logger = pino({ level: process.env.TEST_LOG ?? 'silent' });
export const ISSUER = 'http://localhost:8080';

/** The HTTP app with real auth services on a fresh test database. */
export async function authHarness(
  options: Partial<AuthServiceOptions> & {
    limits?: CounterStore;
    database?: 'postgres' | 'embedded';
    /** Billing through the real Stripe SDK pointed at `apiUrl`. */
    stripe?: { apiUrl: string; webhookSecrets: string[]; prices: Record<string, string> };
  } = {},
) {
  const embedded = options.database === 'embedded';
  const testDb = embedded ? undefined : await createTestDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), 'iotp-db-'));
  const db: Database = await openDatabase({ url: testDb?.url, dataDir, embeddedPort: null, logger });
  const tokens = await new TokenService(db.orm, { issuer: ISSUER, audience: 'iot-platform' }).init();
  const repo = new AuthRepository(db.orm);
  const limits = options.limits ?? new MemoryCounterStore();
  const service = new AuthService({
    repo,
    tokens,
    limits,
    mailer: new Mailer(db.orm, logger),
    objects: options.objects ?? new FileObjectStore(await mkdtemp(join(tmpdir(), 'iotp-objects-'))),
    logger,
    // Every test request comes from one address: lift the per-address limits unless a test sets them.
    ...options,
    rateLimits: {
      ...Object.fromEntries(Object.keys(DEFAULT_RATE_LIMITS).map((k) => [k, [10_000, 60]])),
      ...options.rateLimits,
    },
  });
  const orgRepo = new OrgRepository(db.orm);
  const orgService = new OrgService({
    orgs: orgRepo,
    users: repo,
    mailer: new Mailer(db.orm, logger),
    logger,
    checkSeats: options.stripe ? (orgId, n) => billing.checkLimit(orgId, 'seats', n) : undefined,
  });
  const billing = new BillingService({
    repo: new BillingRepository(db.orm),
    orgs: orgRepo,
    mailer: new Mailer(db.orm, logger),
    logger,
    stripe: options.stripe ? stripeClient('sk_test_platform', options.stripe.apiUrl) : undefined,
    webhookSecrets: options.stripe?.webhookSecrets ?? [],
    prices: options.stripe?.prices ?? {},
    publicUrl: ISSUER,
    meterEvent: options.stripe ? 'data_points' : undefined,
  });
  const devices = new DeviceService({
    devices: new DeviceRepository(db.orm),
    mqtt: { host: 'localhost', port: 1883 },
    // Plan limits only where a test asks for billing.
    checkLimit: options.stripe ? (orgId, n) => billing.checkLimit(orgId, 'devices', n) : undefined,
  });
  const registry = new Registry();
  const otaRepo = new OtaRepository(db.orm);
  const objects = options.objects ?? new FileObjectStore(await mkdtemp(join(tmpdir(), 'iotp-objects-')));
  const ota = {
    releases: new ReleaseService({ repo: otaRepo, objects, tmpDir: tmpdir(), maxArtifactBytes: 64 * 1024 * 1024 }),
    rollouts: new RolloutService({
      checkLimit: options.stripe ? (orgId) => billing.checkLimit(orgId, 'rollouts_per_month', 1) : undefined,
      repo: otaRepo,
      devices: new DeviceRepository(db.orm),
      orgs: orgRepo,
      // No broker here: jobs reach devices in the end-to-end tests.
      broker: { publishToDevice: async () => undefined },
      downloadUrl: async () => ({ url: `${ISSUER}/v1/ota/download`, expires_at: new Date().toISOString() }),
      logger,
      registry,
    }),
  };
  const app = createApp({
    logger,
    registry,
    ota,
    auth: { service, tokens, limits },
    orgs: { repo: orgRepo, service: orgService },
    devices,
    billing,
    telemetry: new TelemetryService(new TelemetryRepository(db.orm), { timescale: db.timescale }),
    grafana: new GrafanaAccess(db, {
      host: '127.0.0.1',
      port: 5432,
      database: testDb ? new URL(testDb.url).pathname.slice(1) : 'postgres',
    }),
  });
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    token?: string,
    headers: Record<string, string> = {},
  ) => {
    const res = await app.request(path, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };
  /** The newest mail to `to`, from the outbox (after the work auth does once it has answered). */
  const lastMail = async (to: string) => {
    await service.settled();
    const rows = await db.sql.query<{ subject: string; text: string }>(
      'SELECT subject, text FROM mail_outbox WHERE "to" = $1 ORDER BY created_at DESC LIMIT 1',
      [to],
    );
    return rows[0];
  };
  const tokenIn = (text: string) => /Token: (\S+)/.exec(text)?.[1] ?? '';
  const signupAndLogin = async (email: string, password = 'correct horse battery') => {
    await call('POST', '/v1/auth/signup', { email, password });
    return (await call('POST', '/v1/auth/login', { email, password })).body as {
      access_token: string;
      refresh_token: string;
    };
  };
  return {
    db,
    url: testDb?.url,
    app,
    tokens,
    service,
    orgService,
    billing,
    call,
    lastMail,
    tokenIn,
    signupAndLogin,
    async close() {
      await service.settled();
      await db.close();
      await testDb?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
