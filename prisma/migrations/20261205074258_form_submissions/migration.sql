-- CreateTable
CREATE TABLE "form_submissions" (
    "key" TEXT NOT NULL,
    "user_id" UUID NOT NULL,
    "method" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "response_status" INTEGER,
    "location" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "form_submissions_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "form_submissions_created_at_idx" ON "form_submissions"("created_at");

-- AddForeignKey
ALTER TABLE "form_submissions" ADD CONSTRAINT "form_submissions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-added.
ALTER TABLE "form_submissions" ADD CONSTRAINT "form_submissions_status_check" CHECK ("status" IN ('pending', 'done'));
ALTER TABLE "form_submissions" ADD CONSTRAINT "form_submissions_key_check" CHECK (length("key") BETWEEN 16 AND 64);
