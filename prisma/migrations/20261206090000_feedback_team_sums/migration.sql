-- CreateTable
CREATE TABLE "feedback_team_sums" (
    "id" BIGSERIAL NOT NULL,
    "user_id" UUID NOT NULL,
    "dimension" TEXT NOT NULL,
    "group_id" UUID,
    "period_start" DATE NOT NULL,
    "feedback_count" INTEGER NOT NULL,
    "finalized_count" INTEGER NOT NULL,
    "responsiveness_sum" INTEGER NOT NULL,
    "communication_sum" INTEGER NOT NULL,
    "requirements_clarity_sum" INTEGER NOT NULL,
    "decision_speed_sum" INTEGER NOT NULL,
    "overall_satisfaction_sum" INTEGER NOT NULL,

    CONSTRAINT "feedback_team_sums_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "feedback_team_clients" (
    "client_id" UUID NOT NULL,
    "category_id" UUID,
    "account_manager_id" UUID,
    "user_ids" UUID[] NOT NULL,

    CONSTRAINT "feedback_team_clients_pkey" PRIMARY KEY ("client_id")
);

-- Hand-added. The triggers that keep both tables, and their first filling, are in prisma/repeatable/
-- feedback-summaries.sql (re-applied, and the tables rebuilt, whenever that file changes).
CREATE UNIQUE INDEX "feedback_team_sums_key" ON "feedback_team_sums" ("user_id", "period_start", "dimension", "group_id") NULLS NOT DISTINCT;
ALTER TABLE "feedback_team_sums" ADD CONSTRAINT "feedback_team_sums_dimension_check" CHECK ("dimension" IN ('category', 'account_manager'));
ALTER TABLE "feedback_team_sums" ADD CONSTRAINT "feedback_team_sums_user_id_fkey"
  FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "feedback_team_clients" ADD CONSTRAINT "feedback_team_clients_client_id_fkey"
  FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE CASCADE;
