-- Clients by last contact, indexed with the id and the restriction flag: the dashboards' attention counts (urgent,
-- warning, never contacted; up to 1,001 visible clients each) test the client rule from the index alone instead of
-- visiting each client's row. Same name as before (Prisma's @@index name).
DROP INDEX "clients_last_contact_at_idx";
CREATE INDEX "clients_last_contact_at_idx" ON "clients" ("last_contact_at") INCLUDE ("id", "is_confidential");
