-- Numbered 0026 (journal idx 26) on purpose: another branch brings 0025. 0027_analytics_timescale follows it.
CREATE TABLE "analytics_events" (
	"time" timestamp (6) with time zone NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"user_id" text,
	"session_id" text,
	"properties" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "analytics_events_time_id_pk" PRIMARY KEY("time","id")
);
--> statement-breakpoint
CREATE INDEX "analytics_events_org_time_idx" ON "analytics_events" USING btree ("org_id","time" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "analytics_events_org_name_time_idx" ON "analytics_events" USING btree ("org_id","name","time" DESC NULLS LAST);--> statement-breakpoint
-- Tenants' Grafana (see 0009): each organization's own product events and daily usage.
CREATE VIEW grafana.analytics_events WITH (security_barrier) AS
  SELECT e.time, e.id, e.org_id, e.name, e.user_id, e.session_id, e.properties
  FROM analytics_events e JOIN grafana_access g ON g.org_id = e.org_id
  WHERE g.role_name = current_user;
--> statement-breakpoint
CREATE VIEW grafana.usage_daily WITH (security_barrier) AS
  SELECT u.org_id, u.device_id, u.day, u.messages, u.points, u.bytes, u.api_calls
  FROM usage_daily u JOIN grafana_access g ON g.org_id = u.org_id
  WHERE g.role_name = current_user;
--> statement-breakpoint
DO $$
DECLARE r text;
BEGIN
  -- Logins made before these views existed see them too.
  FOR r IN SELECT role_name FROM grafana_access LOOP
    EXECUTE format('GRANT SELECT ON grafana.analytics_events, grafana.usage_daily TO %I', r);
  END LOOP;
END $$;
