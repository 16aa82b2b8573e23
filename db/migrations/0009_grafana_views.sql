-- Read-only views for Grafana. A tenant's Grafana connects as its own database role (recorded in
-- grafana_access); the views show only that organization's rows, whoever asks, and the role can read
-- nothing else. The role's search_path puts this schema first, so dashboard SQL written against the
-- table names works for tenants and for the platform's own user alike.
CREATE TABLE grafana_access (
  role_name text PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
CREATE SCHEMA grafana;
--> statement-breakpoint
CREATE VIEW grafana.organizations WITH (security_barrier) AS
  SELECT o.id, o.name, o.slug, o.settings, o.created_at, o.deleted_at
  FROM organizations o JOIN grafana_access g ON g.org_id = o.id
  WHERE g.role_name = current_user;
--> statement-breakpoint
CREATE VIEW grafana.devices WITH (security_barrier) AS
  SELECT d.id, d.org_id, d.name, d.type, d.tags, d.online, d.last_seen, d.last_address, d.firmware_version, d.created_at
  FROM devices d JOIN grafana_access g ON g.org_id = d.org_id
  WHERE g.role_name = current_user;
--> statement-breakpoint
CREATE VIEW grafana.telemetry WITH (security_barrier) AS
  SELECT t.time, t.device_id, t.metric, t.value, t.value_bool, t.value_text
  FROM telemetry t
  WHERE t.device_id IN (SELECT d.id FROM devices d JOIN grafana_access g ON g.org_id = d.org_id WHERE g.role_name = current_user);
--> statement-breakpoint
CREATE VIEW grafana.telemetry_latest WITH (security_barrier) AS
  SELECT l.device_id, l.metric, l.time, l.value, l.value_bool, l.value_text
  FROM telemetry_latest l
  WHERE l.device_id IN (SELECT d.id FROM devices d JOIN grafana_access g ON g.org_id = d.org_id WHERE g.role_name = current_user);
