ALTER TABLE "usage_daily" ADD COLUMN "user_id" uuid DEFAULT '00000000-0000-0000-0000-000000000000' NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_daily" DROP CONSTRAINT "usage_daily_org_id_day_device_id_pk";--> statement-breakpoint
ALTER TABLE "usage_daily" ADD CONSTRAINT "usage_daily_org_id_day_device_id_user_id_pk" PRIMARY KEY("org_id","day","device_id","user_id");
--> statement-breakpoint
-- Tenants' Grafana (see 0009, 0026): API calls per person, and what the organization's usage costs:
-- its plan and the plan's catalog price, and what its wallet spent, with the members' names.
CREATE OR REPLACE VIEW grafana.usage_daily WITH (security_barrier) AS
  SELECT u.org_id, u.device_id, u.day, u.messages, u.points, u.bytes, u.api_calls, u.user_id
  FROM usage_daily u JOIN grafana_access g ON g.org_id = u.org_id
  WHERE g.role_name = current_user;
--> statement-breakpoint
CREATE VIEW grafana.billing_accounts WITH (security_barrier) AS
  SELECT b.org_id, b.plan, b.status
  FROM billing_accounts b JOIN grafana_access g ON g.org_id = b.org_id
  WHERE g.role_name = current_user;
--> statement-breakpoint
-- The catalog is public (GET /v1/catalog); only what prices a plan.
CREATE VIEW grafana.catalog_items AS
  SELECT c.id, c.kind, c.name, c.price, c.currency, c.plan, c.active FROM catalog_items c;
--> statement-breakpoint
CREATE VIEW grafana.ledger_entries WITH (security_barrier) AS
  SELECT l.created_at, l.account, l.amount, l.kind
  FROM ledger_entries l JOIN grafana_access g ON l.account = 'org:' || g.org_id::text
  WHERE g.role_name = current_user;
--> statement-breakpoint
CREATE VIEW grafana.users WITH (security_barrier) AS
  SELECT u.id, u.email, u.name
  FROM users u JOIN memberships m ON m.user_id = u.id JOIN grafana_access g ON g.org_id = m.org_id
  WHERE g.role_name = current_user;
--> statement-breakpoint
DO $$
DECLARE r text;
BEGIN
  -- Logins made before these views existed see them too.
  FOR r IN SELECT role_name FROM grafana_access LOOP
    EXECUTE format('GRANT SELECT ON grafana.billing_accounts, grafana.catalog_items, grafana.ledger_entries, grafana.users TO %I', r);
  END LOOP;
END $$;
CREATE TABLE "deleted_objects" (
	"object_key" text PRIMARY KEY NOT NULL,
	"deleted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
-- The key in column TG_ARGV[0] of a row deleted, or replaced by another key, waits for the sweep.
CREATE FUNCTION keep_deleted_object() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  old_key text;
  new_key text;
BEGIN
  EXECUTE format('SELECT ($1).%I::text', TG_ARGV[0]) USING OLD INTO old_key;
  IF TG_OP = 'UPDATE' THEN
    EXECUTE format('SELECT ($1).%I::text', TG_ARGV[0]) USING NEW INTO new_key;
  END IF;
  IF old_key IS NOT NULL AND old_key IS DISTINCT FROM new_key THEN
    INSERT INTO deleted_objects (object_key) VALUES (old_key) ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER files_object_deleted AFTER DELETE OR UPDATE OF object_key ON files
  FOR EACH ROW EXECUTE FUNCTION keep_deleted_object('object_key');
--> statement-breakpoint
CREATE TRIGGER firmware_releases_object_deleted AFTER DELETE OR UPDATE OF object_key ON firmware_releases
  FOR EACH ROW EXECUTE FUNCTION keep_deleted_object('object_key');
--> statement-breakpoint
-- Only a deleted account: an avatar's key is the user's, and comes back when another is uploaded.
CREATE TRIGGER users_avatar_deleted AFTER DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION keep_deleted_object('avatar_key');
--> statement-breakpoint
-- A multipart upload that goes (completed, aborted, expired, or its owner purged) leaves its parts.
CREATE FUNCTION keep_deleted_upload_parts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO deleted_objects (object_key)
  SELECT format('uploads/%s/%s/%s/%s',
                CASE WHEN OLD.org_id IS NOT NULL THEN 'org' ELSE 'user' END,
                coalesce(OLD.org_id, OLD.user_id), OLD.id, n)
  FROM jsonb_object_keys(OLD.parts) n
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER file_uploads_parts_deleted AFTER DELETE ON file_uploads
  FOR EACH ROW EXECUTE FUNCTION keep_deleted_upload_parts();
--> statement-breakpoint
-- A release's delta (0028) is kept beside its artifact, under the artifact's key and `-delta`.
CREATE FUNCTION keep_deleted_release_delta() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.delta_uploaded_at IS NOT NULL THEN
    INSERT INTO deleted_objects (object_key) VALUES (OLD.object_key || '-delta') ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER firmware_releases_delta_deleted AFTER DELETE ON firmware_releases
  FOR EACH ROW EXECUTE FUNCTION keep_deleted_release_delta();
