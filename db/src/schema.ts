import {
  boolean,
  doublePrecision,
  index,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/** A tenant. Every resource that belongs to someone belongs to exactly one organization. */
export const organizations = pgTable('organizations', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

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
    secretHash: text('secret_hash').notNull(),
    online: boolean('online').notNull().default(false),
    lastSeen: timestamp('last_seen', { withTimezone: true }),
    lastAddress: text('last_address'),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('devices_org_idx').on(t.orgId, t.createdAt)],
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
