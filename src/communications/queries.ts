// Reads of communications: the firm-wide list and search, a client's and a case's communications, the client
// timeline, one communication, open follow-ups and the overdue digest. Every query filters with
// visibleCommunicationsSql (access/communications.ts), so a hidden communication is in no list, count or search.
import type { Db, Tx } from "../db/client.ts";
import { jsonDate, jsonRead, sqlInteger, sqlRead, sqlRows, sqlText, type JsonRead } from "../db/sql.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { CurrentUser } from "../access/roles.ts";
import { visibleCommunicationsSql } from "../access/communications.ts";
import { visibleCasesSql } from "../access/cases.ts";
import { visibleClientsSql } from "../access/clients.ts";
import { visibleDocumentsSql } from "../access/documents.ts";
import { documentsOfCaseSql, documentsOfClientSql } from "../documents/queries.ts";
import type { CommunicationFilters } from "./schemas.ts";
import { clientChangesPart, timelineChanges, type TimelineChange } from "./changes.ts";

export interface Participant {
  kind: "contact" | "user";
  id: string;
  name: string;
}

/** An attachment as a communication shows it: a document the reader may see (the document rule). */
export interface Attachment {
  id: string;
  title: string;
  fileName: string;
  size: number;
}

export interface CommunicationRow {
  id: string;
  clientId: string;
  clientName: string;
  /** Its client is restricted, or it is privileged material (marked, or of a privileged client): reads are audited. */
  sensitive: boolean;
  caseId: string | null;
  caseNumber: string | null;
  type: string;
  direction: string;
  occurredAt: Date;
  subject: string;
  notes: string | null;
  important: boolean;
  privileged: boolean;
  followUpRequired: boolean;
  followUpDue: Date | null;
  followUpAssigneeId: string | null;
  followUpAssigneeName: string | null;
  followUpCompletedAt: Date | null;
  followUpCompletedByName: string | null;
  loggedById: string;
  loggedByName: string;
  updatedAt: Date;
  participants: Participant[];
  /** Its attachments the reader may see (each a document under the document rule), in the order attached. */
  attachments: Attachment[];
}

/** Attachments of communication `m` that `user` may see: the document rule decides, as for any document. */
function visibleAttachmentsSql(user: CurrentUser): Prisma.Sql {
  return Prisma.sql`FROM communication_documents cd JOIN documents ad ON ad.id = cd.document_id WHERE cd.communication_id = m.id AND ${visibleDocumentsSql(user, "ad")}`;
}

/** The columns of a CommunicationRow over communications `m`, with its client, case, people, participants and attachments. */
const rowColumns = (user: CurrentUser) => Prisma.sql`${ROW_COLUMNS},
  (SELECT coalesce(json_agg(json_build_object('id', ad.id, 'title', ad.title, 'fileName', ad.file_name, 'size', ad.size) ORDER BY cd.linked_at, ad.title, ad.id), '[]')
    ${visibleAttachmentsSql(user)}) AS attachments`;

const ROW_COLUMNS = Prisma.sql`m.id, m.client_id AS "clientId", c.name AS "clientName",
  (c.is_confidential OR m.privileged OR c.data_classification = 'privileged') AS sensitive, m.case_id AS "caseId", k.case_number AS "caseNumber",
  m.type::text AS type, m.direction::text AS direction, m.occurred_at AS "occurredAt", m.subject, m.notes, m.important, m.privileged,
  m.follow_up_required AS "followUpRequired", m.follow_up_due AS "followUpDue", m.follow_up_assignee_id AS "followUpAssigneeId",
  fa.name AS "followUpAssigneeName", m.follow_up_completed_at AS "followUpCompletedAt", fc.name AS "followUpCompletedByName",
  m.logged_by_id AS "loggedById", lb.name AS "loggedByName", m.updated_at AS "updatedAt",
  (SELECT coalesce(json_agg(json_build_object('kind', CASE WHEN p.contact_id IS NULL THEN 'user' ELSE 'contact' END,
      'id', coalesce(p.contact_id, p.user_id), 'name', coalesce(ct.name, pu.name)) ORDER BY ct.name NULLS LAST, pu.name), '[]')
    FROM communication_participants p LEFT JOIN contacts ct ON ct.id = p.contact_id LEFT JOIN users pu ON pu.id = p.user_id
    WHERE p.communication_id = m.id) AS participants`;

const ROW_JOINS = Prisma.sql`JOIN clients c ON c.id = m.client_id
  LEFT JOIN cases k ON k.id = m.case_id
  LEFT JOIN users fa ON fa.id = m.follow_up_assignee_id
  LEFT JOIN users fc ON fc.id = m.follow_up_completed_by_id
  JOIN users lb ON lb.id = m.logged_by_id`;

type RawRow = Omit<CommunicationRow, "followUpDue"> & { followUpDue: Date | string | null };
const rowOf = (r: RawRow): CommunicationRow => ({ ...r, followUpDue: jsonDate(r.followUpDue) });

/**
 * The full-text match over subject and notes; the same expression as the GIN index in the migration. `inText` writes
 * the words into the SQL text (see sqlText), for queries planned each time only.
 */
function textMatch(q: string, inText = false): Prisma.Sql {
  return Prisma.sql`to_tsvector('simple', m.subject || ' ' || coalesce(m.notes, '')) @@ websearch_to_tsquery('simple', ${inText ? sqlText(q) : q})`;
}

export interface CommunicationScope {
  clientId?: string;
  caseId?: string;
}

function filterConditions(user: CurrentUser, filters: Partial<CommunicationFilters>, scope: CommunicationScope, wordsInText = false): Prisma.Sql[] {
  const conds: Prisma.Sql[] = [];
  const clientId = scope.clientId ?? filters.client;
  if (clientId) conds.push(Prisma.sql`m.client_id = ${clientId}::uuid`);
  if (scope.caseId) conds.push(Prisma.sql`m.case_id = ${scope.caseId}::uuid`);
  if (filters.type) conds.push(Prisma.sql`m.type = ${filters.type}::"CommunicationType"`);
  if (filters.important) conds.push(Prisma.sql`m.important`);
  if (filters.loggedBy) conds.push(Prisma.sql`m.logged_by_id = ${filters.loggedBy}::uuid`);
  if (filters.from) conds.push(Prisma.sql`m.occurred_at >= ${filters.from}::date`);
  if (filters.to) conds.push(Prisma.sql`m.occurred_at < ${filters.to}::date + 1`);
  if (filters.q) conds.push(textMatch(filters.q, wordsInText));
  // With attachments: at least one the reader may see (a hidden one does not betray itself).
  if (filters.attachments) conds.push(Prisma.sql`EXISTS (SELECT 1 ${visibleAttachmentsSql(user)})`);
  return conds;
}

/** A keyset position: the last row's time and id (and kind, on the timeline), as text for a URL. */
export function cursorOf(at: Date, key: string, kind?: string): string {
  return [at.toISOString(), kind, key].filter((part) => part !== undefined).join("_");
}

function parseCursor(after: string | undefined, parts: 2 | 3): string[] | null {
  if (!after) return null;
  const split = after.split("_");
  if (split.length !== parts || Number.isNaN(new Date(split[0]!).getTime())) return null;
  if (!/^[0-9a-f-]{1,36}$/i.test(split[parts - 1]!)) return null;
  return split;
}

export interface Page<T> {
  rows: T[];
  next: string | null;
}

/** The rows of the communications `ids` names that the user may see, newest first (by time, then id). */
async function communicationRowsInOrder(db: Db, user: CurrentUser, ids: string[]): Promise<RawRow[]> {
  if (!ids.length) return [];
  return sqlRows<RawRow>(db, Prisma.sql`SELECT ${rowColumns(user)} FROM communications m ${ROW_JOINS}
    WHERE m.id = ANY(${ids}::uuid[]) AND ${visibleCommunicationsSql(user, "m")} ORDER BY m.occurred_at DESC, m.id DESC`);
}

/** A page of communications newest first (by time, then id), within a client, a case or the whole firm. */
export async function communicationPage(db: Db, user: CurrentUser, filters: Partial<CommunicationFilters>, scope: CommunicationScope = {}, limit = 25): Promise<Page<CommunicationRow>> {
  const conds = [visibleCommunicationsSql(user, "m"), ...filterConditions(user, filters, scope, true)];
  const cursor = parseCursor(filters.after, 2);
  if (cursor) conds.push(Prisma.sql`(m.occurred_at, m.id) < (${cursor[0]}::timestamptz, ${cursor[1]}::uuid)`);
  const where = Prisma.join(conds, " AND ");
  const rows = filters.q
    ? // A search is planned for its words (how many rows match decides between walking by date and the GIN index), so
      // the statement planned each time finds the page's ids only; their rows, with people and attachments, are read
      // by a prepared statement.
      await communicationRowsInOrder(
        db,
        user,
        (await sqlRows<{ id: string }>(db, Prisma.sql`SELECT m.id FROM communications m WHERE ${where} ORDER BY m.occurred_at DESC, m.id DESC LIMIT ${sqlInteger(limit + 1)}`, { planned: "each time" })).map((r) => r.id),
      )
    : await sqlRows<RawRow>(db, Prisma.sql`SELECT ${rowColumns(user)} FROM communications m ${ROW_JOINS} WHERE ${where} ORDER BY m.occurred_at DESC, m.id DESC LIMIT ${sqlInteger(limit + 1)}`);
  const page = rows.slice(0, limit).map(rowOf);
  const last = page.at(-1);
  return { rows: page, next: rows.length > limit && last ? cursorOf(last.occurredAt, last.id) : null };
}

/** One visible communication, or undefined (hidden, deleted and missing alike). */
export async function communicationRow(db: Db | Tx, user: CurrentUser, id: string): Promise<CommunicationRow | undefined> {
  const [row] = await sqlRows<RawRow>(db, Prisma.sql`SELECT ${rowColumns(user)} FROM communications m ${ROW_JOINS} WHERE m.id = ${id}::uuid AND ${visibleCommunicationsSql(user, "m")}`);
  return row && rowOf(row);
}

/** A document upload on a timeline: the first version of a document, or a new version of it. */
export interface TimelineDocument {
  id: string;
  title: string;
  fileName: string;
  number: number;
  privileged: boolean;
  caseNumber: string | null;
}

export type TimelineEntry =
  | { kind: "communication"; at: Date; key: string; communication: CommunicationRow }
  | { kind: "document"; at: Date; key: string; document: TimelineDocument; actorName: string | null }
  | { kind: "change"; at: Date; key: string; change: TimelineChange; actorName: string | null }
  | { kind: "case_opened" | "case_status"; at: Date; key: string; caseId: string; caseNumber: string; caseTitle: string; statusBefore: string | null; statusAfter: string | null; actorName: string | null };

/** Whose timeline: a client's (its communications, documents and cases) or a case's (its communications and documents). */
export type TimelineScope = { clientId: string; caseId?: undefined } | { caseId: string; clientId?: undefined };

/**
 * A client's or a case's timeline newest first: communications, document uploads (each version; on a case, the
 * documents filed on it or linked to it) and, on a client, the openings of its cases and their status changes (from
 * the audit log) and its own relevant audited changes (changes.ts, through the audit log's rule and redaction), each
 * only when visible to the user. Type, "important only", "with attachments" and the words
 * concern communications, so with any set the other events are left out; `show` picks one kind of event; the date
 * range applies to all.
 */
export async function timeline(db: Db, user: CurrentUser, scope: TimelineScope, filters: Partial<CommunicationFilters>, limit = 20): Promise<Page<TimelineEntry>> {
  const commConds = [visibleCommunicationsSql(user, "m"), ...filterConditions(user, { ...filters, client: undefined, loggedBy: undefined }, scope)];
  const onlyCommunications = Boolean(filters.type || filters.important || filters.q || filters.attachments);
  const show = filters.show;
  const wants = (kind: "communications" | "documents" | "cases" | "changes") => (!show || show === kind) && (kind === "communications" || !onlyCommunications);
  const range = (column: Prisma.Sql) => [
    ...(filters.from ? [Prisma.sql`${column} >= ${filters.from}::date`] : []),
    ...(filters.to ? [Prisma.sql`${column} < ${filters.to}::date + 1`] : []),
  ];
  const cursor = parseCursor(filters.after, 3);
  const position = cursor ? Prisma.sql`WHERE (t.at, t.kind, t.key) < (${cursor[0]}::timestamptz, ${cursor[1]}, ${cursor[2]})` : Prisma.empty;
  const parts: Prisma.Sql[] = [];
  if (wants("communications")) {
    parts.push(Prisma.sql`SELECT m.occurred_at AS at, 'communication' AS kind, m.id::text AS key, NULL::uuid AS case_id, NULL AS status_before, NULL AS status_after, NULL::uuid AS actor_id
      FROM communications m WHERE ${Prisma.join(commConds, " AND ")}`);
  }
  if (wants("documents")) {
    const parent = scope.caseId !== undefined ? documentsOfCaseSql(scope.caseId) : documentsOfClientSql(scope.clientId);
    const docConds = [parent, visibleDocumentsSql(user, "d"), ...range(Prisma.sql`v.uploaded_at`)];
    parts.push(Prisma.sql`SELECT v.uploaded_at::timestamptz, 'document', v.id::text, NULL::uuid, NULL, NULL, v.uploaded_by_id
      FROM document_versions v JOIN documents d ON d.id = v.document_id WHERE ${Prisma.join(docConds, " AND ")}`);
  }
  if (wants("cases") && scope.clientId) {
    const openConds = [Prisma.sql`k.client_id = ${scope.clientId}::uuid`, visibleCasesSql(user, "k"), ...range(Prisma.sql`k.created_at`)];
    const statusConds = [Prisma.sql`k.client_id = ${scope.clientId}::uuid`, visibleCasesSql(user, "k"), ...range(Prisma.sql`e.at`)];
    parts.push(
      Prisma.sql`SELECT k.created_at, 'case_opened', k.id::text, k.id, NULL, NULL, k.created_by_id FROM cases k WHERE ${Prisma.join(openConds, " AND ")}`,
      Prisma.sql`SELECT e.at, 'case_status', e.id::text, k.id, e.changes->'status'->>'before', e.changes->'status'->>'after', e.actor_id
        FROM cases k JOIN audit_events e ON e.entity_type = 'case' AND e.entity_id = k.id::text AND e.action = 'case.status'
        WHERE ${Prisma.join(statusConds, " AND ")}`,
    );
  }
  if (wants("changes") && scope.clientId) parts.push(clientChangesPart(user, scope.clientId, range));
  if (!parts.length) return { rows: [], next: null };
  // The page of events, then each shown communication's row and document version's facts joined to it (each through
  // its own rule again), in the same statement: the events decide which rows are read.
  type JsonCommunication = Omit<RawRow, "occurredAt" | "updatedAt" | "followUpCompletedAt"> & { occurredAt: string; updatedAt: string; followUpCompletedAt: string | null };
  const events = await sqlRows<{
    at: Date; kind: string; key: string; caseId: string | null; caseNumber: string | null; caseTitle: string | null;
    statusBefore: string | null; statusAfter: string | null; actorName: string | null;
    communication: JsonCommunication | null; document: TimelineDocument | null;
  }>(
    db,
    Prisma.sql`SELECT p.*,
        (SELECT to_json(r) FROM (SELECT ${rowColumns(user)} FROM communications m ${ROW_JOINS}
          WHERE m.id = CASE WHEN p.kind = 'communication' THEN p.key::uuid END AND ${visibleCommunicationsSql(user, "m")}) r) AS communication,
        (SELECT to_json(r) FROM (SELECT d.id, d.title, v.file_name AS "fileName", v.number, d.privileged, dk.case_number AS "caseNumber"
          FROM document_versions v JOIN documents d ON d.id = v.document_id LEFT JOIN cases dk ON dk.id = d.case_id
          WHERE v.id = CASE WHEN p.kind = 'document' THEN p.key::uuid END AND ${visibleDocumentsSql(user, "d")}) r) AS document
      FROM (SELECT t.at, t.kind, t.key, t.case_id AS "caseId", k.case_number AS "caseNumber", k.title AS "caseTitle",
          t.status_before AS "statusBefore", t.status_after AS "statusAfter", u.name AS "actorName"
        FROM (${Prisma.join(parts, " UNION ALL ")}) t(at, kind, key, case_id, status_before, status_after, actor_id)
        LEFT JOIN cases k ON k.id = t.case_id LEFT JOIN users u ON u.id = t.actor_id
        ${position} ORDER BY t.at DESC, t.kind DESC, t.key DESC LIMIT ${sqlInteger(limit + 1)}) p
      ORDER BY p.at DESC, p.kind DESC, p.key DESC`,
  );
  const shown = events.slice(0, limit);
  const communicationOf = (m: JsonCommunication): CommunicationRow =>
    rowOf({ ...m, occurredAt: jsonDate(m.occurredAt)!, updatedAt: jsonDate(m.updatedAt)!, followUpCompletedAt: jsonDate(m.followUpCompletedAt) });
  const changes = await timelineChanges(db, user, shown.filter((e) => e.kind === "change").map((e) => e.key));
  const rows: TimelineEntry[] = [];
  for (const e of shown) {
    if (e.kind === "communication") {
      if (e.communication) rows.push({ kind: "communication", at: e.at, key: e.key, communication: communicationOf(e.communication) });
    } else if (e.kind === "document") {
      if (e.document) rows.push({ kind: "document", at: e.at, key: e.key, document: e.document, actorName: e.actorName });
    } else if (e.kind === "change") {
      const change = changes.get(e.key);
      if (change) rows.push({ kind: "change", at: e.at, key: e.key, change, actorName: e.actorName });
    } else {
      rows.push({ kind: e.kind as "case_opened" | "case_status", at: e.at, key: e.key, caseId: e.caseId!, caseNumber: e.caseNumber!, caseTitle: e.caseTitle!, statusBefore: e.statusBefore, statusAfter: e.statusAfter, actorName: e.actorName });
    }
  }
  const last = shown.at(-1);
  return { rows, next: events.length > limit && last ? cursorOf(last.at, last.key, last.kind) : null };
}

/** A client's timeline (see `timeline`). */
export function clientTimeline(db: Db, user: CurrentUser, clientId: string, filters: Partial<CommunicationFilters>, limit = 20): Promise<Page<TimelineEntry>> {
  return timeline(db, user, { clientId }, filters, limit);
}

export interface FollowUpLine {
  id: string;
  subject: string;
  type: string;
  occurredAt: Date;
  followUpDue: Date;
  overdue: boolean;
  clientId: string;
  clientName: string;
  assigneeId: string;
  assigneeName: string;
}

/**
 * Open follow-ups the user may see, by due date (earliest first): assigned to someone, of a client, or overdue only;
 * with how many there are and how many of them are overdue today, counted in the same pass (the dashboard's cards).
 */
export interface OpenFollowUps {
  count: number;
  overdue: number;
  rows: FollowUpLine[];
}

export function openFollowUpsRead(user: CurrentUser, where: { assigneeId?: string; clientId?: string; overdueOn?: string }, limit = 50, offset = 0): JsonRead<OpenFollowUps> {
  const conds = [Prisma.sql`m.follow_up_required AND m.follow_up_completed_at IS NULL`, visibleCommunicationsSql(user, "m")];
  if (where.assigneeId) conds.push(Prisma.sql`m.follow_up_assignee_id = ${where.assigneeId}::uuid`);
  if (where.clientId) conds.push(Prisma.sql`m.client_id = ${where.clientId}::uuid`);
  if (where.overdueOn) conds.push(Prisma.sql`m.follow_up_due < ${where.overdueOn}::date`);
  return jsonRead<Omit<FollowUpLine, "followUpDue" | "occurredAt"> & { followUpDue: string; occurredAt: string; total: number; overdueTotal: number }, OpenFollowUps>(
    // Counted over the matching rows alone; the names are joined for the page's rows only.
    Prisma.sql`WITH open AS MATERIALIZED (
        SELECT m.id, m.follow_up_due, m.occurred_at FROM communications m WHERE ${Prisma.join(conds, " AND ")}),
      counts AS (SELECT count(*)::int AS total, count(*) FILTER (WHERE o.follow_up_due < current_date)::int AS overdue FROM open o),
      page AS (SELECT o.id FROM open o ORDER BY o.follow_up_due, o.occurred_at, o.id LIMIT ${sqlInteger(limit)} OFFSET ${sqlInteger(offset)})
      SELECT m.id, m.subject, m.type::text AS type, m.occurred_at AS "occurredAt", m.follow_up_due AS "followUpDue",
        m.follow_up_due < current_date AS overdue, m.client_id AS "clientId", c.name AS "clientName",
        m.follow_up_assignee_id AS "assigneeId", a.name AS "assigneeName", n.total, n.overdue AS "overdueTotal"
      FROM page p JOIN communications m ON m.id = p.id JOIN clients c ON c.id = m.client_id JOIN users a ON a.id = m.follow_up_assignee_id
        CROSS JOIN counts n
      ORDER BY m.follow_up_due, m.occurred_at, m.id`,
    (rows) => ({
      count: rows[0]?.total ?? 0,
      overdue: rows[0]?.overdueTotal ?? 0,
      rows: rows.map(({ total: _total, overdueTotal: _overdue, ...r }) => ({ ...r, occurredAt: jsonDate(r.occurredAt)!, followUpDue: jsonDate(r.followUpDue)! })),
    }),
  );
}

export function openFollowUps(db: Db, user: CurrentUser, where: { assigneeId?: string; clientId?: string; overdueOn?: string }, limit = 50, offset = 0): Promise<OpenFollowUps> {
  return sqlRead(db, openFollowUpsRead(user, where, limit, offset));
}

/** People with overdue open follow-ups on a day (whoever they are, before any visibility): the digest's recipients. */
export async function overdueAssignees(db: Db, day: string): Promise<CurrentUser[]> {
  return sqlRows<CurrentUser>(
    db,
    Prisma.sql`SELECT u.id, u.email, u.name, u.role, u.relationship_team AS "relationshipTeam", u.legal_team AS "legalTeam",
        u.view_confidential AS "viewConfidential", u.department, u.must_change_password AS "mustChangePassword"
      FROM users u WHERE u.active AND u.id IN (SELECT m.follow_up_assignee_id FROM communications m
        WHERE m.follow_up_required AND m.follow_up_completed_at IS NULL AND m.deleted_at IS NULL AND m.follow_up_due < ${day}::date)
      ORDER BY u.name, u.id`,
  );
}

/** An existing document the attachment picker offers. */
export interface AttachableDocument {
  id: string;
  title: string;
  fileName: string;
  caseNumber: string | null;
}

/**
 * The picker of "attach an existing document": the client's documents the user may see (filed on the client or on
 * one of its cases; the document rule decides), not yet attached to `communicationId`, newest first.
 */
/** The documents of a client the user may see that are not yet attached to `communicationId`, newest first. */
function attachableDocumentsSql(user: CurrentUser, clientId: string, communicationId: string | undefined, limit: number): Prisma.Sql {
  const notAttached = communicationId
    ? Prisma.sql`AND NOT EXISTS (SELECT 1 FROM communication_documents cd WHERE cd.document_id = d.id AND cd.communication_id = ${communicationId}::uuid)`
    : Prisma.empty;
  return Prisma.sql`SELECT d.id, d.title, d.file_name AS "fileName", k.case_number AS "caseNumber" FROM documents d LEFT JOIN cases k ON k.id = d.case_id
      WHERE ${documentsOfClientSql(clientId)} AND ${visibleDocumentsSql(user, "d")} ${notAttached}
      ORDER BY d.created_at DESC, d.id DESC LIMIT ${sqlInteger(limit)}`;
}

/**
 * The contacts, cases, colleagues and attachable documents a communication form offers for a client (cases and
 * documents: only those the user may see), in one round trip.
 */
export function formChoices(db: Db, user: CurrentUser, clientId: string, communicationId?: string): Promise<FormChoices> {
  return sqlRead(db, formChoicesRead(user, clientId, communicationId));
}

export interface FormChoices {
  contacts: { id: string; name: string; active: boolean }[];
  cases: { id: string; caseNumber: string; title: string }[];
  users: { id: string; name: string }[];
  documents: AttachableDocument[];
}

/** formChoices as a read, to be asked beside a page's other reads. */
export function formChoicesRead(user: CurrentUser, clientId: string, communicationId?: string): JsonRead<FormChoices> {
  const list = (sql: Prisma.Sql) => Prisma.sql`(SELECT coalesce(json_agg(x), '[]') FROM (${sql}) x)`;
  return jsonRead<FormChoices, FormChoices>(
    Prisma.sql`SELECT
      ${list(Prisma.sql`SELECT id, name, active FROM contacts WHERE client_id = ${clientId}::uuid ORDER BY active DESC, name, id`)} AS contacts,
      ${list(Prisma.sql`SELECT k.id, k.case_number AS "caseNumber", k.title FROM cases k WHERE k.client_id = ${clientId}::uuid AND ${visibleCasesSql(user, "k")} ORDER BY k.created_at DESC, k.id LIMIT 200`)} AS cases,
      ${list(Prisma.sql`SELECT id, name FROM users WHERE active ORDER BY name, id`)} AS users,
      ${list(attachableDocumentsSql(user, clientId, communicationId, 200))} AS documents`,
    ([row]) => row!,
  );
}

/** Who logged communications, for the firm-wide list's filter. */
export function activeUserOptionsRead(): JsonRead<{ id: string; name: string }[]> {
  return jsonRead<{ id: string; name: string }, { id: string; name: string }[]>(Prisma.sql`SELECT id, name FROM users WHERE active ORDER BY name, id`, (rows) => rows);
}

/** The name of the client the firm-wide list is filtered on, when the user may see it. */
export function visibleClientNameRead(user: CurrentUser, id: string | undefined): JsonRead<string | null> {
  return jsonRead<{ name: string }, string | null>(
    id ? Prisma.sql`SELECT c.name FROM clients c WHERE c.id = ${id}::uuid AND ${visibleClientsSql(user, "c")}` : null,
    ([row]) => row?.name ?? null,
  );
}

/** The latest daily digest sent, for the record "My follow-ups" shows (null before the first). */
export interface DigestRecord {
  day: Date;
  sentAt: Date;
  emailsSent: number;
}

/** The last digest sent (null before the first). */
export function lastDigestRead(): JsonRead<DigestRecord | null> {
  return jsonRead<{ day: string; sentAt: string; emailsSent: number }, DigestRecord | null>(
    Prisma.sql`SELECT day, sent_at AS "sentAt", emails_sent AS "emailsSent" FROM follow_up_digests ORDER BY day DESC LIMIT 1`,
    ([row]) => (row ? { day: jsonDate(row.day)!, sentAt: jsonDate(row.sentAt)!, emailsSent: row.emailsSent } : null),
  );
}
