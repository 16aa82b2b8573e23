CREATE TABLE "rule_silences" (
	"rule_id" uuid NOT NULL,
	"device_id" uuid NOT NULL,
	"fired_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rule_silences_rule_id_device_id_pk" PRIMARY KEY("rule_id","device_id")
);
--> statement-breakpoint
ALTER TABLE "rule_silences" ADD CONSTRAINT "rule_silences_rule_id_rules_id_fk" FOREIGN KEY ("rule_id") REFERENCES "public"."rules"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rule_silences" ADD CONSTRAINT "rule_silences_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Alarms and their rules for tenants' Grafana, as in 0009: each view shows only the organization of
-- the role asking, under the table's own name and columns, so one dashboard's SQL (open alarms:
-- cleared_at IS NULL; history: raised_at, cleared_at) serves tenants and the platform's user alike.
-- Who acknowledged or cleared an alarm (user ids) is left out.
CREATE VIEW grafana.alarms WITH (security_barrier) AS
  SELECT a.id, a.org_id, a.rule_id, a.device_id, a.severity, a.detail, a.raised_at, a.acknowledged_at,
    a.acknowledge_note, a.cleared_at, a.clear_note
  FROM alarms a JOIN grafana_access g ON g.org_id = a.org_id
  WHERE g.role_name = current_user;
--> statement-breakpoint
CREATE VIEW grafana.rules WITH (security_barrier) AS
  SELECT r.id, r.org_id, r.name, r.enabled, r.kind, r.metric, r.params, r.severity, r.created_at, r.updated_at
  FROM rules r JOIN grafana_access g ON g.org_id = r.org_id
  WHERE g.role_name = current_user;
--> statement-breakpoint
DO $$
DECLARE r text;
BEGIN
  -- Logins made before these views existed see them too.
  FOR r IN SELECT role_name FROM grafana_access LOOP
    EXECUTE format('GRANT SELECT ON grafana.alarms, grafana.rules TO %I', r);
  END LOOP;
END $$;
