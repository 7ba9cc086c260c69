-- Live cases per manager, status and restriction class (the case's copy of its client's restriction), kept by a
-- trigger in the same transaction as each change of a case, so the counts are exact and never stale. The home page's
-- "cases I manage by status" and the workload view's open cases per manager read these rows instead of counting
-- thousands of cases on each request (src/access/cases.ts, managedCaseCountsSql, says when they stand for the rule).
CREATE TABLE "case_manager_counts" (
    "manager_id" UUID NOT NULL,
    "status" "CaseStatus" NOT NULL,
    "client_confidential" BOOLEAN NOT NULL,
    "n" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "case_manager_counts_pkey" PRIMARY KEY ("manager_id", "status", "client_confidential"),
    CONSTRAINT "case_manager_counts_nonnegative" CHECK ("n" >= 0)
);

-- One firing moves a case from its old row to its new one. The two rows are changed in key order, so two cases moving
-- in opposite directions at once (A to B and B to A) wait for each other instead of deadlocking.
CREATE FUNCTION "case_manager_counts_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  old_key TEXT := NULL;
  new_key TEXT := NULL;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD."deleted_at" IS NULL THEN
    old_key := OLD."manager_id"::text || '/' || OLD."status"::text || '/' || OLD."client_confidential"::text;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW."deleted_at" IS NULL THEN
    new_key := NEW."manager_id"::text || '/' || NEW."status"::text || '/' || NEW."client_confidential"::text;
  END IF;
  IF old_key IS NOT DISTINCT FROM new_key THEN
    RETURN NULL;
  END IF;
  IF new_key IS NOT NULL AND (old_key IS NULL OR new_key < old_key) THEN
    INSERT INTO "case_manager_counts" ("manager_id", "status", "client_confidential", "n")
    VALUES (NEW."manager_id", NEW."status", NEW."client_confidential", 1)
    ON CONFLICT ("manager_id", "status", "client_confidential") DO UPDATE SET "n" = "case_manager_counts"."n" + 1;
    new_key := NULL;
  END IF;
  IF old_key IS NOT NULL THEN
    UPDATE "case_manager_counts" SET "n" = "n" - 1
    WHERE "manager_id" = OLD."manager_id" AND "status" = OLD."status" AND "client_confidential" = OLD."client_confidential";
  END IF;
  IF new_key IS NOT NULL THEN
    INSERT INTO "case_manager_counts" ("manager_id", "status", "client_confidential", "n")
    VALUES (NEW."manager_id", NEW."status", NEW."client_confidential", 1)
    ON CONFLICT ("manager_id", "status", "client_confidential") DO UPDATE SET "n" = "case_manager_counts"."n" + 1;
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER "cases_manager_counts_insert_delete" AFTER INSERT OR DELETE ON "cases"
  FOR EACH ROW EXECUTE FUNCTION "case_manager_counts_apply"();
CREATE TRIGGER "cases_manager_counts_update" AFTER UPDATE OF "manager_id", "status", "client_confidential", "deleted_at" ON "cases"
  FOR EACH ROW WHEN (OLD."manager_id" IS DISTINCT FROM NEW."manager_id" OR OLD."status" IS DISTINCT FROM NEW."status"
    OR OLD."client_confidential" IS DISTINCT FROM NEW."client_confidential" OR (OLD."deleted_at" IS NULL) <> (NEW."deleted_at" IS NULL))
  EXECUTE FUNCTION "case_manager_counts_apply"();

-- Cases that exist already (this migration may run on a filled database).
INSERT INTO "case_manager_counts" ("manager_id", "status", "client_confidential", "n")
SELECT "manager_id", "status", "client_confidential", count(*) FROM "cases" WHERE "deleted_at" IS NULL GROUP BY 1, 2, 3;

-- The cases of restricted clients per manager: a reader off "view confidential" adds those of their own restricted
-- clients to the kept counts one by one (src/access/cases.ts), from this index alone.
CREATE INDEX "cases_restricted_by_manager" ON "cases" ("manager_id", "client_id") INCLUDE ("status")
  WHERE "deleted_at" IS NULL AND "client_confidential";
