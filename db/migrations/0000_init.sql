CREATE TABLE "devices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"secret_hash" text NOT NULL,
	"online" boolean DEFAULT false NOT NULL,
	"last_seen" timestamp with time zone,
	"last_address" text,
	"disabled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "organizations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "telemetry" (
	"time" timestamp (6) with time zone NOT NULL,
	"device_id" uuid NOT NULL,
	"metric" text NOT NULL,
	"value" double precision,
	"value_bool" boolean,
	"value_text" text
);
--> statement-breakpoint
CREATE TABLE "telemetry_latest" (
	"device_id" uuid NOT NULL,
	"metric" text NOT NULL,
	"time" timestamp (6) with time zone NOT NULL,
	"value" double precision,
	"value_bool" boolean,
	"value_text" text,
	CONSTRAINT "telemetry_latest_device_id_metric_pk" PRIMARY KEY("device_id","metric")
);
--> statement-breakpoint
ALTER TABLE "devices" ADD CONSTRAINT "devices_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "devices_org_idx" ON "devices" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "telemetry_device_metric_time_idx" ON "telemetry" USING btree ("device_id","metric","time" DESC NULLS LAST);