import { join } from 'node:path';
import { Redis } from 'ioredis';
import { AccountRepository } from '../auth/account.repository.ts';
import { AuthRepository } from '../auth/auth.repository.ts';
import { CallerCache } from '../auth/caller-cache.ts';
import { type AuthOptions, createAuth } from '../auth/create-auth.ts';
import { type CounterStore, MemoryCounterStore, RedisCounterStore } from '../auth/rate-limit.ts';
import { TokenService } from '../auth/tokens.ts';
import type { PlatformConfig } from '../config.ts';
import type { MailPort } from '../notify/port.ts';
import { DeletedObjects } from '../storage/deleted-objects.ts';
import { FileObjectStore, type ObjectStore, S3ObjectStore } from '../storage/object-store.ts';
import type { Wiring } from './wiring.ts';

/** Parts of the accounts a caller may supply instead of those the configuration names (tests, benchmarks). */
export interface AccountParts {
  /** Where avatars and firmware artifacts are kept; by default S3 when S3_ENDPOINT is set, else DATA_DIR. */
  objects?: ObjectStore;
  /** Counters of the rate limits; by default Redis when REDIS_URL is set, else in memory. */
  limits?: CounterStore;
  /** Tuning of the accounts service (rate limits, refresh-reuse grace) beyond the configuration. */
  auth?: Pick<AuthOptions, 'rateLimits' | 'refreshReuseGraceS'>;
}

/**
 * Accounts and what they lean on: tokens, the rate-limit counters (in Redis when REDIS_URL is set,
 * shared with the broker's connection limit), and the object store; their mail goes through `notify`.
 */
export async function wireAccounts(
  { config, logger, db, onClose, publicUrl, nc, scheduler }: Wiring,
  parts: AccountParts,
  { notify }: { notify: MailPort },
) {
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
    onClose(async () => void redis.disconnect());
    shared = new RedisCounterStore(redis);
    if (!parts.limits) limits = shared;
  }
  // Who a session is and its roles, remembered briefly; every node forgets on any change (NATS).
  const callers = new CallerCache({ ttlMs: config.AUTH_CACHE_TTL_MS, nc, logger });
  const authRepo = new AuthRepository(db.orm, () => callers.changed());
  const objects = parts.objects ?? objectStore(config);
  const auth = createAuth({
    repo: authRepo,
    accounts: new AccountRepository(db.orm, () => callers.changed()),
    tokens,
    limits,
    notify,
    objects,
    logger,
    publicUrl,
    refreshTtlS: config.REFRESH_TOKEN_TTL_S,
    adminEmails: config.ADMIN_EMAILS,
    callers,
    deletionGraceDays: config.ACCOUNT_DELETION_GRACE_DAYS,
    ...parts.auth,
  });
  // Accounts past their deletion grace period go, with their personal data (once across the cluster).
  scheduler.add({ name: 'purge-deleted-accounts', everyMs: 3600_000, run: () => auth.account.purgeDue() });
  // Objects of files, releases and accounts that are gone leave the store (once across the cluster).
  const deletedObjects = new DeletedObjects({ sql: db.sql, objects, logger });
  scheduler.add({ name: 'sweep-deleted-objects', everyMs: 60_000, run: () => deletedObjects.sweep() });
  // After the HTTP server has closed: mail auth queues once it has answered still goes in.
  onClose(() => auth.settled());
  return { tokens, limits, shared, authRepo, objects, auth, callers, deletedObjects };
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
