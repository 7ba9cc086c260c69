-- A user's restricted clients, for the client rule's set (client_team_ids in prisma/repeatable/access.sql): read from
-- this index alone.
CREATE INDEX "client_team_users_restricted" ON "client_team_users" ("user_id", "client_id") WHERE "is_confidential";
