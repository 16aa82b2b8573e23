CREATE TABLE "device_cas" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"certificate_pem" text NOT NULL,
	"fingerprint_sha256" text NOT NULL,
	"subject" text NOT NULL,
	"not_after" timestamp with time zone NOT NULL,
	"auto_register" boolean DEFAULT false NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"private_key_pem" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "revoked_certificates" (
	"ca_id" uuid NOT NULL,
	"serial" text NOT NULL,
	"revoked_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "revoked_certificates_ca_id_serial_pk" PRIMARY KEY("ca_id","serial")
);
--> statement-breakpoint
ALTER TABLE "device_cas" ADD CONSTRAINT "device_cas_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "revoked_certificates" ADD CONSTRAINT "revoked_certificates_ca_id_device_cas_id_fk" FOREIGN KEY ("ca_id") REFERENCES "public"."device_cas"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "device_cas_org_fingerprint_idx" ON "device_cas" USING btree ("org_id","fingerprint_sha256");--> statement-breakpoint
CREATE INDEX "device_cas_org_idx" ON "device_cas" USING btree ("org_id","created_at");