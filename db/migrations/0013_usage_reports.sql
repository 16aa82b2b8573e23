CREATE TABLE "usage_reports" (
	"org_id" uuid NOT NULL,
	"day" text NOT NULL,
	"reported_points" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "usage_reports_org_id_day_pk" PRIMARY KEY("org_id","day")
);
