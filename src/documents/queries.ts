// Reads of documents: every one filtered by the document rule (access/documents.ts), in hand-written SQL.
import { Prisma } from "../generated/prisma/client.ts";
import type { Db, Tx } from "../db/client.ts";
import { combinedRead, jsonDate, jsonRead, sqlInteger, sqlRead, sqlRows, type JsonRead } from "../db/sql.ts";
import type { CurrentUser } from "../access/roles.ts";
import { privilegedMaterialOfMyClientsSql, visibleDocumentsSql, type DocumentState } from "../access/documents.ts";
import { visibleCasesSql } from "../access/cases.ts";
import { visibleClientsSql } from "../access/clients.ts";
import type { DocumentFilters } from "./schemas.ts";

/** A document as lists show it. */
export interface DocumentRow {
  id: string;
  title: string;
  fileName: string;
  contentType: string;
  size: number;
  privileged: boolean;
  versionCount: number;
  typeName: string;
  clientId: string | null;
  clientName: string | null;
  caseId: string | null;
  caseNumber: string | null;
  uploaderName: string;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
  /** The parent client's restriction and classification (the case's client for a case-only document). */
  clientConfidential: boolean;
  clientPrivileged: boolean;
}

const ROW_COLUMNS = Prisma.raw(`d.id, d.title, d.file_name AS "fileName", d.content_type AS "contentType", d.size, d.privileged,
  d.version_count AS "versionCount", t.name AS "typeName", d.client_id AS "clientId", pc.name AS "clientName", d.case_id AS "caseId",
  k.case_number AS "caseNumber", u.name AS "uploaderName", d.created_at AS "createdAt", d.updated_at AS "updatedAt", d.deleted_at AS "deletedAt",
  pc.is_confidential AS "clientConfidential", pc.data_classification = 'privileged' AS "clientPrivileged"`);

// The parent client is the document's own, or its case's: looked up by its key for each row (OFFSET 0 keeps the
// planner from turning the lookup into a join on coalesce(), which it can only filter, never index).
const PARENT_JOINS = Prisma.raw(`LEFT JOIN cases k ON k.id = d.case_id
  JOIN LATERAL (SELECT c.id, c.name, c.is_confidential, c.data_classification FROM clients c
    WHERE c.id = coalesce(d.client_id, k.client_id) OFFSET 0) pc ON TRUE`);
const ROW_JOINS = Prisma.raw(`JOIN document_types t ON t.id = d.type_id
  JOIN users u ON u.id = d.created_by_id
  ${PARENT_JOINS.text}`);

export const SORTS = {
  uploaded: { column: "d.created_at", cast: "timestamp" },
  updated: { column: "d.updated_at", cast: "timestamp" },
  title: { column: "lower(d.title)", cast: "text" },
  size: { column: "d.size", cast: "int" },
} as const;
export type DocumentSort = keyof typeof SORTS;

export interface DocumentPage {
  rows: DocumentRow[];
  /** Cursors for the next and previous pages (keyset), when there are such pages. */
  next?: string;
  prev?: string;
  /** Matching documents, counted up to COUNT_CAP + 1. */
  total: number;
}

export const COUNT_CAP = 1000;

function cursorOf(row: DocumentRow, sort: DocumentSort): string {
  const value = sort === "title" ? row.title.toLowerCase() : sort === "size" ? row.size : sort === "updated" ? row.updatedAt.toISOString() : row.createdAt.toISOString();
  return Buffer.from(JSON.stringify([value, row.id])).toString("base64url");
}

function parseCursor(cursor: string | undefined): [string | number, string] | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(parsed) && parsed.length === 2 && (typeof parsed[0] === "string" || typeof parsed[0] === "number") && typeof parsed[1] === "string" && /^[0-9a-f-]{36}$/i.test(parsed[1])) {
      return [parsed[0], parsed[1]];
    }
  } catch {
    // A cursor that does not parse is ignored: the first page is shown.
  }
  return undefined;
}

/**
 * SQL true for the documents of a client: filed on the client, or on one of its cases (a document of two cases is
 * filed on one of them; all of a client's). Written so both arms read an index (documents by client, documents by
 * case over the client's case ids): `coalesce(d.client_id, k.client_id) = …` reads none, so a page of a client's
 * documents in upload order walked every document newest first until it had found a page. The case arm's "not filed
 * on another client" reads `coalesce(client_id, …) = …` (the same rows, given the first arm), which no index answers:
 * as `client_id IS NULL` the planner read the index entries of every case-filed document to intersect them.
 */
export function documentsOfClientSql(clientId: string, alias = "d"): Prisma.Sql {
  const d = Prisma.raw(`"${alias}"`);
  return Prisma.sql`(${d}.client_id = ${clientId}::uuid
    OR (${d}.case_id = ANY (ARRAY(SELECT dkc.id FROM cases dkc WHERE dkc.client_id = ${clientId}::uuid))
      AND coalesce(${d}.client_id, ${clientId}::uuid) = ${clientId}::uuid))`;
}

/**
 * SQL true for the documents of a case: filed on it, or linked to it (document_cases). Both arms read an index
 * (documents by case, documents by id over the case's links); an OR with a correlated EXISTS would read every document.
 */
export function documentsOfCaseSql(caseId: string, alias = "d"): Prisma.Sql {
  const d = Prisma.raw(`"${alias}"`);
  return Prisma.sql`(${d}.case_id = ${caseId}::uuid
    OR ${d}.id = ANY (ARRAY(SELECT dcl.document_id FROM document_cases dcl WHERE dcl.case_id = ${caseId}::uuid)))`;
}

/** The filters as SQL conditions on d (documents). */
function filterSql(user: CurrentUser, f: DocumentFilters, state: DocumentState): Prisma.Sql[] {
  const where: Prisma.Sql[] = [];
  if (f.q) {
    // Both arms read the GIN index: English stems words of titles and text, 'simple' matches file-name parts as typed.
    where.push(Prisma.sql`(d.search @@ websearch_to_tsquery('english', ${f.q}) OR d.search @@ websearch_to_tsquery('simple', ${f.q}))`);
  }
  if (f.type) where.push(Prisma.sql`d.type_id = ${f.type}::uuid`);
  if (f.client) where.push(documentsOfClientSql(f.client));
  // A case's documents: filed on it, or linked to it (document_cases).
  if (f.case) where.push(documentsOfCaseSql(f.case));
  if (f.uploader) where.push(Prisma.sql`d.created_by_id = ${f.uploader}::uuid`);
  if (f.from) where.push(Prisma.sql`d.created_at >= ${f.from}::date`);
  if (f.to) where.push(Prisma.sql`d.created_at < ${f.to}::date + 1`);
  // Privileged material: marked privileged, or of a privileged client (the row's copy of its parent client's
  // classification); documents_privileged_order holds it in upload order.
  if (f.privileged === "yes") {
    where.push(Prisma.sql`(d.privileged OR d.client_privileged)`);
    // Live material from the reader's clients' (the rule admits no one else to it), rather than asking of every
    // privileged document whether the reader may see it.
    if (state === "live") where.push(privilegedMaterialOfMyClientsSql(user, "d"));
  }
  if (f.privileged === "no") where.push(Prisma.sql`NOT (d.privileged OR d.client_privileged)`);
  return where;
}

/** A page of the documents `user` may see that match `filters`, sorted and paged by keyset. */
export function documentPage(db: Db, user: CurrentUser, f: DocumentFilters, state: DocumentState = "live"): Promise<DocumentPage> {
  return sqlRead(db, documentPageRead(user, f, state));
}

/** documentPage as a read, to be asked beside a page's other reads (sqlReads). */
export function documentPageRead(user: CurrentUser, f: DocumentFilters, state: DocumentState = "live"): JsonRead<DocumentPage> {
  const sort = SORTS[f.sort];
  const desc = f.dir === "desc";
  const backwards = Boolean(f.before);
  const cursor = parseCursor(f.before ?? f.after);
  const where = [visibleDocumentsSql(user, "d", state), ...filterSql(user, f, state)];
  const conditions = Prisma.join(where, " AND ");
  const column = Prisma.raw(sort.column);
  const keyset = [...where];
  if (cursor) {
    // Rows after the cursor in the page's order (before it when paging back).
    const forward = desc !== backwards;
    const op = Prisma.raw(forward ? "<" : ">");
    keyset.push(Prisma.sql`(${column}, d.id) ${op} (${cursor[0]}::${Prisma.raw(sort.cast)}, ${cursor[1]}::uuid)`);
  }
  const order = Prisma.raw(desc !== backwards ? "DESC" : "ASC");
  const limit = sqlInteger(f.perPage + 1);
  const cap = sqlInteger(COUNT_CAP + 1);
  type Raw = { rows: (Omit<DocumentRow, "createdAt" | "updatedAt" | "deletedAt"> & { createdAt: unknown; updatedAt: unknown; deletedAt: unknown })[]; n: number };
  // The page and its capped count in one row (the rows as JSON: their timestamps come back as text).
  return jsonRead<Raw, DocumentPage>(
    f.q || (f.privileged === "yes" && state === "live")
      ? // A search sorts all its matches, and the privileged filter gathers its candidates from the reader's clients
        // (filterSql), so the rule is tested on each match once, for the page and the count alike, and the names are
        // joined for the page's rows only.
        Prisma.sql`WITH hits AS MATERIALIZED (SELECT d.id, ${column} AS sort_key FROM documents d WHERE ${conditions})
        SELECT
          (SELECT coalesce(json_agg(r), '[]') FROM (SELECT ${ROW_COLUMNS}
            FROM (SELECT h.id, h.sort_key FROM hits h
              WHERE ${cursor ? Prisma.sql`(h.sort_key, h.id) ${Prisma.raw(desc !== backwards ? "<" : ">")} (${cursor[0]}::${Prisma.raw(sort.cast)}, ${cursor[1]}::uuid)` : Prisma.sql`TRUE`}
              ORDER BY h.sort_key ${order}, h.id ${order} LIMIT ${limit}) p
            JOIN documents d ON d.id = p.id ${ROW_JOINS}
            ORDER BY p.sort_key ${order}, p.id ${order}) r) AS rows,
          (SELECT count(*) FROM (SELECT 1 FROM hits LIMIT ${cap}) capped) AS n`
      : Prisma.sql`SELECT
      (SELECT coalesce(json_agg(r), '[]') FROM (SELECT ${ROW_COLUMNS} FROM documents d ${ROW_JOINS}
        WHERE ${Prisma.join(keyset, " AND ")} ORDER BY ${column} ${order}, d.id ${order} LIMIT ${limit}) r) AS rows,
      -- The count: documents filed on a client first (the rule reads their client's copies on the row), then, only
      -- while the cap is not reached, those filed on a case only (the rule looks their case up): the Append stops
      -- asking once the limit has its rows.
      (SELECT count(*) FROM (
        (SELECT 1 FROM documents d WHERE d.client_id IS NOT NULL AND ${conditions} LIMIT ${cap})
        UNION ALL
        (SELECT 1 FROM documents d WHERE d.client_id IS NULL AND ${conditions} LIMIT ${cap})
        LIMIT ${cap}) capped) AS n`,
    ([result]) => {
      const rows: DocumentRow[] = result!.rows.map((r) => ({ ...r, createdAt: jsonDate(r.createdAt)!, updatedAt: jsonDate(r.updatedAt)!, deletedAt: jsonDate(r.deletedAt) }));
      const more = rows.length > f.perPage;
      const page = rows.slice(0, f.perPage);
      if (backwards) page.reverse();
      const first = page[0];
      const last = page.at(-1);
      return {
        rows: page,
        next: last && (backwards ? Boolean(cursor) : more) ? cursorOf(last, f.sort) : undefined,
        prev: first && (backwards ? more : Boolean(cursor)) ? cursorOf(first, f.sort) : undefined,
        total: Number(result!.n),
      };
    },
  );
}

export interface VersionRow {
  id: string;
  number: number;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  storageKey: string;
  uploadedAt: Date;
  uploaderName: string;
}

export interface DocumentDetail extends DocumentRow {
  description: string | null;
  typeId: string;
  typeCode: string;
  textStatus: string;
  caseTitle: string | null;
  /** The client the document belongs to through its case, when it is linked to the case only. */
  parentClientId: string;
  parentClientName: string;
  createdById: string;
  versions: VersionRow[];
}

/** One document `user` may see (live, or deleted for the restore page), with its versions newest first. */
export async function documentDetail(db: Db | Tx, user: CurrentUser, id: string, state: DocumentState = "live"): Promise<DocumentDetail | undefined> {
  const [row] = await sqlRows<DocumentDetail>(
    db,
    Prisma.sql`SELECT ${ROW_COLUMNS}, d.description, d.type_id AS "typeId", t.code AS "typeCode", d.text_status AS "textStatus",
        k.title AS "caseTitle", pc.id AS "parentClientId", pc.name AS "parentClientName", d.created_by_id AS "createdById",
        (SELECT coalesce(json_agg(json_build_object('id', v.id, 'number', v.number, 'fileName', v.file_name, 'contentType', v.content_type,
            'size', v.size, 'sha256', v.sha256, 'storageKey', v.storage_key, 'uploadedAt', v.uploaded_at, 'uploaderName', vu.name)
            ORDER BY v.number DESC), '[]') FROM document_versions v JOIN users vu ON vu.id = v.uploaded_by_id WHERE v.document_id = d.id) AS versions
      FROM documents d ${ROW_JOINS}
      WHERE d.id = ${id}::uuid AND ${visibleDocumentsSql(user, "d", state)}`,
  );
  if (!row) return undefined;
  const versions = (typeof row.versions === "string" ? JSON.parse(row.versions) : row.versions) as (Omit<VersionRow, "uploadedAt"> & { uploadedAt: string })[];
  row.versions = versions.map((v) => ({ ...v, uploadedAt: new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v.uploadedAt) ? v.uploadedAt : `${v.uploadedAt}Z`) }));
  return row;
}

export interface ParentCase {
  id: string;
  clientId: string;
  caseNumber: string;
  title: string;
}

/** A case the user may see (to upload to), or undefined. */
export function visibleCaseRead(user: CurrentUser, caseId: string): JsonRead<ParentCase | undefined> {
  return jsonRead<ParentCase, ParentCase | undefined>(
    Prisma.sql`SELECT k.id, k.client_id AS "clientId", k.case_number AS "caseNumber", k.title FROM cases k WHERE k.id = ${caseId}::uuid AND ${visibleCasesSql(user, "k")}`,
    ([row]) => row,
  );
}

export function visibleCase(db: Db | Tx, user: CurrentUser, caseId: string): Promise<ParentCase | undefined> {
  return sqlRead(db, visibleCaseRead(user, caseId));
}

export interface ParentClient {
  id: string;
  name: string;
}

/** A client the user may see (to upload to), or undefined. */
export function visibleClientRead(user: CurrentUser, clientId: string): JsonRead<ParentClient | undefined> {
  return jsonRead<ParentClient, ParentClient | undefined>(
    Prisma.sql`SELECT c.id, c.name FROM clients c WHERE c.id = ${clientId}::uuid AND ${visibleClientsSql(user, "c")}`,
    ([row]) => row,
  );
}

export function visibleClient(db: Db | Tx, user: CurrentUser, clientId: string): Promise<ParentClient | undefined> {
  return sqlRead(db, visibleClientRead(user, clientId));
}

/** The visible cases of a client, for the upload form's case choice. */
export function visibleCasesOfClientRead(user: CurrentUser, clientId: string): JsonRead<ParentCase[]> {
  return jsonRead<ParentCase, ParentCase[]>(
    Prisma.sql`SELECT k.id, k.client_id AS "clientId", k.case_number AS "caseNumber", k.title FROM cases k
      WHERE k.client_id = ${clientId}::uuid AND ${visibleCasesSql(user, "k")} ORDER BY k.created_at DESC LIMIT 200`,
    (rows) => rows,
  );
}

export function visibleCasesOfClient(db: Db, user: CurrentUser, clientId: string): Promise<ParentCase[]> {
  return sqlRead(db, visibleCasesOfClientRead(user, clientId));
}

export interface DocumentTypeRow {
  id: string;
  name: string;
  code: string;
  description: string | null;
  position: number;
  active: boolean;
  /** Documents of the type, deleted ones included: only when asked for (`counts`), for the administrators' page. */
  documents: number | null;
}

/** Document types in their order; `counts` also counts each type's documents (a read of every document). */
export function documentTypesRead(options: { activeOnly?: boolean; counts?: boolean } = {}): JsonRead<DocumentTypeRow[]> {
  return jsonRead<DocumentTypeRow, DocumentTypeRow[]>(
    Prisma.sql`SELECT t.id, t.name, t.code, t.description, t.position, t.active,
        ${options.counts ? Prisma.sql`(SELECT count(*)::int FROM documents d WHERE d.type_id = t.id)` : Prisma.sql`NULL::int`} AS documents
      FROM document_types t ${options.activeOnly ? Prisma.sql`WHERE t.active` : Prisma.empty} ORDER BY t.position, lower(t.name)`,
    (rows) => rows,
  );
}

export function documentTypes(db: Db, options: { activeOnly?: boolean; counts?: boolean } = {}): Promise<DocumentTypeRow[]> {
  return sqlRead(db, documentTypesRead(options));
}

/** People who uploaded documents, for the list's uploader filter. */
export function uploadersRead(): JsonRead<{ id: string; name: string }[]> {
  return jsonRead<{ id: string; name: string }, { id: string; name: string }[]>(
    Prisma.sql`SELECT u.id, u.name FROM users u WHERE u.active ORDER BY u.name LIMIT 500`,
    (rows) => rows,
  );
}

/** What the client page's Documents section shows: the ten latest documents the user may see, and the upload form's choices. */
export function clientDocumentsSectionRead(user: CurrentUser, clientId: string) {
  const filters = { sort: "uploaded", dir: "desc", perPage: 10, client: clientId } as DocumentFilters;
  return combinedRead(
    [documentPageRead(user, filters), documentTypesRead({ activeOnly: true }), visibleCasesOfClientRead(user, clientId)],
    (documents, documentTypes, documentCases) => ({ documents, documentTypes, documentCases }),
  );
}


export interface LinkableDocument {
  id: string;
  title: string;
  fileName: string;
  caseNumber: string | null;
}

/**
 * The picker of "add an existing document" on a case: the documents of the case's client the user may see that are
 * not yet on this case (neither filed on it nor linked to it), newest first.
 */
export async function linkableDocuments(db: Db, user: CurrentUser, caseId: string, clientId: string, limit = 200): Promise<LinkableDocument[]> {
  return sqlRows<LinkableDocument>(
    db,
    Prisma.sql`SELECT d.id, d.title, d.file_name AS "fileName", k.case_number AS "caseNumber" FROM documents d LEFT JOIN cases k ON k.id = d.case_id
      WHERE ${documentsOfClientSql(clientId)} AND ${visibleDocumentsSql(user, "d")}
        AND d.case_id IS DISTINCT FROM ${caseId}::uuid
        AND NOT EXISTS (SELECT 1 FROM document_cases dl WHERE dl.document_id = d.id AND dl.case_id = ${caseId}::uuid)
      ORDER BY d.created_at DESC, d.id DESC LIMIT ${sqlInteger(limit)}`,
  );
}

/** Of `ids`, the documents linked to the case (rather than filed on it): the case tab offers to unlink those. */
export async function linkedToCase(db: Db, caseId: string, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await sqlRows<{ id: string }>(db, Prisma.sql`SELECT document_id AS id FROM document_cases WHERE case_id = ${caseId}::uuid AND document_id = ANY(${ids}::uuid[])`);
  return new Set(rows.map((r) => r.id));
}

/** The further cases a document is linked to that the user may see (the document page lists them). */
export async function linkedCasesOf(db: Db, user: CurrentUser, documentId: string): Promise<ParentCase[]> {
  return sqlRows<ParentCase>(
    db,
    Prisma.sql`SELECT k.id, k.client_id AS "clientId", k.case_number AS "caseNumber", k.title FROM document_cases dl JOIN cases k ON k.id = dl.case_id
      WHERE dl.document_id = ${documentId}::uuid AND ${visibleCasesSql(user, "k")} ORDER BY k.case_number`,
  );
}
