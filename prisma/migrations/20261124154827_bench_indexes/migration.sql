-- Found with `npm run bench` (bench/): the list's status tabs count the visible clients of each status, capped at
-- 1,001 (clientCounts in src/clients/queries.ts). On clients_status_idx each count is a bitmap heap scan that visits
-- ~550-770 heap pages to test the visibility rule; with the visibility columns in the index it is an index-only scan.
-- At 100,000 clients the unfiltered counts query went from 10-20 ms to 2.5-3 ms (pgbench, same data).
-- Not expressible in schema.prisma (INCLUDE columns), like the trigram indexes.
CREATE INDEX "clients_status_visibility" ON "clients" ("status")
  INCLUDE ("is_confidential", "account_manager_id", "primary_poc_id", "secondary_poc_id", "id");
