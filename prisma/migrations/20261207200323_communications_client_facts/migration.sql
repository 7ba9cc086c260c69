-- Hand-completed. communications.client_confidential and client_privileged: the restriction and privileged
-- classification of the communication's client, on the communication itself (kept by triggers in
-- prisma/repeatable/access.sql, as documents' copies are), so the communication rule (src/access/communications.ts)
-- reads them from the row instead of asking two indexes of clients about every communication a list, a count, a
-- search or the follow-ups walk.
ALTER TABLE "communications" ADD COLUMN     "client_confidential" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "client_privileged" BOOLEAN NOT NULL DEFAULT false;

UPDATE "communications" m SET "client_confidential" = c."is_confidential", "client_privileged" = c."data_classification" = 'privileged'
FROM "clients" c
WHERE c."id" = m."client_id" AND (c."is_confidential" OR c."data_classification" = 'privileged');

-- Open follow-ups carry the copies too, so the rule still reads them from the index alone.
DROP INDEX "communications_open_follow_ups";
CREATE INDEX "communications_open_follow_ups" ON "communications" ("follow_up_assignee_id", "follow_up_due", "id")
  INCLUDE ("client_id", "case_id", "privileged", "occurred_at", "client_confidential", "client_privileged")
  WHERE "follow_up_required" AND "follow_up_completed_at" IS NULL AND "deleted_at" IS NULL;
