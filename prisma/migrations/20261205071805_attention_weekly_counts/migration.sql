-- CreateTable
CREATE TABLE "attention_weekly_counts" (
    "week_start" DATE NOT NULL,
    "restricted" BOOLEAN NOT NULL,
    "as_of" DATE NOT NULL,
    "urgent" INTEGER NOT NULL,
    "warning" INTEGER NOT NULL,
    "never" INTEGER NOT NULL,
    "total" INTEGER NOT NULL,
    "computed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "attention_weekly_counts_pkey" PRIMARY KEY ("week_start","restricted")
);

-- A week is named by its Monday; counts are never negative.
ALTER TABLE "attention_weekly_counts" ADD CONSTRAINT "attention_weekly_counts_monday" CHECK (extract(isodow FROM week_start) = 1);
ALTER TABLE "attention_weekly_counts" ADD CONSTRAINT "attention_weekly_counts_counts" CHECK (urgent >= 0 AND warning >= 0 AND never >= 0 AND total >= 0);
