-- The cases of a manager, by status, with the review flags too: the case rule of a legal-team reader tests them
-- (src/access/cases.ts), and without them PostgreSQL could not read a department's open cases from this index and
-- walked every open case of the firm instead (the workload view: 53,000 index entries for 9,000 cases at bench scale).
DROP INDEX "cases_live_manager_cover";
CREATE INDEX "cases_live_manager_cover" ON "cases" ("manager_id", "status")
  INCLUDE ("id", "client_id", "client_confidential", "updated_at", "priority", "type_id", "next_review_date",
    "legal_review_required", "compliance_review_required") WHERE "deleted_at" IS NULL;
