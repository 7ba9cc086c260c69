-- CreateTable
CREATE TABLE "roundtable_meetings" (
    "id" UUID NOT NULL,
    "meeting_date" DATE NOT NULL,
    "agenda" TEXT,
    "created_by_id" UUID NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ended_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "roundtable_meetings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "roundtable_attendees" (
    "meeting_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,

    CONSTRAINT "roundtable_attendees_pkey" PRIMARY KEY ("meeting_id","user_id")
);

-- CreateTable
CREATE TABLE "roundtable_entries" (
    "id" UUID NOT NULL,
    "meeting_id" UUID NOT NULL,
    "client_id" UUID NOT NULL,
    "near_term_focus" TEXT,
    "work_targets" TEXT,
    "discussion" TEXT,
    "next_steps" TEXT,
    "author_id" UUID NOT NULL,
    "saved_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "roundtable_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "roundtable_action_items" (
    "id" UUID NOT NULL,
    "entry_id" UUID NOT NULL,
    "client_id" UUID NOT NULL,
    "description" TEXT NOT NULL,
    "assignee_id" UUID NOT NULL,
    "due_date" DATE NOT NULL,
    "completed_at" TIMESTAMPTZ(3),
    "completed_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "roundtable_action_items_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "roundtable_meetings_meeting_date_id_idx" ON "roundtable_meetings"("meeting_date" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "roundtable_attendees_user_id_idx" ON "roundtable_attendees"("user_id");

-- CreateIndex
CREATE INDEX "roundtable_entries_client_id_created_at_id_idx" ON "roundtable_entries"("client_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "roundtable_entries_created_at_id_idx" ON "roundtable_entries"("created_at" DESC, "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "roundtable_entries_meeting_id_client_id_key" ON "roundtable_entries"("meeting_id", "client_id");

-- CreateIndex
CREATE INDEX "roundtable_action_items_entry_id_idx" ON "roundtable_action_items"("entry_id");

-- CreateIndex
CREATE INDEX "roundtable_action_items_client_id_idx" ON "roundtable_action_items"("client_id");

-- CreateIndex
CREATE INDEX "roundtable_action_items_assignee_id_due_date_idx" ON "roundtable_action_items"("assignee_id", "due_date");

-- AddForeignKey
ALTER TABLE "roundtable_meetings" ADD CONSTRAINT "roundtable_meetings_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "roundtable_attendees" ADD CONSTRAINT "roundtable_attendees_meeting_id_fkey" FOREIGN KEY ("meeting_id") REFERENCES "roundtable_meetings"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "roundtable_attendees" ADD CONSTRAINT "roundtable_attendees_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "roundtable_entries" ADD CONSTRAINT "roundtable_entries_meeting_id_fkey" FOREIGN KEY ("meeting_id") REFERENCES "roundtable_meetings"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "roundtable_entries" ADD CONSTRAINT "roundtable_entries_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "roundtable_entries" ADD CONSTRAINT "roundtable_entries_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "roundtable_action_items" ADD CONSTRAINT "roundtable_action_items_entry_id_fkey" FOREIGN KEY ("entry_id") REFERENCES "roundtable_entries"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "roundtable_action_items" ADD CONSTRAINT "roundtable_action_items_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "roundtable_action_items" ADD CONSTRAINT "roundtable_action_items_assignee_id_fkey" FOREIGN KEY ("assignee_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "roundtable_action_items" ADD CONSTRAINT "roundtable_action_items_completed_by_id_fkey" FOREIGN KEY ("completed_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Open action items by assignee, for the dashboards' follow-ups (the same shape as open communication follow-ups).
CREATE INDEX "roundtable_action_items_open_idx" ON "roundtable_action_items"("assignee_id", "due_date") WHERE "completed_at" IS NULL;

-- A completed item names who completed it, and only a completed one does.
ALTER TABLE "roundtable_action_items" ADD CONSTRAINT "roundtable_action_items_completed_check"
  CHECK (("completed_at" IS NULL) = ("completed_by_id" IS NULL));
ALTER TABLE "roundtable_action_items" ADD CONSTRAINT "roundtable_action_items_description_check" CHECK (length(btrim("description")) > 0);
