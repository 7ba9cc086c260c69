-- The set of restricted clients a reader is on (visibleRestrictedClientIdsSql: the clients they manage or are a point of
-- contact for, and the clients whose team they are on) is built on every case list, board and search. Its four
-- indexes now carry the client's id, so each part is read from its index alone (index-only scans) instead of
-- visiting one heap page per client: for the bench's staff user, 616 buffers to 17 per page.
DROP INDEX "clients_confidential_manager";
CREATE INDEX "clients_confidential_manager" ON "clients" ("account_manager_id") INCLUDE ("id") WHERE "is_confidential";
DROP INDEX "clients_confidential_primary_poc";
CREATE INDEX "clients_confidential_primary_poc" ON "clients" ("primary_poc_id") INCLUDE ("id") WHERE "is_confidential";
DROP INDEX "clients_confidential_secondary_poc";
CREATE INDEX "clients_confidential_secondary_poc" ON "clients" ("secondary_poc_id") INCLUDE ("id") WHERE "is_confidential";
-- Same name as schema.prisma's @@index([userId]), which cannot say INCLUDE.
DROP INDEX "client_team_members_user_id_idx";
CREATE INDEX "client_team_members_user_id_idx" ON "client_team_members" ("user_id") INCLUDE ("client_id");
