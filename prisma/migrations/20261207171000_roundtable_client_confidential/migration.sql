-- Hand-added. roundtable_entries.client_confidential and roundtable_action_items.client_confidential: the restriction
-- of the row's client, on the row itself (kept by triggers in prisma/repeatable/access.sql, as cases' and documents'
-- copies are), so the roundtable rule (src/access/roundtable.ts) reads it from the row instead of looking the client up
-- for each entry counted: a meeting's entry count (on meeting mode's header and each row of the meetings list) asked it
-- of every entry of the meeting.
ALTER TABLE "roundtable_entries" ADD COLUMN "client_confidential" BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE "roundtable_action_items" ADD COLUMN "client_confidential" BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE "roundtable_entries" e SET "client_confidential" = TRUE FROM "clients" c WHERE c."id" = e."client_id" AND c."is_confidential";
UPDATE "roundtable_action_items" a SET "client_confidential" = TRUE FROM "clients" c WHERE c."id" = a."client_id" AND c."is_confidential";

-- A meeting's entries by class, with the client: the count takes the unrestricted ones from the index alone and asks
-- the reader's set about the restricted ones only.
CREATE INDEX "roundtable_entries_meeting_class" ON "roundtable_entries" ("meeting_id", "client_confidential") INCLUDE ("client_id");
-- Open action items carry the copy too, so the rule still reads them from the index alone.
DROP INDEX "roundtable_action_items_open_idx";
CREATE INDEX "roundtable_action_items_open_idx" ON "roundtable_action_items" ("assignee_id", "due_date")
  INCLUDE ("id", "client_id", "created_at", "client_confidential") WHERE "completed_at" IS NULL;
