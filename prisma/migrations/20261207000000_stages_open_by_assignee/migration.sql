-- Hand-added. A user's open stages in deadline order: the dashboard's "Stages assigned to me" reads its first rows
-- from here (the nearest deadlines) and stops, instead of reading and sorting every open stage of the user.
CREATE INDEX "case_stages_open_by_assignee" ON "case_stages" ("assignee_id", "deadline") WHERE "status" IN ('pending', 'in_progress');
