-- case_list_indexes gave the index of restricted clients their team columns for the per-case probe of the client
-- rule (visibleClientIdSql). That probe is gone (case_client_confidential: the rule reads cases.client_confidential
-- and the set of restricted clients the reader is on), so the index goes back to what it was: the restricted clients'
-- ids.
DROP INDEX "clients_confidential";
CREATE INDEX "clients_confidential" ON "clients" ("id") WHERE "is_confidential";
