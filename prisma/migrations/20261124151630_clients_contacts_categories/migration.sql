-- CreateEnum
CREATE TYPE "ClientType" AS ENUM ('individual', 'organization');

-- CreateEnum
CREATE TYPE "ClientStatus" AS ENUM ('active', 'inactive', 'on_hold', 'archived');

-- CreateEnum
CREATE TYPE "DataClassification" AS ENUM ('public', 'confidential', 'privileged');

-- CreateEnum
CREATE TYPE "ContactMethod" AS ENUM ('in_person', 'phone', 'email', 'video');

-- CreateEnum
CREATE TYPE "RelationshipStrength" AS ENUM ('strong', 'good', 'needs_attention', 'at_risk', 'new');

-- CreateEnum
CREATE TYPE "ClientPriority" AS ENUM ('strategic', 'high', 'medium', 'low', 'opportunistic');

-- CreateEnum
CREATE TYPE "RelationshipStatus" AS ENUM ('active', 'warm', 'cold', 'prospective');

-- CreateTable
CREATE TABLE "client_categories" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "color" TEXT NOT NULL DEFAULT '#64748b',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "client_categories_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "client_code_counters" (
    "year" INTEGER NOT NULL,
    "last" INTEGER NOT NULL,

    CONSTRAINT "client_code_counters_pkey" PRIMARY KEY ("year")
);

-- CreateTable
CREATE TABLE "clients" (
    "id" UUID NOT NULL,
    "client_code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "client_type" "ClientType" NOT NULL DEFAULT 'organization',
    "category_id" UUID,
    "status" "ClientStatus" NOT NULL DEFAULT 'active',
    "email" TEXT,
    "phone" TEXT,
    "website" TEXT,
    "address_line1" TEXT,
    "address_line2" TEXT,
    "city" TEXT,
    "state" TEXT,
    "postal_code" TEXT,
    "country" TEXT,
    "logo_file" TEXT,
    "logo_content_type" TEXT,
    "date_of_birth" DATE,
    "ssn_last4" CHAR(4),
    "tax_id" TEXT,
    "industry" TEXT,
    "intake_date" DATE,
    "client_since" DATE,
    "referral_source" TEXT,
    "notes" TEXT,
    "is_confidential" BOOLEAN NOT NULL DEFAULT false,
    "data_classification" "DataClassification" NOT NULL DEFAULT 'confidential',
    "account_manager_id" UUID,
    "primary_poc_id" UUID,
    "secondary_poc_id" UUID,
    "last_contact_at" DATE,
    "last_contact_type" "ContactMethod",
    "last_contact_by_id" UUID,
    "last_contact_summary" TEXT,
    "next_contact_at" DATE,
    "next_contact_type" "ContactMethod",
    "next_contact_assignee_id" UUID,
    "relationship_strength" "RelationshipStrength",
    "relationship_notes" TEXT,
    "priority" "ClientPriority",
    "relationship_status" "RelationshipStatus",
    "deactivated_at" TIMESTAMP(3),
    "deactivation_reason" TEXT,
    "deactivated_by_id" UUID,
    "created_by_id" UUID NOT NULL,
    "updated_by_id" UUID,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "clients_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "client_team_members" (
    "client_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "added_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "client_team_members_pkey" PRIMARY KEY ("client_id","user_id")
);

-- CreateTable
CREATE TABLE "contacts" (
    "id" UUID NOT NULL,
    "client_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "title" TEXT,
    "email" TEXT,
    "phone" TEXT,
    "mobile" TEXT,
    "notes" TEXT,
    "is_primary" BOOLEAN NOT NULL DEFAULT false,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "contacts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "clients_client_code_key" ON "clients"("client_code");

-- CreateIndex
CREATE INDEX "clients_name_id_idx" ON "clients"("name", "id");

-- CreateIndex
CREATE INDEX "clients_status_idx" ON "clients"("status");

-- CreateIndex
CREATE INDEX "clients_category_id_idx" ON "clients"("category_id");

-- CreateIndex
CREATE INDEX "clients_account_manager_id_idx" ON "clients"("account_manager_id");

-- CreateIndex
CREATE INDEX "clients_primary_poc_id_idx" ON "clients"("primary_poc_id");

-- CreateIndex
CREATE INDEX "clients_secondary_poc_id_idx" ON "clients"("secondary_poc_id");

-- CreateIndex
CREATE INDEX "clients_last_contact_at_idx" ON "clients"("last_contact_at");

-- CreateIndex
CREATE INDEX "clients_created_at_id_idx" ON "clients"("created_at", "id");

-- CreateIndex
CREATE INDEX "client_team_members_user_id_idx" ON "client_team_members"("user_id");

-- CreateIndex
CREATE INDEX "contacts_client_id_idx" ON "contacts"("client_id");

-- CreateIndex
CREATE INDEX "contacts_email_idx" ON "contacts"("email");

-- AddForeignKey
ALTER TABLE "clients" ADD CONSTRAINT "clients_category_id_fkey" FOREIGN KEY ("category_id") REFERENCES "client_categories"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "clients" ADD CONSTRAINT "clients_account_manager_id_fkey" FOREIGN KEY ("account_manager_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "clients" ADD CONSTRAINT "clients_primary_poc_id_fkey" FOREIGN KEY ("primary_poc_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "clients" ADD CONSTRAINT "clients_secondary_poc_id_fkey" FOREIGN KEY ("secondary_poc_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "clients" ADD CONSTRAINT "clients_last_contact_by_id_fkey" FOREIGN KEY ("last_contact_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "clients" ADD CONSTRAINT "clients_next_contact_assignee_id_fkey" FOREIGN KEY ("next_contact_assignee_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "clients" ADD CONSTRAINT "clients_deactivated_by_id_fkey" FOREIGN KEY ("deactivated_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "clients" ADD CONSTRAINT "clients_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "clients" ADD CONSTRAINT "clients_updated_by_id_fkey" FOREIGN KEY ("updated_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "client_team_members" ADD CONSTRAINT "client_team_members_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "client_team_members" ADD CONSTRAINT "client_team_members_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Trigram search that tolerates typos and partial words (list search, duplicate warnings, autocomplete).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE "clients" ADD COLUMN "search_text" TEXT GENERATED ALWAYS AS (
  lower("name" || ' ' || "client_code" || ' ' || coalesce("email", '') || ' ' ||
        coalesce(regexp_replace("phone", '[^0-9+]', '', 'g'), '') || ' ' || coalesce("tax_id", ''))
) STORED;
CREATE INDEX "clients_search_text_trgm" ON "clients" USING gin ("search_text" gin_trgm_ops);
CREATE INDEX "clients_name_trgm" ON "clients" USING gin (lower("name") gin_trgm_ops);
CREATE INDEX "clients_email_domain" ON "clients" (lower(split_part("email", '@', 2))) WHERE "email" IS NOT NULL;
CREATE INDEX "clients_status_name_id" ON "clients" ("status", "name", "id");
CREATE INDEX "clients_confidential" ON "clients" ("id") WHERE "is_confidential";

-- Rules the database holds too.
ALTER TABLE "clients" ADD CONSTRAINT "clients_code_format" CHECK ("client_code" ~ '^CLT-[0-9]{4}-[0-9]{4,}$');
ALTER TABLE "clients" ADD CONSTRAINT "clients_ssn_last4_digits" CHECK ("ssn_last4" IS NULL OR "ssn_last4" ~ '^[0-9]{4}$');
ALTER TABLE "clients" ADD CONSTRAINT "clients_individual_fields" CHECK ("client_type" = 'individual' OR ("date_of_birth" IS NULL AND "ssn_last4" IS NULL));
ALTER TABLE "clients" ADD CONSTRAINT "clients_organization_fields" CHECK ("client_type" = 'organization' OR ("tax_id" IS NULL AND "industry" IS NULL));
ALTER TABLE "clients" ADD CONSTRAINT "clients_name_not_blank" CHECK (length(btrim("name")) > 0);
ALTER TABLE "clients" ADD CONSTRAINT "clients_deactivation_reason" CHECK ("deactivated_at" IS NULL OR "deactivation_reason" IS NOT NULL);
ALTER TABLE "client_code_counters" ADD CONSTRAINT "client_code_counters_positive" CHECK ("last" > 0);

CREATE UNIQUE INDEX "client_categories_name_lower" ON "client_categories" (lower("name"));
ALTER TABLE "client_categories" ADD CONSTRAINT "client_categories_color_hex" CHECK ("color" ~ '^#[0-9a-f]{6}$');

-- At most one primary contact per client; switching is done in one transaction.
CREATE UNIQUE INDEX "contacts_one_primary_per_client" ON "contacts" ("client_id") WHERE "is_primary";
CREATE INDEX "contacts_client_order" ON "contacts" ("client_id", "is_primary" DESC, "name");
