-- CreateTable
CREATE TABLE "feedback_group_sums" (
    "id" BIGSERIAL NOT NULL,
    "dimension" TEXT NOT NULL,
    "group_id" UUID,
    "restricted" BOOLEAN NOT NULL,
    "period_start" DATE NOT NULL,
    "feedback_count" INTEGER NOT NULL,
    "finalized_count" INTEGER NOT NULL,
    "responsiveness_sum" INTEGER NOT NULL,
    "communication_sum" INTEGER NOT NULL,
    "requirements_clarity_sum" INTEGER NOT NULL,
    "decision_speed_sum" INTEGER NOT NULL,
    "overall_satisfaction_sum" INTEGER NOT NULL,

    CONSTRAINT "feedback_group_sums_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "feedback_client_latest" (
    "client_id" UUID NOT NULL,
    "client_name" TEXT NOT NULL,
    "is_confidential" BOOLEAN NOT NULL,
    "active" BOOLEAN NOT NULL,
    "client_created_at" TIMESTAMP(3) NOT NULL,
    "latest_kind" "FeedbackPeriodKind",
    "latest_start" DATE,
    "latest_overall" INTEGER,
    "previous_kind" "FeedbackPeriodKind",
    "previous_start" DATE,
    "previous_overall" INTEGER,

    CONSTRAINT "feedback_client_latest_pkey" PRIMARY KEY ("client_id")
);

-- Hand-added. The triggers that keep both tables, and their first filling, are in prisma/repeatable/
-- feedback-summaries.sql (re-applied, and the tables rebuilt, whenever that file changes).
CREATE UNIQUE INDEX "feedback_group_sums_key" ON "feedback_group_sums" ("period_start", "restricted", "dimension", "group_id") NULLS NOT DISTINCT;
ALTER TABLE "feedback_group_sums" ADD CONSTRAINT "feedback_group_sums_dimension_check" CHECK ("dimension" IN ('category', 'account_manager'));

ALTER TABLE "feedback_client_latest" ADD CONSTRAINT "feedback_client_latest_client_id_fkey"
  FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "feedback_client_latest" ADD CONSTRAINT "feedback_client_latest_ratings_check"
  CHECK (("latest_start" IS NULL) = ("latest_overall" IS NULL) AND ("previous_start" IS NULL) = ("previous_overall" IS NULL)
    AND ("previous_start" IS NULL OR "latest_start" IS NOT NULL));

-- The drop list in its order (largest drop, then name), walked until a page is full.
CREATE INDEX "feedback_client_latest_drop_order_idx" ON "feedback_client_latest"
  (("previous_overall" - "latest_overall") DESC, "client_name", "client_id") WHERE "previous_overall" - "latest_overall" >= 1;
-- Its count over a range: an index-only read of the clients whose satisfaction fell.
CREATE INDEX "feedback_client_latest_drop_range_idx" ON "feedback_client_latest"
  ("previous_start", "latest_start", "is_confidential", "client_id") WHERE "previous_overall" - "latest_overall" >= 1;
-- Active clients by their latest feedback (null: never): those without recent feedback.
CREATE INDEX "feedback_client_latest_active_latest_idx" ON "feedback_client_latest" ("latest_start", "client_created_at") WHERE "active";
