ALTER TABLE "organizations" ADD COLUMN "deletion_token_hash" text;--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "deletion_token_expires_at" timestamp with time zone;