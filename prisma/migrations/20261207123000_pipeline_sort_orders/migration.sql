-- Hand-added. The lead and prospect lists' sort orders, each with the id that breaks ties and pages by keyset: a page
-- walks one of these in order and stops once it has its rows, where a reader who sees the whole pipeline read and
-- sorted every lead or prospect (in the prospects' default order, last updated first, too: their indexes on
-- updated_at start with the stage, for the board). A lead owner's own leads by score read their owner's range.
CREATE INDEX "leads_score_order" ON "leads" ("score", "id");
CREATE INDEX "leads_owner_score_order" ON "leads" ("owner_id", "score", "id");
CREATE INDEX "prospects_updated_order" ON "prospects" ("updated_at", "id");
CREATE INDEX "prospects_company_order" ON "prospects" (lower("company_name"), "id");
CREATE INDEX "prospects_value_order" ON "prospects" ((coalesce("estimated_value", 0)), "id");
CREATE INDEX "prospects_close_order" ON "prospects" ((coalesce("expected_close_date", DATE '9999-12-31')), "id");
