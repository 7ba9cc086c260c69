-- The three team columns of clients, indexed with what the dashboards' "mine" attention counts read of each client
-- (its restriction and its last contact) beside its id: client_team_rows (prisma/repeatable/access.sql) reads a
-- user's clients with those facts from the indexes alone, where probing each client's row cost four page visits per
-- client (a busy account manager is on the team of thousands). Same names as before (Prisma's @@index names).
DROP INDEX "clients_account_manager_id_idx";
CREATE INDEX "clients_account_manager_id_idx" ON "clients" ("account_manager_id") INCLUDE ("id", "is_confidential", "last_contact_at");
DROP INDEX "clients_primary_poc_id_idx";
CREATE INDEX "clients_primary_poc_id_idx" ON "clients" ("primary_poc_id") INCLUDE ("id", "is_confidential", "last_contact_at");
DROP INDEX "clients_secondary_poc_id_idx";
CREATE INDEX "clients_secondary_poc_id_idx" ON "clients" ("secondary_poc_id") INCLUDE ("id", "is_confidential", "last_contact_at");
