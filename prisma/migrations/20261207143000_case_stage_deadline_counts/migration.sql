-- Open stages (pending or in progress) with a deadline, of live cases, per case manager, case status, restriction class
-- (the case's copy of its client's restriction) and deadline, kept by triggers in the same transaction as each change
-- of a stage or its case. The workload view's overdue stages per manager sum the rows before today
-- (src/access/cases.ts, managedOverdueStageCountsSql) instead of joining every overdue open stage of the firm with the
-- department's open cases on each request. Overdue is a matter of today's date, so each stage is counted twice: on the
-- row of its deadline's day and on the row of its deadline's month ("month", the deadline column then holding the
-- month's first day). A reader sums the month rows of the months before the current one and the day rows of the
-- current month before today: a few dozen rows per manager however far back the deadlines go.
CREATE TABLE "case_stage_deadline_counts" (
    "manager_id" UUID NOT NULL,
    "month" BOOLEAN NOT NULL,
    "deadline" DATE NOT NULL,
    "case_status" "CaseStatus" NOT NULL,
    "client_confidential" BOOLEAN NOT NULL,
    "n" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "case_stage_deadline_counts_pkey" PRIMARY KEY ("manager_id", "month", "deadline", "case_status", "client_confidential")
);

-- Adds signed amounts (deltas on day rows: "month" false) to the day rows and to their months' rows, in key order, so
-- two writers of the same rows queue on them in the same order. One
-- upsert takes both signs, so the table has no CHECK (n >= 0): PostgreSQL checks a row proposed for insertion before
-- it finds the conflicting row the amount is added to. tests/cases/manager-counts.test.ts holds it to a direct count.
CREATE FUNCTION "case_stage_deadline_counts_add"(deltas "case_stage_deadline_counts"[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "case_stage_deadline_counts" AS t ("manager_id", "month", "deadline", "case_status", "client_confidential", "n")
  SELECT d."manager_id", g."month", g."deadline", d."case_status", d."client_confidential", sum(d."n")
  FROM unnest(deltas) d
  CROSS JOIN LATERAL (VALUES (false, d."deadline"), (true, date_trunc('month', d."deadline")::date)) g("month", "deadline")
  GROUP BY d."manager_id", g."month", g."deadline", d."case_status", d."client_confidential"
  HAVING sum(d."n") <> 0
  ORDER BY d."manager_id", g."month", g."deadline", d."case_status", d."client_confidential"
  ON CONFLICT ("manager_id", "month", "deadline", "case_status", "client_confidential") DO UPDATE SET "n" = t."n" + EXCLUDED."n";
END;
$$;

-- A stage written: its old contribution goes, its new one comes. The case is read under a share lock, so a change of
-- the case's manager, status or restriction being made at the same moment is waited for (and then read), and the
-- case's own trigger, which moves the stages it sees, never works from a stage change it cannot see yet.
CREATE FUNCTION "case_stage_deadline_counts_on_stage"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  deltas "case_stage_deadline_counts"[] := '{}';
  k RECORD;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD."status" IN ('pending', 'in_progress') AND OLD."deadline" IS NOT NULL THEN
    SELECT c."manager_id", c."status", c."client_confidential", c."deleted_at" INTO k FROM "cases" c WHERE c."id" = OLD."case_id" FOR SHARE;
    IF FOUND AND k."deleted_at" IS NULL THEN
      deltas := deltas || ROW(k."manager_id", false, OLD."deadline", k."status", k."client_confidential", -1)::"case_stage_deadline_counts";
    END IF;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW."status" IN ('pending', 'in_progress') AND NEW."deadline" IS NOT NULL THEN
    SELECT c."manager_id", c."status", c."client_confidential", c."deleted_at" INTO k FROM "cases" c WHERE c."id" = NEW."case_id" FOR SHARE;
    IF FOUND AND k."deleted_at" IS NULL THEN
      deltas := deltas || ROW(k."manager_id", false, NEW."deadline", k."status", k."client_confidential", 1)::"case_stage_deadline_counts";
    END IF;
  END IF;
  IF cardinality(deltas) > 0 THEN
    PERFORM "case_stage_deadline_counts_add"(deltas);
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER "case_stages_deadline_counts_insert_delete" AFTER INSERT OR DELETE ON "case_stages"
  FOR EACH ROW EXECUTE FUNCTION "case_stage_deadline_counts_on_stage"();
CREATE TRIGGER "case_stages_deadline_counts_update" AFTER UPDATE OF "status", "deadline", "case_id" ON "case_stages"
  FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."deadline" IS DISTINCT FROM NEW."deadline"
    OR OLD."case_id" IS DISTINCT FROM NEW."case_id")
  EXECUTE FUNCTION "case_stage_deadline_counts_on_stage"();

-- A case written: its open stages move from the case's old manager, status, restriction and liveness to the new ones.
-- Removed outright, they go before its stages are deleted with it (the stages' own trigger then finds no case).
CREATE FUNCTION "case_stage_deadline_counts_on_case"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  deltas "case_stage_deadline_counts"[];
  the_case UUID := CASE WHEN TG_OP = 'DELETE' THEN OLD."id" ELSE NEW."id" END;
BEGIN
  SELECT coalesce(array_agg(ROW(d.m, false, d.dl, d.st, d.cc, d.n)::"case_stage_deadline_counts"), '{}') INTO deltas FROM (
    SELECT OLD."manager_id" AS m, s."deadline" AS dl, OLD."status" AS st, OLD."client_confidential" AS cc, -count(*) AS n
    FROM "case_stages" s
    WHERE s."case_id" = the_case AND s."status" IN ('pending', 'in_progress') AND s."deadline" IS NOT NULL AND OLD."deleted_at" IS NULL
    GROUP BY s."deadline"
    UNION ALL
    SELECT NEW."manager_id", s."deadline", NEW."status", NEW."client_confidential", count(*)
    FROM "case_stages" s
    WHERE TG_OP = 'UPDATE' AND s."case_id" = the_case AND s."status" IN ('pending', 'in_progress') AND s."deadline" IS NOT NULL
      AND NEW."deleted_at" IS NULL
    GROUP BY s."deadline") d;
  IF cardinality(deltas) > 0 THEN
    PERFORM "case_stage_deadline_counts_add"(deltas);
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NULL END;
END;
$$;
CREATE TRIGGER "cases_stage_deadline_counts_delete" BEFORE DELETE ON "cases"
  FOR EACH ROW EXECUTE FUNCTION "case_stage_deadline_counts_on_case"();
CREATE TRIGGER "cases_stage_deadline_counts_update" AFTER UPDATE OF "manager_id", "status", "client_confidential", "deleted_at" ON "cases"
  FOR EACH ROW WHEN (OLD."manager_id" IS DISTINCT FROM NEW."manager_id" OR OLD."status" IS DISTINCT FROM NEW."status"
    OR OLD."client_confidential" IS DISTINCT FROM NEW."client_confidential" OR (OLD."deleted_at" IS NULL) <> (NEW."deleted_at" IS NULL))
  EXECUTE FUNCTION "case_stage_deadline_counts_on_case"();

-- Stages that exist already (this migration may run on a filled database).
INSERT INTO "case_stage_deadline_counts" ("manager_id", "month", "deadline", "case_status", "client_confidential", "n")
SELECT k."manager_id", g."month", g."deadline", k."status", k."client_confidential", count(*)
FROM "case_stages" s JOIN "cases" k ON k."id" = s."case_id"
CROSS JOIN LATERAL (VALUES (false, s."deadline"), (true, date_trunc('month', s."deadline")::date)) g("month", "deadline")
WHERE s."status" IN ('pending', 'in_progress') AND s."deadline" IS NOT NULL AND k."deleted_at" IS NULL
GROUP BY 1, 2, 3, 4, 5;
