CREATE TABLE "usage_daily" (
	"org_id" uuid NOT NULL,
	"device_id" uuid NOT NULL,
	"day" text NOT NULL,
	"messages" bigint DEFAULT 0 NOT NULL,
	"points" bigint DEFAULT 0 NOT NULL,
	"bytes" bigint DEFAULT 0 NOT NULL,
	"api_calls" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "usage_daily_org_id_day_device_id_pk" PRIMARY KEY("org_id","day","device_id")
);
--> statement-breakpoint
ALTER TABLE "billing_accounts" ADD COLUMN "limit_overrides" jsonb;