-- Repeatable: the triggers that keep the feedback summaries (feedback_group_sums, feedback_client_latest,
-- feedback_team_sums with feedback_team_clients), in their CURRENT definition. src/db/migrate.ts re-applies this file (in one transaction) whenever its checksum changes; the
-- last statements then rebuild both tables from the rows, under a lock, so a changed definition never leaves stale
-- sums. Every statement must be safe to run again. docs/performance-feedback.md explains what reads them and why.
--
-- Both are kept in the same transaction as each write, by statement-level triggers (one call per statement, however
-- many rows): on client_feedback (insert, update, delete, truncate) and on clients (insert; an update that changes a
-- client's restriction, category or account manager moves its sums from one class to the other; a change of its
-- name, restriction or status is copied to its latest-feedback row).
--
-- feedback_team_sums: per user, the sums of the restricted clients they are on the team of (client_team_user_ids,
-- each client once), for readers who see restricted clients only as team members. feedback_team_clients records, per
-- restricted client, the team and groups its feedback was added under: a feedback write adds its rows under them; a
-- change of the client's team, restriction or groups (feedback_team_refresh) takes back what was added under the
-- recorded ones and adds the client's feedback under the current ones.
--
-- Concurrency (READ COMMITTED): the feedback triggers share-lock the clients they touch before reading their class,
-- so a client changing class at the same moment is either waited for (and its new class read) or waits for the
-- feedback's transaction (and then moves the feedback with it). Sums are added, never recomputed, so concurrent
-- writes to one class row simply queue on it. A latest-feedback row is locked before it is recomputed, and
-- recomputed by a later statement (a newer snapshot), so two writers of one client's feedback never lose each other.
-- The same lock orders everything that changes a client's per-user sums (its feedback, its team, its class and
-- groups): whoever takes it second reads, in its next statement, what the first committed.

-- Adds signed amounts to the per-user sums (rows of feedback_team_sums' own type; id unused), in key order, so two
-- writers of the same rows queue on them in the same order.
CREATE OR REPLACE FUNCTION "feedback_team_sums_add"(deltas "feedback_team_sums"[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "feedback_team_sums" AS t ("user_id", "dimension", "group_id", "period_start", "feedback_count",
    "finalized_count", "responsiveness_sum", "communication_sum", "requirements_clarity_sum", "decision_speed_sum", "overall_satisfaction_sum")
  SELECT d."user_id", d."dimension", d."group_id", d."period_start", d."feedback_count", d."finalized_count", d."responsiveness_sum",
    d."communication_sum", d."requirements_clarity_sum", d."decision_speed_sum", d."overall_satisfaction_sum"
  FROM unnest(deltas) d
  ORDER BY d."user_id", d."period_start", d."dimension", d."group_id"
  ON CONFLICT ("user_id", "period_start", "dimension", "group_id") DO UPDATE SET
    "feedback_count" = t."feedback_count" + EXCLUDED."feedback_count",
    "finalized_count" = t."finalized_count" + EXCLUDED."finalized_count",
    "responsiveness_sum" = t."responsiveness_sum" + EXCLUDED."responsiveness_sum",
    "communication_sum" = t."communication_sum" + EXCLUDED."communication_sum",
    "requirements_clarity_sum" = t."requirements_clarity_sum" + EXCLUDED."requirements_clarity_sum",
    "decision_speed_sum" = t."decision_speed_sum" + EXCLUDED."decision_speed_sum",
    "overall_satisfaction_sum" = t."overall_satisfaction_sum" + EXCLUDED."overall_satisfaction_sum";
END;
$$;

-- Adds `added` and subtracts `removed` (feedback rows) from their clients' class sums, then recomputes those clients'
-- latest feedback.
CREATE OR REPLACE FUNCTION "feedback_summaries_apply"(added "client_feedback"[], removed "client_feedback"[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  ids uuid[];
BEGIN
  SELECT array_agg(DISTINCT x.client_id ORDER BY x.client_id) INTO ids
  FROM (SELECT a.client_id FROM unnest(added) a UNION ALL SELECT r.client_id FROM unnest(removed) r) x;
  IF ids IS NULL THEN
    RETURN;
  END IF;
  PERFORM 1 FROM "clients" c WHERE c."id" = ANY (ids) ORDER BY c."id" FOR SHARE;
  INSERT INTO "feedback_group_sums" AS g ("period_start", "restricted", "dimension", "group_id", "feedback_count",
    "finalized_count", "responsiveness_sum", "communication_sum", "requirements_clarity_sum", "decision_speed_sum", "overall_satisfaction_sum")
  SELECT d."period_start", c."is_confidential", k."dimension", k."group_id", sum(d.sign), sum(d.sign * (d."finalized_at" IS NOT NULL)::int),
    sum(d.sign * d."responsiveness"), sum(d.sign * d."communication"), sum(d.sign * d."requirements_clarity"),
    sum(d.sign * d."decision_speed"), sum(d.sign * d."overall_satisfaction")
  FROM (SELECT 1 AS sign, a.* FROM unnest(added) a UNION ALL SELECT -1 AS sign, r.* FROM unnest(removed) r) d
    JOIN "clients" c ON c."id" = d."client_id"
    CROSS JOIN LATERAL (VALUES ('category', c."category_id"), ('account_manager', c."account_manager_id")) k ("dimension", "group_id")
  GROUP BY 1, 2, 3, 4
  ORDER BY 1, 2, 3, 4
  ON CONFLICT ("period_start", "restricted", "dimension", "group_id") DO UPDATE SET
    "feedback_count" = g."feedback_count" + EXCLUDED."feedback_count",
    "finalized_count" = g."finalized_count" + EXCLUDED."finalized_count",
    "responsiveness_sum" = g."responsiveness_sum" + EXCLUDED."responsiveness_sum",
    "communication_sum" = g."communication_sum" + EXCLUDED."communication_sum",
    "requirements_clarity_sum" = g."requirements_clarity_sum" + EXCLUDED."requirements_clarity_sum",
    "decision_speed_sum" = g."decision_speed_sum" + EXCLUDED."decision_speed_sum",
    "overall_satisfaction_sum" = g."overall_satisfaction_sum" + EXCLUDED."overall_satisfaction_sum";
  PERFORM "feedback_client_latest_refresh"(ids);
  -- Under that lock, the restricted clients' rows go to their recorded team's sums, under their recorded groups.
  PERFORM "feedback_team_sums_add"(ARRAY(
    SELECT ROW(NULL, u."user_id", k."dimension", k."group_id", d."period_start", sum(d.sign), sum(d.sign * (d."finalized_at" IS NOT NULL)::int),
      sum(d.sign * d."responsiveness"), sum(d.sign * d."communication"), sum(d.sign * d."requirements_clarity"),
      sum(d.sign * d."decision_speed"), sum(d.sign * d."overall_satisfaction"))::"feedback_team_sums"
    FROM (SELECT 1 AS sign, a.* FROM unnest(added) a UNION ALL SELECT -1 AS sign, r.* FROM unnest(removed) r) d
      JOIN "feedback_team_clients" tc ON tc."client_id" = d."client_id"
      CROSS JOIN LATERAL unnest(tc."user_ids") u ("user_id")
      CROSS JOIN LATERAL (VALUES ('category', tc."category_id"), ('account_manager', tc."account_manager_id")) k ("dimension", "group_id")
    GROUP BY u."user_id", k."dimension", k."group_id", d."period_start"));
END;
$$;

-- A change of these clients' team, restriction or groups: their feedback leaves the sums of the team and groups it was
-- added under (feedback_team_clients) and joins those of their current team and groups (none when not restricted).
CREATE OR REPLACE FUNCTION "feedback_team_refresh"(ids uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  current "feedback_team_clients"[];
BEGIN
  IF ids IS NULL OR cardinality(ids) = 0 THEN
    RETURN;
  END IF;
  -- Lock first (as feedback writes do); the next statements read with a newer snapshot.
  PERFORM 1 FROM "feedback_client_latest" s WHERE s."client_id" = ANY (ids) ORDER BY s."client_id" FOR UPDATE;
  -- Each restricted client's current team and groups, read once: what its sums move to, and what is recorded.
  current := ARRAY(SELECT ROW(c."id", c."category_id", c."account_manager_id", "client_team_user_ids"(c."id"))::"feedback_team_clients"
                   FROM "clients" c WHERE c."id" = ANY (ids) AND c."is_confidential" ORDER BY c."id");
  PERFORM "feedback_team_sums_add"(ARRAY(
    SELECT ROW(NULL, u."user_id", k."dimension", k."group_id", f."period_start", sum(m.sign), sum(m.sign * (f."finalized_at" IS NOT NULL)::int),
      sum(m.sign * f."responsiveness"), sum(m.sign * f."communication"), sum(m.sign * f."requirements_clarity"),
      sum(m.sign * f."decision_speed"), sum(m.sign * f."overall_satisfaction"))::"feedback_team_sums"
    FROM (SELECT tc.*, -1 AS sign FROM "feedback_team_clients" tc WHERE tc."client_id" = ANY (ids)
          UNION ALL
          SELECT n.*, 1 FROM unnest(current) n) m
      JOIN "client_feedback" f ON f."client_id" = m."client_id"
      CROSS JOIN LATERAL unnest(m."user_ids") u ("user_id")
      CROSS JOIN LATERAL (VALUES ('category', m."category_id"), ('account_manager', m."account_manager_id")) k ("dimension", "group_id")
    GROUP BY u."user_id", k."dimension", k."group_id", f."period_start"
    HAVING sum(m.sign) <> 0)); -- a key both taken back and added again is unchanged
  DELETE FROM "feedback_team_clients" tc WHERE tc."client_id" = ANY (ids);
  INSERT INTO "feedback_team_clients" SELECT n.* FROM unnest(current) n;
END;
$$;

-- Recomputes the two newest feedback (by period start, a quarter before a month starting the same day) of each client.
CREATE OR REPLACE FUNCTION "feedback_client_latest_refresh"(ids uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  -- Lock first; the next statement reads with a newer snapshot, so a concurrent writer's committed feedback is seen.
  PERFORM 1 FROM "feedback_client_latest" s WHERE s."client_id" = ANY (ids) ORDER BY s."client_id" FOR UPDATE;
  INSERT INTO "feedback_client_latest" AS s ("client_id", "client_name", "is_confidential", "active", "client_created_at",
    "latest_kind", "latest_start", "latest_overall", "previous_kind", "previous_start", "previous_overall")
  SELECT c."id", c."name", c."is_confidential", c."status" = 'active', c."created_at",
    f1."period_kind", f1."period_start", f1."overall_satisfaction", f2."period_kind", f2."period_start", f2."overall_satisfaction"
  FROM "clients" c
    LEFT JOIN LATERAL (SELECT f."period_kind", f."period_start", f."overall_satisfaction" FROM "client_feedback" f
      WHERE f."client_id" = c."id" ORDER BY f."period_start" DESC, f."period_kind" DESC LIMIT 1) f1 ON TRUE
    LEFT JOIN LATERAL (SELECT f."period_kind", f."period_start", f."overall_satisfaction" FROM "client_feedback" f
      WHERE f."client_id" = c."id" ORDER BY f."period_start" DESC, f."period_kind" DESC OFFSET 1 LIMIT 1) f2 ON TRUE
  WHERE c."id" = ANY (ids)
  ORDER BY c."id"
  ON CONFLICT ("client_id") DO UPDATE SET
    "latest_kind" = EXCLUDED."latest_kind", "latest_start" = EXCLUDED."latest_start", "latest_overall" = EXCLUDED."latest_overall",
    "previous_kind" = EXCLUDED."previous_kind", "previous_start" = EXCLUDED."previous_start", "previous_overall" = EXCLUDED."previous_overall";
END;
$$;

CREATE OR REPLACE FUNCTION "client_feedback_summaries_trigger"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM "feedback_summaries_apply"(ARRAY(SELECT (n.*)::"client_feedback" FROM new_rows n), '{}'::"client_feedback"[]);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM "feedback_summaries_apply"('{}'::"client_feedback"[], ARRAY(SELECT (o.*)::"client_feedback" FROM old_rows o));
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM "feedback_summaries_apply"(ARRAY(SELECT (n.*)::"client_feedback" FROM new_rows n), ARRAY(SELECT (o.*)::"client_feedback" FROM old_rows o));
  ELSE -- TRUNCATE
    DELETE FROM "feedback_group_sums";
    DELETE FROM "feedback_team_sums";
    UPDATE "feedback_client_latest" SET "latest_kind" = NULL, "latest_start" = NULL, "latest_overall" = NULL,
      "previous_kind" = NULL, "previous_start" = NULL, "previous_overall" = NULL
    WHERE "latest_start" IS NOT NULL;
  END IF;
  RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS "client_feedback_summaries_insert" ON "client_feedback";
CREATE TRIGGER "client_feedback_summaries_insert" AFTER INSERT ON "client_feedback"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "client_feedback_summaries_trigger"();
DROP TRIGGER IF EXISTS "client_feedback_summaries_update" ON "client_feedback";
CREATE TRIGGER "client_feedback_summaries_update" AFTER UPDATE ON "client_feedback"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "client_feedback_summaries_trigger"();
DROP TRIGGER IF EXISTS "client_feedback_summaries_delete" ON "client_feedback";
CREATE TRIGGER "client_feedback_summaries_delete" AFTER DELETE ON "client_feedback"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "client_feedback_summaries_trigger"();
DROP TRIGGER IF EXISTS "client_feedback_summaries_truncate" ON "client_feedback";
CREATE TRIGGER "client_feedback_summaries_truncate" AFTER TRUNCATE ON "client_feedback"
  FOR EACH STATEMENT EXECUTE FUNCTION "client_feedback_summaries_trigger"();

CREATE OR REPLACE FUNCTION "clients_feedback_summaries_trigger"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  moved uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "feedback_client_latest" ("client_id", "client_name", "is_confidential", "active", "client_created_at")
    SELECT n."id", n."name", n."is_confidential", n."status" = 'active', n."created_at" FROM new_rows n
    ON CONFLICT ("client_id") DO NOTHING;
    PERFORM "feedback_team_refresh"(ARRAY(SELECT n."id" FROM new_rows n WHERE n."is_confidential" ORDER BY n."id"));
    RETURN NULL;
  END IF;
  -- UPDATE. Clients whose class changed: their feedback's sums leave the old class and join the new one.
  SELECT array_agg(n."id" ORDER BY n."id") INTO moved
  FROM new_rows n JOIN old_rows o ON o."id" = n."id"
  WHERE (o."is_confidential", o."category_id", o."account_manager_id") IS DISTINCT FROM (n."is_confidential", n."category_id", n."account_manager_id");
  IF moved IS NOT NULL THEN
    INSERT INTO "feedback_group_sums" AS g ("period_start", "restricted", "dimension", "group_id", "feedback_count",
      "finalized_count", "responsiveness_sum", "communication_sum", "requirements_clarity_sum", "decision_speed_sum", "overall_satisfaction_sum")
    SELECT f."period_start", m."is_confidential", k."dimension", k."group_id", sum(m.sign), sum(m.sign * (f."finalized_at" IS NOT NULL)::int),
      sum(m.sign * f."responsiveness"), sum(m.sign * f."communication"), sum(m.sign * f."requirements_clarity"),
      sum(m.sign * f."decision_speed"), sum(m.sign * f."overall_satisfaction")
    FROM (SELECT o."id", o."is_confidential", o."category_id", o."account_manager_id", -1 AS sign FROM old_rows o WHERE o."id" = ANY (moved)
          UNION ALL
          SELECT n."id", n."is_confidential", n."category_id", n."account_manager_id", 1 AS sign FROM new_rows n WHERE n."id" = ANY (moved)) m
      JOIN "client_feedback" f ON f."client_id" = m."id"
      CROSS JOIN LATERAL (VALUES ('category', m."category_id"), ('account_manager', m."account_manager_id")) k ("dimension", "group_id")
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT ("period_start", "restricted", "dimension", "group_id") DO UPDATE SET
      "feedback_count" = g."feedback_count" + EXCLUDED."feedback_count",
      "finalized_count" = g."finalized_count" + EXCLUDED."finalized_count",
      "responsiveness_sum" = g."responsiveness_sum" + EXCLUDED."responsiveness_sum",
      "communication_sum" = g."communication_sum" + EXCLUDED."communication_sum",
      "requirements_clarity_sum" = g."requirements_clarity_sum" + EXCLUDED."requirements_clarity_sum",
      "decision_speed_sum" = g."decision_speed_sum" + EXCLUDED."decision_speed_sum",
      "overall_satisfaction_sum" = g."overall_satisfaction_sum" + EXCLUDED."overall_satisfaction_sum";
  END IF;
  -- Clients whose team, restriction or groups changed: their per-user sums move.
  PERFORM "feedback_team_refresh"(ARRAY(
    SELECT n."id" FROM new_rows n JOIN old_rows o ON o."id" = n."id"
    WHERE (n."is_confidential" OR o."is_confidential")
      AND (o."is_confidential", o."category_id", o."account_manager_id", o."primary_poc_id", o."secondary_poc_id")
        IS DISTINCT FROM (n."is_confidential", n."category_id", n."account_manager_id", n."primary_poc_id", n."secondary_poc_id")
    ORDER BY n."id"));
  UPDATE "feedback_client_latest" s SET "client_name" = n."name", "is_confidential" = n."is_confidential",
    "active" = n."status" = 'active', "client_created_at" = n."created_at"
  FROM new_rows n
  WHERE s."client_id" = n."id"
    AND (s."client_name", s."is_confidential", s."active", s."client_created_at") IS DISTINCT FROM (n."name", n."is_confidential", n."status" = 'active', n."created_at");
  RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS "clients_feedback_summaries_insert" ON "clients";
CREATE TRIGGER "clients_feedback_summaries_insert" AFTER INSERT ON "clients"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "clients_feedback_summaries_trigger"();
DROP TRIGGER IF EXISTS "clients_feedback_summaries_update" ON "clients";
CREATE TRIGGER "clients_feedback_summaries_update" AFTER UPDATE ON "clients"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "clients_feedback_summaries_trigger"();

-- A team member added to, removed from or moved between clients: those clients' per-user sums move.
CREATE OR REPLACE FUNCTION "client_team_members_feedback_trigger"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM "feedback_team_refresh"(ARRAY(SELECT DISTINCT n."client_id" FROM new_rows n ORDER BY 1));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM "feedback_team_refresh"(ARRAY(SELECT DISTINCT o."client_id" FROM old_rows o ORDER BY 1));
  ELSE
    PERFORM "feedback_team_refresh"(ARRAY(SELECT n."client_id" FROM new_rows n UNION SELECT o."client_id" FROM old_rows o ORDER BY 1));
  END IF;
  RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS "client_team_members_feedback_insert" ON "client_team_members";
CREATE TRIGGER "client_team_members_feedback_insert" AFTER INSERT ON "client_team_members"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "client_team_members_feedback_trigger"();
DROP TRIGGER IF EXISTS "client_team_members_feedback_update" ON "client_team_members";
CREATE TRIGGER "client_team_members_feedback_update" AFTER UPDATE ON "client_team_members"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "client_team_members_feedback_trigger"();
DROP TRIGGER IF EXISTS "client_team_members_feedback_delete" ON "client_team_members";
CREATE TRIGGER "client_team_members_feedback_delete" AFTER DELETE ON "client_team_members"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "client_team_members_feedback_trigger"();

-- Rebuilds the tables from the rows: below, whenever this file changes, and after a bulk load that ran with the
-- insert trigger disabled (the bench seed). The caller holds writes off (LOCK TABLE ... IN SHARE MODE) if others run.
CREATE OR REPLACE FUNCTION "feedback_summaries_rebuild"() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "feedback_group_sums";
  INSERT INTO "feedback_group_sums" ("period_start", "restricted", "dimension", "group_id", "feedback_count",
    "finalized_count", "responsiveness_sum", "communication_sum", "requirements_clarity_sum", "decision_speed_sum", "overall_satisfaction_sum")
  SELECT f."period_start", c."is_confidential", k."dimension", k."group_id", count(*), count(f."finalized_at"),
    sum(f."responsiveness"), sum(f."communication"), sum(f."requirements_clarity"), sum(f."decision_speed"), sum(f."overall_satisfaction")
  FROM "client_feedback" f JOIN "clients" c ON c."id" = f."client_id"
    CROSS JOIN LATERAL (VALUES ('category', c."category_id"), ('account_manager', c."account_manager_id")) k ("dimension", "group_id")
  GROUP BY 1, 2, 3, 4;
  DELETE FROM "feedback_client_latest";
  INSERT INTO "feedback_client_latest" ("client_id", "client_name", "is_confidential", "active", "client_created_at",
    "latest_kind", "latest_start", "latest_overall", "previous_kind", "previous_start", "previous_overall")
  SELECT c."id", c."name", c."is_confidential", c."status" = 'active', c."created_at",
    r."k1", r."s1", r."o1", r."k2", r."s2", r."o2"
  FROM "clients" c
    LEFT JOIN (
      SELECT x."client_id",
        max(x."period_kind"::text) FILTER (WHERE x.n = 1)::"FeedbackPeriodKind" AS "k1", max(x."period_start") FILTER (WHERE x.n = 1) AS "s1",
        max(x."overall_satisfaction") FILTER (WHERE x.n = 1) AS "o1",
        max(x."period_kind"::text) FILTER (WHERE x.n = 2)::"FeedbackPeriodKind" AS "k2", max(x."period_start") FILTER (WHERE x.n = 2) AS "s2",
        max(x."overall_satisfaction") FILTER (WHERE x.n = 2) AS "o2"
      FROM (SELECT f."client_id", f."period_kind", f."period_start", f."overall_satisfaction",
              row_number() OVER (PARTITION BY f."client_id" ORDER BY f."period_start" DESC, f."period_kind" DESC) AS n
            FROM "client_feedback" f) x
      WHERE x.n <= 2
      GROUP BY x."client_id") r ON r."client_id" = c."id";
  -- The per-user sums: every restricted client's feedback added under its current team, as a team change would.
  DELETE FROM "feedback_team_sums";
  DELETE FROM "feedback_team_clients";
  PERFORM "feedback_team_refresh"(ARRAY(SELECT c."id" FROM "clients" c WHERE c."is_confidential" ORDER BY c."id"));
END;
$$;

-- Rebuild from the rows, with writes to both tables held off until this transaction commits.
LOCK TABLE "clients", "client_feedback", "client_team_members" IN SHARE MODE;
SELECT "feedback_summaries_rebuild"();
ANALYZE "feedback_group_sums";
ANALYZE "feedback_client_latest";
ANALYZE "feedback_team_sums";
ANALYZE "feedback_team_clients";
