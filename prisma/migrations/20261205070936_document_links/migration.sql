-- CreateTable
CREATE TABLE "document_cases" (
    "document_id" UUID NOT NULL,
    "case_id" UUID NOT NULL,
    "linked_by_id" UUID NOT NULL,
    "linked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "document_cases_pkey" PRIMARY KEY ("document_id","case_id")
);

-- CreateTable
CREATE TABLE "communication_documents" (
    "communication_id" UUID NOT NULL,
    "document_id" UUID NOT NULL,
    "linked_by_id" UUID NOT NULL,
    "linked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "communication_documents_pkey" PRIMARY KEY ("communication_id","document_id")
);

-- CreateIndex
CREATE INDEX "document_cases_case_id_document_id_idx" ON "document_cases"("case_id", "document_id");

-- CreateIndex
CREATE INDEX "communication_documents_document_id_idx" ON "communication_documents"("document_id");

-- AddForeignKey
ALTER TABLE "document_cases" ADD CONSTRAINT "document_cases_document_id_fkey" FOREIGN KEY ("document_id") REFERENCES "documents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "document_cases" ADD CONSTRAINT "document_cases_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "document_cases" ADD CONSTRAINT "document_cases_linked_by_id_fkey" FOREIGN KEY ("linked_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "communication_documents" ADD CONSTRAINT "communication_documents_communication_id_fkey" FOREIGN KEY ("communication_id") REFERENCES "communications"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "communication_documents" ADD CONSTRAINT "communication_documents_document_id_fkey" FOREIGN KEY ("document_id") REFERENCES "documents"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "communication_documents" ADD CONSTRAINT "communication_documents_linked_by_id_fkey" FOREIGN KEY ("linked_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Hand-written: what Prisma cannot express.

-- A document is linked only to further cases of its own client (its client, or its case's client for a case-only
-- document), never again to the case it was filed on.
CREATE FUNCTION document_cases_same_client() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  doc_client uuid;
  doc_case uuid;
  link_client uuid;
BEGIN
  SELECT coalesce(d.client_id, k.client_id), d.case_id INTO doc_client, doc_case
    FROM documents d LEFT JOIN cases k ON k.id = d.case_id WHERE d.id = NEW.document_id;
  SELECT client_id INTO link_client FROM cases WHERE id = NEW.case_id;
  IF doc_client IS DISTINCT FROM link_client THEN
    RAISE EXCEPTION 'a document is linked only to cases of its own client' USING ERRCODE = 'check_violation';
  END IF;
  IF doc_case = NEW.case_id THEN
    RAISE EXCEPTION 'the document is already filed on this case' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER "document_cases_same_client" BEFORE INSERT OR UPDATE ON "document_cases"
  FOR EACH ROW EXECUTE FUNCTION document_cases_same_client();

-- An attachment is a document of the communication's client.
CREATE FUNCTION communication_documents_same_client() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM communications m JOIN documents d ON d.id = NEW.document_id
      LEFT JOIN cases k ON k.id = d.case_id
      WHERE m.id = NEW.communication_id AND m.client_id = coalesce(d.client_id, k.client_id)) THEN
    RAISE EXCEPTION 'an attachment is a document of the communication''s client' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER "communication_documents_same_client" BEFORE INSERT OR UPDATE ON "communication_documents"
  FOR EACH ROW EXECUTE FUNCTION communication_documents_same_client();
