-- CreateEnum
CREATE TYPE "CommunicationType" AS ENUM ('email', 'phone', 'meeting', 'video', 'in_person', 'note');

-- CreateEnum
CREATE TYPE "CommunicationDirection" AS ENUM ('inbound', 'outbound');

-- CreateTable
CREATE TABLE "communications" (
    "id" UUID NOT NULL,
    "client_id" UUID NOT NULL,
    "case_id" UUID,
    "type" "CommunicationType" NOT NULL,
    "direction" "CommunicationDirection" NOT NULL DEFAULT 'outbound',
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "subject" TEXT NOT NULL,
    "notes" TEXT,
    "important" BOOLEAN NOT NULL DEFAULT false,
    "privileged" BOOLEAN NOT NULL DEFAULT false,
    "follow_up_required" BOOLEAN NOT NULL DEFAULT false,
    "follow_up_due" DATE,
    "follow_up_assignee_id" UUID,
    "follow_up_completed_at" TIMESTAMPTZ(3),
    "follow_up_completed_by_id" UUID,
    "logged_by_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),
    "deleted_by_id" UUID,

    CONSTRAINT "communications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "communication_participants" (
    "id" UUID NOT NULL,
    "communication_id" UUID NOT NULL,
    "contact_id" UUID,
    "user_id" UUID,

    CONSTRAINT "communication_participants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "follow_up_digests" (
    "day" DATE NOT NULL,
    "sent_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "overdue" INTEGER NOT NULL,
    "emails_sent" INTEGER NOT NULL DEFAULT 0,
    "triggered_by_id" UUID,

    CONSTRAINT "follow_up_digests_pkey" PRIMARY KEY ("day")
);

-- CreateIndex
CREATE INDEX "communications_client_id_occurred_at_id_idx" ON "communications"("client_id", "occurred_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "communications_case_id_occurred_at_id_idx" ON "communications"("case_id", "occurred_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "communications_occurred_at_id_idx" ON "communications"("occurred_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "communications_logged_by_id_occurred_at_idx" ON "communications"("logged_by_id", "occurred_at" DESC);

-- CreateIndex
CREATE INDEX "communication_participants_contact_id_idx" ON "communication_participants"("contact_id");

-- CreateIndex
CREATE INDEX "communication_participants_user_id_idx" ON "communication_participants"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "communication_participants_communication_id_contact_id_key" ON "communication_participants"("communication_id", "contact_id");

-- CreateIndex
CREATE UNIQUE INDEX "communication_participants_communication_id_user_id_key" ON "communication_participants"("communication_id", "user_id");

-- AddForeignKey
ALTER TABLE "communications" ADD CONSTRAINT "communications_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "communications" ADD CONSTRAINT "communications_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "communications" ADD CONSTRAINT "communications_follow_up_assignee_id_fkey" FOREIGN KEY ("follow_up_assignee_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "communications" ADD CONSTRAINT "communications_follow_up_completed_by_id_fkey" FOREIGN KEY ("follow_up_completed_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "communications" ADD CONSTRAINT "communications_logged_by_id_fkey" FOREIGN KEY ("logged_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "communications" ADD CONSTRAINT "communications_deleted_by_id_fkey" FOREIGN KEY ("deleted_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "communication_participants" ADD CONSTRAINT "communication_participants_communication_id_fkey" FOREIGN KEY ("communication_id") REFERENCES "communications"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "communication_participants" ADD CONSTRAINT "communication_participants_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "communication_participants" ADD CONSTRAINT "communication_participants_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "follow_up_digests" ADD CONSTRAINT "follow_up_digests_triggered_by_id_fkey" FOREIGN KEY ("triggered_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Hand-written: what Prisma cannot express.
ALTER TABLE "communications" ADD CONSTRAINT "communications_subject_not_blank" CHECK (length(btrim("subject")) > 0);
-- A follow-up names a due date and an assignee; a completed one says who completed it; none without the flag.
ALTER TABLE "communications" ADD CONSTRAINT "communications_follow_up_complete" CHECK (NOT "follow_up_required" OR ("follow_up_due" IS NOT NULL AND "follow_up_assignee_id" IS NOT NULL));
ALTER TABLE "communications" ADD CONSTRAINT "communications_follow_up_only_when_required" CHECK ("follow_up_required" OR ("follow_up_due" IS NULL AND "follow_up_assignee_id" IS NULL AND "follow_up_completed_at" IS NULL));
ALTER TABLE "communications" ADD CONSTRAINT "communications_follow_up_completed_by" CHECK (("follow_up_completed_at" IS NULL) = ("follow_up_completed_by_id" IS NULL));
ALTER TABLE "communications" ADD CONSTRAINT "communications_deleted_by" CHECK (("deleted_at" IS NULL) = ("deleted_by_id" IS NULL));
ALTER TABLE "communication_participants" ADD CONSTRAINT "communication_participants_one_kind" CHECK (num_nonnulls("contact_id", "user_id") = 1);

-- Full-text search over subject and notes (the firm-wide list's search uses this exact expression).
CREATE INDEX "communications_search" ON "communications" USING gin (to_tsvector('simple', "subject" || ' ' || coalesce("notes", '')));
-- Open follow-ups by assignee and due date: the dashboard and the daily digest read only these.
CREATE INDEX "communications_open_follow_ups" ON "communications" ("follow_up_assignee_id", "follow_up_due", "id")
  WHERE "follow_up_required" AND "follow_up_completed_at" IS NULL AND "deleted_at" IS NULL;
