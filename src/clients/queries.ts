// The hand-written SQL behind the client list, search, capped counts and autocomplete: keyset pages over
// indexed sort keys and trigram matching, always filtered by access/clients.ts.
import { Prisma } from "../generated/prisma/client.ts";
import type { Db } from "../db/client.ts";
import { cappedCountSql, escapeLike, jsonDate, jsonRead, keptCountRowsSql, sqlInteger, sqlRead, sqlRow, sqlRows, type JsonRead } from "../db/sql.ts";
import type { CurrentUser } from "../access/roles.ts";
import { canSeeInternalAssessment, clientRuleSql, myClientRowsSql, onClientTeamSql, privilegedVisibleSql, seesEveryClient, visibleClientsSql } from "../access/clients.ts";
import type { ClientFilters } from "./schemas.ts";
import type { ClientDetail } from "./service.ts";
import { isUuid, withoutUnstorable } from "../web/fields.ts";

/** The client categories, by name, for the client forms and the bulk change. */
export function categoryChoices(db: Db): Promise<{ id: string; name: string; color: string }[]> {
  return db.clientCategory.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true, color: true } });
}

/**
 * Rows a filtered list's counts look at, at most: beyond it the counts are lower bounds ("1,000+"), as every other
 * list's counts are capped (cases, documents, the pipeline, the audit log). Reading 5,000 rows for the status tabs of
 * a broad filter cost more than the rest of the page.
 */
export const COUNT_SAMPLE = 1000;

export interface ClientRow {
  id: string;
  client_code: string;
  name: string;
  client_type: string;
  status: string;
  email: string | null;
  phone: string | null;
  is_confidential: boolean;
  last_contact_at: Date | null;
  next_contact_at: Date | null;
  created_at: Date;
  category_name: string | null;
  category_color: string | null;
  manager_name: string | null;
  priority: string | null;
  relationship_status: string | null;
}

type SortKey = "name" | "code" | "status" | "lastContact" | "created";

/** Sort keys, each ending in the unique id so a keyset cursor is exact. */
const SORT_COLUMNS: Record<SortKey, string[]> = {
  name: ["c.name", "c.id"],
  code: ["c.client_code", "c.id"],
  // Statuses in their declared order (active, inactive, on hold, archived), as clients_status_name_id holds them.
  status: ["c.status", "c.name", "c.id"],
  lastContact: ["coalesce(c.last_contact_at, DATE '0001-01-01')", "c.id"],
  created: ["c.created_at", "c.id"],
};

/**
 * The search condition: the text anywhere in name, code, email, phone or tax id; from FUZZY_MIN characters on, also
 * words that resemble it (typos). Shorter fragments match too many names by resemblance alone ("harb" ~ Harris, Hart).
 */
const FUZZY_MIN = 5;
function matchesSearch(term: string): Prisma.Sql {
  const like = Prisma.sql`c.search_text LIKE ${`%${escapeLike(term)}%`}`;
  return term.length < FUZZY_MIN ? like : Prisma.sql`(${like} OR ${term} <% c.search_text)`;
}

/**
 * Best matches first. Short fragments match by substring only, so names that start with the text come first (cheap);
 * longer text ranks by trigram word similarity, which also orders the near misses that typos bring.
 */
function relevance(term: string): Prisma.Sql {
  return term.length < FUZZY_MIN
    ? Prisma.sql`(lower(c.name) LIKE ${`${escapeLike(term)}%`})::int::float4`
    : Prisma.sql`word_similarity(${term}, c.search_text)`;
}

/**
 * Needs attention, by the last contact of clients `c`: urgent over 90 days ago, warning over 60, never contacted. The
 * list's filter, the dashboard's counts and the roundtable's ordering all read these.
 */
export function attentionSql(attention: "urgent" | "warning" | "never" | "ok", alias = "c"): Prisma.Sql {
  const last = Prisma.raw(`"${alias}".last_contact_at`);
  if (attention === "urgent") return Prisma.sql`${last} < current_date - 90`;
  if (attention === "warning") return Prisma.sql`${last} < current_date - 60 AND ${last} >= current_date - 90`;
  if (attention === "never") return Prisma.sql`${last} IS NULL`;
  // "ok" (fine): contacted within the last 60 days, none of the above.
  return Prisma.sql`${last} >= current_date - 60`;
}

/** The WHERE conditions for a filtered list, visibility first. `skip` leaves one filter out (for counts by it). */
export function clientConditions(user: CurrentUser, filters: ClientFilters, skip?: "status"): Prisma.Sql {
  const conds: Prisma.Sql[] = [visibleClientsSql(user, "c")];
  const term = filters.q?.toLowerCase();
  if (term) conds.push(matchesSearch(term));
  if (filters.type) conds.push(Prisma.sql`c.client_type = ${filters.type}::"ClientType"`);
  if (filters.status && skip !== "status") conds.push(Prisma.sql`c.status = ${filters.status}::"ClientStatus"`);
  if (filters.category) conds.push(Prisma.sql`c.category_id = ${filters.category}::uuid`);
  if (filters.manager) conds.push(Prisma.sql`c.account_manager_id = ${filters.manager}::uuid`);
  if (filters.poc) conds.push(Prisma.sql`(c.primary_poc_id = ${filters.poc}::uuid OR c.secondary_poc_id = ${filters.poc}::uuid)`);
  if (filters.attention) conds.push(attentionSql(filters.attention));
    if (filters.mine) conds.push(onClientTeamSql(user, Prisma.sql`c.id`));
  // Assessment filters would reveal assessment values: they exist only for the relationship team.
  if (canSeeInternalAssessment(user)) {
    if (filters.priority) conds.push(Prisma.sql`c.priority = ${filters.priority}::"ClientPriority"`);
    if (filters.relationship) conds.push(Prisma.sql`c.relationship_status = ${filters.relationship}::"RelationshipStatus"`);
  }
  return Prisma.join(conds, " AND ");
}

export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString("base64url");
}

/** Whether a cursor value can be cast to its column's type (a tampered cursor must not reach the SQL cast and fail). */
function castable(value: unknown, type: string): boolean {
  if (typeof value !== "string" || withoutUnstorable(value) !== value) return false;
  if (type === "uuid") return isUuid(value);
  if (type === "date") return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
  if (type === "timestamp(3)") return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value) && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString() === value;
  return true;
}

function decodeCursor(text: string | undefined, types: string[]): unknown[] | undefined {
  if (!text) return undefined;
  try {
    const values = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(values) && values.length === types.length && values.every((v, i) => castable(v, types[i]!))) return values;
  } catch {
    /* a mangled cursor starts from the first page */
  }
  return undefined;
}

function cursorValues(row: ClientRow, sort: SortKey): string[] {
  switch (sort) {
    case "name":
      return [row.name, row.id];
    case "code":
      return [row.client_code, row.id];
    case "status":
      return [row.status, row.name, row.id];
    case "lastContact":
      return [(row.last_contact_at ?? new Date("0001-01-01T00:00:00Z")).toISOString().slice(0, 10), row.id];
    case "created":
      return [row.created_at.toISOString(), row.id];
  }
}

const CAST: Record<SortKey, string[]> = {
  name: ["text", "uuid"],
  code: ["text", "uuid"],
  status: ['"ClientStatus"', "text", "uuid"],
  lastContact: ["date", "uuid"],
  created: ["timestamp(3)", "uuid"],
};

function selectList(user: CurrentUser) {
  const assessment = canSeeInternalAssessment(user)
    ? Prisma.sql`c.priority::text AS priority, c.relationship_status::text AS relationship_status`
    : Prisma.sql`NULL::text AS priority, NULL::text AS relationship_status`;
  return Prisma.sql`SELECT c.id, c.client_code, c.name, c.client_type::text AS client_type, c.status::text AS status,
      c.email, c.phone, c.is_confidential, c.last_contact_at, c.next_contact_at, c.created_at,
      cat.name AS category_name, cat.color AS category_color, m.name AS manager_name, ${assessment}
    FROM clients c
    LEFT JOIN client_categories cat ON cat.id = c.category_id
    LEFT JOIN users m ON m.id = c.account_manager_id`;
}

export interface ClientPage {
  rows: ClientRow[];
  next?: string;
  prev?: string;
  /** Relevance-ranked search pages by number instead of by cursor. */
  pageNumber?: number;
  hasMore: boolean;
  sort: SortKey | "relevance";
  dir: "asc" | "desc";
}

/** The search text of a list ranked by relevance (a text, and no other sort asked for), or undefined. */
function rankedTerm(filters: ClientFilters): string | undefined {
  const term = filters.q?.toLowerCase();
  return term && (!filters.sort || filters.sort === "relevance") ? term : undefined;
}

/** The matches of a ranked search with what the page and the counts read of them: id, name, status and rank. */
function rankedMatchesSql(user: CurrentUser, filters: ClientFilters, term: string): Prisma.Sql {
  return Prisma.sql`SELECT c.id, c.name, c.status, ${relevance(term)} AS rank FROM clients c WHERE ${clientConditions(user, filters)}`;
}

/**
 * A page's SQL and how to turn its rows into the page (split so the list route can send one combined query). A ranked
 * search's page ranks the matches, then joins the page's rows to their names; `found` names a CTE holding the matches
 * (rankedMatchesSql) when the query has one.
 */
function clientPageQuery(user: CurrentUser, filters: ClientFilters, found?: Prisma.Sql): { sql: Prisma.Sql; finish(fetched: ClientRow[]): ClientPage } {
  const perPage = filters.perPage ?? 25;
  const term = rankedTerm(filters);
  if (term) {
    const page = filters.page ?? 1;
    const matches = found ?? Prisma.sql`(${rankedMatchesSql(user, filters, term)})`;
    return {
      sql: Prisma.sql`${selectList(user)}
        JOIN (SELECT f.id, f.rank FROM ${matches} f ORDER BY f.rank DESC, f.name, f.id LIMIT ${perPage + 1} OFFSET ${(page - 1) * perPage}) f ON f.id = c.id
        ORDER BY f.rank DESC, c.name, c.id`,
      finish: (rows) => ({ rows: rows.slice(0, perPage), hasMore: rows.length > perPage, pageNumber: page, sort: "relevance", dir: "desc" }),
    };
  }
  const where = clientConditions(user, filters);
  const sort: SortKey = filters.sort && filters.sort !== "relevance" ? filters.sort : "name";
  const dir = filters.dir ?? (sort === "lastContact" || sort === "created" ? "desc" : "asc");
  const columns = SORT_COLUMNS[sort];
  const key = Prisma.raw(`(${columns.join(", ")})`);
  const after = decodeCursor(filters.after, CAST[sort]);
  const before = after ? undefined : decodeCursor(filters.before, CAST[sort]);
  const cursor = after ?? before;
  // Moving backwards reads the page in the opposite order and turns it round.
  const forward = !before;
  const ascending = (dir === "asc") === forward;
  let keyset = Prisma.sql`TRUE`;
  if (cursor) {
    const values = Prisma.join(cursor.map((v, i) => Prisma.sql`${v}::${Prisma.raw(CAST[sort][i]!)}`));
    keyset = ascending ? Prisma.sql`${key} > (${values})` : Prisma.sql`${key} < (${values})`;
  }
  const order = Prisma.raw(columns.map((c) => `${c} ${ascending ? "ASC" : "DESC"}`).join(", "));
  return {
    sql: Prisma.sql`${selectList(user)} WHERE ${where} AND ${keyset} ORDER BY ${order} LIMIT ${perPage + 1}`,
    finish(fetched) {
      const more = fetched.length > perPage;
      const rows = fetched.slice(0, perPage);
      if (!forward) rows.reverse();
      const first = rows[0];
      const last = rows.at(-1);
      return {
        rows,
        hasMore: more,
        next: last && (forward ? more : true) ? encodeCursor(cursorValues(last, sort)) : undefined,
        prev: first && (forward ? Boolean(after) : more) ? encodeCursor(cursorValues(first, sort)) : undefined,
        sort,
        dir,
      };
    },
  };
}

export async function clientPage(db: Db, user: CurrentUser, filters: ClientFilters): Promise<ClientPage> {
  const query = clientPageQuery(user, filters);
  return query.finish(await sqlRows<ClientRow>(db, query.sql));
}

const STATUSES = ["active", "inactive", "on_hold", "archived"] as const;

/** Filters other than status: with none, the counts come from the trigger-kept summary, exact and cheap. */
function narrowsBeyondStatus(user: CurrentUser, f: ClientFilters): boolean {
  return Boolean(f.q || f.type || f.category || f.manager || f.poc || f.attention || f.mine || (canSeeInternalAssessment(user) && (f.priority || f.relationship)));
}

export interface ClientCounts {
  total: number;
  byStatus: Record<(typeof STATUSES)[number], number>;
  /** Exact counts; otherwise lower bounds from the first COUNT_SAMPLE matching rows (shown with a "+"). */
  exact: boolean;
}

/**
 * The total and one count per status (ignoring the status filter), both within what the user may see. `found` names a
 * CTE holding a ranked search's matches (rankedMatchesSql) when the query has one and no status filter narrows them.
 */
export function clientCountsQuery(user: CurrentUser, filters: ClientFilters, found?: Prisma.Sql): { sql: Prisma.Sql; finish(rows: Record<string, unknown>[]): ClientCounts } {
  const n = (v: unknown) => Number(v ?? 0);
  if (!narrowsBeyondStatus(user, filters)) {
    // Unrestricted clients from the summary; restricted ones too for view-confidential holders, else only those
    // on the user's own teams. The rule is asked about restricted clients (restricted: TRUE), so what is left of it
    // is "in the reader's set", which PostgreSQL reads from that set (a handful) instead of testing every
    // restricted client.
    return {
      sql: Prisma.sql`
        WITH mine AS (
          SELECT c.status, count(*) AS n FROM clients c
          WHERE c.is_confidential AND ${clientRuleSql(user, { id: Prisma.sql`c.id`, restricted: true })}
          GROUP BY c.status)
        SELECT s.status::text AS status, sum(s.n) FILTER (WHERE NOT s.is_confidential) AS open,
               sum(s.n) FILTER (WHERE s.is_confidential) AS restricted, max(mine.n) AS mine
        FROM ${keptCountRowsSql("client_status_counts", ["status", "is_confidential"])} s LEFT JOIN mine ON mine.status = s.status
        GROUP BY s.status`,
      finish(rows) {
        const byStatus = { active: 0, inactive: 0, on_hold: 0, archived: 0 };
        for (const row of rows) {
          byStatus[row.status as keyof typeof byStatus] += n(row.open) + (seesEveryClient(user) ? n(row.restricted) : n(row.mine));
        }
        const total = filters.status ? byStatus[filters.status] : STATUSES.reduce((sum, st) => sum + byStatus[st], 0);
        return { total, byStatus, exact: true };
      },
    };
  }
  // Filtered: one pass over at most SAMPLE matching rows (a LIMIT stops the scan early; five separate capped counts
  // each built the whole index bitmap first). Past SAMPLE the counts are lower bounds, shown with a "+".
  const matches = found ?? Prisma.sql`(SELECT c.status FROM clients c WHERE ${clientConditions(user, filters, "status")})`;
  return {
    sql: Prisma.sql`SELECT s.status::text AS status, count(*) AS n FROM (SELECT f.status FROM ${matches} f LIMIT ${COUNT_SAMPLE}) s GROUP BY s.status`,
    finish(rows) {
      const byStatus = { active: 0, inactive: 0, on_hold: 0, archived: 0 };
      for (const row of rows) byStatus[row.status as keyof typeof byStatus] = n(row.n);
      const sampled = STATUSES.reduce((sum, st) => sum + byStatus[st], 0);
      const total = filters.status ? byStatus[filters.status] : sampled;
      return { total, byStatus, exact: sampled < COUNT_SAMPLE };
    },
  };
}

/** Dates inside JSON arrive as text: the list's date columns turned back into Dates (UTC, like everywhere). */
function reviveListRow(row: ClientRow): ClientRow {
  return { ...row, last_contact_at: jsonDate(row.last_contact_at), next_contact_at: jsonDate(row.next_contact_at), created_at: jsonDate(row.created_at)! };
}

/**
 * Everything the list page shows, in ONE round trip: the page of rows, the counts and the filter choices, each the
 * same SQL as clientPage, clientCounts and listPickers, gathered as JSON.
 */
export async function clientListView(db: Db, user: CurrentUser, filters: ClientFilters) {
  // A search ranked by relevance reads every match to rank them, and without a status filter its counts look at the
  // same matches: both read them from one pass (the CTE found).
  const term = rankedTerm(filters);
  const found = term && !filters.status ? Prisma.raw("found") : undefined;
  const page = clientPageQuery(user, filters, found);
  const counts = clientCountsQuery(user, filters, found);
  const row = await sqlRow<{ page: ClientRow[]; counts: Record<string, unknown>[]; categories: { id: string; name: string }[]; users: { id: string; name: string; email: string }[] }>(
    db,
    Prisma.sql`${found ? Prisma.sql`WITH found AS MATERIALIZED (${rankedMatchesSql(user, filters, term!)})` : Prisma.empty}
    SELECT
      (SELECT coalesce(json_agg(p), '[]') FROM (${page.sql}) p) AS page,
      (SELECT coalesce(json_agg(k), '[]') FROM (${counts.sql}) k) AS counts,
      ${PICKERS}`,
  );
  return {
    page: page.finish(row.page.map(reviveListRow)),
    counts: counts.finish(row.counts),
    categories: row.categories,
    users: row.users,
  };
}

/** Counts past this are shown as "1,000+": enough to say "a lot" without counting them all. */
export const ATTENTION_COUNT_CAP = 1000;

export interface AttentionCounts {
  urgent: number;
  warning: number;
  never: number;
  /** The same three among the clients the reader is on the team of (the list's mine=1). */
  mine: { urgent: number; warning: number; never: number };
  /** Each count stops at ATTENTION_COUNT_CAP + 1. */
  cap: number;
}

/**
 * How many visible clients each attention filter of the list finds (the same conditions), all and mine, capped, in
 * one round trip.
 */
export function attentionCountsRead(user: CurrentUser): JsonRead<AttentionCounts> {
  const capped = (attention: "urgent" | "warning" | "never") =>
    cappedCountSql(Prisma.sql`SELECT 1 FROM clients c WHERE ${clientConditions(user, { attention })}`, ATTENTION_COUNT_CAP);
  // Mine: the reader's clients (the list's mine=1) as kept per user with their last contact (myClientRowsSql), each
  // attention a capped range of its index by last contact: no visit to each client's row.
  const mine = (attention: "urgent" | "warning" | "never") =>
    cappedCountSql(
      Prisma.sql`SELECT 1 FROM (${myClientRowsSql(user)}) c
        WHERE ${attentionSql(attention)} AND ${clientRuleSql(user, { id: Prisma.sql`c.id`, restricted: Prisma.sql`c.is_confidential` })}`,
      ATTENTION_COUNT_CAP,
    );
  return jsonRead<{ urgent: number; warning: number; never: number; mu: number; mw: number; mn: number }, AttentionCounts>(
    Prisma.sql`SELECT ${capped("urgent")} AS urgent, ${capped("warning")} AS warning, ${capped("never")} AS never,
      ${mine("urgent")} AS mu, ${mine("warning")} AS mw, ${mine("never")} AS mn`,
    ([row]) => ({ urgent: row!.urgent, warning: row!.warning, never: row!.never, mine: { urgent: row!.mu, warning: row!.mw, never: row!.mn }, cap: ATTENTION_COUNT_CAP }),
  );
}

export function attentionCounts(db: Db, user: CurrentUser): Promise<AttentionCounts> {
  return sqlRead(db, attentionCountsRead(user));
}

/** Every visible client matching the filters, in name order, in batches (CSV export). */
export async function* allMatchingClients(db: Db, user: CurrentUser, filters: ClientFilters, batch = 1000) {
  let cursor: string | undefined;
  for (;;) {
    const page = await clientPage(db, user, { ...filters, q: filters.q, sort: "name", dir: "asc", after: cursor, before: undefined, perPage: batch });
    if (page.rows.length === 0) return;
    yield page.rows;
    if (!page.hasMore || !page.next) return;
    cursor = page.next;
  }
}

const PICKERS = Prisma.sql`
  (SELECT coalesce(json_agg(json_build_object('id', id, 'name', name) ORDER BY name), '[]') FROM client_categories) AS categories,
  (SELECT coalesce(json_agg(json_build_object('id', id, 'name', name, 'email', email) ORDER BY name), '[]') FROM users WHERE active) AS users`;

export interface ClientSuggestion {
  id: string;
  name: string;
  clientCode: string;
  status: string;
}

/** Picker suggestions: visible clients whose name, code, email, phone or tax id resembles the text. */
export async function suggestClients(db: Db, user: CurrentUser, text: string, limit = 10): Promise<ClientSuggestion[]> {
  const term = withoutUnstorable(text).trim().toLowerCase().slice(0, 100);
  if (!term) return [];
  const rows = await sqlRows<{ id: string; name: string; client_code: string; status: string }>(db, Prisma.sql`
    SELECT c.id, c.name, c.client_code, c.status::text AS status FROM clients c
    WHERE ${visibleClientsSql(user, "c")} AND ${matchesSearch(term)}
    ORDER BY (c.status = 'active') DESC, ${relevance(term)} DESC, c.name
    LIMIT ${limit}`);
  return rows.map((r) => ({ id: r.id, name: r.name, clientCode: r.client_code, status: r.status }));
}

/** Possible duplicates of a client being saved: similar names (trigram) and the same email domain. */
export async function duplicateCandidates(db: Db, user: CurrentUser, input: { name: string; email: string | null }, excludeId?: string) {
  const name = input.name.trim().toLowerCase();
  const domain = input.email?.split("@")[1]?.toLowerCase();
  const sharedDomain = domain && !PUBLIC_MAIL_DOMAINS.has(domain) ? domain : null;
  const exclude = excludeId ?? "00000000-0000-0000-0000-000000000000";
  return sqlRows<{ id: string; name: string; client_code: string; email: string | null; reason: string }>(db, Prisma.sql`
    SELECT c.id, c.name, c.client_code, c.email,
      CASE WHEN lower(c.name) % ${name} THEN 'similar name' ELSE 'same email domain' END AS reason
    FROM clients c
    WHERE ${visibleClientsSql(user, "c")} AND c.id <> ${exclude}::uuid
      AND (lower(c.name) % ${name} OR (${sharedDomain}::text IS NOT NULL AND lower(split_part(c.email, '@', 2)) = ${sharedDomain}::text AND c.email IS NOT NULL))
    ORDER BY similarity(lower(c.name), ${name}) DESC, c.name
    LIMIT 10`);
}

/** Mail providers shared by unrelated people: the same domain there says nothing about duplicates. */
const PUBLIC_MAIL_DOMAINS = new Set([
  "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com", "icloud.com",
  "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de", "web.de", "mail.com", "yandex.com",
]);

/** Every scalar column of a client, as the ORM names them. */
const CLIENT_COLUMNS = [
  "id", "clientCode", "name", "clientType", "categoryId", "status", "email", "phone", "website", "addressLine1", "addressLine2",
  "city", "state", "postalCode", "country", "logoFile", "logoContentType", "dateOfBirth", "ssnLast4", "taxId", "industry",
  "intakeDate", "clientSince", "referralSource", "notes", "isConfidential", "dataClassification", "accountManagerId",
  "primaryPocId", "secondaryPocId", "lastContactAt", "lastContactType", "lastContactById", "lastContactSummary", "nextContactAt",
  "nextContactType", "nextContactAssigneeId", "relationshipStrength", "relationshipNotes", "priority", "relationshipStatus",
  "deactivatedAt", "deactivationReason", "deactivatedById", "createdById", "updatedById", "createdAt", "updatedAt",
  "originProspectId", "originProposalId",
] as const;
/** Every scalar column of a client as `c.column AS "ormName"` (enums as text), for reads of whole clients. */
export const CLIENT_SELECT = Prisma.raw(
  CLIENT_COLUMNS.map((field) => `c.${field.replace(/[A-Z]/g, (l) => `_${l.toLowerCase()}`)}${/Type$|^status$|^dataClassification$|^relationshipStrength$|^priority$|^relationshipStatus$/.test(field) ? "::text" : ""} AS "${field}"`).join(", "),
);

function person(column: string, withEmail = true) {
  return Prisma.raw(`(SELECT json_build_object('id', u.id, 'name', u.name${withEmail ? ", 'email', u.email" : ""}) FROM users u WHERE u.id = c.${column})`);
}

/**
 * A visible client with everything its hub shows, in ONE query (relations as JSON), or undefined when the user may
 * not see it or it does not exist. Same shape as the ORM's include in service.ts (clientDetailInclude).
 */
export async function clientDetailRow(db: Db, user: CurrentUser, id: string): Promise<(ClientDetail & { privilegedVisible: boolean }) | undefined> {
  const [row] = await sqlRows<Record<string, unknown>>(db, Prisma.sql`
    SELECT ${CLIENT_SELECT},
      (SELECT json_build_object('id', k.id, 'name', k.name, 'description', k.description, 'color', k.color, 'createdAt', k.created_at, 'updatedAt', k.updated_at)
         FROM client_categories k WHERE k.id = c.category_id) AS category,
      ${person("account_manager_id")} AS "accountManager", ${person("primary_poc_id")} AS "primaryPoc", ${person("secondary_poc_id")} AS "secondaryPoc",
      ${person("last_contact_by_id", false)} AS "lastContactBy", ${person("next_contact_assignee_id", false)} AS "nextContactAssignee",
      ${person("deactivated_by_id", false)} AS "deactivatedBy", ${person("created_by_id", false)} AS "createdBy", ${person("updated_by_id", false)} AS "updatedBy",
      (SELECT coalesce(json_agg(json_build_object('clientId', m.client_id, 'userId', m.user_id, 'addedAt', m.added_at,
              'user', json_build_object('id', u.id, 'name', u.name, 'email', u.email, 'active', u.active)) ORDER BY m.added_at, m.user_id), '[]')
         FROM client_team_members m JOIN users u ON u.id = m.user_id WHERE m.client_id = c.id) AS team,
      (SELECT coalesce(json_agg(json_build_object('id', p.id, 'clientId', p.client_id, 'name', p.name, 'title', p.title, 'email', p.email,
              'phone', p.phone, 'mobile', p.mobile, 'notes', p.notes, 'isPrimary', p.is_primary, 'active', p.active,
              'createdAt', p.created_at, 'updatedAt', p.updated_at) ORDER BY p.is_primary DESC, p.active DESC, p.name), '[]')
         FROM contacts p WHERE p.client_id = c.id) AS contacts
      , ${privilegedVisibleSql(user, Prisma.sql`c.id`)} AS "privilegedVisible"
    FROM clients c
    WHERE c.id = ${id}::uuid AND ${visibleClientsSql(user, "c")}`);
  if (!row) return undefined;
  if (row.category) {
    const category = row.category as { createdAt: string; updatedAt: string };
    row.category = { ...category, createdAt: jsonDate(category.createdAt), updatedAt: jsonDate(category.updatedAt) };
  }
  row.team = (row.team as { addedAt: string }[]).map((m) => ({ ...m, addedAt: jsonDate(m.addedAt) }));
  row.contacts = (row.contacts as { createdAt: string; updatedAt: string }[]).map((p) => ({ ...p, createdAt: jsonDate(p.createdAt), updatedAt: jsonDate(p.updatedAt) }));
  return row as unknown as ClientDetail & { privilegedVisible: boolean };
}

export interface PocClient {
  id: string;
  name: string;
  clientCode: string;
  status: string;
  lastContactAt: Date | null;
}

export interface PointOfContact {
  id: string;
  name: string;
  email: string;
  active: boolean;
  primaryPocClients: PocClient[];
  secondaryPocClients: PocClient[];
  _count: { primaryPocClients: number; secondaryPocClients: number };
}

/**
 * Visible clients that are not inactive, grouped by point of contact (primary or secondary): each person with their
 * first `perPerson` clients by name and the counts, and how many such clients have no point of contact.
 */
export async function clientsByPointOfContact(db: Db, user: CurrentUser, perPerson = 10): Promise<{ people: PointOfContact[]; unassigned: number }> {
  const row = await sqlRow<{ people: PointOfContact[]; unassigned: bigint }>(db, Prisma.sql`
    WITH shown AS (
      SELECT c.id, c.name, c.client_code AS "clientCode", c.status::text AS status, c.last_contact_at AS "lastContactAt", c.primary_poc_id, c.secondary_poc_id
      FROM clients c WHERE c.status <> 'inactive' AND ${visibleClientsSql(user, "c")}),
    ranked AS (
      SELECT s.*, 'primary' AS role, s.primary_poc_id AS poc, row_number() OVER (PARTITION BY s.primary_poc_id ORDER BY s.name, s.id) AS n FROM shown s WHERE s.primary_poc_id IS NOT NULL
      UNION ALL
      SELECT s.*, 'secondary', s.secondary_poc_id, row_number() OVER (PARTITION BY s.secondary_poc_id ORDER BY s.name, s.id) FROM shown s WHERE s.secondary_poc_id IS NOT NULL)
    SELECT
      (SELECT coalesce(json_agg(p ORDER BY p.name, p.id), '[]') FROM (
        SELECT u.id, u.name, u.email, u.active,
          coalesce(json_agg(json_build_object('id', r.id, 'name', r.name, 'clientCode', r."clientCode", 'status', r.status, 'lastContactAt', r."lastContactAt") ORDER BY r.name, r.id)
            FILTER (WHERE r.role = 'primary' AND r.n <= ${sqlInteger(perPerson)}), '[]') AS "primaryPocClients",
          coalesce(json_agg(json_build_object('id', r.id, 'name', r.name, 'clientCode', r."clientCode", 'status', r.status, 'lastContactAt', r."lastContactAt") ORDER BY r.name, r.id)
            FILTER (WHERE r.role = 'secondary' AND r.n <= ${sqlInteger(perPerson)}), '[]') AS "secondaryPocClients",
          json_build_object('primaryPocClients', count(*) FILTER (WHERE r.role = 'primary'), 'secondaryPocClients', count(*) FILTER (WHERE r.role = 'secondary')) AS "_count"
        FROM ranked r JOIN users u ON u.id = r.poc
        GROUP BY u.id) p) AS people,
      (SELECT count(*) FROM shown s WHERE s.primary_poc_id IS NULL AND s.secondary_poc_id IS NULL) AS unassigned`);
  const people = row.people.map((p) => ({
    ...p,
    primaryPocClients: p.primaryPocClients.map((c) => ({ ...c, lastContactAt: jsonDate(c.lastContactAt) })),
    secondaryPocClients: p.secondaryPocClients.map((c) => ({ ...c, lastContactAt: jsonDate(c.lastContactAt) })),
  }));
  return { people, unassigned: Number(row.unassigned) };
}
