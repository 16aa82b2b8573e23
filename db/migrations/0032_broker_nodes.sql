CREATE TABLE "broker_nodes" (
	"id" uuid PRIMARY KEY NOT NULL,
	"seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "device_connections" ADD COLUMN "node_id" uuid;--> statement-breakpoint
CREATE INDEX "device_connections_open_idx" ON "device_connections" USING btree ("node_id") WHERE "device_connections"."disconnected_at" IS NULL;