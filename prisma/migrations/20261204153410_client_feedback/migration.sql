-- CreateEnum
CREATE TYPE "FeedbackPeriodKind" AS ENUM ('month', 'quarter');

-- CreateTable
CREATE TABLE "client_feedback" (
    "id" UUID NOT NULL,
    "client_id" UUID NOT NULL,
    "period_kind" "FeedbackPeriodKind" NOT NULL,
    "period_start" DATE NOT NULL,
    "responsiveness" INTEGER NOT NULL,
    "communication" INTEGER NOT NULL,
    "requirements_clarity" INTEGER NOT NULL,
    "decision_speed" INTEGER NOT NULL,
    "overall_satisfaction" INTEGER NOT NULL,
    "written_feedback" TEXT,
    "recorded_by_id" UUID NOT NULL,
    "recorded_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_by_id" UUID,
    "updated_at" TIMESTAMP(3) NOT NULL,
    "finalized_by_id" UUID,
    "finalized_at" TIMESTAMP(3),

    CONSTRAINT "client_feedback_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notifications" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT,
    "link" TEXT,
    "client_id" UUID,
    "dedupe_key" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "read_at" TIMESTAMP(3),
    "emailed_at" TIMESTAMP(3),

    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "client_feedback_period_start_idx" ON "client_feedback"("period_start");

-- CreateIndex
CREATE UNIQUE INDEX "client_feedback_client_id_period_kind_period_start_key" ON "client_feedback"("client_id", "period_kind", "period_start");

-- CreateIndex
CREATE UNIQUE INDEX "notifications_dedupe_key_key" ON "notifications"("dedupe_key");

-- CreateIndex
CREATE INDEX "notifications_user_id_created_at_idx" ON "notifications"("user_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "notifications_client_id_idx" ON "notifications"("client_id");

-- AddForeignKey
ALTER TABLE "client_feedback" ADD CONSTRAINT "client_feedback_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "client_feedback" ADD CONSTRAINT "client_feedback_recorded_by_id_fkey" FOREIGN KEY ("recorded_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "client_feedback" ADD CONSTRAINT "client_feedback_updated_by_id_fkey" FOREIGN KEY ("updated_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "client_feedback" ADD CONSTRAINT "client_feedback_finalized_by_id_fkey" FOREIGN KEY ("finalized_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Ratings are 1 to 5; a period is named by its first day (a quarter's starts in January, April, July or October);
-- finalized by and at are set together.
ALTER TABLE "client_feedback" ADD CONSTRAINT "client_feedback_responsiveness_range" CHECK ("responsiveness" BETWEEN 1 AND 5);
ALTER TABLE "client_feedback" ADD CONSTRAINT "client_feedback_communication_range" CHECK ("communication" BETWEEN 1 AND 5);
ALTER TABLE "client_feedback" ADD CONSTRAINT "client_feedback_requirements_clarity_range" CHECK ("requirements_clarity" BETWEEN 1 AND 5);
ALTER TABLE "client_feedback" ADD CONSTRAINT "client_feedback_decision_speed_range" CHECK ("decision_speed" BETWEEN 1 AND 5);
ALTER TABLE "client_feedback" ADD CONSTRAINT "client_feedback_overall_satisfaction_range" CHECK ("overall_satisfaction" BETWEEN 1 AND 5);
ALTER TABLE "client_feedback" ADD CONSTRAINT "client_feedback_period_start_first_day" CHECK (
  EXTRACT(DAY FROM "period_start") = 1 AND ("period_kind" = 'month' OR EXTRACT(MONTH FROM "period_start") IN (1, 4, 7, 10)));
ALTER TABLE "client_feedback" ADD CONSTRAINT "client_feedback_finalized_together" CHECK (("finalized_at" IS NULL) = ("finalized_by_id" IS NULL));
ALTER TABLE "client_feedback" ADD CONSTRAINT "client_feedback_written_length" CHECK (char_length("written_feedback") <= 10000);

-- Finalized feedback is immutable: the database itself refuses any UPDATE or DELETE of a finalized row, and a
-- TRUNCATE while any row is finalized.
CREATE FUNCTION "client_feedback_refuse_finalized_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD."finalized_at" IS NOT NULL THEN
    RAISE EXCEPTION 'client_feedback %: finalized feedback cannot change (% refused)', OLD."id", TG_OP USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER "client_feedback_finalized_immutable" BEFORE UPDATE OR DELETE ON "client_feedback"
  FOR EACH ROW EXECUTE FUNCTION "client_feedback_refuse_finalized_change"();
CREATE FUNCTION "client_feedback_refuse_truncate"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM "client_feedback" WHERE "finalized_at" IS NOT NULL) THEN
    RAISE EXCEPTION 'client_feedback holds finalized feedback: TRUNCATE refused' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER "client_feedback_no_truncate" BEFORE TRUNCATE ON "client_feedback"
  FOR EACH STATEMENT EXECUTE FUNCTION "client_feedback_refuse_truncate"();

-- The header's unread count reads one index range per request.
CREATE INDEX "notifications_unread_idx" ON "notifications"("user_id") WHERE "read_at" IS NULL;
