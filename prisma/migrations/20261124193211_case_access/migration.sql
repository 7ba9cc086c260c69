-- CreateTable
CREATE TABLE "case_access" (
    "user_id" UUID NOT NULL,
    "case_id" UUID NOT NULL,
    "number_lower" TEXT NOT NULL,
    "title_lower" TEXT NOT NULL,
    "status" "CaseStatus" NOT NULL,
    "client_id" UUID NOT NULL,
    "client_confidential" BOOLEAN NOT NULL,
    "manager_id" UUID NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL,
    "priority" "CasePriority" NOT NULL,
    "type_id" UUID NOT NULL,
    "next_review_date" DATE,
    "created_at" TIMESTAMP(3) NOT NULL,

    -- INCLUDE: a reader's rows are read from the key's index alone (index-only), never from the table.
    CONSTRAINT "case_access_pkey" PRIMARY KEY ("user_id","case_id")
      INCLUDE ("number_lower", "title_lower", "status", "client_id", "client_confidential", "manager_id", "updated_at", "priority", "type_id",
        "next_review_date", "created_at")
);

-- CreateIndex
CREATE INDEX "case_access_case_id_idx" ON "case_access"("case_id");

-- A page of the reader's newest cases, and the board's column of a status, are read in order from these and stop
-- after the page; the filters' columns come along so no row is fetched from the table.
CREATE INDEX "case_access_user_updated" ON "case_access" ("user_id", "updated_at" DESC, "case_id" DESC)
  INCLUDE ("status", "client_id", "client_confidential", "manager_id", "priority", "type_id", "next_review_date", "number_lower", "title_lower");
CREATE INDEX "case_access_user_status_updated" ON "case_access" ("user_id", "status", "updated_at" DESC, "case_id" DESC)
  INCLUDE ("client_id", "client_confidential", "manager_id", "priority", "type_id", "next_review_date");

-- AddForeignKey
ALTER TABLE "case_access" ADD CONSTRAINT "case_access_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Kept by triggers, in the same transaction as the change: a case's rows are rebuilt from the case, its team and its
-- client whenever one of them changes (deleted cases have none). ON CONFLICT: two transactions rebuilding the same
-- case (the services lock the case row first, so only writes from outside them) both end with its current rows.
-- What case_access must hold, derived from the base tables (in the table's column order): the rebuild below and the
-- backfill at the end read it.
CREATE VIEW "case_access_source" AS
  SELECT u."user_id", k."id" AS "case_id", lower(k."case_number") AS "number_lower", lower(k."title") AS "title_lower", k."status",
    k."client_id", c."is_confidential" AS "client_confidential", k."manager_id", k."updated_at", k."priority", k."type_id",
    k."next_review_date", k."created_at"
  FROM "cases" k
    JOIN "clients" c ON c."id" = k."client_id"
    CROSS JOIN LATERAL (SELECT k."manager_id" AS "user_id"
                        UNION SELECT m."user_id" FROM "case_team_members" m WHERE m."case_id" = k."id") u
  WHERE k."deleted_at" IS NULL;

CREATE FUNCTION "case_access_rebuild"("p_case" UUID) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "case_access" WHERE "case_id" = "p_case";
  INSERT INTO "case_access" SELECT * FROM "case_access_source" s WHERE s."case_id" = "p_case"
  ON CONFLICT ("user_id", "case_id") DO UPDATE SET
    "number_lower" = EXCLUDED."number_lower", "title_lower" = EXCLUDED."title_lower", "created_at" = EXCLUDED."created_at",
    "status" = EXCLUDED."status", "client_id" = EXCLUDED."client_id", "client_confidential" = EXCLUDED."client_confidential",
    "manager_id" = EXCLUDED."manager_id", "updated_at" = EXCLUDED."updated_at", "priority" = EXCLUDED."priority",
    "type_id" = EXCLUDED."type_id", "next_review_date" = EXCLUDED."next_review_date";
END;
$$;

CREATE FUNCTION "case_access_on_case"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "case_access_rebuild"(NEW."id");
  RETURN NULL;
END;
$$;
CREATE TRIGGER "cases_access_insert" AFTER INSERT ON "cases" FOR EACH ROW EXECUTE FUNCTION "case_access_on_case"();
CREATE TRIGGER "cases_access_update" AFTER UPDATE ON "cases" FOR EACH ROW
  WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."title" IS DISTINCT FROM NEW."title"
     OR OLD."case_number" IS DISTINCT FROM NEW."case_number" OR OLD."created_at" IS DISTINCT FROM NEW."created_at" OR OLD."client_id" IS DISTINCT FROM NEW."client_id"
     OR OLD."manager_id" IS DISTINCT FROM NEW."manager_id" OR OLD."updated_at" IS DISTINCT FROM NEW."updated_at"
     OR OLD."priority" IS DISTINCT FROM NEW."priority" OR OLD."type_id" IS DISTINCT FROM NEW."type_id"
     OR OLD."next_review_date" IS DISTINCT FROM NEW."next_review_date" OR OLD."deleted_at" IS DISTINCT FROM NEW."deleted_at")
  EXECUTE FUNCTION "case_access_on_case"();

CREATE FUNCTION "case_access_on_team"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM "case_access_rebuild"(OLD."case_id"); END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW."case_id" IS DISTINCT FROM OLD."case_id") THEN PERFORM "case_access_rebuild"(NEW."case_id"); END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER "case_team_members_access" AFTER INSERT OR UPDATE OF "case_id", "user_id" OR DELETE ON "case_team_members"
  FOR EACH ROW EXECUTE FUNCTION "case_access_on_team"();

CREATE FUNCTION "case_access_on_client"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "case_access" SET "client_confidential" = NEW."is_confidential"
  WHERE "case_id" IN (SELECT k."id" FROM "cases" k WHERE k."client_id" = NEW."id");
  RETURN NULL;
END;
$$;
CREATE TRIGGER "clients_case_access" AFTER UPDATE OF "is_confidential" ON "clients" FOR EACH ROW
  WHEN (OLD."is_confidential" IS DISTINCT FROM NEW."is_confidential") EXECUTE FUNCTION "case_access_on_client"();

-- Cases that exist already (this migration may run on a filled database).
INSERT INTO "case_access" SELECT * FROM "case_access_source";
