CREATE TABLE "release_uploads" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"release_id" uuid NOT NULL,
	"part" text NOT NULL,
	"object_key" text NOT NULL,
	"store_upload_id" text NOT NULL,
	"parts" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"received" bigint DEFAULT 0 NOT NULL,
	"tail" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "release_uploads" ADD CONSTRAINT "release_uploads_release_id_firmware_releases_id_fk" FOREIGN KEY ("release_id") REFERENCES "public"."firmware_releases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "release_uploads_part_idx" ON "release_uploads" USING btree ("release_id","part");--> statement-breakpoint
-- An upload that goes (its bytes whole, started over, or its release deleted) leaves its tail object.
CREATE FUNCTION keep_deleted_upload_tail() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Whether or not it holds bytes now: a tail absorbed into a part stays in the store until swept.
  INSERT INTO deleted_objects (object_key) VALUES (OLD.object_key || '.' || OLD.id || '.partial') ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER release_uploads_tail_deleted AFTER DELETE ON release_uploads
  FOR EACH ROW EXECUTE FUNCTION keep_deleted_upload_tail();
