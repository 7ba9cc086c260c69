-- AlterTable
ALTER TABLE "cases" ADD COLUMN     "client_confidential" BOOLEAN NOT NULL DEFAULT false;

-- cases.client_confidential: the case's client's is_confidential, on the case itself, so lists and counts test the
-- client rule from the case's own index entry and look a client up only for cases of restricted clients
-- (src/access/cases.ts visibleCasesSql). Kept by the triggers below, in the same transaction as the change; the app
-- never writes it.

-- Cases that exist already (before the triggers, so the copy fires none of them; case_access has the flag already).
UPDATE "cases" k SET "client_confidential" = TRUE FROM "clients" c WHERE c."id" = k."client_id" AND c."is_confidential";

-- Written with the case (new, or moved to another client): read from the client under a share lock, so a restriction
-- being changed at the same moment is waited for (its transaction's update of the client's cases cannot see this
-- uncommitted case) rather than missed. Any other value written to the column is replaced by the client's. An update
-- that names the client without changing it reads nothing and waits for nothing.
CREATE FUNCTION "cases_copy_client_confidential"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW."client_id" IS NOT DISTINCT FROM OLD."client_id"
     AND NEW."client_confidential" IS NOT DISTINCT FROM OLD."client_confidential" THEN
    RETURN NEW;
  END IF;
  SELECT c."is_confidential" INTO NEW."client_confidential" FROM "clients" c WHERE c."id" = NEW."client_id" FOR SHARE;
  RETURN NEW;
END;
$$;
CREATE TRIGGER "cases_client_confidential" BEFORE INSERT OR UPDATE OF "client_id", "client_confidential" ON "cases"
  FOR EACH ROW EXECUTE FUNCTION "cases_copy_client_confidential"();

-- A client's restriction changing: its cases take the new value (each through the trigger above), and their
-- case_access rows are rebuilt by the cases update trigger, which now also watches the flag.
CREATE OR REPLACE FUNCTION "case_access_on_client"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "cases" SET "client_confidential" = NEW."is_confidential"
  WHERE "client_id" = NEW."id" AND "client_confidential" IS DISTINCT FROM NEW."is_confidential";
  RETURN NULL;
END;
$$;

DROP TRIGGER "cases_access_update" ON "cases";
CREATE TRIGGER "cases_access_update" AFTER UPDATE ON "cases" FOR EACH ROW
  WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."title" IS DISTINCT FROM NEW."title"
     OR OLD."case_number" IS DISTINCT FROM NEW."case_number" OR OLD."created_at" IS DISTINCT FROM NEW."created_at" OR OLD."client_id" IS DISTINCT FROM NEW."client_id"
     OR OLD."client_confidential" IS DISTINCT FROM NEW."client_confidential"
     OR OLD."manager_id" IS DISTINCT FROM NEW."manager_id" OR OLD."updated_at" IS DISTINCT FROM NEW."updated_at"
     OR OLD."priority" IS DISTINCT FROM NEW."priority" OR OLD."type_id" IS DISTINCT FROM NEW."type_id"
     OR OLD."next_review_date" IS DISTINCT FROM NEW."next_review_date" OR OLD."deleted_at" IS DISTINCT FROM NEW."deleted_at")
  EXECUTE FUNCTION "case_access_on_case"();

-- case_access takes the flag from the case. Same columns as before.
CREATE OR REPLACE VIEW "case_access_source" AS
  SELECT u."user_id", k."id" AS "case_id", lower(k."case_number") AS "number_lower", lower(k."title") AS "title_lower", k."status",
    k."client_id", k."client_confidential", k."manager_id", k."updated_at", k."priority", k."type_id",
    k."next_review_date", k."created_at"
  FROM "cases" k
    CROSS JOIN LATERAL (SELECT k."manager_id" AS "user_id"
                        UNION SELECT m."user_id" FROM "case_team_members" m WHERE m."case_id" = k."id") u
  WHERE k."deleted_at" IS NULL;

-- A rebuild first takes a share lock on its case: a team change made while the case's client changes restriction
-- then waits for that change to commit and reads the new flag (or holds it off until the team change has committed,
-- so the restriction's rebuild sees the new member).
CREATE OR REPLACE FUNCTION "case_access_rebuild"("p_case" UUID) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM "cases" WHERE "id" = "p_case" FOR SHARE;
  DELETE FROM "case_access" WHERE "case_id" = "p_case";
  INSERT INTO "case_access" SELECT * FROM "case_access_source" s WHERE s."case_id" = "p_case"
  ON CONFLICT ("user_id", "case_id") DO UPDATE SET
    "number_lower" = EXCLUDED."number_lower", "title_lower" = EXCLUDED."title_lower", "created_at" = EXCLUDED."created_at",
    "status" = EXCLUDED."status", "client_id" = EXCLUDED."client_id", "client_confidential" = EXCLUDED."client_confidential",
    "manager_id" = EXCLUDED."manager_id", "updated_at" = EXCLUDED."updated_at", "priority" = EXCLUDED."priority",
    "type_id" = EXCLUDED."type_id", "next_review_date" = EXCLUDED."next_review_date";
END;
$$;

-- The covering indexes of the list, its counts and the board hold the flag, so the client rule is tested from them.
DROP INDEX "cases_live_updated";
CREATE INDEX "cases_live_updated" ON "cases" ("updated_at" DESC, "id" DESC)
  INCLUDE ("manager_id", "client_id", "client_confidential", "legal_review_required", "compliance_review_required") WHERE "deleted_at" IS NULL;
DROP INDEX "cases_live_status_updated";
CREATE INDEX "cases_live_status_updated" ON "cases" ("status", "updated_at" DESC, "id" DESC)
  INCLUDE ("manager_id", "client_id", "client_confidential", "legal_review_required", "compliance_review_required", "priority") WHERE "deleted_at" IS NULL;
DROP INDEX "cases_live_manager_cover";
CREATE INDEX "cases_live_manager_cover" ON "cases" ("manager_id", "status")
  INCLUDE ("id", "client_id", "client_confidential", "updated_at", "priority", "type_id", "next_review_date") WHERE "deleted_at" IS NULL;
