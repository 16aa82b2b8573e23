import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SqlClient } from '@iotp/db';
import { createTestDatabase } from '@iotp/db/testing';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import type { AuthOptions } from './auth/create-auth.ts';
import { DEFAULT_RATE_LIMITS } from './auth/credential-limits.ts';
import type { CounterStore } from './auth/rate-limit.ts';
import type { PlanName } from './billing/plans.ts';
import { loadConfig } from './config.ts';
import { buildPlatform } from './platform.ts';
import type { ObjectStore } from './storage/object-store.ts';

/** Puts an organization on a plan, as a paid subscription would (plan limits hold as in production). */
export function putOnPlan(sql: SqlClient, orgId: string, plan: PlanName) {
  return sql.query(
    'INSERT INTO billing_accounts (org_id, plan) VALUES ($1, $2) ON CONFLICT (org_id) DO UPDATE SET plan = excluded.plan',
    [orgId, plan],
  );
}

export const logger = pino({ level: process.env.TEST_LOG ?? 'silent' });
export const ISSUER = 'http://localhost:8080';

/**
 * The platform as production builds it (`buildPlatform`), not listening, on a fresh test database;
 * requests go to its HTTP app in process.
 */
export async function authHarness(
  options: Pick<AuthOptions, 'rateLimits' | 'refreshReuseGraceS' | 'adminEmails'> & {
    objects?: ObjectStore;
    limits?: CounterStore;
    database?: 'postgres' | 'embedded';
    /** More configuration, as environment variables (e.g. `MQTT_MESSAGES_PER_S`). */
    env?: Record<string, string>;
    /** Billing through the real Stripe SDK pointed at `apiUrl`. */
    stripe?: { apiUrl: string; webhookSecrets: string[]; prices: Record<string, string> };
  } = {},
) {
  const embedded = options.database === 'embedded';
  const testDb = embedded ? undefined : await createTestDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), 'iotp-db-'));
  const { stripe } = options;
  const config = loadConfig({
    DATA_DIR: dataDir,
    ...(testDb ? { DATABASE_URL: testDb.url } : {}),
    EMBEDDED_PG_PORT: '0',
    HTTP_PORT: '0',
    // Never listens here: the port devices are told is the default.
    MQTT_PORT: '1883',
    PUBLIC_URL: ISSUER,
    ADMIN_EMAILS: (options.adminEmails ?? []).join(','),
    ...(stripe
      ? {
          STRIPE_SECRET_KEY: 'sk_test_platform',
          STRIPE_API_URL: stripe.apiUrl,
          STRIPE_WEBHOOK_SECRETS: stripe.webhookSecrets.join(','),
          STRIPE_PRICE_PRO: stripe.prices.pro,
          STRIPE_PRICE_ENTERPRISE: stripe.prices.enterprise,
          STRIPE_METER_EVENT: 'data_points',
        }
      : {}),
    ...options.env,
  });
  const platform = await buildPlatform(config, logger, {
    objects: options.objects,
    limits: options.limits,
    auth: {
      // Every test request comes from one address: lift the per-address limits unless a test sets them.
      rateLimits: {
        ...Object.fromEntries(Object.keys(DEFAULT_RATE_LIMITS).map((k) => [k, [10_000, 60]])),
        ...options.rateLimits,
      },
      refreshReuseGraceS: options.refreshReuseGraceS,
    },
  });
  const { db, app, tokens, auth: service, orgs: orgService, billing } = platform;
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
  const onPlan = (orgId: string, plan: PlanName) => putOnPlan(db.sql, orgId, plan);
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
    onPlan,
    tokenIn,
    signupAndLogin,
    platform,
    async close() {
      await platform.close();
      await testDb?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A real SMTP server on a free port (or `port`), keeping each mail's raw text; `refuse` makes it answer RCPT for that address with 550. */
export async function smtpServer({ refuse, port: wanted = 0 }: { refuse?: string; port?: number } = {}) {
  const received: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onRcptTo(address, _session, done) {
      if (address.address === refuse) return done(Object.assign(new Error('no such mailbox'), { responseCode: 550 }));
      done();
    },
    onData(stream, _session, done) {
      let data = '';
      stream.on('data', (d) => {
        data += d;
      });
      stream.on('end', () => {
        received.push(data);
        done();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(wanted, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Waits until `check` holds, or fails naming `what` after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, what = 'condition', timeoutMs = 20_000) {
  for (const end = Date.now() + timeoutMs; Date.now() < end; await new Promise((r) => setTimeout(r, 20)))
    if (await check()) return;
  throw new Error(`timed out waiting for ${what}`);
}
