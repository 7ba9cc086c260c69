-- Hand-added. Live privileged material (as documents_privileged_order holds it) by client, with the case and id: the
-- privileged filter gathers the material of the reader's clients (src/access/documents.ts,
-- privilegedMaterialOfMyClientsSql) by joining the reader's kept team with this index alone, documents filed on a
-- client by client and those filed on a case only (client_id null) with their case.
CREATE INDEX "documents_privileged_material" ON "documents" ("client_id", "case_id") INCLUDE ("id") WHERE "deleted_at" IS NULL AND ("privileged" OR "client_privileged");
