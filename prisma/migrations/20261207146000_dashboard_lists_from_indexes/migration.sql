-- The home page's lists, each from its index alone (no visit to a row per entry):
-- my open follow-ups with the columns the communication rule and the order read (client, case, privileged flag,
-- when it happened);
DROP INDEX "communications_open_follow_ups";
CREATE INDEX "communications_open_follow_ups" ON "communications" ("follow_up_assignee_id", "follow_up_due", "id")
  INCLUDE ("client_id", "case_id", "privileged", "occurred_at")
  WHERE "follow_up_required" AND "follow_up_completed_at" IS NULL AND "deleted_at" IS NULL;
-- my open roundtable action items with their client (the rule) and creation (the order);
DROP INDEX "roundtable_action_items_open_idx";
CREATE INDEX "roundtable_action_items_open_idx" ON "roundtable_action_items" ("assignee_id", "due_date")
  INCLUDE ("id", "client_id", "created_at") WHERE "completed_at" IS NULL;
-- the cases I manage, latest change first, walked until ten active visible ones are found (it read and sorted every
-- active case the manager holds).
CREATE INDEX "cases_live_manager_updated" ON "cases" ("manager_id", "updated_at" DESC, "id" DESC)
  INCLUDE ("status", "client_id", "client_confidential") WHERE "deleted_at" IS NULL;
