-- The three team columns of clients, indexed with the client's id: client_team_ids (prisma/repeatable/access.sql)
-- reads a user's clients from these indexes alone. A busy account manager is on the team of thousands of clients;
-- without the id in the index each entry cost a visit to the table (about 3,700 pages for 4,600 clients at bench
-- scale). The indexes keep the names Prisma gives them (@@index in schema.prisma), so the schema still describes them.
DROP INDEX "clients_account_manager_id_idx";
CREATE INDEX "clients_account_manager_id_idx" ON "clients" ("account_manager_id") INCLUDE ("id");
DROP INDEX "clients_primary_poc_id_idx";
CREATE INDEX "clients_primary_poc_id_idx" ON "clients" ("primary_poc_id") INCLUDE ("id");
DROP INDEX "clients_secondary_poc_id_idx";
CREATE INDEX "clients_secondary_poc_id_idx" ON "clients" ("secondary_poc_id") INCLUDE ("id");
