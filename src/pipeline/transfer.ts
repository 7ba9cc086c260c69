// CSV export of the pipeline's lists (only what the exporter may see, through the lists' own queries) and CSV import of
// leads: every row checked with the lead form's schema and shown in a preview, then all rows written or none, as the
// clients' import does (src/clients/transfer.ts, whose CSV reading helpers this shares).
import type { Db, Tx } from "../db/client.ts";
import type { Actor, CurrentUser } from "../access/roles.ts";
import { assertCan, can } from "../access/permissions.ts";
import { eventFacts, recordAudit } from "../audit/service.ts";
import { ValidationError } from "../errors.ts";
import { headerKey, readCsvRecords } from "../clients/transfer.ts";
import { storable } from "../web/fields.ts";
import { leadForm, LEAD_SOURCES, type LeadInput } from "./schemas.ts";
import { createLead } from "./service.ts";
import { pipelineDuplicates } from "./queries.ts";

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : "");

/** Every export is audited: which list, how many rows, and whether the download was cut off. */
export async function recordPipelineExport(db: Db, actor: Actor, list: string, rows: number, complete: boolean) {
  await recordAudit(db, { actorId: actor.id, action: "pipeline.export", changes: eventFacts({ list, rows, ...(complete ? {} : { complete: false }) }), context: actor.context });
}

export const LEAD_EXPORT_COLUMNS = ["companyName", "contactName", "email", "phone", "source", "status", "lostReason", "score", "campaign", "ownerName", "capturedDate", "prospectId", "id"];

export function leadCells(l: { company_name: string; contact_name: string | null; email: string | null; phone: string | null; source: string; status: string; lost_reason: string | null; score: number; campaign_name: string | null; owner_name: string; captured_date: Date; prospect_id: string | null; id: string }): string[] {
  return [l.company_name, l.contact_name ?? "", l.email ?? "", l.phone ?? "", l.source, l.status, l.lost_reason ?? "", String(l.score), l.campaign_name ?? "", l.owner_name, day(l.captured_date), l.prospect_id ?? "", l.id];
}

// ---------------------------------------------------------------------------------------------------------- import

export const LEAD_IMPORT_COLUMNS = ["companyName", "contactName", "email", "phone", "source", "status", "lostReason", "score", "campaign", "ownerEmail", "capturedDate", "notes"] as const;
type ImportColumn = (typeof LEAD_IMPORT_COLUMNS)[number];
const REQUIRED: ImportColumn[] = ["companyName", "source"];
const COLUMN_BY_KEY = new Map<string, ImportColumn>(LEAD_IMPORT_COLUMNS.map((c) => [headerKey(c), c]));
/** Our own export's columns that an import reads past, so an exported file imports again. */
const EXPORT_ONLY = new Set(["ownername", "prospectid", "id"]);
/** Where a schema field's message is shown: the CSV column it came from. */
const COLUMN_OF_FIELD: Record<string, string> = { campaignId: "campaign", ownerId: "ownerEmail" };

export const MAX_LEAD_IMPORT_ROWS = 5000;

export const LEAD_IMPORT_EXAMPLE = [
  "companyName,contactName,email,phone,source,status,score,campaign,ownerEmail,capturedDate,notes",
  "Northwind Traders,Ana Trujillo,ana@northwind.example,+1 555 0100,website,new,40,,,2024-03-01,",
  "Contoso Ltd,Jo Lee,jo@contoso.example,,referral,contacted,70,Spring webinar,rep@yourfirm.example,,\"Met at the fair, keen\"",
].join("\n");

export const LEAD_IMPORT_HELP: Record<ImportColumn, string> = {
  companyName: "Required. The company's name (at most 200 characters).",
  contactName: "The person we spoke to.",
  email: "An email address.",
  phone: "6 to 15 digits; spaces, +, (), dots and dashes are fine.",
  source: `Required. Where the lead came from, like ${LEAD_SOURCES.join(", ")}.`,
  status: "new, contacted or lost; empty means new.",
  lostReason: "Required when the status is lost.",
  score: "A whole number from 0 to 100; empty means 0.",
  campaign: "The name of an existing campaign (case does not matter).",
  ownerEmail: "Managers and administrators: the email of an active user who owns the lead; empty means you.",
  capturedDate: "Like 2024-03-31, not in the future; empty means today.",
  notes: "Free text; put values with commas or line breaks in double quotes.",
};

export interface LeadImportRow {
  row: number;
  companyName: string;
  status: string;
  owner: string;
  errors: { column: string; message: string }[];
  warnings: string[];
  input?: LeadInput;
}

export interface LeadImportPlan {
  ok: boolean;
  fileErrors: string[];
  notices: string[];
  rows: LeadImportRow[];
  errorCount: number;
  warningCount: number;
}

const fileProblem = (message: string, notices: string[] = []): LeadImportPlan => ({ ok: false, fileErrors: [message], notices, rows: [], errorCount: 1, warningCount: 0 });

function assertImport(actor: CurrentUser) {
  assertCan(actor, "pipeline.import");
}

/** Reads and checks a whole file without writing anything. */
export async function planLeadImport(db: Db | Tx, actor: CurrentUser, text: string, options: { duplicates?: boolean } = {}): Promise<LeadImportPlan> {
  assertImport(actor);
  const read = readCsvRecords(text, "lead");
  if ("problem" in read) return fileProblem(read.problem);
  const records = read.records;
  const header = records[0] ?? [];
  const columns: (ImportColumn | null)[] = [];
  const seen = new Set<string>();
  const unknown: string[] = [];
  for (const cell of header) {
    const key = headerKey(cell);
    const column = COLUMN_BY_KEY.get(key);
    if (column) {
      if (seen.has(column)) return fileProblem(`The column ${column} appears twice in the header line.`);
      seen.add(column);
      columns.push(column);
    } else {
      if (key && !EXPORT_ONLY.has(key)) unknown.push(cell.trim().slice(0, 60).replace(/[\u0000-\u001f\u007f]/g, "?"));
      columns.push(null);
    }
  }
  if (unknown.length) return fileProblem(`The header line has ${unknown.length === 1 ? "a column" : "columns"} this import does not know: ${unknown.map((u) => `"${u}"`).join(", ")}. Use the documented column names; the first line of the file must be the header.`);
  const missing = REQUIRED.filter((c) => !seen.has(c));
  if (missing.length) return fileProblem(`The header line must name the column${missing.length > 1 ? "s" : ""} ${missing.join(" and ")}. The first line of the file must be the header.`);
  const body = records.slice(1).map((cells, i) => ({ row: i + 2, cells })).filter((r) => r.cells.some((c) => c.trim() !== ""));
  if (!body.length) return fileProblem("The CSV has a header line but no leads. Add one line per lead below it.");
  if (body.length > MAX_LEAD_IMPORT_ROWS) return fileProblem(`This file has ${body.length.toLocaleString("en-US")} leads; one import takes at most ${MAX_LEAD_IMPORT_ROWS.toLocaleString("en-US")}. Split it into smaller files.`);

  const campaigns = await db.campaign.findMany({ select: { id: true, name: true } });
  const campaignByName = new Map(campaigns.map((c) => [c.name.trim().toLowerCase(), c]));
  const ownerIndex = columns.indexOf("ownerEmail");
  const emails = new Set<string>();
  if (ownerIndex >= 0) for (const r of body) if (r.cells[ownerIndex]?.trim()) emails.add(r.cells[ownerIndex]!.trim().toLowerCase());
  const owners = emails.size ? await db.user.findMany({ where: { email: { in: [...emails].filter((e) => e.length <= 320 && storable(e)) } }, select: { id: true, email: true, name: true, active: true } }) : [];
  const ownerByEmail = new Map(owners.map((u) => [u.email, u]));

  const rows = body.map(({ row, cells }): LeadImportRow => {
    const plan: LeadImportRow = { row, companyName: "", status: "new", owner: actor.name, errors: [], warnings: [] };
    if (cells.length !== header.length) plan.errors.push({ column: "", message: `This row has ${cells.length} values but the header has ${header.length} columns. Check for a missing or extra comma, or a comma inside a value that is not in double quotes.` });
    const values: Partial<Record<ImportColumn, string>> = {};
    columns.forEach((column, i) => {
      // Undo a spreadsheet formula guard ('=...) as our exports write it.
      if (column && cells[i] !== undefined) values[column] = /^'[=+\-@\t\r]/.test(cells[i]!) ? cells[i]!.slice(1) : cells[i]!;
    });
    for (const [column, value] of Object.entries(values)) if (!storable(value)) plan.errors.push({ column, message: "This value holds characters that cannot be stored (such as NUL); remove them." });
    plan.companyName = (values.companyName ?? "").trim().slice(0, 200);
    if (plan.errors.length) return plan;
    const form: Record<string, string> = {};
    for (const [column, value] of Object.entries(values)) if (column !== "campaign" && column !== "ownerEmail") form[column] = column === "status" ? value.trim().toLowerCase() : value;
    const campaign = (values.campaign ?? "").trim();
    if (campaign) {
      const found = campaignByName.get(campaign.toLowerCase());
      if (found) form.campaignId = found.id;
      else plan.errors.push({ column: "campaign", message: `There is no campaign named "${campaign.slice(0, 60)}".` });
    }
    const ownerEmail = (values.ownerEmail ?? "").trim().toLowerCase();
    if (ownerEmail) {
      const owner = ownerByEmail.get(ownerEmail);
      if (!owner?.active) plan.errors.push({ column: "ownerEmail", message: "No active user has this email address." });
      else if (owner.id !== actor.id && !can(actor, "pipeline.assignOwner")) plan.errors.push({ column: "ownerEmail", message: "Only managers and administrators import leads for someone else." });
      else {
        form.ownerId = owner.id;
        plan.owner = owner.name;
      }
    }
    const parsed = leadForm.safeParse(form);
    if (!parsed.success) {
      const reported = new Set<string>();
      for (const issue of parsed.error.issues) {
        const field = issue.path.length ? String(issue.path[0]) : "";
        const column = COLUMN_OF_FIELD[field] ?? field;
        if (reported.has(column)) continue;
        reported.add(column);
        plan.errors.push({ column, message: issue.message });
      }
    } else if (!plan.errors.length) {
      plan.input = { ...parsed.data, confirmDuplicates: true };
      plan.status = parsed.data.status;
    }
    return plan;
  });

  const firstByName = new Map<string, number>();
  for (const r of rows) {
    const name = r.companyName.toLowerCase();
    if (!name) continue;
    const first = firstByName.get(name);
    if (first !== undefined) r.warnings.push(`Same company as row ${first}.`);
    else firstByName.set(name, r.row);
  }
  const notices: string[] = [];
  if (options.duplicates !== false) {
    // A duplicate search per row: the first 200 rows are checked, which is what a preview can show in reasonable time.
    const checked = rows.filter((r) => r.input).slice(0, 200);
    for (const r of checked) {
      for (const d of await pipelineDuplicates(db as Db, actor, { name: r.input!.companyName, email: r.input!.email })) r.warnings.push(`Resembles ${d.kind} ${d.name} (${d.detail}).`);
    }
    if (rows.filter((r) => r.input).length > checked.length) notices.push("Similar clients, leads and prospects were looked for in the first 200 rows only.");
  }
  const errorCount = rows.reduce((n, r) => n + r.errors.length, 0);
  return { ok: errorCount === 0, fileErrors: [], notices, rows, errorCount, warningCount: rows.reduce((n, r) => n + r.warnings.length, 0) };
}

class RowFailed extends Error {
  constructor(
    readonly row: number,
    readonly fields: Record<string, string>,
  ) {
    super(`row ${row} failed`);
  }
}

/** Checks the file again and creates every lead in one transaction, or none. */
export async function commitLeadImport(db: Db, actor: Actor, text: string): Promise<{ plan: LeadImportPlan; created?: number }> {
  const plan = await planLeadImport(db, actor, text, { duplicates: false });
  if (!plan.ok) return { plan };
  try {
    const created = await db.$transaction(
      async (tx) => {
        let made = 0;
        for (const row of plan.rows) {
          try {
            await createLead(db, actor, row.input!, { tx, source: "import" });
            made += 1;
          } catch (error) {
            if (error instanceof ValidationError) throw new RowFailed(row.row, error.fields);
            throw error;
          }
        }
        await recordAudit(tx, { actorId: actor.id, action: "lead.import_batch", entityType: "lead", changes: eventFacts({ rows: made }), context: actor.context });
        return made;
      },
      { maxWait: 10_000, timeout: 300_000 },
    );
    return { plan, created };
  } catch (error) {
    if (!(error instanceof RowFailed)) throw error;
    const row = plan.rows.find((r) => r.row === error.row)!;
    for (const [field, message] of Object.entries(error.fields)) row.errors.push({ column: COLUMN_OF_FIELD[field] ?? field, message });
    return { plan: { ...plan, ok: false, errorCount: plan.errorCount + Object.keys(error.fields).length } };
  }
}
