-- Hand-added. The documents list's other sort orders (title, size, last update), each with the id that breaks ties and
-- pages by keyset: a page walks one of these in order and stops once it has its rows. Without them a page sorted by
-- title read and tested every document the reader may see, then sorted them.
CREATE INDEX "documents_live_by_title" ON "documents" (lower("title"), "id") WHERE "deleted_at" IS NULL;
CREATE INDEX "documents_live_by_size" ON "documents" ("size", "id") WHERE "deleted_at" IS NULL;
CREATE INDEX "documents_live_by_updated" ON "documents" ("updated_at", "id") WHERE "deleted_at" IS NULL;
