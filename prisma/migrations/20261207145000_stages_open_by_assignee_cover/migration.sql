-- "Stages assigned to me" (src/cases/summaries.ts) reads the user's open stages with their case and position: from
-- this index alone, where each entry visited its stage's row.
DROP INDEX "case_stages_open_by_assignee";
CREATE INDEX "case_stages_open_by_assignee" ON "case_stages" ("assignee_id", "deadline") INCLUDE ("case_id", "position")
  WHERE "status" IN ('pending', 'in_progress');
