-- AlterTable
ALTER TABLE "case_stages" ADD COLUMN     "started_by_id" UUID;

-- AddForeignKey
ALTER TABLE "case_stages" ADD CONSTRAINT "case_stages_started_by_id_fkey" FOREIGN KEY ("started_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
