-- requires: timescaledb
-- Product events as a hypertable where TimescaleDB exists; on plain PostgreSQL analytics_events
-- stays a plain table with the same columns and keys, and a scheduled job deletes old rows.
SELECT create_hypertable('analytics_events', by_range('time', INTERVAL '1 day'), migrate_data => true);
--> statement-breakpoint
-- The default ANALYTICS_RETENTION_DAYS; the platform sets the configured value at start-up.
SELECT add_retention_policy('analytics_events', INTERVAL '90 days');
