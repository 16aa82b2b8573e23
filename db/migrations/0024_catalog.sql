CREATE TABLE "catalog_items" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"price" bigint NOT NULL,
	"currency" text NOT NULL,
	"plan" text,
	"credits" integer,
	"devices" integer,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "catalog_item_id" text;--> statement-breakpoint
CREATE INDEX "catalog_items_kind_idx" ON "catalog_items" USING btree ("kind","price");--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_catalog_item_id_catalog_items_id_fk" FOREIGN KEY ("catalog_item_id") REFERENCES "public"."catalog_items"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
-- What billing sold before the catalog: the plans of cloud/src/billing/plans.ts (their limits stay
-- there), credit packs at the top-up's 1 USD a credit, and the device license at the 10 credits
-- CREDITS_PER_DEVICE_LICENSE used to default to. Operators change them through /v1/admin/catalog.
INSERT INTO "catalog_items" ("id", "kind", "name", "description", "price", "currency", "plan", "credits", "devices") VALUES
  ('plan-free', 'plan', 'Free', '25 devices, 7 days of raw data', 0, 'usd', 'free', NULL, NULL),
  ('plan-pro', 'plan', 'Pro', '1,000 devices, 90 days of raw data, monthly', 4900, 'usd', 'pro', NULL, NULL),
  ('plan-enterprise', 'plan', 'Enterprise', 'No device or message limits, 2 years of raw data, monthly', 49900, 'usd', 'enterprise', NULL, NULL),
  ('credits-100', 'credit_pack', '100 credits', 'Prepaid platform credits', 10000, 'usd', NULL, 100, NULL),
  ('credits-1000', 'credit_pack', '1,000 credits', 'Prepaid platform credits, 10 % off', 90000, 'usd', NULL, 1000, NULL),
  ('device-license', 'device_license', 'Device license', 'One device over the plan''s device limit, for good', 10, 'credits', NULL, NULL, 1);
