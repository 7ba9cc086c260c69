// CSV export and import of clients. The export lists only what the exporter may see (access/clients.ts, through the
// list's own query); the import checks every row with the client form's schema and writes all rows or none.
import { CsvError, parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { Prisma, type Client } from "../generated/prisma/client.ts";
import type { Db, Tx } from "../db/client.ts";
import type { Actor, CurrentUser } from "../access/roles.ts";
import { canSeeInternalAssessment, visibleClientsSql } from "../access/clients.ts";
import { assertCan } from "../access/permissions.ts";
import { visibleClients } from "../access/records.ts";
import { eventFacts, recordAudit } from "../audit/service.ts";
import { ValidationError } from "../errors.ts";
import { sqlRows } from "../db/sql.ts";
import { allMatchingClients, CLIENT_SELECT } from "./queries.ts";
import { clientForm, LABELS, type ClientFilters, type ClientInput } from "./schemas.ts";
import { createClient } from "./service.ts";

// ---------------------------------------------------------------------------------------------------------- export

const EXPORT_COLUMNS = [
  "clientCode", "name", "clientType", "status", "category", "email", "phone", "website", "addressLine1", "addressLine2",
  "city", "state", "postalCode", "country", "taxId", "industry", "dateOfBirth", "ssnLast4", "intakeDate", "clientSince",
  "referralSource", "notes", "accountManagerEmail", "accountManager", "primaryPoc", "secondaryPoc", "restricted",
  "dataClassification", "lastContactAt", "lastContactType", "nextContactAt", "createdAt",
] as const;
const ASSESSMENT_EXPORT_COLUMNS = ["relationshipStrength", "priority", "relationshipStatus", "relationshipNotes"] as const;

export const PRIVILEGED_NOTE = "[Privileged: visible to the client's team only]";

/** A client as the export writes it: its columns (CLIENT_SELECT) and the names of its category and people. */
type ExportedClient = Client & {
  category: string | null;
  accountManagerEmail: string | null;
  accountManager: string | null;
  primaryPoc: string | null;
  secondaryPoc: string | null;
};

/**
 * The export's rows of `ids` (clients the exporter may see, checked by the caller), in one statement: read through the
 * ORM with its four relations, a batch cost more CPU than the rest of the export together.
 */
function exportedClients(db: Db, ids: string[]): Promise<ExportedClient[]> {
  return sqlRows<ExportedClient>(db, Prisma.sql`SELECT ${CLIENT_SELECT}, cat.name AS category, am.email AS "accountManagerEmail",
      am.name AS "accountManager", p1.name AS "primaryPoc", p2.name AS "secondaryPoc"
    FROM clients c LEFT JOIN client_categories cat ON cat.id = c.category_id LEFT JOIN users am ON am.id = c.account_manager_id
      LEFT JOIN users p1 ON p1.id = c.primary_poc_id LEFT JOIN users p2 ON p2.id = c.secondary_poc_id
    WHERE c.id = ANY(${ids}::uuid[])`);
}

/** The export's columns: the internal assessment only for the relationship team. */
export function exportColumns(user: CurrentUser): string[] {
  return canSeeInternalAssessment(user) ? [...EXPORT_COLUMNS, ...ASSESSMENT_EXPORT_COLUMNS] : [...EXPORT_COLUMNS];
}

/** CSV text for rows, with cells that a spreadsheet would run as a formula (= + - @ tab CR) prefixed with a quote. */
export function csvText(rows: string[][]): string {
  return stringify(rows, { record_delimiter: "windows", quote_record_delimiter: true, escape_formulas: true });
}

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : "");

/** The SSN is stored as its last 4 digits only, and exported masked. */
export const maskedSsn = (last4: string | null) => (last4 ? `***-**-${last4}` : "");

function exportCells(user: CurrentUser, c: ExportedClient, privilegedVisible: boolean): string[] {
  const notes = c.dataClassification === "privileged" && !privilegedVisible ? (c.notes ? PRIVILEGED_NOTE : "") : (c.notes ?? "");
  const cells = [
    c.clientCode, c.name, c.clientType, c.status, c.category ?? "", c.email ?? "", c.phone ?? "", c.website ?? "",
    c.addressLine1 ?? "", c.addressLine2 ?? "", c.city ?? "", c.state ?? "", c.postalCode ?? "", c.country ?? "",
    c.taxId ?? "", c.industry ?? "", day(c.dateOfBirth), maskedSsn(c.ssnLast4), day(c.intakeDate), day(c.clientSince),
    c.referralSource ?? "", notes, c.accountManagerEmail ?? "", c.accountManager ?? "", c.primaryPoc ?? "",
    c.secondaryPoc ?? "", c.isConfidential ? "yes" : "no", c.dataClassification, day(c.lastContactAt),
    c.lastContactType ?? "", day(c.nextContactAt), c.createdAt.toISOString(),
  ];
  if (canSeeInternalAssessment(user)) cells.push(c.relationshipStrength ?? "", c.priority ?? "", c.relationshipStatus ?? "", c.relationshipNotes ?? "");
  return cells;
}

export interface ExportBatch {
  rows: string[][];
  restrictedIds: string[];
  /** Privileged clients whose notes went into the file (the exporter is on their team). */
  privilegedIds: string[];
}

/**
 * The clients of the list page with the same filters, in name order, as CSV rows in batches. The ids come from the
 * list's own visibility-filtered query; the full records are read again under the same visibility filter.
 */
export async function* exportBatches(db: Db, user: CurrentUser, filters: ClientFilters, batch = 500): AsyncGenerator<ExportBatch> {
  for await (const page of allMatchingClients(db, user, filters, batch)) {
    const ids = page.map((r) => r.id);
    const visible = new Map((await visibleClients(db, user, ids)).map((v) => [v.id, v]));
    const records = await exportedClients(db, [...visible.keys()]);
    const byId = new Map(records.map((r) => [r.id, r]));
    const ordered = ids.map((id) => byId.get(id)).filter((c): c is ExportedClient => Boolean(c));
    const privilegedShown = (c: ExportedClient) => c.dataClassification === "privileged" && visible.get(c.id)!.privilegedVisible;
    yield {
      rows: ordered.map((c) => exportCells(user, c, visible.get(c.id)!.privilegedVisible)),
      restrictedIds: ordered.filter((c) => c.isConfidential).map((c) => c.id),
      privilegedIds: ordered.filter(privilegedShown).map((c) => c.id),
    };
  }
}

/** The filters worth recording: those the list applies (no cursors or page sizes). */
export function exportFilterSummary(filters: ClientFilters): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const key of ["q", "type", "status", "category", "manager", "poc", "attention", "priority", "relationship"] as const) {
    const value = filters[key];
    if (value) kept[key] = String(value);
  }
  return kept;
}

export async function recordExport(db: Db, actor: Actor, summary: { filters: Record<string, string>; rows: number; restrictedIds: string[]; privilegedIds: string[]; complete: boolean }) {
  await recordAudit(db, {
    actorId: actor.id,
    action: "client.export",
    entityType: "client",
    changes: eventFacts({
      filters: summary.filters,
      rows: summary.rows,
      restrictedClientIds: summary.restrictedIds,
      ...(summary.privilegedIds.length ? { privilegedClientIds: summary.privilegedIds } : {}),
      ...(summary.complete ? {} : { complete: false }),
    }),
    context: actor.context,
  });
}

// ---------------------------------------------------------------------------------------------------------- import

/** The columns an import file may have, in documented order; name and clientType are required. */
export const IMPORT_COLUMNS = [
  "name", "clientType", "email", "phone", "website", "addressLine1", "addressLine2", "city", "state", "postalCode",
  "country", "taxId", "industry", "dateOfBirth", "ssnLast4", "intakeDate", "referralSource", "notes", "category",
  "accountManagerEmail", "status",
] as const;
type ImportColumn = (typeof IMPORT_COLUMNS)[number];
const REQUIRED_COLUMNS: ImportColumn[] = ["name", "clientType"];

export const IMPORT_EXAMPLE = [
  "name,clientType,email,phone,city,country,taxId,industry,dateOfBirth,ssnLast4,category,accountManagerEmail,status,notes",
  "Acme Corporation,organization,info@acme.example,+1 555 0100,Springfield,USA,12-3456789,Manufacturing,,,Key accounts,manager@yourfirm.example,active,",
  "Jane Doe,individual,jane@example.com,,Boston,USA,,,1980-04-12,1234,,,on_hold,\"Referred by J. Smith, 2024\"",
].join("\n");

export const MAX_IMPORT_ROWS = 5000;
export const MAX_IMPORT_BYTES = 1024 * 1024;
/** The similar-name warning costs a trigram search per row: a large file gets what fits in this time. */
const SIMILAR_NAMES_BUDGET_MS = 5000;

/** Columns of our own export that an import reads past (so an exported file can be imported again). */
const EXPORT_ONLY_COLUMNS = new Set(
  [...EXPORT_COLUMNS, ...ASSESSMENT_EXPORT_COLUMNS].filter((c) => !(IMPORT_COLUMNS as readonly string[]).includes(c)).map((c) => headerKey(c)),
);

/** Header names match ignoring case, spaces, dashes and underscores ("Client type" is clientType). */
export function headerKey(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, "");
}
const COLUMN_BY_KEY = new Map<string, ImportColumn>(IMPORT_COLUMNS.map((c) => [headerKey(c), c]));

/** Where a schema field's message is shown: the CSV column it came from. */
const COLUMN_OF_FIELD: Record<string, string> = { categoryId: "category", accountManagerId: "accountManagerEmail" };

export interface ImportIssue {
  row: number;
  column: string;
  message: string;
}

export interface ImportRowPlan {
  /** Spreadsheet row number: the header is row 1. */
  row: number;
  name: string;
  clientType: string;
  status: string;
  category: string;
  accountManager: string;
  errors: ImportIssue[];
  warnings: string[];
  input?: ClientInput;
}

export interface ImportPlan {
  ok: boolean;
  /** Problems with the file as a whole (unreadable, too large, unknown columns); rows are not checked then. */
  fileErrors: string[];
  notices: string[];
  rows: ImportRowPlan[];
  errorCount: number;
  warningCount: number;
}

const fileProblem = (message: string, notices: string[] = []): ImportPlan => ({ ok: false, fileErrors: [message], notices, rows: [], errorCount: 1, warningCount: 0 });

function readableCsvError(error: CsvError): string {
  const line = typeof error.lines === "number" ? ` near line ${error.lines}` : "";
  switch (error.code) {
    case "CSV_QUOTE_NOT_CLOSED":
      return `A quoted value is never closed${line}: check for a missing closing double quote (").`;
    case "CSV_INVALID_CLOSING_QUOTE":
    case "CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE":
      return `A closing double quote is followed by other text${line}. Inside a quoted value, write a double quote as two ("").`;
    case "CSV_MAX_RECORD_SIZE":
      return `A row is too long${line}.`;
    default:
      return `The CSV could not be read${line}. Check that it is comma-separated text with one client per line.`;
  }
}

/** NUL, which PostgreSQL text cannot hold, and lone UTF-16 surrogates (possible in a JSON body). */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Comma by default; a header line with semicolons or tabs and no commas (some spreadsheets' CSV) uses those. */
function delimiterOf(text: string): string {
  const first = text.split(/\r\n|\n|\r/, 1)[0] ?? "";
  if (first.includes(",")) return ",";
  if (first.includes(";")) return ";";
  if (first.includes("\t")) return "\t";
  return ",";
}

/** Undo our export's formula guard ('=..., '+1 555...) and its SSN mask (***-**-1234), so exported values import as they were. */
function cellValue(column: ImportColumn, raw: string): string {
  let value = /^'[=+\-@\t\r\uFF1D]/.test(raw) ? raw.slice(1) : raw;
  if (column === "ssnLast4") value = value.replace(/^\s*(?:\*{3}|•{3})-(?:\*{2}|•{2})-(?=\d{4}\s*$)/, "");
  if (column === "clientType" || column === "status") value = value.trim().toLowerCase().replace(/[\s-]+/g, "_");
  return value;
}

/**
 * The records of a pasted CSV file (byte order mark dropped, delimiter guessed), or the problem with the file as a
 * whole: too large, empty, or unreadable. Shared by the imports (clients, and the pipeline's leads).
 */
export function readCsvRecords(text: string, noun: string): { records: string[][] } | { problem: string } {
  const csv = text.replace(/^\uFEFF/, "");
  if (Buffer.byteLength(csv, "utf8") > MAX_IMPORT_BYTES) return { problem: "The CSV is larger than 1 MB. Split it into smaller files and import them one after another." };
  if (!csv.trim()) return { problem: `The CSV is empty. Paste a header line and one line per ${noun}.` };
  try {
    return { records: parse(csv, { delimiter: delimiterOf(csv), relax_column_count: true, relax_quotes: true, skip_empty_lines: false, max_record_size: MAX_IMPORT_BYTES }) };
  } catch (error) {
    if (error instanceof CsvError) return { problem: readableCsvError(error) };
    throw error;
  }
}

/**
 * Reads and checks a whole import file without writing anything: the file's shape, then every row with the client
 * form's schema, the category and account-manager lookups, and duplicate warnings (within the file, and similar
 * names among the clients the importer may see).
 */
export async function planImport(db: Db | Tx, actor: CurrentUser, text: string, options: { similarNames?: boolean } = {}): Promise<ImportPlan> {
  assertCan(actor, "client.import");
  const read = readCsvRecords(text, "client");
  if ("problem" in read) return fileProblem(read.problem);
  const records = read.records;

  const header = records[0] ?? [];
  const notices: string[] = [];
  const columns: (ImportColumn | null)[] = [];
  const seen = new Set<string>();
  const unknown: string[] = [];
  const ignored: string[] = [];
  for (const cell of header) {
    const key = headerKey(cell);
    const column = COLUMN_BY_KEY.get(key);
    if (column) {
      if (seen.has(column)) return fileProblem(`The column ${column} appears twice in the header line.`);
      seen.add(column);
      columns.push(column);
    } else if (key === "" || EXPORT_ONLY_COLUMNS.has(key)) {
      if (key) ignored.push(cell.trim());
      columns.push(null);
    } else {
      unknown.push(cell.trim().slice(0, 60).replace(/[\u0000-\u001f\u007f]/g, "?"));
      columns.push(null);
    }
  }
  if (unknown.length) {
    return fileProblem(`The header line has ${unknown.length === 1 ? "a column" : "columns"} this import does not know: ${unknown.map((u) => `"${u}"`).join(", ")}. Use the documented column names; the first line of the file must be the header.`);
  }
  const missing = REQUIRED_COLUMNS.filter((c) => !seen.has(c));
  if (missing.length) return fileProblem(`The header line must name the column${missing.length > 1 ? "s" : ""} ${missing.join(" and ")}. The first line of the file must be the header.`);
  if (ignored.length) notices.push(`These columns are not imported and were ignored: ${ignored.join(", ")}.`);

  const body = records.slice(1).map((cells, i) => ({ row: i + 2, cells })).filter((r) => r.cells.some((c) => c.trim() !== ""));
  if (body.length === 0) return fileProblem("The CSV has a header line but no clients. Add one line per client below it.", notices);
  if (body.length > MAX_IMPORT_ROWS) {
    return fileProblem(`This file has ${body.length.toLocaleString("en-US")} clients; one import takes at most ${MAX_IMPORT_ROWS.toLocaleString("en-US")}. Split it into smaller files and import them one after another.`, notices);
  }

  const categories = await db.clientCategory.findMany({ select: { id: true, name: true } });
  const categoryByName = new Map(categories.map((c) => [c.name.trim().toLowerCase(), c]));
  const managerEmails = new Set<string>();
  const managerIndex = columns.indexOf("accountManagerEmail");
  if (managerIndex >= 0) for (const r of body) if (r.cells[managerIndex]?.trim()) managerEmails.add(r.cells[managerIndex]!.trim().toLowerCase());
  const managers = managerEmails.size
    ? await db.user.findMany({ where: { email: { in: [...managerEmails].filter((e) => e.length <= 320 && !UNSTORABLE.test(e)) } }, select: { id: true, email: true, name: true, active: true } })
    : [];
  const managerByEmail = new Map(managers.map((u) => [u.email, u]));

  const rows: ImportRowPlan[] = body.map(({ row, cells }) => {
    const errors: ImportIssue[] = [];
    const values: Partial<Record<ImportColumn, string>> = {};
    if (cells.length !== header.length) {
      errors.push({ row, column: "", message: `This row has ${cells.length} value${cells.length === 1 ? "" : "s"} but the header has ${header.length} columns. Check for a missing or extra comma, or a comma inside a value that is not in double quotes.` });
    }
    columns.forEach((column, i) => {
      if (column && cells[i] !== undefined) values[column] = cellValue(column, cells[i]!);
    });
    for (const [column, value] of Object.entries(values)) {
      if (UNSTORABLE.test(value)) errors.push({ row, column, message: "This value holds characters that cannot be stored (such as NUL); remove them." });
    }
    const plan: ImportRowPlan = {
      row,
      name: (values.name ?? "").trim(),
      clientType: values.clientType ?? "",
      status: values.status || "active",
      category: (values.category ?? "").trim(),
      accountManager: (values.accountManagerEmail ?? "").trim(),
      errors,
      warnings: [],
    };
    if (errors.length) return plan;

    const form: Record<string, string> = {};
    for (const [column, value] of Object.entries(values)) {
      if (column === "category" || column === "accountManagerEmail" || (column === "status" && value === "")) continue;
      form[column] = value;
    }
    const categoryName = plan.category.toLowerCase();
    if (categoryName) {
      const category = categoryByName.get(categoryName);
      if (category) form.categoryId = category.id;
      else {
        const known = categories.map((c) => c.name).sort().slice(0, 10);
        errors.push({ row, column: "category", message: `There is no category named "${plan.category.slice(0, 60)}".${known.length ? ` Categories: ${known.join(", ")}${categories.length > known.length ? ", …" : ""}.` : " No categories exist yet."}` });
      }
    }
    const managerEmail = plan.accountManager.toLowerCase();
    if (managerEmail) {
      const manager = managerByEmail.get(managerEmail);
      if (manager?.active) {
        form.accountManagerId = manager.id;
        plan.accountManager = manager.name;
      } else errors.push({ row, column: "accountManagerEmail", message: "No active user has this email address." });
    }
    const parsed = clientForm.safeParse(form);
    if (!parsed.success) {
      const reported = new Set<string>();
      for (const issue of parsed.error.issues) {
        const field = issue.path.length ? String(issue.path[0]) : "";
        const column = COLUMN_OF_FIELD[field] ?? field;
        if (reported.has(column)) continue;
        reported.add(column);
        errors.push({ row, column, message: issue.message });
      }
    } else if (parsed.data.status === "inactive") {
      errors.push({ row, column: "status", message: "A new client cannot start inactive; import it, then an administrator deactivates it with a reason." });
    } else if (!errors.length) {
      plan.input = parsed.data;
      plan.status = parsed.data.status;
      plan.clientType = parsed.data.clientType;
    }
    return plan;
  });

  // Warnings: the same name or email twice in the file, and names like those of clients the importer may see.
  const firstByName = new Map<string, number>();
  const firstByEmail = new Map<string, number>();
  for (const r of rows) {
    const name = r.name.toLowerCase();
    if (name) {
      const first = firstByName.get(name);
      if (first !== undefined) r.warnings.push(`Same name as row ${first}.`);
      else firstByName.set(name, r.row);
    }
    const email = r.input?.email;
    if (email) {
      const first = firstByEmail.get(email);
      if (first !== undefined) r.warnings.push(`Same email as row ${first}.`);
      else firstByEmail.set(email, r.row);
    }
  }
  if (options.similarNames !== false) {
    const named = rows.filter((r) => r.name && r.name.length <= 200 && !UNSTORABLE.test(r.name));
    const deadline = Date.now() + SIMILAR_NAMES_BUDGET_MS;
    let checked = 0;
    while (checked < named.length && Date.now() < deadline) {
      const chunk = named.slice(checked, checked + 200);
      for (const s of await similarExistingClients(db, actor, chunk.map((r) => r.name.toLowerCase()))) {
        chunk[s.idx - 1]?.warnings.push(`Similar to existing client ${s.name} (${s.client_code}).`);
      }
      checked += chunk.length;
    }
    if (checked < named.length) {
      notices.push(`Existing clients with similar names were looked for up to row ${named[checked - 1]?.row ?? 1} only: the file is too large to check every row in reasonable time.`);
    }
  }

  const errorCount = rows.reduce((n, r) => n + r.errors.length, 0);
  return { ok: errorCount === 0, fileErrors: [], notices, rows, errorCount, warningCount: rows.reduce((n, r) => n + r.warnings.length, 0) };
}

/** Up to three visible clients with a similar name (trigram) per imported name, in one query. */
async function similarExistingClients(db: Db | Tx, actor: CurrentUser, names: string[]) {
  return db.$queryRaw<{ idx: bigint; name: string; client_code: string }[]>`
    SELECT n.idx, s.name, s.client_code
    FROM unnest(${names}::text[]) WITH ORDINALITY AS n(name, idx)
    CROSS JOIN LATERAL (
      SELECT c.name, c.client_code FROM clients c
      WHERE ${visibleClientsSql(actor, "c")} AND lower(c.name) % n.name
      ORDER BY similarity(lower(c.name), n.name) DESC, c.name
      LIMIT 3) s
    ORDER BY n.idx`.then((rows) => rows.map((r) => ({ ...r, idx: Number(r.idx) })));
}

export interface ImportResult {
  plan: ImportPlan;
  created?: { id: string; clientCode: string }[];
}

class RowFailed extends Error {
  constructor(
    readonly row: number,
    readonly fields: Record<string, string>,
  ) {
    super(`row ${row} failed`);
  }
}

/**
 * Checks the file again and creates every client in one transaction, or none: any row that fails (now or while
 * writing) leaves the database as it was. Each client is audited as client.import, the whole as client.import_batch.
 */
export async function commitImport(db: Db, actor: Actor, text: string): Promise<ImportResult> {
  // Warnings do not stop an import and were shown in the preview: only the checks that can refuse a row run again.
  const plan = await planImport(db, actor, text, { similarNames: false });
  if (!plan.ok) return { plan };
  try {
    const created = await db.$transaction(
      async (tx) => {
        const made: { id: string; clientCode: string }[] = [];
        for (const row of plan.rows) {
          try {
            made.push(await createClient(db, actor, row.input!, { tx, source: "import" }));
          } catch (error) {
            if (error instanceof ValidationError) throw new RowFailed(row.row, error.fields);
            if (error instanceof Prisma.PrismaClientKnownRequestError) {
              throw new RowFailed(row.row, { _row: "This row could not be saved: a category or user it names may have just been removed. Preview the file again." });
            }
            throw error;
          }
        }
        await recordAudit(tx, {
          actorId: actor.id,
          action: "client.import_batch",
          entityType: "client",
          changes: eventFacts({
            rows: made.length,
            firstClientCode: made[0]?.clientCode ?? null,
            lastClientCode: made.at(-1)?.clientCode ?? null,
          }),
          context: actor.context,
        });
        return made;
      },
      { maxWait: 10_000, timeout: 300_000 },
    );
    return { plan, created };
  } catch (error) {
    if (!(error instanceof RowFailed)) throw error;
    // Something changed since the check (a user deactivated, say): report it on its row; nothing was written.
    const row = plan.rows.find((r) => r.row === error.row)!;
    for (const [field, message] of Object.entries(error.fields)) row.errors.push({ row: row.row, column: COLUMN_OF_FIELD[field] ?? field, message });
    return { plan: { ...plan, ok: false, errorCount: plan.errorCount + Object.keys(error.fields).length } };
  }
}

/** Labels for the documented columns, shown on the import page. */
export const IMPORT_COLUMN_HELP: Record<ImportColumn, string> = {
  name: "Required. Full name for individuals, legal name for organizations (at most 200 characters).",
  clientType: "Required. individual or organization.",
  email: "An email address.",
  phone: "6 to 15 digits; spaces, +, (), dots and dashes are fine.",
  website: "example.com or https://example.com.",
  addressLine1: "Street address.",
  addressLine2: "Apartment, suite, floor.",
  city: "City.",
  state: "State or region.",
  postalCode: "Letters and digits, 3 to 12 characters.",
  country: "Country.",
  taxId: "Organizations only.",
  industry: "Organizations only.",
  dateOfBirth: "Individuals only, like 1980-04-12.",
  ssnLast4: "Individuals only: exactly the last 4 digits of the SSN, never more.",
  intakeDate: "Like 2024-03-31, not in the future.",
  referralSource: "Who or what referred the client.",
  notes: "Free text (at most 10,000 characters); put values with commas or line breaks in double quotes.",
  category: "The name of an existing category (case does not matter).",
  accountManagerEmail: "The email address of an active user, who becomes the account manager.",
  status: `${["active", "on_hold", "archived"].map((s) => `${s} (${LABELS[s]})`).join(", ")}; empty means active.`,
};

