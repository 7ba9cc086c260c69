-- Repeatable: the triggers, functions and views that carry access data, in their CURRENT definition. src/db/migrate.ts
-- re-applies this file (in one transaction) after the migrations whenever its checksum changes, as Flyway does with
-- repeatable migrations: edit it here, never in a new migration. Every statement must be safe to run again.
-- docs/access.md says what reads these copies and why they exist.

-- client_status_counts: clients per status and restriction, kept in the same transaction as each change, so the list's
-- unfiltered counts are exact without counting (src/clients/queries.ts). A change moves a client from its old row to
-- its new one; the two rows are changed in key order, so two clients moving in opposite directions at once (active to
-- inactive and inactive to active) queue on the rows instead of deadlocking.
CREATE OR REPLACE FUNCTION "client_status_counts_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  old_key TEXT := CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN OLD."status"::text || '/' || OLD."is_confidential"::text END;
  new_key TEXT := CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN NEW."status"::text || '/' || NEW."is_confidential"::text END;
BEGIN
  IF new_key IS NOT NULL AND (old_key IS NULL OR new_key < old_key) THEN
    INSERT INTO "client_status_counts" ("status", "is_confidential", "n") VALUES (NEW."status", NEW."is_confidential", 1)
    ON CONFLICT ("status", "is_confidential") DO UPDATE SET "n" = "client_status_counts"."n" + 1;
    new_key := NULL;
  END IF;
  IF old_key IS NOT NULL THEN
    UPDATE "client_status_counts" SET "n" = "n" - 1 WHERE "status" = OLD."status" AND "is_confidential" = OLD."is_confidential";
  END IF;
  IF new_key IS NOT NULL THEN
    INSERT INTO "client_status_counts" ("status", "is_confidential", "n") VALUES (NEW."status", NEW."is_confidential", 1)
    ON CONFLICT ("status", "is_confidential") DO UPDATE SET "n" = "client_status_counts"."n" + 1;
  END IF;
  RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS "clients_status_counts_insert_delete" ON "clients";
CREATE TRIGGER "clients_status_counts_insert_delete" AFTER INSERT OR DELETE ON "clients"
  FOR EACH ROW EXECUTE FUNCTION "client_status_counts_apply"();
DROP TRIGGER IF EXISTS "clients_status_counts_update" ON "clients";
CREATE TRIGGER "clients_status_counts_update" AFTER UPDATE OF "status", "is_confidential" ON "clients"
  FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."is_confidential" IS DISTINCT FROM NEW."is_confidential")
  EXECUTE FUNCTION "client_status_counts_apply"();

-- cases.client_confidential: the case's client's restriction, on the case itself, so lists and counts test the client
-- rule from the case's own index entry (src/access/cases.ts). Read from the client under a share lock, so a restriction
-- being changed at the same moment is waited for rather than missed; any other value written is replaced.
-- The same function keeps the roundtable rows' copy (below): any table with client_id and client_confidential.
CREATE OR REPLACE FUNCTION "copy_client_confidential"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW."client_id" IS NOT DISTINCT FROM OLD."client_id"
     AND NEW."client_confidential" IS NOT DISTINCT FROM OLD."client_confidential" THEN
    RETURN NEW;
  END IF;
  SELECT c."is_confidential" INTO NEW."client_confidential" FROM "clients" c WHERE c."id" = NEW."client_id" FOR SHARE;
  RETURN NEW;
END;
$$;
DROP TRIGGER IF EXISTS "cases_client_confidential" ON "cases";
CREATE TRIGGER "cases_client_confidential" BEFORE INSERT OR UPDATE OF "client_id", "client_confidential" ON "cases"
  FOR EACH ROW EXECUTE FUNCTION "copy_client_confidential"();
-- The function's earlier name, for cases alone.
DROP FUNCTION IF EXISTS "cases_copy_client_confidential"();

-- documents' and communications' client_confidential and client_privileged: the restriction and privileged
-- classification of the row's parent client (its client, or for a document filed on a case only, the case's client;
-- a communication always names its client), on the row itself, so lists and counts test the document and
-- communication rules from the row (or an index entry) instead of looking the client up for each row walked, and the
-- documents' privileged filter reads the row alone (src/access/documents.ts, src/access/communications.ts). Read from
-- the client under a share lock, as the cases' copy is; any other value written is replaced.
CREATE OR REPLACE FUNCTION "copy_client_facts"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW."client_id" IS NOT DISTINCT FROM OLD."client_id"
     AND NEW."case_id" IS NOT DISTINCT FROM OLD."case_id"
     AND NEW."client_confidential" IS NOT DISTINCT FROM OLD."client_confidential"
     AND NEW."client_privileged" IS NOT DISTINCT FROM OLD."client_privileged" THEN
    RETURN NEW;
  END IF;
  NEW."client_confidential" := FALSE;
  NEW."client_privileged" := FALSE;
  IF NEW."client_id" IS NOT NULL THEN
    SELECT c."is_confidential", c."data_classification" = 'privileged' INTO NEW."client_confidential", NEW."client_privileged"
    FROM "clients" c WHERE c."id" = NEW."client_id" FOR SHARE;
  ELSIF NEW."case_id" IS NOT NULL THEN
    SELECT c."is_confidential", c."data_classification" = 'privileged' INTO NEW."client_confidential", NEW."client_privileged"
    FROM "cases" k JOIN "clients" c ON c."id" = k."client_id" WHERE k."id" = NEW."case_id" FOR SHARE OF c;
  END IF;
  RETURN NEW;
END;
$$;
DROP TRIGGER IF EXISTS "documents_client_facts" ON "documents";
CREATE TRIGGER "documents_client_facts" BEFORE INSERT OR UPDATE OF "client_id", "case_id", "client_confidential", "client_privileged" ON "documents"
  FOR EACH ROW EXECUTE FUNCTION "copy_client_facts"();
DROP TRIGGER IF EXISTS "communications_client_facts" ON "communications";
CREATE TRIGGER "communications_client_facts" BEFORE INSERT OR UPDATE OF "client_id", "case_id", "client_confidential", "client_privileged" ON "communications"
  FOR EACH ROW EXECUTE FUNCTION "copy_client_facts"();
-- The function's earlier names, for documents alone and (b864ce1) communications alone.
DROP FUNCTION IF EXISTS "documents_copy_client_facts"();
DROP FUNCTION IF EXISTS "communications_copy_client_facts"();

-- A client's restriction or classification changing: its documents, those filed on its cases only, and its
-- communications (their copies, below) take the new values.
CREATE OR REPLACE FUNCTION "client_facts_on_client"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "documents" SET "client_confidential" = NEW."is_confidential", "client_privileged" = NEW."data_classification" = 'privileged'
  WHERE ("client_id" = NEW."id" OR ("client_id" IS NULL AND "case_id" IN (SELECT k."id" FROM "cases" k WHERE k."client_id" = NEW."id")))
    AND ("client_confidential", "client_privileged") IS DISTINCT FROM (NEW."is_confidential", NEW."data_classification" = 'privileged');
  UPDATE "communications" SET "client_confidential" = NEW."is_confidential", "client_privileged" = NEW."data_classification" = 'privileged'
  WHERE "client_id" = NEW."id"
    AND ("client_confidential", "client_privileged") IS DISTINCT FROM (NEW."is_confidential", NEW."data_classification" = 'privileged');
  RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS "clients_documents_client_facts" ON "clients";
DROP TRIGGER IF EXISTS "clients_client_facts" ON "clients";
CREATE TRIGGER "clients_client_facts" AFTER UPDATE OF "is_confidential", "data_classification" ON "clients" FOR EACH ROW
  WHEN (OLD."is_confidential" IS DISTINCT FROM NEW."is_confidential" OR OLD."data_classification" IS DISTINCT FROM NEW."data_classification")
  EXECUTE FUNCTION "client_facts_on_client"();
-- The function's earlier name, for documents alone.
DROP FUNCTION IF EXISTS "documents_client_facts_on_client"();

-- A case moving to another client: the documents filed on it only take that client's values.
CREATE OR REPLACE FUNCTION "documents_client_facts_on_case"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "documents" d SET "client_confidential" = c."is_confidential", "client_privileged" = c."data_classification" = 'privileged'
  FROM "clients" c
  WHERE c."id" = NEW."client_id" AND d."case_id" = NEW."id" AND d."client_id" IS NULL
    AND (d."client_confidential", d."client_privileged") IS DISTINCT FROM (c."is_confidential", c."data_classification" = 'privileged');
  RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS "cases_documents_client_facts" ON "cases";
CREATE TRIGGER "cases_documents_client_facts" AFTER UPDATE OF "client_id" ON "cases" FOR EACH ROW
  WHEN (OLD."client_id" IS DISTINCT FROM NEW."client_id") EXECUTE FUNCTION "documents_client_facts_on_case"();

-- Documents filed on a case only took no copy before the copies covered them: filled once (a no-op when run again).
UPDATE "documents" d SET "client_confidential" = c."is_confidential", "client_privileged" = c."data_classification" = 'privileged'
FROM "cases" k JOIN "clients" c ON c."id" = k."client_id"
WHERE d."client_id" IS NULL AND k."id" = d."case_id"
  AND (d."client_confidential", d."client_privileged") IS DISTINCT FROM (c."is_confidential", c."data_classification" = 'privileged');

-- The communications' copies are rewritten with the documents' by client_facts_on_client (above) when a client's
-- restriction or classification changes; b864ce1 had a trigger of its own for them.
DROP TRIGGER IF EXISTS "clients_communications_client_facts" ON "clients";
DROP FUNCTION IF EXISTS "communications_client_facts_on_client"();

-- roundtable_entries.client_confidential and roundtable_action_items.client_confidential: the restriction of the row's
-- client, on the row, so the roundtable rule reads it there (src/access/roundtable.ts), kept as cases' copy is (the
-- same function: read from the client under a share lock, any other value written replaced).
DROP TRIGGER IF EXISTS "roundtable_entries_client_confidential" ON "roundtable_entries";
CREATE TRIGGER "roundtable_entries_client_confidential" BEFORE INSERT OR UPDATE OF "client_id", "client_confidential" ON "roundtable_entries"
  FOR EACH ROW EXECUTE FUNCTION "copy_client_confidential"();
DROP TRIGGER IF EXISTS "roundtable_action_items_client_confidential" ON "roundtable_action_items";
CREATE TRIGGER "roundtable_action_items_client_confidential" BEFORE INSERT OR UPDATE OF "client_id", "client_confidential" ON "roundtable_action_items"
  FOR EACH ROW EXECUTE FUNCTION "copy_client_confidential"();
DROP FUNCTION IF EXISTS "roundtable_copy_client_confidential"();

-- A client's restriction changing: its roundtable entries and action items take the new value.
CREATE OR REPLACE FUNCTION "roundtable_client_confidential_on_client"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "roundtable_entries" SET "client_confidential" = NEW."is_confidential"
  WHERE "client_id" = NEW."id" AND "client_confidential" IS DISTINCT FROM NEW."is_confidential";
  UPDATE "roundtable_action_items" SET "client_confidential" = NEW."is_confidential"
  WHERE "client_id" = NEW."id" AND "client_confidential" IS DISTINCT FROM NEW."is_confidential";
  RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS "clients_roundtable_client_confidential" ON "clients";
CREATE TRIGGER "clients_roundtable_client_confidential" AFTER UPDATE OF "is_confidential" ON "clients" FOR EACH ROW
  WHEN (OLD."is_confidential" IS DISTINCT FROM NEW."is_confidential") EXECUTE FUNCTION "roundtable_client_confidential_on_client"();

-- A client's restriction changing: its cases take the new value (through the trigger above), and their case_access rows
-- are rebuilt by the cases update trigger below.
CREATE OR REPLACE FUNCTION "case_access_on_client"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "cases" SET "client_confidential" = NEW."is_confidential"
  WHERE "client_id" = NEW."id" AND "client_confidential" IS DISTINCT FROM NEW."is_confidential";
  RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS "clients_case_access" ON "clients";
CREATE TRIGGER "clients_case_access" AFTER UPDATE OF "is_confidential" ON "clients" FOR EACH ROW
  WHEN (OLD."is_confidential" IS DISTINCT FROM NEW."is_confidential") EXECUTE FUNCTION "case_access_on_client"();

-- case_access: one row per live case and each user who manages it or is on its team, with the columns lists filter and
-- sort on, so a reader who sees only their own cases reads them in one index range (docs/decisions/case_access.md).
-- case_access_source is what the table must hold, derived from the base tables in the table's column order.
CREATE OR REPLACE VIEW "case_access_source" AS
  SELECT u."user_id", k."id" AS "case_id", lower(k."case_number") AS "number_lower", lower(k."title") AS "title_lower", k."status",
    k."client_id", k."client_confidential", k."manager_id", k."updated_at", k."priority", k."type_id",
    k."next_review_date", k."created_at"
  FROM "cases" k
    CROSS JOIN LATERAL (SELECT k."manager_id" AS "user_id"
                        UNION SELECT m."user_id" FROM "case_team_members" m WHERE m."case_id" = k."id") u
  WHERE k."deleted_at" IS NULL;

-- A rebuild first takes a share lock on its case: a team change made while the case's client changes restriction then
-- waits for that change to commit and reads the new flag. ON CONFLICT: two rebuilds of one case both end current.
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

CREATE OR REPLACE FUNCTION "case_access_on_case"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "case_access_rebuild"(NEW."id");
  RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS "cases_access_insert" ON "cases";
CREATE TRIGGER "cases_access_insert" AFTER INSERT ON "cases" FOR EACH ROW EXECUTE FUNCTION "case_access_on_case"();
DROP TRIGGER IF EXISTS "cases_access_update" ON "cases";
CREATE TRIGGER "cases_access_update" AFTER UPDATE ON "cases" FOR EACH ROW
  WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."title" IS DISTINCT FROM NEW."title"
     OR OLD."case_number" IS DISTINCT FROM NEW."case_number" OR OLD."created_at" IS DISTINCT FROM NEW."created_at" OR OLD."client_id" IS DISTINCT FROM NEW."client_id"
     OR OLD."client_confidential" IS DISTINCT FROM NEW."client_confidential"
     OR OLD."manager_id" IS DISTINCT FROM NEW."manager_id" OR OLD."updated_at" IS DISTINCT FROM NEW."updated_at"
     OR OLD."priority" IS DISTINCT FROM NEW."priority" OR OLD."type_id" IS DISTINCT FROM NEW."type_id"
     OR OLD."next_review_date" IS DISTINCT FROM NEW."next_review_date" OR OLD."deleted_at" IS DISTINCT FROM NEW."deleted_at")
  EXECUTE FUNCTION "case_access_on_case"();

CREATE OR REPLACE FUNCTION "case_access_on_team"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM "case_access_rebuild"(OLD."case_id"); END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW."case_id" IS DISTINCT FROM OLD."case_id") THEN PERFORM "case_access_rebuild"(NEW."case_id"); END IF;
  RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS "case_team_members_access" ON "case_team_members";
CREATE TRIGGER "case_team_members_access" AFTER INSERT OR UPDATE OF "case_id", "user_id" OR DELETE ON "case_team_members"
  FOR EACH ROW EXECUTE FUNCTION "case_access_on_team"();

-- client_team_rows (the dashboards' "mine" rows gathered from the team indexes) gave way to the kept table
-- client_team_users (client-team-users.sql).
DROP FUNCTION IF EXISTS "client_team_rows"(UUID);

-- client_team_ids: the clients a user is on the team of (account manager, primary or secondary point of contact, team
-- member), or only the restricted ones among them: the set src/access/clients.ts tests the client rule against
-- (visibleRestrictedClientIdsSql). A function so that the planner costs it as the small set it is, once per query:
-- written out in each query, PostgreSQL charged building it again on every row it might test it for, and chose to
-- hash every client instead of probing a few hundred. ROWS is that estimate; the body runs once per query, and reads
-- the team as kept per user in client_team_users (client-team-users.sql; the restricted rows from the partial index
-- client_team_users_restricted, a few pages), where gathering it from the four team columns' indexes visited a
-- client row per entry, and a page that tests the rule in several places paid that each time.
CREATE OR REPLACE FUNCTION "client_team_ids"("reader" UUID, "restricted_only" BOOLEAN) RETURNS SETOF UUID
LANGUAGE plpgsql STABLE ROWS 100 COST 10 AS $$
BEGIN
  IF "restricted_only" THEN
    RETURN QUERY SELECT t."client_id" FROM "client_team_users" t WHERE t."user_id" = "reader" AND t."is_confidential";
  ELSE
    RETURN QUERY SELECT t."client_id" FROM "client_team_users" t WHERE t."user_id" = "reader";
  END IF;
END;
$$;

-- client_team_user_ids: the same team seen from the client's side, every user on a client's team (account manager,
-- primary or secondary point of contact, team member), each once, in order: what the per-user feedback sums
-- (feedback_team_sums, prisma/repeatable/feedback-summaries.sql) add a restricted client's feedback to, and the rows
-- of client_team_users (client-team-users.sql). The same four
-- reasons as client_team_ids; tests/feedback/summaries.test.ts holds the two to each other.
CREATE OR REPLACE FUNCTION "client_team_user_ids"("client" UUID) RETURNS UUID[]
LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(DISTINCT t."id" ORDER BY t."id"), '{}')
  FROM (SELECT c."account_manager_id" FROM "clients" c WHERE c."id" = "client"
        UNION ALL SELECT c."primary_poc_id" FROM "clients" c WHERE c."id" = "client"
        UNION ALL SELECT c."secondary_poc_id" FROM "clients" c WHERE c."id" = "client"
        UNION ALL SELECT m."user_id" FROM "client_team_members" m WHERE m."client_id" = "client") t("id")
  WHERE t."id" IS NOT NULL;
$$;
