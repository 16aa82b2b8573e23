import { OTA_STATES } from '@iotp/protocol';
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/** A tenant. Every resource that belongs to someone belongs to exactly one organization. */
export const organizations = pgTable(
  'organizations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    slug: text('slug'),
    settings: jsonb('settings').$type<{ retention_days?: number; timezone?: string }>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Set by the second step of a deletion: the organization is gone for everyone from then on. */
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    /** When its data is purged. */
    purgeAfter: timestamp('purge_after', { withTimezone: true }),
    /** Step one of a deletion: the confirmation token's hash and how long it is good for. */
    deletionTokenHash: text('deletion_token_hash'),
    deletionTokenExpiresAt: timestamp('deletion_token_expires_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('organizations_slug_idx').on(t.slug)],
);

/** Who belongs to an organization, with which role (a built-in name or a custom role's). */
export const memberships = pgTable(
  'memberships',
  {
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.userId] }), index('memberships_user_idx').on(t.userId)],
);

/** An organization's own roles: a name and the permissions it grants. */
export const orgRoles = pgTable(
  'org_roles',
  {
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    permissions: text('permissions').array().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.name] })],
);

/** Invitations by email, accepted with a mailed single-use token stored as SHA-256. */
export const invitations = pgTable(
  'invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    role: text('role').notNull(),
    tokenHash: text('token_hash').notNull(),
    invitedBy: uuid('invited_by'),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('invitations_token_idx').on(t.tokenHash), index('invitations_org_idx').on(t.orgId)],
);

/**
 * Every state-changing request and security event of an organization. Append-only: nothing updates
 * or deletes rows (a trigger refuses it). No foreign key: attempts on other organizations' ids are
 * recorded too, and the log outlives what it describes.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id'),
    actorType: text('actor_type', { enum: ['user', 'api_key', 'system', 'anonymous', 'device'] }).notNull(),
    actorId: text('actor_id'),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    result: text('result', { enum: ['success', 'failure'] }).notNull(),
    status: integer('status'),
    address: text('address'),
    userAgent: text('user_agent'),
    requestId: text('request_id'),
    detail: jsonb('detail').$type<Record<string, unknown>>(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 6 }).notNull().defaultNow(),
  },
  (t) => [index('audit_log_org_time_idx').on(t.orgId, t.createdAt.desc(), t.id)],
);

/**
 * A device and its MQTT credential. The secret is 256 random bits, stored only as its SHA-256:
 * a slow hash (argon2) protects guessable passwords; it adds nothing to a secret that cannot be
 * guessed, and would make a reconnect storm of a fleet CPU-bound.
 */
export const devices = pgTable(
  'devices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    type: text('type'),
    tags: text('tags').array().notNull().default([]),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default({}),
    firmwareVersion: text('firmware_version'),
    /** Overrides the organization's raw-telemetry retention for this device. */
    retentionDays: integer('retention_days'),
    secretHash: text('secret_hash').notNull(),
    online: boolean('online').notNull().default(false),
    /**
     * The connection the device is online on (a `device_connections` row). A disconnect of another
     * connection leaves the device online: the node it left writes its disconnect when it likes,
     * possibly after the node it moved to wrote the connect.
     */
    connectionId: uuid('connection_id'),
    lastSeen: timestamp('last_seen', { withTimezone: true }),
    lastAddress: text('last_address'),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('devices_org_idx').on(t.orgId, t.createdAt)],
);

/**
 * An organization's certificate authority for devices (X.509): a device presenting a client
 * certificate it signed connects as the device its subject CN names, in this organization only.
 * `private_key_pem` is set when the platform made the CA: PKCS#8, encrypted with DEVICE_CA_KEY_SECRET.
 */
export const deviceCas = pgTable(
  'device_cas',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    certificatePem: text('certificate_pem').notNull(),
    fingerprintSha256: text('fingerprint_sha256').notNull(),
    subject: text('subject').notNull(),
    notAfter: timestamp('not_after', { withTimezone: true }).notNull(),
    /** Just-in-time registration: an unknown UUID in a certificate's CN becomes a device of this organization. */
    autoRegister: boolean('auto_register').notNull().default(false),
    active: boolean('active').notNull().default(true),
    privateKeyPem: text('private_key_pem'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('device_cas_org_fingerprint_idx').on(t.orgId, t.fingerprintSha256),
    index('device_cas_org_idx').on(t.orgId, t.createdAt),
  ],
);

/** Device certificates refused from now on, by their CA and serial (lower-case hex, no leading zeros). */
export const revokedCertificates = pgTable(
  'revoked_certificates',
  {
    caId: uuid('ca_id')
      .notNull()
      .references(() => deviceCas.id, { onDelete: 'cascade' }),
    serial: text('serial').notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.caId, t.serial] })],
);

/**
 * Narrow telemetry: one row per reading. A hypertable when TimescaleDB is present.
 * The unique key (device, metric, time) makes a retried batch idempotent: a reading is never
 * stored twice, and it also serves "one device, one metric, a time range".
 */
export const telemetry = pgTable(
  'telemetry',
  {
    time: timestamp('time', { withTimezone: true, precision: 6 }).notNull(),
    deviceId: uuid('device_id').notNull(),
    metric: text('metric').notNull(),
    value: doublePrecision('value'),
    valueBool: boolean('value_bool'),
    valueText: text('value_text'),
  },
  (t) => [uniqueIndex('telemetry_device_metric_time_idx').on(t.deviceId, t.metric, t.time.desc())],
);

/** The newest reading per device and metric, kept current by the writer in the same transaction. */
export const telemetryLatest = pgTable(
  'telemetry_latest',
  {
    deviceId: uuid('device_id').notNull(),
    metric: text('metric').notNull(),
    time: timestamp('time', { withTimezone: true, precision: 6 }).notNull(),
    value: doublePrecision('value'),
    valueBool: boolean('value_bool'),
    valueText: text('value_text'),
  },
  (t) => [primaryKey({ columns: [t.deviceId, t.metric] })],
);

/** A person's account. Email is stored lower-cased; the password only as an argon2id hash. */
export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    name: text('name'),
    passwordHash: text('password_hash').notNull(),
    emailVerified: boolean('email_verified').notNull().default(false),
    isAdmin: boolean('is_admin').notNull().default(false),
    profile: jsonb('profile').$type<Record<string, string | null>>().notNull().default({}),
    preferences: jsonb('preferences').$type<Record<string, unknown>>().notNull().default({}),
    avatarKey: text('avatar_key'),
    mfaSecret: text('mfa_secret'),
    mfaEnabled: boolean('mfa_enabled').notNull().default(false),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
    /** The user asked to delete the account: signing in is refused until it is cancelled or purged. */
    deletionRequestedAt: timestamp('deletion_requested_at', { withTimezone: true }),
    /** When a requested deletion is carried out (the account and its personal data purged). */
    purgeAfter: timestamp('purge_after', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('users_email_idx').on(t.email),
    index('users_purge_idx').on(t.purgeAfter).where(sql`${t.purgeAfter} IS NOT NULL`),
  ],
);

/** One login: the family its refresh tokens descend from. Revoking it ends them all. */
export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    userAgent: text('user_agent'),
    address: text('address'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    revokedReason: text('revoked_reason'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/** Refresh tokens, stored as SHA-256; each is used once, and a reuse revokes its session. */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('refresh_tokens_session_idx').on(t.sessionId)],
);

/** API keys of a user (or, later, of an organization); the secret is stored as SHA-256. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    orgId: uuid('org_id').references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull(),
    scopes: text('scopes').array().notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('api_keys_hash_idx').on(t.keyHash), index('api_keys_user_idx').on(t.userId)],
);

/** Token signing keys (EdDSA); retired keys keep verifying until their tokens have expired. */
export const signingKeys = pgTable('signing_keys', {
  kid: text('kid').primaryKey(),
  alg: text('alg').notNull(),
  privateJwk: jsonb('private_jwk').$type<Record<string, unknown>>().notNull(),
  publicJwk: jsonb('public_jwk').$type<Record<string, unknown>>().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  retiredAt: timestamp('retired_at', { withTimezone: true }),
});

/** Single-use emailed tokens (email verification, password reset), stored as SHA-256. */
export const emailTokens = pgTable('email_tokens', {
  tokenHash: text('token_hash').primaryKey(),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  purpose: text('purpose', { enum: ['verify_email', 'reset_password'] }).notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Mail kept when no SMTP server is configured, and a record of what was sent when one is. */
export const mailOutbox = pgTable(
  'mail_outbox',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    to: text('to').notNull(),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  // The sender looks only at what is unsent: a small index however much sent mail is kept.
  (t) => [index('mail_outbox_unsent_idx').on(t.createdAt).where(sql`${t.sentAt} IS NULL`)],
);

/**
 * Who runs each background job this period: a node runs a job only after taking its lease, so a
 * job runs once across the cluster however many nodes schedule it.
 */
export const jobLeases = pgTable('job_leases', {
  name: text('name').primaryKey(),
  holder: text('holder').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});

/**
 * The broker nodes alive: each writes its row when it starts and every BROKER_HEARTBEAT_MS after,
 * and deletes it when it stops. A row older than BROKER_NODE_TIMEOUT_MS is a node that died (killed,
 * its machine lost): a sweep ends the presence of the devices it held.
 */
export const brokerNodes = pgTable('broker_nodes', {
  id: uuid('id').primaryKey(),
  seenAt: timestamp('seen_at', { withTimezone: true }).notNull().defaultNow(),
});

/** One-time MFA recovery codes, stored as SHA-256. */
export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.userId, t.codeHash] })],
);

/** A user's security activity: logins, failures, password changes, key creation. Append-only. */
export const userEvents = pgTable(
  'user_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    address: text('address'),
    userAgent: text('user_agent'),
    detail: jsonb('detail').$type<Record<string, unknown>>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('user_events_user_idx').on(t.userId, t.createdAt)],
);

/**
 * A device's twin: what apps want (`desired`, versioned) and what the device says it has
 * (`reported`). The delta is what desired holds that reported does not match.
 */
export const deviceTwins = pgTable('device_twins', {
  deviceId: uuid('device_id')
    .primaryKey()
    .references(() => devices.id, { onDelete: 'cascade' }),
  desired: jsonb('desired').$type<Record<string, unknown>>().notNull().default({}),
  reported: jsonb('reported').$type<Record<string, unknown>>().notNull().default({}),
  version: integer('version').notNull().default(0),
  desiredAt: timestamp('desired_at', { withTimezone: true }),
  reportedAt: timestamp('reported_at', { withTimezone: true }),
});

/** Commands (RPC) to devices: kept until answered or expired, so offline devices get them later. */
export const commands = pgTable(
  'commands',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    deviceId: uuid('device_id')
      .notNull()
      .references(() => devices.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    params: jsonb('params').$type<unknown>(),
    status: text('status', { enum: ['pending', 'delivered', 'succeeded', 'failed', 'expired'] })
      .notNull()
      .default('pending'),
    result: jsonb('result').$type<unknown>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [index('commands_device_idx').on(t.deviceId, t.status)],
);

/** Device groups: static (listed members) or dynamic (every device carrying all of `tags`). */
export const deviceGroups = pgTable(
  'device_groups',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    kind: text('kind', { enum: ['static', 'dynamic'] }).notNull(),
    tags: text('tags').array().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('device_groups_org_name_idx').on(t.orgId, t.name)],
);

export const deviceGroupMembers = pgTable(
  'device_group_members',
  {
    groupId: uuid('group_id')
      .notNull()
      .references(() => deviceGroups.id, { onDelete: 'cascade' }),
    deviceId: uuid('device_id')
      .notNull()
      .references(() => devices.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.deviceId] })],
);

/** Each MQTT session of a device: when, from where, until when. */
export const deviceConnections = pgTable(
  'device_connections',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    deviceId: uuid('device_id')
      .notNull()
      .references(() => devices.id, { onDelete: 'cascade' }),
    address: text('address'),
    connectedAt: timestamp('connected_at', { withTimezone: true }).notNull().defaultNow(),
    disconnectedAt: timestamp('disconnected_at', { withTimezone: true }),
    /** The broker node (`broker_nodes`) that holds the connection; null on rows older than nodes. */
    nodeId: uuid('node_id'),
  },
  // No index on node_id: only the sweep of a dead node looks its rows up, and one would cost every connect.
  (t) => [index('device_connections_device_idx').on(t.deviceId, t.connectedAt.desc())],
);

/**
 * Claim codes shipped with devices: an operator mints them, a customer claims one into an
 * organization, and the device then fetches its credentials with the code, once.
 */
export const claimCodes = pgTable('claim_codes', {
  codeHash: text('code_hash').primaryKey(),
  deviceId: uuid('device_id').references(() => devices.id, { onDelete: 'cascade' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  claimedAt: timestamp('claimed_at', { withTimezone: true }),
  fetchedAt: timestamp('fetched_at', { withTimezone: true }),
});

/** An organization's plan and its Stripe customer and subscription, as last reconciled. */
export const billingAccounts = pgTable('billing_accounts', {
  orgId: uuid('org_id')
    .primaryKey()
    .references(() => organizations.id, { onDelete: 'cascade' }),
  plan: text('plan').notNull().default('free'),
  status: text('status').notNull().default('active'),
  stripeCustomerId: text('stripe_customer_id'),
  stripeSubscriptionId: text('stripe_subscription_id'),
  currentPeriodEnd: timestamp('current_period_end', { withTimezone: true }),
  /** Set when a payment fails; past the grace period the plan falls back to free. */
  pastDueSince: timestamp('past_due_since', { withTimezone: true }),
  /** Limits agreed beyond the plan's (an enterprise contract), key by key. */
  limitOverrides: jsonb('limit_overrides').$type<Record<string, number | null>>(),
  /** Device licenses bought with credits, on top of the plan's device limit. */
  extraDevices: integer('extra_devices').notNull().default(0),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Stripe events already processed: each is handled once, however often Stripe sends it. */
export const stripeEvents = pgTable('stripe_events', {
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  /** Set once handled; the webhook answers as soon as the event is stored, a worker does the rest. */
  processedAt: timestamp('processed_at', { withTimezone: true }),
  attempts: integer('attempts').notNull().default(0),
  lastError: text('last_error'),
  /** A worker claimed it until then (other nodes skip it); after a failure, when it is tried again. */
  lockedUntil: timestamp('locked_until', { withTimezone: true }),
});

/**
 * The credit wallet as a double-entry ledger: every movement is a transaction of entries summing to
 * zero; balances are sums, never stored or edited. Amounts in micro-credits.
 */
export const ledgerEntries = pgTable(
  'ledger_entries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    txId: uuid('tx_id').notNull(),
    /** `org:{id}` for a wallet, `platform:sales` or `platform:usage` for the other side. */
    account: text('account').notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    kind: text('kind').notNull(),
    memo: text('memo'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('ledger_account_idx').on(t.account, t.createdAt)],
);

/** One row per wallet mutation's idempotency key: the same key twice gives the first answer. */
export const ledgerTransactions = pgTable(
  'ledger_transactions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    kind: text('kind').notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('ledger_tx_idem_idx').on(t.orgId, t.idempotencyKey)],
);

/** Usage per organization, device and day, added to by the meter's batched flushes. */
export const usageDaily = pgTable(
  'usage_daily',
  {
    orgId: uuid('org_id').notNull(),
    /** The nil UUID for usage that is the organization's, not a device's (API calls). */
    deviceId: uuid('device_id').notNull(),
    /** Who made the API calls: the nil UUID for a device's usage and an organization key's calls. */
    userId: uuid('user_id').notNull().default('00000000-0000-0000-0000-000000000000'),
    day: text('day').notNull(),
    messages: bigint('messages', { mode: 'number' }).notNull().default(0),
    points: bigint('points', { mode: 'number' }).notNull().default(0),
    bytes: bigint('bytes', { mode: 'number' }).notNull().default(0),
    apiCalls: bigint('api_calls', { mode: 'number' }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.day, t.deviceId, t.userId] })],
);

/** What an organization bought, from checkout to fulfilment, tied to Stripe and to the ledger. */
/**
 * What can be bought (#19): plans (their limits stay in code, `PLANS`, named by `plan`), credit
 * packs (`credits` each) and device licenses (`devices` each). `price` is in the currency's minor
 * units, or in whole credits when `currency` is `credits` (paid from the wallet).
 */
export const catalogItems = pgTable(
  'catalog_items',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: ['plan', 'credit_pack', 'device_license'] }).notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    price: bigint('price', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    plan: text('plan'),
    credits: integer('credits'),
    devices: integer('devices'),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('catalog_items_kind_idx').on(t.kind, t.price)],
);

export const orders = pgTable(
  'orders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['plan', 'credits', 'licenses'] }).notNull(),
    item: text('item').notNull(),
    status: text('status', { enum: ['pending', 'paid', 'fulfilled', 'failed', 'refunded'] })
      .notNull()
      .default('pending'),
    stripeCheckoutId: text('stripe_checkout_id'),
    stripePaymentIntent: text('stripe_payment_intent'),
    quantity: integer('quantity').notNull().default(1),
    ledgerTxId: uuid('ledger_tx_id'),
    /** The catalog item bought; an item some order names is deactivated, never deleted. */
    catalogItemId: text('catalog_item_id').references(() => catalogItems.id, { onDelete: 'restrict' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('orders_checkout_idx').on(t.stripeCheckoutId), index('orders_org_idx').on(t.orgId, t.createdAt)],
);

/** Data points already reported to Stripe's meter per organization and day, so each is reported once. */
export const usageReports = pgTable(
  'usage_reports',
  {
    orgId: uuid('org_id').notNull(),
    day: text('day').notNull(),
    reportedPoints: bigint('reported_points', { mode: 'number' }).notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.day] })],
);

/** Public keys an organization signs firmware with; several at once so keys can be rotated. */
export const firmwareKeys = pgTable(
  'firmware_keys',
  {
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    /** First 16 hex digits of the SHA-256 of the key's SPKI DER form, as firmware-tools prints it. */
    keyId: text('key_id').notNull(),
    name: text('name').notNull(),
    publicKey: text('public_key').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.keyId] })],
);

/** A firmware version: its signed manifest, checked on upload, and where the artifact is stored. */
export const firmwareReleases = pgTable(
  'firmware_releases',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    version: text('version').notNull(),
    hardware: text('hardware').array().notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
    keyId: text('key_id').notNull(),
    manifest: jsonb('manifest').$type<Record<string, unknown>>().notNull(),
    objectKey: text('object_key').notNull(),
    /** `awaiting_upload` until the artifact's bytes arrive and match the manifest. */
    status: text('status', { enum: ['awaiting_upload', 'ready'] })
      .notNull()
      .default('awaiting_upload'),
    /** When the manifest's `delta` arrived and matched it (kept under `{object_key}-delta`); null: full artifact only. */
    deltaUploadedAt: timestamp('delta_uploaded_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('firmware_releases_version_idx').on(t.orgId, t.name, t.version)],
);

/**
 * A release's artifact or delta upload that was cut or sent in parts, kept where every node can go
 * on with it: the parts in the object store's multipart upload `store_upload_id`, then `tail` bytes
 * short of a part as the object `{object_key}.{id}.partial`. Gone once the bytes are whole.
 */
export const releaseUploads = pgTable(
  'release_uploads',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    releaseId: uuid('release_id')
      .notNull()
      .references(() => firmwareReleases.id, { onDelete: 'cascade' }),
    part: text('part', { enum: ['artifact', 'delta'] }).notNull(),
    /** Where the whole lands. */
    objectKey: text('object_key').notNull(),
    storeUploadId: text('store_upload_id').notNull(),
    /** The stored parts in order: each one's ETag (S3 wants them back to complete) and size. */
    parts: jsonb('parts').$type<{ etag: string; size: number }[]>().notNull().default([]),
    /** Bytes held: the parts' and the tail's. */
    received: bigint('received', { mode: 'number' }).notNull().default(0),
    tail: bigint('tail', { mode: 'number' }).notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('release_uploads_part_idx').on(t.releaseId, t.part)],
);

export interface RolloutPhase {
  /** Share of the target reached by the end of this phase, 1-100. */
  percent: number;
  /** Seconds to wait after the phase's devices succeeded before the next starts (auto). */
  wait_s: number;
  /** `manual`: the next phase starts only by hand. */
  advance: 'auto' | 'manual';
  /** Share of this phase's devices that must succeed before moving on, 0-1. */
  success_threshold: number;
  /** Share of this phase's devices failing that stops the rollout, 0-1. */
  failure_threshold: number;
}

/** A release sent to a target in phases. */
export const rollouts = pgTable(
  'rollouts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    releaseId: uuid('release_id')
      .notNull()
      .references(() => firmwareReleases.id),
    name: text('name').notNull(),
    /** Device ids, a group, or tags (every device carrying all of them). */
    target: jsonb('target').$type<{ device_ids?: string[]; group_id?: string; tags?: string[] }>().notNull(),
    phases: jsonb('phases').$type<RolloutPhase[]>().notNull(),
    currentPhase: integer('current_phase').notNull().default(0),
    phaseStartedAt: timestamp('phase_started_at', { withTimezone: true }).notNull().defaultNow(),
    status: text('status', { enum: ['active', 'paused', 'aborted', 'completed'] })
      .notNull()
      .default('active'),
    /** What happens when a phase's failures pass its threshold. */
    onFailure: text('on_failure', { enum: ['pause', 'abort'] })
      .notNull()
      .default('pause'),
    statusReason: text('status_reason'),
    /** Failures of the current phase an operator accepted by resuming; the threshold counts those after. */
    acceptedFailures: integer('accepted_failures').notNull().default(0),
    maxConcurrent: integer('max_concurrent').notNull(),
    /** New updates start only inside this daily window (HH:MM, UTC); running ones finish. */
    window: jsonb('window').$type<{ start: string; end: string }>(),
    /** A job under way with no report for this long fails (a device that died mid-update). */
    progressTimeoutS: integer('progress_timeout_s').notNull().default(3600),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('rollouts_org_idx').on(t.orgId, t.createdAt), index('rollouts_status_idx').on(t.status)],
);

/** One device's update within a rollout, as its agent reports it. */
export const otaJobs = pgTable(
  'ota_jobs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    rolloutId: uuid('rollout_id')
      .notNull()
      .references(() => rollouts.id, { onDelete: 'cascade' }),
    deviceId: uuid('device_id')
      .notNull()
      .references(() => devices.id, { onDelete: 'cascade' }),
    phase: integer('phase').notNull(),
    state: text('state', { enum: OTA_STATES }).notNull().default('pending'),
    progress: integer('progress').notNull().default(0),
    error: text('error'),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('ota_jobs_rollout_device_idx').on(t.rolloutId, t.deviceId),
    index('ota_jobs_device_idx').on(t.deviceId, t.state),
  ],
);

/**
 * The outbox of domain events: written in the transaction of the change it records, then published
 * (NATS JetStream with NATS_URL, in process otherwise) and marked. `id` orders an organization's
 * events for cursors and server-sent events' Last-Event-ID.
 */
export const events = pgTable(
  'events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    /** `device.created`, `alarm.raised`, ...: one of the platform's event types. */
    type: text('type').notNull(),
    subjectType: text('subject_type'),
    subjectId: text('subject_id'),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 6 }).notNull().defaultNow(),
    publishedAt: timestamp('published_at', { withTimezone: true }),
  },
  (t) => [
    index('events_org_idx').on(t.orgId, t.id),
    index('events_unpublished_idx').on(t.id).where(sql`published_at IS NULL`),
  ],
);

export const RULE_KINDS = ['threshold', 'range', 'rate', 'absence', 'offline'] as const;
export const SEVERITIES = ['info', 'warning', 'minor', 'major', 'critical'] as const;

/** A rule on live telemetry or device state, aimed at devices, a group or tags, with its actions. */
export const rules = pgTable(
  'rules',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    /** `{ device_ids }`, `{ group_id }` or `{ tags }`. */
    target: jsonb('target').$type<Record<string, unknown>>().notNull(),
    kind: text('kind', { enum: RULE_KINDS }).notNull(),
    metric: text('metric'),
    /** What the kind needs: `{ op, value, for_s }`, `{ low, high, for_s }`, `{ per_s }`, `{ period_s }`. */
    params: jsonb('params').$type<Record<string, unknown>>().notNull(),
    severity: text('severity', { enum: SEVERITIES }).notNull().default('warning'),
    /** What happens when it fires: raise an alarm, notify, call webhooks, send a command. */
    actions: jsonb('actions').$type<Record<string, unknown>[]>().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('rules_org_idx').on(t.orgId, t.createdAt)],
);

/** An alarm a rule raised for a device: at most one open per rule and device. */
export const alarms = pgTable(
  'alarms',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    ruleId: uuid('rule_id')
      .notNull()
      .references(() => rules.id, { onDelete: 'cascade' }),
    deviceId: uuid('device_id')
      .notNull()
      .references(() => devices.id, { onDelete: 'cascade' }),
    severity: text('severity', { enum: SEVERITIES }).notNull(),
    /** The reading that raised it, and what the rule said. */
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
    raisedAt: timestamp('raised_at', { withTimezone: true, precision: 6 }).notNull().defaultNow(),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }),
    acknowledgedBy: uuid('acknowledged_by'),
    acknowledgeNote: text('acknowledge_note'),
    clearedAt: timestamp('cleared_at', { withTimezone: true }),
    /** Who cleared it by hand; null with `cleared_at` set: the condition ended. */
    clearedBy: uuid('cleared_by'),
    clearNote: text('clear_note'),
  },
  (t) => [
    uniqueIndex('alarms_open_idx').on(t.ruleId, t.deviceId).where(sql`cleared_at IS NULL`),
    index('alarms_org_idx').on(t.orgId, t.raisedAt.desc()),
  ],
);

/**
 * A silence (absence, offline) rule without an alarm that fired for a device: it fires once per
 * silence, and the row goes when the device is heard from again. Rules with an alarm keep this
 * state in their open alarm.
 */
export const ruleSilences = pgTable(
  'rule_silences',
  {
    ruleId: uuid('rule_id')
      .notNull()
      .references(() => rules.id, { onDelete: 'cascade' }),
    deviceId: uuid('device_id')
      .notNull()
      .references(() => devices.id, { onDelete: 'cascade' }),
    firedAt: timestamp('fired_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.ruleId, t.deviceId] })],
);

/** An organization's webhook endpoint: events of the listed types are posted to it, signed. */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    /** The HMAC-SHA256 signing secret, shown at creation; the receiver checks signatures with it. */
    secret: text('secret').notNull(),
    /** Event types it receives; `*` for all. */
    eventTypes: text('event_types').array().notNull(),
    enabled: boolean('enabled').notNull().default(true),
    disabledReason: text('disabled_reason'),
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('webhook_endpoints_org_idx').on(t.orgId)],
);

/** One event's delivery to one endpoint, retried with backoff: the delivery log. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    endpointId: uuid('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    eventId: bigint('event_id', { mode: 'number' })
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    status: text('status', { enum: ['pending', 'succeeded', 'failed'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    /** A worker claimed it until then (other nodes skip it). */
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    responseStatus: integer('response_status'),
    responseMs: integer('response_ms'),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_event_idx').on(t.endpointId, t.eventId),
    index('webhook_deliveries_due_idx').on(t.nextAttemptAt).where(sql`status = 'pending'`),
    index('webhook_deliveries_endpoint_idx').on(t.endpointId, t.createdAt.desc()),
  ],
);

/** A user's in-app inbox: one row per notification, read once `read_at` is set. */
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').references(() => organizations.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** What it is about: an event type (`alarm.raised`) or a platform notice. */
    kind: text('kind').notNull(),
    severity: text('severity', { enum: SEVERITIES }),
    title: text('title').notNull(),
    body: text('body'),
    link: text('link'),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 6 }).notNull().defaultNow(),
    readAt: timestamp('read_at', { withTimezone: true }),
  },
  (t) => [
    index('notifications_user_idx').on(t.userId, t.createdAt.desc()),
    index('notifications_unread_idx').on(t.userId).where(sql`read_at IS NULL`),
  ],
);

/** An organization's routing: who gets which severity, on which channels. */
export const notificationRoutes = pgTable(
  'notification_routes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    /** Notifications at or above this severity follow the route. */
    minSeverity: text('min_severity', { enum: SEVERITIES }).notNull(),
    /** Members with these roles receive them. */
    roles: text('roles').array().notNull(),
    /** `email`, `inbox`: each member's own channel preferences still apply. */
    channels: text('channels').array().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('notification_routes_org_idx').on(t.orgId)],
);

/** Long work run as a task: its state for the status API; the queue itself is the job runner's. */
export const tasks = pgTable(
  'tasks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    status: text('status', { enum: ['queued', 'running', 'succeeded', 'failed'] })
      .notNull()
      .default('queued'),
    /** 0 to 100 while running. */
    progress: integer('progress').notNull().default(0),
    input: jsonb('input').$type<Record<string, unknown>>().notNull().default({}),
    result: jsonb('result').$type<Record<string, unknown>>(),
    error: text('error'),
    attempts: integer('attempts').notNull().default(0),
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [index('tasks_org_idx').on(t.orgId, t.createdAt.desc())],
);

/**
 * Files kept for an organization or a user (exactly one of `org_id`, `user_id`), named by `path`.
 * The bytes live in the object store under `object_key`, which the platform generates from ids:
 * never from the path a client chose.
 */
export const files = pgTable(
  'files',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').references(() => organizations.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    path: text('path').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    contentType: text('content_type').notNull(),
    sha256: text('sha256').notNull(),
    objectKey: text('object_key').notNull(),
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  // NULLs are distinct in a unique index: one index per kind of owner.
  (t) => [
    uniqueIndex('files_org_path_idx').on(t.orgId, t.path),
    uniqueIndex('files_user_path_idx').on(t.userId, t.path),
  ],
);

/** A multipart upload under way: its parts are objects `<object_key>.parts/<n>` until it completes. */
export const fileUploads = pgTable('file_uploads', {
  id: uuid('id').primaryKey().defaultRandom(),
  orgId: uuid('org_id').references(() => organizations.id, { onDelete: 'cascade' }),
  userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
  path: text('path').notNull(),
  createdBy: uuid('created_by'),
  /** Part number -> its size in bytes. */
  parts: jsonb('parts').$type<Record<string, number>>().notNull().default({}),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Product events sent by apps (`POST /v1/analytics/events`). A hypertable on TimescaleDB (migration
 * 0027), whose retention policy drops old chunks; on plain PostgreSQL a scheduled job deletes old
 * rows. The key leads with `time`, as a hypertable's unique indexes must hold its time column.
 */
export const analyticsEvents = pgTable(
  'analytics_events',
  {
    time: timestamp('time', { withTimezone: true, precision: 6 }).notNull(),
    id: uuid('id').notNull().defaultRandom(),
    orgId: uuid('org_id').notNull(),
    name: text('name').notNull(),
    /** Whom the event is about: the caller by default. */
    userId: text('user_id'),
    sessionId: text('session_id'),
    properties: jsonb('properties').$type<Record<string, unknown>>().notNull().default({}),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.time, t.id] }),
    index('analytics_events_org_time_idx').on(t.orgId, t.time.desc()),
    index('analytics_events_org_name_time_idx').on(t.orgId, t.name, t.time.desc()),
  ],
);

/**
 * Objects whose row is gone (a file deleted or replaced, a release deleted, an account or an
 * organization purged): triggers add their keys in the deleting transaction, and a scheduled sweep
 * deletes them from the object store, so nothing is left behind when a process dies in between.
 */
export const deletedObjects = pgTable('deleted_objects', {
  objectKey: text('object_key').primaryKey(),
  deletedAt: timestamp('deleted_at', { withTimezone: true }).notNull().defaultNow(),
  /** Failed deletions from the store so far; the sweep tries again later. */
  attempts: integer('attempts').notNull().default(0),
});
