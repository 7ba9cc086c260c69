-- CreateTable
CREATE TABLE "document_types" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "description" TEXT,
    "position" INTEGER NOT NULL DEFAULT 100,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "document_types_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "documents" (
    "id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT,
    "type_id" UUID NOT NULL,
    "client_id" UUID,
    "case_id" UUID,
    "privileged" BOOLEAN NOT NULL DEFAULT false,
    "version_count" INTEGER NOT NULL DEFAULT 0,
    "file_name" TEXT NOT NULL,
    "content_type" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "text_status" TEXT NOT NULL DEFAULT 'pending',
    "content_text" TEXT,
    "deleted_at" TIMESTAMP(3),
    "deleted_by_id" UUID,
    "created_by_id" UUID NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "documents_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "document_versions" (
    "id" UUID NOT NULL,
    "document_id" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "storage_key" TEXT NOT NULL,
    "file_name" TEXT NOT NULL,
    "content_type" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "sha256" CHAR(64) NOT NULL,
    "uploaded_by_id" UUID NOT NULL,
    "uploaded_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "document_versions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "document_types_code_key" ON "document_types"("code");

-- CreateIndex
CREATE INDEX "documents_client_id_created_at_id_idx" ON "documents"("client_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "documents_case_id_created_at_id_idx" ON "documents"("case_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "documents_created_at_id_idx" ON "documents"("created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "documents_created_by_id_idx" ON "documents"("created_by_id");

-- CreateIndex
CREATE INDEX "documents_type_id_idx" ON "documents"("type_id");

-- CreateIndex
CREATE UNIQUE INDEX "document_versions_storage_key_key" ON "document_versions"("storage_key");

-- CreateIndex
CREATE UNIQUE INDEX "document_versions_document_id_number_key" ON "document_versions"("document_id", "number");

-- AddForeignKey
ALTER TABLE "documents" ADD CONSTRAINT "documents_type_id_fkey" FOREIGN KEY ("type_id") REFERENCES "document_types"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "documents" ADD CONSTRAINT "documents_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "documents" ADD CONSTRAINT "documents_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "documents" ADD CONSTRAINT "documents_deleted_by_id_fkey" FOREIGN KEY ("deleted_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "documents" ADD CONSTRAINT "documents_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "document_versions" ADD CONSTRAINT "document_versions_document_id_fkey" FOREIGN KEY ("document_id") REFERENCES "documents"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "document_versions" ADD CONSTRAINT "document_versions_uploaded_by_id_fkey" FOREIGN KEY ("uploaded_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Hand-written: what Prisma cannot express.

-- Type names unique whatever their case; codes are lower-case words.
CREATE UNIQUE INDEX "document_types_name_lower_key" ON "document_types" (lower("name"));
ALTER TABLE "document_types" ADD CONSTRAINT "document_types_code_check" CHECK ("code" ~ '^[a-z][a-z0-9_]{0,49}$');
ALTER TABLE "document_types" ADD CONSTRAINT "document_types_name_check" CHECK (length(btrim("name")) BETWEEN 1 AND 100);

-- A document hangs off a client, a case, or both; its counts and sizes are sane.
ALTER TABLE "documents" ADD CONSTRAINT "documents_parent_check" CHECK ("client_id" IS NOT NULL OR "case_id" IS NOT NULL);
ALTER TABLE "documents" ADD CONSTRAINT "documents_title_check" CHECK (length(btrim("title")) BETWEEN 1 AND 200);
ALTER TABLE "documents" ADD CONSTRAINT "documents_size_check" CHECK ("size" >= 0 AND "version_count" >= 0);
ALTER TABLE "documents" ADD CONSTRAINT "documents_text_status_check" CHECK ("text_status" IN ('pending', 'done', 'failed', 'none'));
ALTER TABLE "document_versions" ADD CONSTRAINT "document_versions_number_check" CHECK ("number" >= 1);
ALTER TABLE "document_versions" ADD CONSTRAINT "document_versions_size_check" CHECK ("size" > 0);
ALTER TABLE "document_versions" ADD CONSTRAINT "document_versions_sha256_check" CHECK ("sha256" ~ '^[0-9a-f]{64}$');

-- Versions are kept for good: a version row is never rewritten or removed.
CREATE FUNCTION document_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'document versions are kept as written (% refused)', TG_OP;
END $$;
CREATE TRIGGER "document_versions_immutable" BEFORE UPDATE OR DELETE ON "document_versions"
  FOR EACH ROW EXECUTE FUNCTION document_versions_immutable();

-- Full-text search over the title, the file name (its punctuation read as spaces) and the extracted text.
ALTER TABLE "documents" ADD COLUMN "search" tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('english'::regconfig, "title"), 'A')
  || setweight(to_tsvector('simple'::regconfig, regexp_replace("file_name", '[._-]+', ' ', 'g')), 'B')
  || setweight(to_tsvector('english'::regconfig, coalesce(left("content_text", 500000), '')), 'C')
) STORED;
CREATE INDEX "documents_search_idx" ON "documents" USING GIN ("search");
CREATE INDEX "documents_deleted_idx" ON "documents" ("deleted_at" DESC, "id" DESC) WHERE "deleted_at" IS NOT NULL;

-- The document types a firm starts with (administrators add, rename and retire them).
INSERT INTO "document_types" ("id", "name", "code", "position", "updated_at") VALUES
  (gen_random_uuid(), 'Engagement agreement', 'engagement_agreement', 10, now()),
  (gen_random_uuid(), 'Identification', 'identification', 20, now()),
  (gen_random_uuid(), 'Intake form', 'intake_form', 30, now()),
  (gen_random_uuid(), 'Correspondence', 'correspondence', 40, now()),
  (gen_random_uuid(), 'Compliance', 'compliance', 50, now()),
  (gen_random_uuid(), 'Other', 'other', 60, now());
