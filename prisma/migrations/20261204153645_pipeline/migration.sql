-- CreateEnum
CREATE TYPE "CampaignType" AS ENUM ('email', 'webinar', 'content', 'event');

-- CreateEnum
CREATE TYPE "LeadStatus" AS ENUM ('new', 'contacted', 'qualified', 'converted', 'lost');

-- CreateEnum
CREATE TYPE "ProspectStage" AS ENUM ('discovery', 'proposal', 'negotiation', 'won', 'lost');

-- CreateEnum
CREATE TYPE "ProposalStatus" AS ENUM ('draft', 'sent', 'accepted', 'rejected', 'expired');

-- CreateEnum
CREATE TYPE "EngagementStatus" AS ENUM ('current', 'completed', 'renewed');

-- AlterTable
ALTER TABLE "clients" ADD COLUMN     "origin_proposal_id" UUID,
ADD COLUMN     "origin_prospect_id" UUID;

-- CreateTable
CREATE TABLE "campaigns" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "campaign_type" "CampaignType" NOT NULL,
    "start_date" DATE NOT NULL,
    "end_date" DATE,
    "budget" DECIMAL(14,2) NOT NULL DEFAULT 0,
    "owner_id" UUID NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "campaigns_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "leads" (
    "id" UUID NOT NULL,
    "company_name" TEXT NOT NULL,
    "contact_name" TEXT,
    "email" TEXT,
    "phone" TEXT,
    "source" TEXT NOT NULL,
    "status" "LeadStatus" NOT NULL DEFAULT 'new',
    "lost_reason" TEXT,
    "score" INTEGER NOT NULL DEFAULT 0,
    "campaign_id" UUID,
    "owner_id" UUID NOT NULL,
    "captured_date" DATE NOT NULL,
    "notes" TEXT,
    "created_by_id" UUID NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "leads_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "prospects" (
    "id" UUID NOT NULL,
    "lead_id" UUID,
    "company_name" TEXT NOT NULL,
    "contact_name" TEXT,
    "contact_email" TEXT,
    "contact_phone" TEXT,
    "stage" "ProspectStage" NOT NULL DEFAULT 'discovery',
    "estimated_value" DECIMAL(14,2),
    "probability" INTEGER NOT NULL DEFAULT 10,
    "expected_close_date" DATE,
    "lost_reason" TEXT,
    "campaign_id" UUID,
    "owner_id" UUID NOT NULL,
    "client_id" UUID,
    "renewal_of_id" UUID,
    "won_at" TIMESTAMP(3),
    "created_by_id" UUID NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "prospects_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "proposal_number_counters" (
    "year" INTEGER NOT NULL,
    "last" INTEGER NOT NULL,

    CONSTRAINT "proposal_number_counters_pkey" PRIMARY KEY ("year")
);

-- CreateTable
CREATE TABLE "proposals" (
    "id" UUID NOT NULL,
    "number" TEXT NOT NULL,
    "prospect_id" UUID NOT NULL,
    "status" "ProposalStatus" NOT NULL DEFAULT 'draft',
    "current_version" INTEGER NOT NULL DEFAULT 1,
    "sent_at" TIMESTAMP(3),
    "decided_at" TIMESTAMP(3),
    "decided_by_id" UUID,
    "rejection_reason" TEXT,
    "created_by_id" UUID NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "proposals_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "proposal_versions" (
    "id" UUID NOT NULL,
    "proposal_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "amount" DECIMAL(14,2) NOT NULL,
    "currency" CHAR(3) NOT NULL DEFAULT 'USD',
    "valid_until" DATE,
    "scope" TEXT NOT NULL,
    "sent_at" TIMESTAMP(3),
    "created_by_id" UUID NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "proposal_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "engagements" (
    "id" UUID NOT NULL,
    "client_id" UUID NOT NULL,
    "proposal_id" UUID,
    "parent_id" UUID,
    "version" INTEGER NOT NULL DEFAULT 1,
    "title" TEXT NOT NULL,
    "start_date" DATE NOT NULL,
    "end_date" DATE NOT NULL,
    "value" DECIMAL(14,2) NOT NULL,
    "currency" CHAR(3) NOT NULL DEFAULT 'USD',
    "status" "EngagementStatus" NOT NULL DEFAULT 'current',
    "first_case_id" UUID,
    "created_by_id" UUID NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "engagements_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "campaigns_start_date_idx" ON "campaigns"("start_date");

-- CreateIndex
CREATE INDEX "leads_owner_id_created_at_id_idx" ON "leads"("owner_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "leads_created_at_id_idx" ON "leads"("created_at", "id");

-- CreateIndex
CREATE INDEX "leads_campaign_id_idx" ON "leads"("campaign_id");

-- CreateIndex
CREATE INDEX "leads_status_idx" ON "leads"("status");

-- CreateIndex
CREATE UNIQUE INDEX "prospects_lead_id_key" ON "prospects"("lead_id");

-- CreateIndex
CREATE INDEX "prospects_owner_id_stage_updated_at_idx" ON "prospects"("owner_id", "stage", "updated_at");

-- CreateIndex
CREATE INDEX "prospects_stage_updated_at_idx" ON "prospects"("stage", "updated_at");

-- CreateIndex
CREATE INDEX "prospects_campaign_id_idx" ON "prospects"("campaign_id");

-- CreateIndex
CREATE INDEX "prospects_client_id_idx" ON "prospects"("client_id");

-- CreateIndex
CREATE UNIQUE INDEX "proposals_number_key" ON "proposals"("number");

-- CreateIndex
CREATE INDEX "proposals_prospect_id_idx" ON "proposals"("prospect_id");

-- CreateIndex
CREATE UNIQUE INDEX "proposal_versions_proposal_id_version_key" ON "proposal_versions"("proposal_id", "version");

-- CreateIndex
CREATE UNIQUE INDEX "engagements_proposal_id_key" ON "engagements"("proposal_id");

-- CreateIndex
CREATE UNIQUE INDEX "engagements_first_case_id_key" ON "engagements"("first_case_id");

-- CreateIndex
CREATE INDEX "engagements_client_id_idx" ON "engagements"("client_id");

-- CreateIndex
CREATE INDEX "engagements_parent_id_idx" ON "engagements"("parent_id");

-- CreateIndex
CREATE INDEX "engagements_status_end_date_idx" ON "engagements"("status", "end_date");

-- CreateIndex
CREATE UNIQUE INDEX "clients_origin_prospect_id_key" ON "clients"("origin_prospect_id");

-- CreateIndex
CREATE UNIQUE INDEX "clients_origin_proposal_id_key" ON "clients"("origin_proposal_id");

-- AddForeignKey
ALTER TABLE "clients" ADD CONSTRAINT "clients_origin_prospect_id_fkey" FOREIGN KEY ("origin_prospect_id") REFERENCES "prospects"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "clients" ADD CONSTRAINT "clients_origin_proposal_id_fkey" FOREIGN KEY ("origin_proposal_id") REFERENCES "proposals"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "leads" ADD CONSTRAINT "leads_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "campaigns"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "leads" ADD CONSTRAINT "leads_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "leads" ADD CONSTRAINT "leads_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "prospects" ADD CONSTRAINT "prospects_lead_id_fkey" FOREIGN KEY ("lead_id") REFERENCES "leads"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "prospects" ADD CONSTRAINT "prospects_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "campaigns"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "prospects" ADD CONSTRAINT "prospects_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "prospects" ADD CONSTRAINT "prospects_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "prospects" ADD CONSTRAINT "prospects_renewal_of_id_fkey" FOREIGN KEY ("renewal_of_id") REFERENCES "engagements"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "prospects" ADD CONSTRAINT "prospects_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "proposals" ADD CONSTRAINT "proposals_prospect_id_fkey" FOREIGN KEY ("prospect_id") REFERENCES "prospects"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "proposals" ADD CONSTRAINT "proposals_decided_by_id_fkey" FOREIGN KEY ("decided_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "proposals" ADD CONSTRAINT "proposals_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "proposal_versions" ADD CONSTRAINT "proposal_versions_proposal_id_fkey" FOREIGN KEY ("proposal_id") REFERENCES "proposals"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "proposal_versions" ADD CONSTRAINT "proposal_versions_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "engagements" ADD CONSTRAINT "engagements_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "engagements" ADD CONSTRAINT "engagements_proposal_id_fkey" FOREIGN KEY ("proposal_id") REFERENCES "proposals"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "engagements" ADD CONSTRAINT "engagements_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "engagements"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "engagements" ADD CONSTRAINT "engagements_first_case_id_fkey" FOREIGN KEY ("first_case_id") REFERENCES "cases"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "engagements" ADD CONSTRAINT "engagements_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- What Prisma cannot express: the bounds of money, scores and probabilities, and the pipeline's invariants.
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_budget_nonnegative" CHECK ("budget" >= 0),
  ADD CONSTRAINT "campaigns_dates_ordered" CHECK ("end_date" IS NULL OR "end_date" >= "start_date"),
  ADD CONSTRAINT "campaigns_name_present" CHECK (length(btrim("name")) > 0);
ALTER TABLE "leads" ADD CONSTRAINT "leads_score_range" CHECK ("score" BETWEEN 0 AND 100),
  ADD CONSTRAINT "leads_lost_has_reason" CHECK ("status" <> 'lost' OR length(btrim(coalesce("lost_reason", ''))) > 0),
  ADD CONSTRAINT "leads_company_present" CHECK (length(btrim("company_name")) > 0);
ALTER TABLE "prospects" ADD CONSTRAINT "prospects_probability_range" CHECK ("probability" BETWEEN 0 AND 100),
  ADD CONSTRAINT "prospects_value_nonnegative" CHECK ("estimated_value" IS NULL OR "estimated_value" >= 0),
  ADD CONSTRAINT "prospects_lost_has_reason" CHECK ("stage" <> 'lost' OR length(btrim(coalesce("lost_reason", ''))) > 0),
  ADD CONSTRAINT "prospects_won_dated" CHECK (("stage" = 'won') = ("won_at" IS NOT NULL)),
  ADD CONSTRAINT "prospects_renewal_of_client" CHECK ("renewal_of_id" IS NULL OR "client_id" IS NOT NULL),
  ADD CONSTRAINT "prospects_company_present" CHECK (length(btrim("company_name")) > 0);
ALTER TABLE "proposals" ADD CONSTRAINT "proposals_number_format" CHECK ("number" ~ '^PRP-[0-9]{4}-[0-9]{4,}$'),
  ADD CONSTRAINT "proposals_version_positive" CHECK ("current_version" >= 1);
ALTER TABLE "proposal_versions" ADD CONSTRAINT "proposal_versions_amount_nonnegative" CHECK ("amount" >= 0),
  ADD CONSTRAINT "proposal_versions_currency_iso" CHECK ("currency" ~ '^[A-Z]{3}$'),
  ADD CONSTRAINT "proposal_versions_version_positive" CHECK ("version" >= 1);
ALTER TABLE "engagements" ADD CONSTRAINT "engagements_value_nonnegative" CHECK ("value" >= 0),
  ADD CONSTRAINT "engagements_currency_iso" CHECK ("currency" ~ '^[A-Z]{3}$'),
  ADD CONSTRAINT "engagements_dates_ordered" CHECK ("end_date" >= "start_date"),
  ADD CONSTRAINT "engagements_version_positive" CHECK ("version" >= 1),
  ADD CONSTRAINT "engagements_not_own_parent" CHECK ("parent_id" IS NULL OR "parent_id" <> "id");

-- A prospect accepts at most one proposal; an engagement is renewed at most once (one child).
CREATE UNIQUE INDEX "proposals_one_accepted_per_prospect" ON "proposals" ("prospect_id") WHERE "status" = 'accepted';
CREATE UNIQUE INDEX "engagements_one_renewal_per_parent" ON "engagements" ("parent_id") WHERE "parent_id" IS NOT NULL;

-- Search of leads and prospects (company, contact, email) that tolerates typos, like the clients' search.
ALTER TABLE "leads" ADD COLUMN "search_text" TEXT GENERATED ALWAYS AS (
  lower("company_name" || ' ' || coalesce("contact_name", '') || ' ' || coalesce("email", ''))) STORED;
CREATE INDEX "leads_search_text_trgm" ON "leads" USING gin ("search_text" gin_trgm_ops);
CREATE INDEX "leads_company_trgm" ON "leads" USING gin (lower("company_name") gin_trgm_ops);
ALTER TABLE "prospects" ADD COLUMN "search_text" TEXT GENERATED ALWAYS AS (
  lower("company_name" || ' ' || coalesce("contact_name", '') || ' ' || coalesce("contact_email", ''))) STORED;
CREATE INDEX "prospects_search_text_trgm" ON "prospects" USING gin ("search_text" gin_trgm_ops);
CREATE INDEX "prospects_company_trgm" ON "prospects" USING gin (lower("company_name") gin_trgm_ops);
-- Keyset pages of leads by company name.
CREATE INDEX "leads_company_lower" ON "leads" (lower("company_name"), "id");
CREATE INDEX "leads_owner_company_lower" ON "leads" ("owner_id", lower("company_name"), "id");
