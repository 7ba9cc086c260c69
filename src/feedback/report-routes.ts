// The firm-wide feedback report (/feedback): averages by category, account manager and quarter over a chosen range,
// clients whose satisfaction fell, clients without recent feedback; each table also as CSV. Only what the reader
// may see: every number is over the feedback of the clients visible to them.
import { Router } from "express";
import type { Db } from "../db/client.ts";
import type { CurrentUser } from "../access/roles.ts";
import { actorOf } from "../web/context.ts";
import { NotFoundError } from "../errors.ts";
import { addQuarters, quarterStart } from "./periods.ts";
import { DROPS_COUNT_CAP, clientsWithoutRecentFeedback, clientsWithoutRecentFeedbackRead, firmAverages, firmAveragesRead, lastTwoQuarters, satisfactionDrops, satisfactionDropsRead } from "./queries.ts";
import { sqlReads } from "../db/sql.ts";
import { rangeFilter, type DateRange } from "./schemas.ts";
import { dropsTable, groupTable, missingTable, quarterTable, type Table } from "./tables.ts";
import { rangeValues, recordFeedbackExport, sendCsv, viewHelpers } from "./web.ts";

/** Rows the page shows of the two client lists; their CSV files hold every row. */
const LISTED = 50;

/** Without a range, the report covers the current quarter and the seven before it. */
function reportRange(query: unknown, today = new Date()): DateRange {
  const range = rangeFilter.parse(query);
  return range.from || range.to ? range : { from: addQuarters(quarterStart(today), -7), to: null };
}

const tables: Record<string, { name: string; build: (db: Db, user: CurrentUser, range: DateRange) => Promise<Table> }> = {
  "by-category.csv": { name: "feedback-by-category", build: async (db, user, range) => groupTable("Category", (await firmAverages(db, user, range)).byCategory) },
  "by-account-manager.csv": { name: "feedback-by-account-manager", build: async (db, user, range) => groupTable("Account manager", (await firmAverages(db, user, range)).byAccountManager) },
  "by-quarter.csv": { name: "feedback-by-quarter", build: async (db, user, range) => quarterTable((await firmAverages(db, user, range)).byQuarter) },
  "satisfaction-drops.csv": { name: "feedback-satisfaction-drops", build: async (db, user, range) => dropsTable(await satisfactionDrops(db, user, range, null)) },
  "without-feedback.csv": { name: "clients-without-feedback", build: async (db, user) => missingTable(await clientsWithoutRecentFeedback(db, user, null)) },
};

export function feedbackReportRoutes(db: Db) {
  const router = Router();

  router.get("/", async (req, res) => {
    const actor = actorOf(req);
    const range = reportRange(req.query);
    // The three reads in one statement: one round trip for the page's data.
    const [{ byCategory, byAccountManager: byManager, byQuarter }, drops, missing] = await sqlReads(db, [
      firmAveragesRead(actor, range),
      satisfactionDropsRead(actor, range, LISTED),
      clientsWithoutRecentFeedbackRead(actor, LISTED),
    ]);
    res.render("feedback/report-firm", {
      title: "Feedback",
      range,
      values: rangeValues(range),
      byCategory,
      byManager,
      byQuarter,
      drops,
      missing,
      missingSince: lastTwoQuarters().from,
      listed: LISTED,
      dropsCap: DROPS_COUNT_CAP,
      ...viewHelpers,
    });
  });

  router.get("/export/:file", async (req, res) => {
    const file = String(req.params.file);
    const table = Object.hasOwn(tables, file) ? tables[file] : undefined;
    if (!table) throw new NotFoundError();
    const actor = actorOf(req);
    const range = reportRange(req.query);
    const rows = await table.build(db, actor, range);
    await recordFeedbackExport(db, actor, table.name, range, rows.rows.length);
    sendCsv(res, table.name, rows);
  });

  return router;
}
