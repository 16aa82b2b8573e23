-- Rollouts, jobs and releases for tenants' Grafana, as in 0009: each view shows only the
-- organization of the role asking.
CREATE VIEW grafana.firmware_releases WITH (security_barrier) AS
  SELECT r.id, r.org_id, r.name, r.version, r.size, r.created_at
  FROM firmware_releases r JOIN grafana_access g ON g.org_id = r.org_id
  WHERE g.role_name = current_user;
--> statement-breakpoint
CREATE VIEW grafana.rollouts WITH (security_barrier) AS
  SELECT r.id, r.org_id, r.release_id, r.name, r.status, r.status_reason, r.current_phase, r.created_at, r.updated_at
  FROM rollouts r JOIN grafana_access g ON g.org_id = r.org_id
  WHERE g.role_name = current_user;
--> statement-breakpoint
CREATE VIEW grafana.ota_jobs WITH (security_barrier) AS
  SELECT j.id, j.org_id, j.rollout_id, j.device_id, j.phase, j.state, j.progress, j.error, j.created_at, j.updated_at
  FROM ota_jobs j JOIN grafana_access g ON g.org_id = j.org_id
  WHERE g.role_name = current_user;
--> statement-breakpoint
DO $$
DECLARE r text;
BEGIN
  -- Logins made before these views existed see them too.
  FOR r IN SELECT role_name FROM grafana_access LOOP
    EXECUTE format('GRANT SELECT ON grafana.firmware_releases, grafana.rollouts, grafana.ota_jobs TO %I', r);
  END LOOP;
END $$;
