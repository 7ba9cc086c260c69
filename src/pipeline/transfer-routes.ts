// CSV export of every pipeline list (what the reader sees, with the list's filters) and the leads' CSV import.
import { Router, type Request, type Response } from "express";
import type { Db } from "../db/client.ts";
import { assertCan } from "../access/permissions.ts";
import { actorOf } from "../web/context.ts";
import { flash } from "../web/flash.ts";
import { csvText } from "../clients/transfer.ts";
import * as queries from "./queries.ts";
import { LABELS, leadFilters, prospectFilters } from "./schemas.ts";
import {
  commitLeadImport,
  LEAD_EXPORT_COLUMNS,
  LEAD_IMPORT_COLUMNS,
  LEAD_IMPORT_EXAMPLE,
  LEAD_IMPORT_HELP,
  leadCells,
  MAX_LEAD_IMPORT_ROWS,
  planLeadImport,
  recordPipelineExport,
  type LeadImportPlan,
} from "./transfer.ts";

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : "");

/** Streams a CSV download batch by batch, audits it, and cuts the file off (never ends it) when it failed half-way. */
async function sendCsv(db: Db, req: Request, res: Response, what: string, header: string[], batches: AsyncIterable<string[][]>) {
  const actor = actorOf(req);
  res.status(200).set({
    "Content-Type": "text/csv; charset=utf-8",
    "Content-Disposition": `attachment; filename="${what}-${day(new Date())}.csv"`,
    "Cache-Control": "no-store",
  });
  let rows = 0;
  let complete = false;
  try {
    res.write(`\uFEFF${csvText([header])}`);
    for await (const batch of batches) {
      if (res.destroyed) break;
      rows += batch.length;
      if (!res.write(csvText(batch))) await new Promise<void>((resolve) => { res.once("drain", resolve); res.once("close", resolve); });
    }
    complete = !res.destroyed;
  } catch (error) {
    req.log?.error({ err: error }, `${what} export failed`);
  }
  await recordPipelineExport(db, actor, what, rows, complete);
  if (complete) res.end();
  else res.destroy();
}

async function* once<T>(rows: Promise<T[]>, cells: (row: T) => string[]): AsyncGenerator<string[][]> {
  yield (await rows).map(cells);
}

async function* mapped<T>(pages: AsyncIterable<T[]>, cells: (row: T) => string[]): AsyncGenerator<string[][]> {
  for await (const page of pages) yield page.map(cells);
}

function csvOf(req: Request): string {
  const value = (req.body as Record<string, unknown> | undefined)?.csv;
  return typeof value === "string" ? value : "";
}

export function pipelineTransferRoutes(db: Db) {
  const router = Router();
  router.get("/leads/export.csv", (req, res) =>
    sendCsv(db, req, res, "leads", LEAD_EXPORT_COLUMNS, mapped(queries.allMatchingLeads(db, actorOf(req), leadFilters.parse(req.query)), leadCells)));

  router.get("/prospects/export.csv", (req, res) =>
    sendCsv(
      db,
      req,
      res,
      "prospects",
      ["companyName", "contactName", "contactEmail", "contactPhone", "stage", "estimatedValue", "probability", "expectedCloseDate", "owner", "campaign", "lostReason", "leadId", "id"],
      mapped(queries.allMatchingProspects(db, actorOf(req), prospectFilters.parse(req.query)), (p) => [
        p.company_name, p.contact_name ?? "", p.contact_email ?? "", p.contact_phone ?? "", p.stage, p.estimated_value ?? "", String(p.probability),
        day(p.expected_close_date), p.owner_name, p.campaign_name ?? "", p.lost_reason ?? "", p.lead_id ?? "", p.id,
      ]),
    ));

  router.get("/proposals/export.csv", (req, res) =>
    sendCsv(
      db,
      req,
      res,
      "proposals",
      ["number", "company", "status", "version", "amount", "currency", "validUntil", "sentAt", "decidedAt", "createdBy", "id"],
      mapped(queries.allVisibleProposals(db, actorOf(req)), (p) => [
        p.number, p.company_name, p.status, String(p.current_version), p.amount, p.currency, day(p.valid_until), p.sent_at?.toISOString() ?? "",
        p.decided_at?.toISOString() ?? "", p.created_by_name, p.id,
      ]),
    ));

  router.get("/campaigns/export.csv", (req, res) =>
    sendCsv(
      db,
      req,
      res,
      "campaigns",
      ["name", "type", "startDate", "endDate", "budget", "owner", "leads", "prospects", "won", "wonValue", "costPerWonClient"],
      once(queries.campaignList(db, actorOf(req)), (c) => [
        c.name, c.campaign_type, day(c.start_date), day(c.end_date), c.budget, c.owner_name, String(c.leads), String(c.prospects), String(c.won), c.won_value,
        c.won ? (Number(c.budget) / c.won).toFixed(2) : "",
      ]),
    ));

  router.get("/renewals/export.csv", (req, res) =>
    sendCsv(
      db,
      req,
      res,
      "renewals",
      ["client", "engagement", "version", "startDate", "endDate", "value", "currency", "status", "proposal"],
      once(queries.upcomingRenewals(db, actorOf(req)), (e) => [e.client_name, e.title, String(e.version), day(e.start_date), day(e.end_date), e.value, e.currency, e.status, e.proposal_number ?? ""]),
    ));

  router.get("/funnel.csv", (req, res) =>
    sendCsv(db, req, res, "funnel", ["stage", "prospects", "estimatedValue", "weightedValue"], once(queries.funnel(db, actorOf(req)), (s) => [LABELS[s.stage]!, String(s.count), s.value.toFixed(2), s.weighted.toFixed(2)])));

  const importPage = (plan: LeadImportPlan | undefined, csv: string) => ({
    title: "Import leads",
    plan,
    csv,
    columns: LEAD_IMPORT_COLUMNS,
    help: LEAD_IMPORT_HELP,
    example: LEAD_IMPORT_EXAMPLE,
    maxRows: MAX_LEAD_IMPORT_ROWS,
    labels: LABELS,
  });
  const requireImport = (req: Request) => {
    assertCan(req.user!, "pipeline.import");
  };

  router.get("/leads/import", (req, res) => {
    requireImport(req);
    res.render("pipeline/leads/import", importPage(undefined, ""));
  });

  router.post("/leads/import/preview", async (req, res) => {
    requireImport(req);
    const csv = csvOf(req);
    const plan = await planLeadImport(db, actorOf(req), csv);
    res.status(plan.ok ? 200 : 422).render("pipeline/leads/import-preview", importPage(plan, csv));
  });

  router.post("/leads/import/commit", async (req, res) => {
    requireImport(req);
    const csv = csvOf(req);
    const { plan, created } = await commitLeadImport(db, actorOf(req), csv);
    if (created === undefined) return res.status(422).render("pipeline/leads/import-preview", { ...importPage(plan, csv), notWritten: true });
    flash(req, "success", `Imported ${created} lead${created === 1 ? "" : "s"}.`);
    res.redirect("/pipeline/leads");
  });

  return router;
}
