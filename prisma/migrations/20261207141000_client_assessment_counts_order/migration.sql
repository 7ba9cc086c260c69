-- A change moves a client from its old assessment row to its new one; the two rows are now changed in key order, so
-- two clients moving in opposite directions at once (high to low and low to high) queue on the rows instead of
-- deadlocking (tests/dashboard/relationship.test.ts runs them at once).
CREATE OR REPLACE FUNCTION "client_assessment_counts_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  old_key TEXT := CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN
    coalesce(OLD."priority"::text, '') || '/' || coalesce(OLD."relationship_status"::text, '') || '/' || OLD."is_confidential"::text END;
  new_key TEXT := CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN
    coalesce(NEW."priority"::text, '') || '/' || coalesce(NEW."relationship_status"::text, '') || '/' || NEW."is_confidential"::text END;
BEGIN
  IF new_key IS NOT NULL AND (old_key IS NULL OR new_key < old_key) THEN
    INSERT INTO "client_assessment_counts" ("priority", "relationship", "is_confidential", "n")
    VALUES (coalesce(NEW."priority"::text, ''), coalesce(NEW."relationship_status"::text, ''), NEW."is_confidential", 1)
    ON CONFLICT ("priority", "relationship", "is_confidential") DO UPDATE SET "n" = "client_assessment_counts"."n" + 1;
    new_key := NULL;
  END IF;
  IF old_key IS NOT NULL THEN
    UPDATE "client_assessment_counts" SET "n" = "n" - 1
    WHERE "priority" = coalesce(OLD."priority"::text, '') AND "relationship" = coalesce(OLD."relationship_status"::text, '')
      AND "is_confidential" = OLD."is_confidential";
  END IF;
  IF new_key IS NOT NULL THEN
    INSERT INTO "client_assessment_counts" ("priority", "relationship", "is_confidential", "n")
    VALUES (coalesce(NEW."priority"::text, ''), coalesce(NEW."relationship_status"::text, ''), NEW."is_confidential", 1)
    ON CONFLICT ("priority", "relationship", "is_confidential") DO UPDATE SET "n" = "client_assessment_counts"."n" + 1;
  END IF;
  RETURN NULL;
END;
$$;
