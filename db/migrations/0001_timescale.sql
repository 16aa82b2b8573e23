-- requires: timescaledb
-- Applied only where the TimescaleDB extension is available; on plain PostgreSQL the telemetry
-- table from 0000 stays a plain table with the same columns and keys, so queries work on both.
CREATE EXTENSION IF NOT EXISTS timescaledb;
--> statement-breakpoint
SELECT create_hypertable('telemetry', by_range('time', INTERVAL '1 day'), migrate_data => true);
--> statement-breakpoint
ALTER TABLE telemetry SET (
  timescaledb.compress,
  timescaledb.compress_segmentby = 'device_id, metric',
  timescaledb.compress_orderby = 'time DESC'
);
--> statement-breakpoint
SELECT add_compression_policy('telemetry', INTERVAL '7 days');
--> statement-breakpoint
SELECT add_retention_policy('telemetry', INTERVAL '365 days');
--> statement-breakpoint
-- Averages are derived as sum / count so that the hourly aggregate can be built from the minute one.
CREATE MATERIALIZED VIEW telemetry_1m WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 minute', time) AS bucket, device_id, metric,
       count(value) AS count, sum(value) AS sum, min(value) AS min, max(value) AS max,
       first(value, time) AS first, last(value, time) AS last
FROM telemetry
GROUP BY bucket, device_id, metric
WITH NO DATA;
--> statement-breakpoint
SELECT add_continuous_aggregate_policy('telemetry_1m',
  start_offset => INTERVAL '3 hours', end_offset => INTERVAL '1 minute', schedule_interval => INTERVAL '1 minute');
--> statement-breakpoint
CREATE MATERIALIZED VIEW telemetry_1h WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 hour', bucket) AS bucket, device_id, metric,
       sum(count)::bigint AS count, sum(sum) AS sum, min(min) AS min, max(max) AS max,
       first(first, bucket) AS first, last(last, bucket) AS last
FROM telemetry_1m
GROUP BY 1, device_id, metric
WITH NO DATA;
--> statement-breakpoint
SELECT add_continuous_aggregate_policy('telemetry_1h',
  start_offset => INTERVAL '3 days', end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '30 minutes');
--> statement-breakpoint
-- Downsampled data outlives raw data.
SELECT add_retention_policy('telemetry_1m', INTERVAL '730 days');
