-- Hand-written (the generated diff also held earlier hand-written migrations' tables; this snapshot catches up).
-- attention_weekly_restricted: the restricted clients that were urgent or warning at the end of each kept week, written
-- with that week's attention_weekly_counts rows by the attention job (src/dashboard/attention-history.ts), so the
-- relationship dashboard adds a reader's own restricted clients to the chart from this table instead of working out
-- each one's last contact on each of 12 days per request (docs/dashboards.md).
CREATE TABLE "attention_weekly_restricted" (
    "client_id" UUID NOT NULL,
    "week_start" DATE NOT NULL,
    "urgent" BOOLEAN NOT NULL,

    CONSTRAINT "attention_weekly_restricted_pkey" PRIMARY KEY ("client_id","week_start")
);

CREATE INDEX "attention_weekly_restricted_week_start_idx" ON "attention_weekly_restricted"("week_start");

-- The weeks already kept: each restricted client's state at the end of the week's day, worked out as the request did
-- until now (lastContactAsOfSql: the client's own last contact when not later than the day, else the latest non-note
-- communication logged by then), so the chart shows the same counts after this migration as before it.
INSERT INTO "attention_weekly_restricted" ("client_id", "week_start", "urgent")
SELECT c."id", w."week_start", l."last" < w."as_of" - 90
FROM (SELECT "week_start", "as_of" FROM "attention_weekly_counts" WHERE "restricted") w
JOIN "clients" c ON c."is_confidential" AND c."created_at" < ((w."as_of" + 1)::timestamp AT TIME ZONE 'UTC')
CROSS JOIN LATERAL (SELECT CASE WHEN c."last_contact_at" <= w."as_of" THEN c."last_contact_at"
    ELSE (SELECT (m."occurred_at" AT TIME ZONE 'UTC')::date FROM "communications" m
      WHERE m."client_id" = c."id" AND m."deleted_at" IS NULL AND m."type" <> 'note'
        AND m."occurred_at" < ((w."as_of" + 1)::timestamp AT TIME ZONE 'UTC')
      ORDER BY m."occurred_at" DESC LIMIT 1) END AS "last" OFFSET 0) l
WHERE l."last" < w."as_of" - 60;
