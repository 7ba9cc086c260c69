-- DropIndex
DROP INDEX "case_team_members_user_id_idx";

-- CreateIndex
CREATE INDEX "case_team_members_user_id_case_id_idx" ON "case_team_members"("user_id", "case_id");

-- The case list, its counts and the board read the visibility rule's columns (manager, client, review flags) from
-- these indexes instead of the table (src/access/cases.ts visibleCasesSql): walking the cases newest first, per status,
-- or one manager's cases per status (the manager filter); the team reason reads case_team_members (user_id, case_id).
DROP INDEX "cases_live_updated";
CREATE INDEX "cases_live_updated" ON "cases" ("updated_at" DESC, "id" DESC)
  INCLUDE ("manager_id", "client_id", "legal_review_required", "compliance_review_required") WHERE "deleted_at" IS NULL;
DROP INDEX "cases_live_status_updated";
CREATE INDEX "cases_live_status_updated" ON "cases" ("status", "updated_at" DESC, "id" DESC)
  INCLUDE ("manager_id", "client_id", "legal_review_required", "compliance_review_required", "priority") WHERE "deleted_at" IS NULL;
CREATE INDEX "cases_live_manager_cover" ON "cases" ("manager_id", "status")
  INCLUDE ("id", "client_id", "updated_at", "priority", "type_id", "next_review_date") WHERE "deleted_at" IS NULL;

-- The client rule by client id (src/access/clients.ts visibleClientIdSql) probes the restricted clients and their
-- named team members here, without reading the clients table.
DROP INDEX "clients_confidential";
CREATE INDEX "clients_confidential" ON "clients" ("id")
  INCLUDE ("account_manager_id", "primary_poc_id", "secondary_poc_id") WHERE "is_confidential";
