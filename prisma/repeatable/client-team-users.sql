-- Repeatable (see access.sql): client_team_users, one row per user and client they are on the team of, in its CURRENT
-- definition. src/db/migrate.ts re-applies this file (in one transaction) whenever its checksum changes, and the table
-- is rebuilt from the rows at the end. docs/access.md says what reads it.
--
-- The team is client_team_user_ids (access.sql): the account manager, the primary and secondary points of contact
-- and the team members, each once. Each row carries copies of its client's restriction and last contact, so that a
-- reader's counts by last contact ("mine" on the dashboards: src/access/clients.ts, myClientRowsSql) read a few index
-- entries instead of gathering the reader's team from four indexes and de-duplicating it on every request. A row is a
-- narrowing source, never a reason to see a client: readers combine it with the client rule.

-- Rewrites one client's rows from its current team and columns. The client's row is locked first (FOR NO KEY UPDATE,
-- which team-member writes' foreign-key checks do not conflict with), so two transactions changing one client's team
-- refresh it one after the other, the second reading the team as the first left it.
CREATE OR REPLACE FUNCTION "client_team_users_refresh"("client" UUID) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  "team" UUID[];
BEGIN
  PERFORM 1 FROM "clients" c WHERE c."id" = "client" FOR NO KEY UPDATE;
  "team" := "client_team_user_ids"("client");
  DELETE FROM "client_team_users" t WHERE t."client_id" = "client" AND NOT (t."user_id" = ANY ("team"));
  INSERT INTO "client_team_users" ("user_id", "client_id", "is_confidential", "last_contact_at")
  SELECT u."id", c."id", c."is_confidential", c."last_contact_at" FROM "clients" c CROSS JOIN unnest("team") u("id") WHERE c."id" = "client"
  ON CONFLICT ("user_id", "client_id") DO UPDATE SET "is_confidential" = EXCLUDED."is_confidential", "last_contact_at" = EXCLUDED."last_contact_at"
    WHERE ("client_team_users"."is_confidential", "client_team_users"."last_contact_at")
      IS DISTINCT FROM (EXCLUDED."is_confidential", EXCLUDED."last_contact_at");
END;
$$;

-- New clients: their rows from their team, in one statement per INSERT statement (a bulk import or seed writes them in
-- one pass). No lock: no other transaction can see, or add team members to, a client not yet committed.
CREATE OR REPLACE FUNCTION "client_team_users_on_client_insert"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "client_team_users" ("user_id", "client_id", "is_confidential", "last_contact_at")
  SELECT u."id", n."id", n."is_confidential", n."last_contact_at" FROM new_rows n CROSS JOIN LATERAL unnest("client_team_user_ids"(n."id")) u("id")
  ON CONFLICT ("user_id", "client_id") DO NOTHING;
  RETURN NULL;
END;
$$;

-- A changed client: its team columns changed, the rows are rewritten; otherwise (restriction, last contact: a
-- communication logged) the copies are updated in place. The client's row is locked by the UPDATE itself.
CREATE OR REPLACE FUNCTION "client_team_users_on_client_update"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF (OLD."account_manager_id", OLD."primary_poc_id", OLD."secondary_poc_id") IS DISTINCT FROM (NEW."account_manager_id", NEW."primary_poc_id", NEW."secondary_poc_id") THEN
    PERFORM "client_team_users_refresh"(NEW."id");
  ELSE
    UPDATE "client_team_users" t SET "is_confidential" = NEW."is_confidential", "last_contact_at" = NEW."last_contact_at" WHERE t."client_id" = NEW."id";
  END IF;
  RETURN NULL;
END;
$$;

DROP FUNCTION IF EXISTS "client_team_users_on_client"() CASCADE;
DROP TRIGGER IF EXISTS "client_team_users_client_insert" ON "clients";
CREATE TRIGGER "client_team_users_client_insert" AFTER INSERT ON "clients"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "client_team_users_on_client_insert"();
DROP TRIGGER IF EXISTS "client_team_users_client_update" ON "clients";
CREATE TRIGGER "client_team_users_client_update"
  AFTER UPDATE OF "account_manager_id", "primary_poc_id", "secondary_poc_id", "is_confidential", "last_contact_at" ON "clients"
  FOR EACH ROW WHEN (OLD."account_manager_id" IS DISTINCT FROM NEW."account_manager_id"
    OR OLD."primary_poc_id" IS DISTINCT FROM NEW."primary_poc_id" OR OLD."secondary_poc_id" IS DISTINCT FROM NEW."secondary_poc_id"
    OR OLD."is_confidential" IS DISTINCT FROM NEW."is_confidential" OR OLD."last_contact_at" IS DISTINCT FROM NEW."last_contact_at")
  EXECUTE FUNCTION "client_team_users_on_client_update"();
-- A deleted client's rows go with it (the foreign key cascades).

CREATE OR REPLACE FUNCTION "client_team_users_on_member"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM "client_team_users_refresh"(OLD."client_id");
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW."client_id" IS DISTINCT FROM OLD."client_id") THEN
    PERFORM "client_team_users_refresh"(NEW."client_id");
  END IF;
  RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS "client_team_users_member" ON "client_team_members";
CREATE TRIGGER "client_team_users_member" AFTER INSERT OR UPDATE OF "client_id", "user_id" OR DELETE ON "client_team_members"
  FOR EACH ROW EXECUTE FUNCTION "client_team_users_on_member"();

-- Rebuilds the table from the rows: below, whenever this file changes. The caller holds writes off (LOCK TABLE ... IN
-- SHARE MODE) if others run.
CREATE OR REPLACE FUNCTION "client_team_users_rebuild"() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "client_team_users";
  INSERT INTO "client_team_users" ("user_id", "client_id", "is_confidential", "last_contact_at")
  SELECT u."id", c."id", c."is_confidential", c."last_contact_at" FROM "clients" c CROSS JOIN LATERAL unnest("client_team_user_ids"(c."id")) u("id");
END;
$$;

-- Rebuild from the rows, with writes to the team held off until this transaction commits.
LOCK TABLE "clients", "client_team_members" IN SHARE MODE;
SELECT "client_team_users_rebuild"();
ANALYZE "client_team_users";
