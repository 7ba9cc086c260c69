-- CreateEnum
CREATE TYPE "CaseStatus" AS ENUM ('new', 'assigned', 'in_progress', 'on_hold', 'resolved', 'closed', 'reopened');

-- CreateEnum
CREATE TYPE "CasePriority" AS ENUM ('low', 'medium', 'high', 'critical');

-- CreateEnum
CREATE TYPE "CaseComplexity" AS ENUM ('simple', 'moderate', 'complex');

-- CreateEnum
CREATE TYPE "RiskLevel" AS ENUM ('low', 'medium', 'high', 'critical');

-- CreateEnum
CREATE TYPE "CaseCategory" AS ENUM ('advisory', 'litigation', 'transactional', 'regulatory', 'dispute', 'other');

-- CreateEnum
CREATE TYPE "BillingMethod" AS ENUM ('hourly', 'fixed_fee', 'contingency', 'retainer', 'pro_bono');

-- CreateEnum
CREATE TYPE "ResolutionType" AS ENUM ('favorable', 'settled', 'unfavorable', 'withdrawn', 'referred', 'no_action');

-- CreateEnum
CREATE TYPE "CaseTeamRole" AS ENUM ('lead', 'associate', 'paralegal', 'consultant', 'reviewer', 'observer');

-- CreateEnum
CREATE TYPE "StageType" AS ENUM ('intake', 'analysis', 'work', 'review', 'legal_review', 'compliance_review', 'approval', 'closing');

-- CreateEnum
CREATE TYPE "StageStatus" AS ENUM ('pending', 'in_progress', 'completed', 'skipped');

-- CreateTable
CREATE TABLE "case_types" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "description" TEXT,
    "parent_id" UUID,
    "requires_legal_review" BOOLEAN NOT NULL DEFAULT false,
    "requires_compliance_review" BOOLEAN NOT NULL DEFAULT false,
    "default_billing_method" "BillingMethod",
    "default_template_id" UUID,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "case_types_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "case_templates" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "description" TEXT,
    "case_type_id" UUID NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "required_document_types" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "case_templates_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "case_template_stages" (
    "id" UUID NOT NULL,
    "template_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "stage_type" "StageType" NOT NULL DEFAULT 'work',
    "required" BOOLEAN NOT NULL DEFAULT true,
    "parallel" BOOLEAN NOT NULL DEFAULT false,
    "approval_required" BOOLEAN NOT NULL DEFAULT false,
    "min_approvers" INTEGER NOT NULL DEFAULT 1,
    "default_duration_days" INTEGER,

    CONSTRAINT "case_template_stages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "case_number_counters" (
    "year" INTEGER NOT NULL,
    "last" INTEGER NOT NULL,

    CONSTRAINT "case_number_counters_pkey" PRIMARY KEY ("year")
);

-- CreateTable
CREATE TABLE "cases" (
    "id" UUID NOT NULL,
    "case_number" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "summary" TEXT,
    "client_id" UUID NOT NULL,
    "contact_id" UUID,
    "manager_id" UUID NOT NULL,
    "type_id" UUID NOT NULL,
    "template_id" UUID,
    "category" "CaseCategory" NOT NULL DEFAULT 'other',
    "priority" "CasePriority" NOT NULL DEFAULT 'medium',
    "complexity" "CaseComplexity" NOT NULL DEFAULT 'moderate',
    "risk_level" "RiskLevel" NOT NULL DEFAULT 'low',
    "status" "CaseStatus" NOT NULL DEFAULT 'new',
    "current_stage_id" UUID,
    "next_review_date" DATE,
    "compliance_review_required" BOOLEAN NOT NULL DEFAULT false,
    "legal_review_required" BOOLEAN NOT NULL DEFAULT false,
    "estimated_value" DECIMAL(15,2),
    "actual_cost" DECIMAL(15,2),
    "billing_method" "BillingMethod",
    "resolution_date" TIMESTAMP(3),
    "resolution_type" "ResolutionType",
    "resolution_summary" TEXT,
    "satisfaction" INTEGER,
    "status_changed_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMP(3),
    "deleted_by_id" UUID,
    "created_by_id" UUID NOT NULL,
    "updated_by_id" UUID,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "cases_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "case_team_members" (
    "case_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "role" "CaseTeamRole" NOT NULL DEFAULT 'associate',
    "added_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "case_team_members_pkey" PRIMARY KEY ("case_id","user_id")
);

-- CreateTable
CREATE TABLE "case_stages" (
    "id" UUID NOT NULL,
    "case_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "stage_type" "StageType" NOT NULL DEFAULT 'work',
    "required" BOOLEAN NOT NULL DEFAULT true,
    "parallel" BOOLEAN NOT NULL DEFAULT false,
    "approval_required" BOOLEAN NOT NULL DEFAULT false,
    "min_approvers" INTEGER NOT NULL DEFAULT 1,
    "status" "StageStatus" NOT NULL DEFAULT 'pending',
    "assignee_id" UUID,
    "deadline" DATE,
    "started_at" TIMESTAMP(3),
    "completed_at" TIMESTAMP(3),
    "completed_by_id" UUID,
    "notes" TEXT,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "case_stages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "case_stage_approvals" (
    "stage_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "note" TEXT,
    "approved_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "case_stage_approvals_pkey" PRIMARY KEY ("stage_id","user_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "case_types_default_template_id_key" ON "case_types"("default_template_id");

-- CreateIndex
CREATE INDEX "case_types_parent_id_idx" ON "case_types"("parent_id");

-- CreateIndex
CREATE INDEX "case_templates_case_type_id_idx" ON "case_templates"("case_type_id");

-- CreateIndex
CREATE UNIQUE INDEX "case_template_stages_template_id_position_key" ON "case_template_stages"("template_id", "position");

-- CreateIndex
CREATE UNIQUE INDEX "cases_case_number_key" ON "cases"("case_number");

-- CreateIndex
CREATE UNIQUE INDEX "cases_current_stage_id_key" ON "cases"("current_stage_id");

-- CreateIndex
CREATE INDEX "cases_client_id_idx" ON "cases"("client_id");

-- CreateIndex
CREATE INDEX "cases_manager_id_idx" ON "cases"("manager_id");

-- CreateIndex
CREATE INDEX "cases_type_id_idx" ON "cases"("type_id");

-- CreateIndex
CREATE INDEX "cases_status_idx" ON "cases"("status");

-- CreateIndex
CREATE INDEX "cases_updated_at_id_idx" ON "cases"("updated_at", "id");

-- CreateIndex
CREATE INDEX "case_team_members_user_id_idx" ON "case_team_members"("user_id");

-- CreateIndex
CREATE INDEX "case_stages_assignee_id_status_idx" ON "case_stages"("assignee_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "case_stages_case_id_position_key" ON "case_stages"("case_id", "position");

-- CreateIndex
CREATE INDEX "case_stage_approvals_user_id_idx" ON "case_stage_approvals"("user_id");

-- AddForeignKey
ALTER TABLE "case_types" ADD CONSTRAINT "case_types_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "case_types"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "case_types" ADD CONSTRAINT "case_types_default_template_id_fkey" FOREIGN KEY ("default_template_id") REFERENCES "case_templates"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "case_templates" ADD CONSTRAINT "case_templates_case_type_id_fkey" FOREIGN KEY ("case_type_id") REFERENCES "case_types"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "case_template_stages" ADD CONSTRAINT "case_template_stages_template_id_fkey" FOREIGN KEY ("template_id") REFERENCES "case_templates"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cases" ADD CONSTRAINT "cases_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cases" ADD CONSTRAINT "cases_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cases" ADD CONSTRAINT "cases_manager_id_fkey" FOREIGN KEY ("manager_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cases" ADD CONSTRAINT "cases_type_id_fkey" FOREIGN KEY ("type_id") REFERENCES "case_types"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cases" ADD CONSTRAINT "cases_template_id_fkey" FOREIGN KEY ("template_id") REFERENCES "case_templates"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cases" ADD CONSTRAINT "cases_current_stage_id_fkey" FOREIGN KEY ("current_stage_id") REFERENCES "case_stages"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cases" ADD CONSTRAINT "cases_deleted_by_id_fkey" FOREIGN KEY ("deleted_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cases" ADD CONSTRAINT "cases_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cases" ADD CONSTRAINT "cases_updated_by_id_fkey" FOREIGN KEY ("updated_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "case_team_members" ADD CONSTRAINT "case_team_members_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "case_team_members" ADD CONSTRAINT "case_team_members_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "case_stages" ADD CONSTRAINT "case_stages_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "case_stages" ADD CONSTRAINT "case_stages_assignee_id_fkey" FOREIGN KEY ("assignee_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "case_stages" ADD CONSTRAINT "case_stages_completed_by_id_fkey" FOREIGN KEY ("completed_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "case_stage_approvals" ADD CONSTRAINT "case_stage_approvals_stage_id_fkey" FOREIGN KEY ("stage_id") REFERENCES "case_stages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "case_stage_approvals" ADD CONSTRAINT "case_stage_approvals_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Added by hand: what the Prisma schema cannot express.
CREATE UNIQUE INDEX "case_types_code_lower_key" ON "case_types" (lower("code"));
CREATE UNIQUE INDEX "case_templates_code_lower_key" ON "case_templates" (lower("code"));
ALTER TABLE "case_types" ADD CONSTRAINT "case_types_not_own_parent" CHECK ("parent_id" IS NULL OR "parent_id" <> "id");
ALTER TABLE "case_types" ADD CONSTRAINT "case_types_name_not_blank" CHECK (length(btrim("name")) > 0 AND length(btrim("code")) > 0);
ALTER TABLE "case_templates" ADD CONSTRAINT "case_templates_name_not_blank" CHECK (length(btrim("name")) > 0 AND length(btrim("code")) > 0);
ALTER TABLE "case_template_stages" ADD CONSTRAINT "case_template_stages_position_positive" CHECK ("position" >= 1);
ALTER TABLE "case_template_stages" ADD CONSTRAINT "case_template_stages_min_approvers" CHECK ("min_approvers" BETWEEN 1 AND 10);
ALTER TABLE "case_template_stages" ADD CONSTRAINT "case_template_stages_duration" CHECK ("default_duration_days" IS NULL OR "default_duration_days" BETWEEN 0 AND 3650);
ALTER TABLE "case_number_counters" ADD CONSTRAINT "case_number_counters_positive" CHECK ("last" > 0);

ALTER TABLE "cases" ADD CONSTRAINT "cases_number_format" CHECK ("case_number" ~ '^CASE-[0-9]{4}-[0-9]{6,}$');
ALTER TABLE "cases" ADD CONSTRAINT "cases_title_not_blank" CHECK (length(btrim("title")) > 0);
ALTER TABLE "cases" ADD CONSTRAINT "cases_satisfaction_range" CHECK ("satisfaction" IS NULL OR "satisfaction" BETWEEN 1 AND 5);
ALTER TABLE "cases" ADD CONSTRAINT "cases_money_nonnegative" CHECK (("estimated_value" IS NULL OR "estimated_value" >= 0) AND ("actual_cost" IS NULL OR "actual_cost" >= 0));
ALTER TABLE "cases" ADD CONSTRAINT "cases_billing_needs_estimate" CHECK ("billing_method" IS NULL OR "estimated_value" IS NOT NULL);
ALTER TABLE "cases" ADD CONSTRAINT "cases_cost_within_estimate" CHECK ("actual_cost" IS NULL OR "estimated_value" IS NULL OR "actual_cost" <= "estimated_value" * 1.5);
ALTER TABLE "cases" ADD CONSTRAINT "cases_deleted_by" CHECK (("deleted_at" IS NULL) = ("deleted_by_id" IS NULL));
ALTER TABLE "case_stages" ADD CONSTRAINT "case_stages_position_positive" CHECK ("position" >= 1);
ALTER TABLE "case_stages" ADD CONSTRAINT "case_stages_min_approvers" CHECK ("min_approvers" BETWEEN 1 AND 10);
ALTER TABLE "case_stages" ADD CONSTRAINT "case_stages_completed" CHECK (("status" = 'completed') = ("completed_at" IS NOT NULL));

-- Lists and search read only cases that are not deleted.
CREATE INDEX "cases_live_updated" ON "cases" ("updated_at" DESC, "id" DESC) WHERE "deleted_at" IS NULL;
CREATE INDEX "cases_live_status_updated" ON "cases" ("status", "updated_at" DESC, "id" DESC) WHERE "deleted_at" IS NULL;
CREATE INDEX "cases_live_review" ON "cases" ("next_review_date") WHERE "deleted_at" IS NULL AND "next_review_date" IS NOT NULL;
CREATE INDEX "cases_legal_review" ON "cases" ("id") WHERE "deleted_at" IS NULL AND ("legal_review_required" OR "compliance_review_required");
CREATE INDEX "cases_title_trgm" ON "cases" USING gin (lower("title") gin_trgm_ops);
CREATE INDEX "cases_number_trgm" ON "cases" USING gin (lower("case_number") gin_trgm_ops);
CREATE INDEX "users_department" ON "users" ("department") WHERE "department" IS NOT NULL;
