-- Hand-added. Live privileged material (documents marked privileged, or of a privileged client: the row's copy of its
-- parent client's classification, which prisma/repeatable/access.sql now keeps for documents filed on a case only too)
-- in upload order: the documents list filtered on privileged material walks these instead of every document.
CREATE INDEX "documents_privileged_order" ON "documents" ("created_at" DESC, "id" DESC) WHERE "deleted_at" IS NULL AND ("privileged" OR "client_privileged");
