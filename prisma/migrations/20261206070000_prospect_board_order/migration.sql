-- The prospect board's columns are the latest updated prospects of a stage, ordered by (updated_at, id): with the id
-- in the index the newest thirty are read in order and stop there. Without it, prospects updated in the same
-- statement (an import, a bulk change) share a timestamp, and the whole group was read, joined and sorted per column.
DROP INDEX "prospects_stage_updated_at_idx";
CREATE INDEX "prospects_stage_updated_at_id_idx" ON "prospects" ("stage", "updated_at", "id");
DROP INDEX "prospects_owner_id_stage_updated_at_idx";
CREATE INDEX "prospects_owner_id_stage_updated_at_id_idx" ON "prospects" ("owner_id", "stage", "updated_at", "id");
