-- CreateTable
CREATE TABLE "client_team_users" (
    "user_id" UUID NOT NULL,
    "client_id" UUID NOT NULL,
    "is_confidential" BOOLEAN NOT NULL,
    "last_contact_at" DATE,

    CONSTRAINT "client_team_users_pkey" PRIMARY KEY ("user_id","client_id")
);

-- CreateIndex
CREATE INDEX "client_team_users_client_id_idx" ON "client_team_users"("client_id");

-- AddForeignKey
ALTER TABLE "client_team_users" ADD CONSTRAINT "client_team_users_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "client_team_users" ADD CONSTRAINT "client_team_users_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-added. A reader's team clients by last contact, with the columns the counts read (index-only). The table is
-- filled, and kept, by prisma/repeatable/client-team-users.sql.
CREATE INDEX "client_team_users_by_contact" ON "client_team_users" ("user_id", "last_contact_at") INCLUDE ("client_id", "is_confidential");
