// CSV export of the client list (anyone, only what they may see) and CSV import with a preview (managers and admins).
import { Router, type Request } from "express";
import type { Db } from "../db/client.ts";
import { assertCan } from "../access/permissions.ts";
import { actorOf } from "../web/context.ts";
import { flash } from "../web/flash.ts";

import { clientFilters, LABELS } from "./schemas.ts";
import {
  commitImport,
  csvText,
  exportBatches,
  exportColumns,
  exportFilterSummary,
  IMPORT_COLUMN_HELP,
  IMPORT_COLUMNS,
  IMPORT_EXAMPLE,
  MAX_IMPORT_ROWS,
  planImport,
  recordExport,
  type ImportPlan,
} from "./transfer.ts";

/** The pasted CSV, whatever arrived in the form (a repeated field is not text). */
function csvOf(req: Request): string {
  const value = (req.body as Record<string, unknown> | undefined)?.csv;
  return typeof value === "string" ? value : "";
}

function requireImport(req: Request) {
  assertCan(req.user!, "client.import");
}

export function clientTransferRoutes(db: Db) {
  const router = Router();

  router.get("/export.csv", async (req, res) => {
    const actor = actorOf(req);
    const filters = clientFilters.parse(req.query);
    const stamp = new Date().toISOString().slice(0, 10);
    res.status(200);
    res.set({
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="clients-${stamp}.csv"`,
      "Cache-Control": "no-store",
    });
    let rows = 0;
    const restrictedIds: string[] = [];
    const privilegedIds: string[] = [];
    let complete = false;
    try {
      // The byte order mark lets spreadsheet programs read the file as UTF-8.
      res.write(`\uFEFF${csvText([exportColumns(actor)])}`);
      for await (const batch of exportBatches(db, actor, filters)) {
        if (res.destroyed) break;
        rows += batch.rows.length;
        restrictedIds.push(...batch.restrictedIds);
        privilegedIds.push(...batch.privilegedIds);
        if (!res.write(csvText(batch.rows))) await new Promise<void>((resolve) => { res.once("drain", resolve); res.once("close", resolve); });
      }
      complete = !res.destroyed;
    } catch (error) {
      req.log?.error({ err: error }, "client export failed");
    }
    try {
      await recordExport(db, actor, { filters: exportFilterSummary(filters), rows, restrictedIds, privilegedIds, complete });
    } catch (error) {
      res.destroy();
      throw error;
    }
    // A cut-off download must not look like a complete file: end it only when every row was written and audited.
    if (complete) res.end();
    else res.destroy();
  });

  const importPage = (plan: ImportPlan | undefined, csv: string) => ({
    title: "Import clients",
    plan,
    csv,
    columns: IMPORT_COLUMNS,
    help: IMPORT_COLUMN_HELP,
    example: IMPORT_EXAMPLE,
    maxRows: MAX_IMPORT_ROWS,
    labels: LABELS,
  });

  router.get("/import", (req, res) => {
    requireImport(req);
    res.render("clients/import", importPage(undefined, ""));
  });

  router.post("/import/preview", async (req, res) => {
    requireImport(req);
    const csv = csvOf(req);
    const plan = await planImport(db, actorOf(req), csv);
    res.status(plan.ok ? 200 : 422).render("clients/import-preview", importPage(plan, csv));
  });

  router.post("/import/commit", async (req, res) => {
    requireImport(req);
    const csv = csvOf(req);
    const { plan, created } = await commitImport(db, actorOf(req), csv);
    if (!created) {
      return res.status(422).render("clients/import-preview", { ...importPage(plan, csv), notWritten: true });
    }
    const range = created.length === 1 ? created[0]!.clientCode : `${created[0]!.clientCode} to ${created.at(-1)!.clientCode}`;
    flash(req, "success", `Imported ${created.length} client${created.length === 1 ? "" : "s"} (${range}).`);
    res.redirect("/clients?sort=created&dir=desc");
  });

  return router;
}
