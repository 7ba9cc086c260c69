-- CreateTable
CREATE TABLE "client_assessment_counts" (
    "priority" TEXT NOT NULL,
    "relationship" TEXT NOT NULL,
    "is_confidential" BOOLEAN NOT NULL,
    "n" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "client_assessment_counts_pkey" PRIMARY KEY ("priority","relationship","is_confidential")
);

-- Kept by triggers in the same transaction as each change, so the counts are exact and never stale.
ALTER TABLE "client_assessment_counts" ADD CONSTRAINT "client_assessment_counts_nonnegative" CHECK ("n" >= 0);

CREATE FUNCTION "client_assessment_counts_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE "client_assessment_counts" SET "n" = "n" - 1
    WHERE "priority" = coalesce(OLD."priority"::text, '') AND "relationship" = coalesce(OLD."relationship_status"::text, '')
      AND "is_confidential" = OLD."is_confidential";
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO "client_assessment_counts" ("priority", "relationship", "is_confidential", "n")
    VALUES (coalesce(NEW."priority"::text, ''), coalesce(NEW."relationship_status"::text, ''), NEW."is_confidential", 1)
    ON CONFLICT ("priority", "relationship", "is_confidential") DO UPDATE SET "n" = "client_assessment_counts"."n" + 1;
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER "clients_assessment_counts_insert_delete" AFTER INSERT OR DELETE ON "clients"
  FOR EACH ROW EXECUTE FUNCTION "client_assessment_counts_apply"();
CREATE TRIGGER "clients_assessment_counts_update" AFTER UPDATE OF "priority", "relationship_status", "is_confidential" ON "clients"
  FOR EACH ROW WHEN (OLD."priority" IS DISTINCT FROM NEW."priority" OR OLD."relationship_status" IS DISTINCT FROM NEW."relationship_status"
    OR OLD."is_confidential" IS DISTINCT FROM NEW."is_confidential")
  EXECUTE FUNCTION "client_assessment_counts_apply"();

-- Clients that exist already (this migration may run on a filled database).
INSERT INTO "client_assessment_counts" ("priority", "relationship", "is_confidential", "n")
SELECT coalesce("priority"::text, ''), coalesce("relationship_status"::text, ''), "is_confidential", count(*) FROM "clients" GROUP BY 1, 2, 3;
