-- CreateTable
CREATE TABLE "client_status_counts" (
    "status" "ClientStatus" NOT NULL,
    "is_confidential" BOOLEAN NOT NULL,
    "n" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "client_status_counts_pkey" PRIMARY KEY ("status","is_confidential")
);

-- Kept by triggers in the same transaction as each change, so the counts are exact and never stale.
ALTER TABLE "client_status_counts" ADD CONSTRAINT "client_status_counts_nonnegative" CHECK ("n" >= 0);

CREATE FUNCTION "client_status_counts_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE "client_status_counts" SET "n" = "n" - 1 WHERE "status" = OLD."status" AND "is_confidential" = OLD."is_confidential";
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO "client_status_counts" ("status", "is_confidential", "n") VALUES (NEW."status", NEW."is_confidential", 1)
    ON CONFLICT ("status", "is_confidential") DO UPDATE SET "n" = "client_status_counts"."n" + 1;
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER "clients_status_counts_insert_delete" AFTER INSERT OR DELETE ON "clients"
  FOR EACH ROW EXECUTE FUNCTION "client_status_counts_apply"();
CREATE TRIGGER "clients_status_counts_update" AFTER UPDATE OF "status", "is_confidential" ON "clients"
  FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."is_confidential" IS DISTINCT FROM NEW."is_confidential")
  EXECUTE FUNCTION "client_status_counts_apply"();

-- Clients that exist already (this migration may run on a filled database).
INSERT INTO "client_status_counts" ("status", "is_confidential", "n")
SELECT "status", "is_confidential", count(*) FROM "clients" GROUP BY 1, 2;

-- The restricted clients a user sees through their own roles (the only per-user part of the status counts).
CREATE INDEX "clients_confidential_manager" ON "clients" ("account_manager_id") WHERE "is_confidential";
CREATE INDEX "clients_confidential_primary_poc" ON "clients" ("primary_poc_id") WHERE "is_confidential";
CREATE INDEX "clients_confidential_secondary_poc" ON "clients" ("secondary_poc_id") WHERE "is_confidential";
