-- Indexes on the work still open, which dashboards, meeting mode and the client page count a few rows of at a time.

-- The stages still to do (pending or under way) of each case, with their deadlines: the workload view counts the
-- overdue ones of every open case of a department's managers (about 9,000 cases at bench scale) from this index alone,
-- instead of reading each case's stages from the table. Partial, so it holds a fifth of the stages.
CREATE INDEX "case_stages_open_by_case" ON "case_stages" ("case_id", "deadline") WHERE "status" IN ('pending', 'in_progress');

-- A client's open follow-ups, by due date (the client page, and each client of meeting mode): without it PostgreSQL
-- intersected the client's communications with the index of every open follow-up (25,000 entries at bench scale) per
-- client.
CREATE INDEX "communications_open_follow_ups_by_client" ON "communications" ("client_id", "follow_up_due", "id")
  WHERE "follow_up_required" AND "follow_up_completed_at" IS NULL AND "deleted_at" IS NULL;
