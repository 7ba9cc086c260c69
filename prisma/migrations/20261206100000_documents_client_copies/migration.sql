-- AlterTable
ALTER TABLE "documents" ADD COLUMN     "client_confidential" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "client_privileged" BOOLEAN NOT NULL DEFAULT false;

-- Hand-added. The copies of each client document's client restriction and privileged classification, filled here
-- once; the triggers that keep them are in prisma/repeatable/access.sql.
UPDATE "documents" d SET "client_confidential" = c."is_confidential", "client_privileged" = c."data_classification" = 'privileged'
FROM "clients" c
WHERE c."id" = d."client_id" AND (c."is_confidential" OR c."data_classification" = 'privileged');
