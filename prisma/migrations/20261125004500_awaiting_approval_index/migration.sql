-- "Approvals waiting for me" on the dashboard: the stages under way that need approval, nearest deadline first. This
-- index holds only those (a few thousand of 450,000 stages in the bench data), in the order the dashboard shows them,
-- so it walks them and stops once it has found the ones the reader may approve and see, instead of reading every
-- stage under way (about 45 ms for a department manager, on every visit to the dashboard).
CREATE INDEX "case_stages_awaiting_approval" ON "case_stages" ("deadline" ASC NULLS LAST, "case_id", "position")
  WHERE "status" = 'in_progress' AND "approval_required";
