// The hand-written SQL behind the case list and the board: one round trip per page, visibility always from
// access/cases.ts (the clients table joined as "c"), counts capped so a firm with 200,000 cases stays fast.
import { Prisma } from "../generated/prisma/client.ts";
import type { CaseStatus } from "../generated/prisma/enums.ts";
import type { Db } from "../db/client.ts";
import { escapeLike, jsonDate, sqlInteger, sqlRow, sqlRows } from "../db/sql.ts";
import type { CurrentUser } from "../access/roles.ts";
import { caseVisibilityCtes, deletedCasesSql, ownVisibleCasesSql, seesOnlyOwnCases, visibleCasesSql, type CaseVisibilitySets } from "../access/cases.ts";
import { visibleClientsSql } from "../access/clients.ts";
import { can } from "../access/permissions.ts";
import { CASE_STATUSES, type CaseFilters } from "./schemas.ts";
import { allowedNextStatuses } from "./status.ts";

/** Rows counted per status at most: past it a count is a lower bound, shown with a "+". */
export const STATUS_COUNT_CAP = 1000;
/** Cards per board column: the most recently updated. */
export const BOARD_CARDS = 25;

export type CaseSortKey = NonNullable<CaseFilters["sort"]>;

/** Each sort: its columns, in the sort's ascending sense; the direction flips them all, the case id breaks ties. */
const SORTS: Record<CaseSortKey, { columns: [string, "ASC" | "DESC"][]; defaultDir: "asc" | "desc"; nullsLast?: boolean }> = {
  number: { columns: [["k.case_number", "ASC"]], defaultDir: "desc" },
  title: { columns: [["lower(k.title)", "ASC"]], defaultDir: "asc" },
  client: { columns: [["c.name", "ASC"], ["k.updated_at", "DESC"]], defaultDir: "asc" },
  // The status enum is declared in the workflow's order (new … reopened); within a status, the latest first.
  status: { columns: [["k.status", "ASC"], ["k.updated_at", "DESC"]], defaultDir: "asc" },
  priority: { columns: [["k.priority", "ASC"], ["k.updated_at", "DESC"]], defaultDir: "desc" },
  review: { columns: [["k.next_review_date", "ASC"]], defaultDir: "asc", nullsLast: true },
  updated: { columns: [["k.updated_at", "ASC"]], defaultDir: "desc" },
  created: { columns: [["k.created_at", "ASC"]], defaultDir: "desc" },
};

function orderBy(sort: CaseSortKey, dir: "asc" | "desc", alias = "k"): Prisma.Sql {
  const spec = SORTS[sort];
  const flip = (d: "ASC" | "DESC") => (dir === "asc" ? d : d === "ASC" ? "DESC" : "ASC");
  // Own-cases rows (alias "o") hold the number and title already lowercased; a case number sorts the same either way.
  const col = (column: string) =>
    alias === "k" ? column : column.replace("lower(k.title)", `${alias}.title_lower`).replace("k.case_number", `${alias}.number_lower`).replace(/\bk\./g, `${alias}.`);
  const parts = spec.columns.map(([column, d]) => `${col(column)} ${flip(d)}${spec.nullsLast ? " NULLS LAST" : ""}`);
  parts.push(`${col("k.id")} ${flip("ASC")}`);
  return Prisma.raw(parts.join(", "));
}

/**
 * Rows that name a case (`key`: "p.id" for a page's ids, "s.case_id" for stages) joined to their cases one by one, as
 * "k". As a plain join the planner, which sees a parameter for a LIMIT (the prepared statements' plans are generic) or
 * guesses a CTE's size, may expect thousands of rows and read the whole cases table to hash-join them; OFFSET 0 keeps
 * the look-up per row.
 */
export function caseByKey(key: string): Prisma.Sql {
  return Prisma.sql`CROSS JOIN LATERAL (SELECT * FROM cases kk WHERE kk.id = ${Prisma.raw(key)} OFFSET 0) k`;
}
const BY_ID = caseByKey("p.id");
/** The board's LIMIT written into the SQL, so the planner knows a column is 25 cards. */
const CARDS_LIMIT = sqlInteger(BOARD_CARDS);

export function sortOf(filters: CaseFilters): { sort: CaseSortKey; dir: "asc" | "desc" } {
  const sort = filters.sort ?? "updated";
  return { sort, dir: filters.dir ?? SORTS[sort].defaultDir };
}

/**
 * Whether the search text can be part of a case number: they are CASE-YYYY-NNNNNN (CHECK cases_number_format), so
 * text with any other character ("harbor") is not looked for in them.
 */
const mayBeInCaseNumber = (q: string) => /^[case0-9-]+$/i.test(q);

/** The search text as a LIKE pattern for lowercased columns: anywhere, wildcards escaped. */
const containsPattern = (q: string) => `%${escapeLike(q.toLowerCase())}%`;

/**
 * The cases whose number, title or client's name holds the text: a union of three searches so each uses its own
 * trigram index (an OR across the two tables would read every case), each without the cases an earlier one found, run
 * ONCE per page as the CTE "hits". Each hit carries the case's columns that the rule and the filters read (the searches
 * fetch the case rows anyway), so "found" tests them without looking the case up again; the walk reads the hits' ids
 * as a hashed set.
 */
const HIT_COLUMNS = Prisma.raw(`s.id, s.case_number, s.title, s.status, s.client_id, s.client_confidential, s.manager_id, s.updated_at,
    s.created_at, s.priority, s.type_id, s.next_review_date, s.deleted_at, s.legal_review_required, s.compliance_review_required`);
function searchCte(filters: CaseFilters): Prisma.Sql | null {
  if (!filters.q) return null;
  const pattern = containsPattern(filters.q);
  // Each search leaves out what an earlier one found, so the union needs no de-duplication of its (wide) rows.
  const inNumber = mayBeInCaseNumber(filters.q);
  const byNumber = inNumber
    ? Prisma.sql`UNION ALL SELECT ${HIT_COLUMNS} FROM cases s WHERE lower(s.case_number) LIKE ${pattern} AND NOT lower(s.title) LIKE ${pattern}`
    : Prisma.empty;
  const notByNumber = inNumber ? Prisma.sql`AND NOT lower(s.case_number) LIKE ${pattern}` : Prisma.empty;
  return Prisma.sql`hits AS MATERIALIZED (
    SELECT ${HIT_COLUMNS} FROM cases s WHERE lower(s.title) LIKE ${pattern}
    ${byNumber}
    UNION ALL SELECT ${HIT_COLUMNS} FROM cases s WHERE s.client_id IN (SELECT sc.id FROM clients sc WHERE lower(sc.name) LIKE ${pattern})
      AND NOT lower(s.title) LIKE ${pattern} ${notByNumber})`;
}

/**
 * Searches are read from what they found (the CTE "found") when it is small, else by walking in the page's order:
 * - through the rule, when the CTE "hits" holds at most `hitsReadDirectly` cases (foundCte); past it, the cases are
 *   walked in the page's order, each tested against the hits (a hashed set), until the page is full, and each status
 *   is counted up to the cap;
 * - of a reader's own rows, when "found" (their rows that match) holds at most `ownFoundReadDirectly`; past it, their
 *   rows are walked in the page's order (or per status, for the board) until the page is full. Their counts are
 *   always read from "found", which tested each of their rows once.
 * (A setting so tests can read a search both ways.)
 */
export const searchTuning = { hitsReadDirectly: 5000, ownFoundReadDirectly: 1000 };

/** `few` when the CTE holds at most `limit` rows, else `many`: only one of them runs (a one-time filter on each). */
function byRowCount(cte: "hits" | "found", limit: number, few: Prisma.Sql, many: Prisma.Sql): Prisma.Sql {
  const n = Math.trunc(limit);
  const isFew = Prisma.raw(`((SELECT count(*) FROM (SELECT 1 FROM ${cte} LIMIT ${n + 1}) fh) <= ${n})`);
  return Prisma.sql`SELECT * FROM (${few}) few WHERE ${isFew} UNION ALL SELECT * FROM (${many}) many WHERE NOT ${isFew}`;
}

/** A search's matching rows ("found") and how a read chooses between them and its walk. */
interface Found {
  rows: Prisma.Sql;
  /** `few` (reading `rows`) when the search found few, else `many` (the walk). */
  pick(few: Prisma.Sql, many: Prisma.Sql): Prisma.Sql;
}

/**
 * The CTE "found": a search's hits that the reader may see and that match the other filters but status (tested on the
 * hits' own columns), with the columns of an own-cases row source (ownVisibleCasesSql), so that the page, the
 * counts and the board read them as they read a reader's own rows. Only read when the hits are few (Found.pick).
 */
function foundCte(user: CurrentUser, filters: CaseFilters, sets: CaseVisibilitySets): Prisma.Sql {
  return Prisma.sql`found AS MATERIALIZED (
    SELECT k.id, lower(k.case_number) AS number_lower, lower(k.title) AS title_lower, k.status, k.client_id, k.manager_id, k.updated_at,
      k.priority, k.type_id, k.next_review_date, k.created_at
    FROM hits k WHERE ${caseConditions(user, { ...filters, q: undefined }, sets)})`;
}
const FOUND = Prisma.sql`(SELECT * FROM found)`;

/** With a search of a reader's own cases: the clients whose name holds the text, found once per page. */
function namedClientsCte(filters: CaseFilters): Prisma.Sql | null {
  if (!filters.q) return null;
  const pattern = containsPattern(filters.q);
  return Prisma.sql`named AS MATERIALIZED (SELECT sc.id FROM clients sc WHERE lower(sc.name) LIKE ${pattern})`;
}

/**
 * For a reader who sees only their own cases (ownVisibleCasesSql), those matching the filters other than status, as
 * the row source "o" (ownVisibleCasesSql's columns) that the counts, the board and the list read; null for other readers. Not a
 * CTE: each read goes to the case_access index that suits it (all of the reader's rows for the counts, newest first
 * for a page, per status for the board's columns) and stops as soon as it can.
 */
function ownSource(user: CurrentUser, filters: CaseFilters, restrictedClients: Prisma.Sql | null): Prisma.Sql | null {
  const own = ownVisibleCasesSql(user, restrictedClients);
  if (!own) return null;
  const conds = filterConditions(filters, "f", "columns");
  return Prisma.sql`(SELECT f.* FROM ${own} f WHERE ${conds.length ? Prisma.join(conds, " AND ") : Prisma.sql`TRUE`})`;
}

/**
 * Where a page reads its cases: the reader's own rows (ownSource, whose search needs the CTE "named") or every case
 * through the rule (whose search needs the CTE "hits", and whose visibility sets are CTEs too, as `sets` for
 * caseConditions), with the CTEs that reading needs. With a search, `found` holds what it found and chooses between
 * reading that and walking (Found.pick).
 */
function sourcesOf(
  user: CurrentUser,
  filters: CaseFilters,
): { own: Prisma.Sql | null; ctes: Prisma.Sql[]; sets?: CaseVisibilitySets; found: Found | null } {
  const ownOnly = seesOnlyOwnCases(user);
  // The rule's sets, each read once per query: for own rows only the restricted clients the reader is on.
  const visibility = caseVisibilityCtes(user, ownOnly ? "restrictedClients" : undefined);
  const own = ownOnly ? ownSource(user, filters, visibility.sets.restrictedClients) : null;
  const search = own ? namedClientsCte(filters) : searchCte(filters);
  // A search's "found": through the rule, the visible hits (foundCte); of own rows, the rows that match, each tested
  // once (the page's walk and the counts' pass would otherwise each test the text on every row).
  const foundSql = !filters.q ? null : own ? Prisma.sql`found AS MATERIALIZED ${own}` : foundCte(user, filters, visibility.sets);
  const ctes = [...(search ? [search] : []), ...visibility.ctes, ...(foundSql ? [foundSql] : [])];
  const found: Found | null = !foundSql
    ? null
    : own
      ? { rows: FOUND, pick: (few, many) => byRowCount("found", searchTuning.ownFoundReadDirectly, few, many) }
      : { rows: FOUND, pick: (few, many) => byRowCount("hits", searchTuning.hitsReadDirectly, few, many) };
  return { own, ctes, sets: own ? undefined : visibility.sets, found };
}

/** A WITH clause of these CTEs (nothing when there are none). */
function withClauseOf(ctes: Prisma.Sql[]): Prisma.Sql {
  return ctes.length ? Prisma.sql`WITH ${Prisma.join(ctes, ", ")} ` : Prisma.empty;
}

/** Statuses whose cases are never overdue for review. */
const SETTLED: readonly CaseStatus[] = ["resolved", "closed"];

/** Open cases whose next review date has passed (`alias` is the cases table or a row source with its columns). */
function overdueSql(alias = "k"): Prisma.Sql {
  return Prisma.raw(`("${alias}".next_review_date < current_date AND "${alias}".status NOT IN (${SETTLED.map((st) => `'${st}'`).join(", ")}))`);
}

/**
 * The filters other than status, on the columns a case row source shares with the cases table (see ownVisibleCasesSql).
 * A search reads the CTE "hits" (searchCte), or with `search = "columns"` tests the row's own number and title and
 * reads the CTE "named" (namedClientsCte).
 */
function filterConditions(filters: CaseFilters, alias: string, search: "hits" | "columns" = "hits"): Prisma.Sql[] {
  const a = Prisma.raw(`"${alias}"`);
  const conds: Prisma.Sql[] = [];
  if (filters.q && search === "hits") conds.push(Prisma.sql`${a}.id IN (SELECT hits.id FROM hits)`);
  if (filters.q && search === "columns") {
    // A reader's own cases are few: their numbers and titles are tested one by one, clients through their index.
    const pattern = containsPattern(filters.q);
    const byNumber = mayBeInCaseNumber(filters.q) ? Prisma.sql`OR ${a}.number_lower LIKE ${pattern}` : Prisma.empty;
    conds.push(Prisma.sql`(${a}.title_lower LIKE ${pattern} ${byNumber} OR ${a}.client_id IN (SELECT named.id FROM named))`);
  }
  if (filters.priority) conds.push(Prisma.sql`${a}.priority = ${filters.priority}::"CasePriority"`);
  if (filters.type) conds.push(Prisma.sql`${a}.type_id = ${filters.type}::uuid`);
  if (filters.manager) conds.push(Prisma.sql`${a}.manager_id = ${filters.manager}::uuid`);
  if (filters.client) conds.push(Prisma.sql`${a}.client_id = ${filters.client}::uuid`);
  if (filters.overdue) conds.push(overdueSql(alias));
  return conds;
}

/**
 * The WHERE conditions of a filtered list or board, visibility first; the status filter is left to the caller. With
 * a search, the query must define the CTE "hits" (searchCte); with `sets`, the CTEs they name (sourcesOf).
 */
export function caseConditions(user: CurrentUser, filters: CaseFilters, sets?: CaseVisibilitySets): Prisma.Sql {
  return Prisma.join([visibleCasesSql(user, "k", sets), ...filterConditions(filters, "k")], " AND ");
}

export function isFiltered(filters: CaseFilters): boolean {
  return Boolean(filters.q || filters.status || filters.priority || filters.type || filters.manager || filters.client || filters.overdue);
}

export interface CaseRow {
  id: string;
  case_number: string;
  title: string;
  status: CaseStatus;
  priority: string;
  next_review_date: Date | null;
  overdue: boolean;
  updated_at: Date;
  created_at: Date;
  client_id: string;
  client_name: string;
  type_name: string;
  manager_name: string;
}

export interface CaseCounts {
  byStatus: Record<CaseStatus, number>;
  /** Statuses whose count reached STATUS_COUNT_CAP (a lower bound). */
  capped: Set<CaseStatus>;
  total: number;
  exact: boolean;
}

/**
 * Per status, the visible cases matching the other filters. A reader who sees only their own cases has them counted
 * in one pass over their rows (exact). For anyone else each status is counted on its own, stopping at
 * STATUS_COUNT_CAP + 1 rows, with the status written into the SQL as a constant (from the fixed enum list): the
 * planner then reads each status from its index and stops early, as broad readers reach the cap quickly.
 */
function countsSql(user: CurrentUser, filters: CaseFilters, sources: { own: Prisma.Sql | null; sets?: CaseVisibilitySets; found: Found | null }): Prisma.Sql {
  const grouped = (source: Prisma.Sql) => Prisma.sql`SELECT o.status::text AS status, count(*) AS n FROM ${source} o GROUP BY o.status`;
  const { own, sets, found } = sources;
  if (own) return grouped(found ? found.rows : own);
  // Overdue cases are open by definition: the settled statuses count none, without reading them.
  const counted = filters.overdue ? CASE_STATUSES.filter((status) => !SETTLED.includes(status)) : CASE_STATUSES;
  // One subquery run once per status (the rule's hashed sets are built once for all of them), each stopping at the cap.
  const walk = Prisma.sql`SELECT st.status::text AS status,
      (SELECT count(*) FROM (SELECT 1 FROM cases k WHERE k.status = st.status AND ${caseConditions(user, filters, sets)}
         LIMIT ${sqlInteger(STATUS_COUNT_CAP + 1)}) x) AS n
    FROM unnest(ARRAY[${Prisma.raw(counted.map((status) => `'${status}'`).join(", "))}]::"CaseStatus"[]) st(status)`;
  // A search that finds few cases counts them from "found" (walking the statuses would read them all to find so few).
  return found ? found.pick(grouped(found.rows), walk) : walk;
}

function countsOf(rows: { status: string; n: unknown }[], status: CaseStatus | undefined): CaseCounts {
  const byStatus = Object.fromEntries(CASE_STATUSES.map((s) => [s, 0])) as Record<CaseStatus, number>;
  const capped = new Set<CaseStatus>();
  for (const row of rows) {
    const s = row.status as CaseStatus;
    const n = Number(row.n);
    byStatus[s] = Math.min(n, STATUS_COUNT_CAP);
    if (n > STATUS_COUNT_CAP) capped.add(s);
  }
  const counted = status ? [status] : [...CASE_STATUSES];
  return {
    byStatus,
    capped,
    total: counted.reduce((sum, s) => sum + byStatus[s], 0),
    exact: counted.every((s) => !capped.has(s)),
  };
}

/** Dates inside JSON arrive as text: the row's date columns turned back into Dates. */
function reviveRow(row: CaseRow): CaseRow {
  return { ...row, next_review_date: jsonDate(row.next_review_date), updated_at: jsonDate(row.updated_at)!, created_at: jsonDate(row.created_at)! };
}

const PICKERS = Prisma.sql`
  (SELECT coalesce(json_agg(json_build_object('id', t.id, 'name', t.name, 'active', t.active) ORDER BY t.name), '[]') FROM case_types t) AS types,
  (SELECT coalesce(json_agg(json_build_object('id', u.id, 'name', u.name) ORDER BY u.name), '[]') FROM users u WHERE u.active) AS users`;

/** The chosen client filter's name, when the user may see that client (a hidden client's name never shows). */
function clientChipSql(user: CurrentUser, clientId: string | undefined): Prisma.Sql {
  if (!clientId) return Prisma.sql`NULL::text AS client_name`;
  return Prisma.sql`(SELECT c.name FROM clients c WHERE c.id = ${clientId}::uuid AND ${visibleClientsSql(user, "c")}) AS client_name`;
}

export interface Picker {
  id: string;
  name: string;
  active?: boolean;
}

export interface CaseListView {
  rows: CaseRow[];
  page: number;
  perPage: number;
  hasMore: boolean;
  sort: CaseSortKey;
  dir: "asc" | "desc";
  counts: CaseCounts;
  types: Picker[];
  users: Picker[];
  /** The client filter's name; null when the client is unknown or hidden. */
  clientName: string | null;
}

/** Everything the list page shows in ONE round trip: a page of rows, the capped counts, the filter choices. */
export async function caseListView(db: Db, user: CurrentUser, filters: CaseFilters): Promise<CaseListView> {
  const { sort, dir } = sortOf(filters);
  const page = filters.page ?? 1;
  const perPage = filters.perPage ?? 25;
  const statusCond = (alias: string) =>
    filters.status ? Prisma.sql`${Prisma.raw(`"${alias}"`)}.status = ${filters.status}::"CaseStatus"` : Prisma.sql`TRUE`;
  const columns = Prisma.sql`k.id, k.case_number, k.title, k.status::text AS status, k.priority::text AS priority,
      k.next_review_date, ${overdueSql()} AS overdue, k.updated_at, k.created_at,
      c.id AS client_id, c.name AS client_name, t.name AS type_name, m.name AS manager_name`;
  const joins = Prisma.sql`JOIN clients c ON c.id = k.client_id JOIN case_types t ON t.id = k.type_id JOIN users m ON m.id = k.manager_id`;
  const { own, ctes, sets, found } = sourcesOf(user, filters);
  // Sorted by client name, a reader of more than their own cases needs the planner to know that a page is small (it
  // then walks the clients by name and stops; with the page size as a parameter it sorts all their cases): the page's
  // bounds are written into the text (integers from the validated filters) and the query is planned on each call.
  const pageBoundsInText = !own && sort === "client";
  const limit = pageBoundsInText
    ? Prisma.sql`LIMIT ${sqlInteger(perPage + 1)} OFFSET ${sqlInteger((page - 1) * perPage)}`
    : Prisma.sql`LIMIT ${perPage + 1} OFFSET ${(page - 1) * perPage}`;
  // A page from rows with own-rows columns (the reader's own, or a search's few "found"): the page's ids from them
  // (they have every sorted column but the client's name), then those cases in full.
  const fromRows = (source: Prisma.Sql) => {
    const clientJoin = sort === "client" ? Prisma.sql`JOIN clients c ON c.id = o.client_id` : Prisma.empty;
    const pageIds = Prisma.sql`SELECT o.id FROM ${source} o ${clientJoin} WHERE ${statusCond("o")} ORDER BY ${orderBy(sort, dir, "o")} ${limit}`;
    return Prisma.sql`SELECT ${columns} FROM (${pageIds}) p ${BY_ID} ${joins} ORDER BY ${orderBy(sort, dir)}`;
  };
  const walk = own
    ? fromRows(own)
    : Prisma.sql`SELECT ${columns} FROM cases k ${joins}
      WHERE ${caseConditions(user, filters, sets)} AND ${statusCond("k")}
      ORDER BY ${orderBy(sort, dir)} ${limit}`;
  const rowsSql = found ? found.pick(fromRows(found.rows), walk) : walk;
  const row = await sqlRow<{ rows: CaseRow[]; counts: { status: string; n: unknown }[]; types: Picker[]; users: Picker[]; client_name: string | null }>(
    db,
    Prisma.sql`${withClauseOf(ctes)}SELECT
      (SELECT coalesce(json_agg(r), '[]') FROM (${rowsSql}) r) AS rows,
      (SELECT coalesce(json_agg(sc), '[]') FROM (${countsSql(user, filters, { own, sets, found })}) sc) AS counts,
      ${PICKERS}, ${clientChipSql(user, filters.client)}`,
    pageBoundsInText ? { planned: "each time" } : {},
  );
  return {
    rows: row.rows.slice(0, perPage).map(reviveRow),
    page,
    perPage,
    hasMore: row.rows.length > perPage,
    sort,
    dir,
    counts: countsOf(row.counts, filters.status),
    types: row.types,
    users: row.users,
    clientName: row.client_name,
  };
}

export interface BoardCard {
  id: string;
  case_number: string;
  title: string;
  priority: string;
  client_id: string;
  client_name: string;
  manager_name: string;
  /** Where this card may move, or nothing when the user may not change its status. */
  allowed: readonly CaseStatus[];
}

export interface BoardColumn {
  status: CaseStatus;
  count: number;
  capped: boolean;
  cards: BoardCard[];
}

interface RawCard extends Omit<BoardCard, "allowed"> {
  manager_id: string;
  /** Whether the reader is on the case's team: all that the status rule asks of the team for this reader. */
  reader_on_team: boolean;
}

/**
 * The board: per status (in the workflow's order) its capped count and its most recently updated cards. The counts and
 * the cards' ids are CTEs ("board_counts", "board_cards": a column's newest ids per counted status), and the cards are
 * then joined to their cases, clients and managers in ONE join: joined per column, the planner hash-joined the users
 * table once per card.
 */
export async function caseBoardView(db: Db, user: CurrentUser, filters: CaseFilters) {
  const { own, ctes, sets, found } = sourcesOf(user, filters);
  // A reader of their own cases is on the team of every case they do not manage (case_access holds no others); for
  // anyone else, the rule's set of the cases they are on the team of (a CTE the query reads once, hashed).
  const readerOnTeam = own
    ? Prisma.sql`k.manager_id <> ${user.id}::uuid`
    : Prisma.sql`k.id IN (${sets!.team})`;
  // A column's cards: the newest of the status, from the reader's own rows or by walking the status index.
  const newestOf = (source: Prisma.Sql) =>
    Prisma.sql`SELECT o.id FROM ${source} o WHERE o.status = s.status::"CaseStatus" ORDER BY o.updated_at DESC, o.id DESC LIMIT ${CARDS_LIMIT}`;
  const walk = own
    ? newestOf(own)
    : Prisma.sql`SELECT k.id FROM cases k WHERE k.status = s.status::"CaseStatus" AND ${caseConditions(user, filters, sets)}
        ORDER BY k.updated_at DESC, k.id DESC LIMIT ${CARDS_LIMIT}`;
  const cardIds = found ? found.pick(newestOf(found.rows), walk) : walk;
  const boardCtes = [
    ...ctes,
    Prisma.sql`board_counts AS MATERIALIZED (${countsSql(user, filters, { own, sets, found })})`,
    Prisma.sql`board_cards AS MATERIALIZED (SELECT s.status, p.id FROM board_counts s CROSS JOIN LATERAL (${cardIds}) p)`,
  ];
  const row = await sqlRow<{ columns: { status: string; n: unknown; cards: RawCard[] | null }[]; types: Picker[]; users: Picker[]; client_name: string | null }>(
    db,
    Prisma.sql`${withClauseOf(boardCtes)}SELECT
      (SELECT coalesce(json_agg(json_build_object('status', s.status, 'n', s.n, 'cards', col.cards)), '[]')
         FROM board_counts s LEFT JOIN (
           SELECT b.status, json_agg(b ORDER BY b.updated_at DESC, b.id DESC) AS cards FROM (
             SELECT p.status, k.id, k.case_number, k.title, k.priority::text AS priority, k.manager_id, k.updated_at,
               c.id AS client_id, c.name AS client_name, m.name AS manager_name, ${readerOnTeam} AS reader_on_team
             FROM board_cards p JOIN cases k ON k.id = p.id JOIN clients c ON c.id = k.client_id JOIN users m ON m.id = k.manager_id) b
           GROUP BY b.status) col ON col.status = s.status) AS columns,
      ${PICKERS}, ${clientChipSql(user, filters.client)}`,
  );
  const counts = countsOf(row.columns, undefined);
  const byStatus = new Map(row.columns.map((col) => [col.status as CaseStatus, col.cards ?? []]));
  const columns: BoardColumn[] = CASE_STATUSES.map((status) => ({
    status,
    count: counts.byStatus[status],
    capped: counts.capped.has(status),
    cards: (byStatus.get(status) ?? []).map((card) => ({
      id: card.id,
      case_number: card.case_number,
      title: card.title,
      priority: card.priority,
      client_id: card.client_id,
      client_name: card.client_name,
      manager_name: card.manager_name,
      allowed: can(user, "case.changeStatus", { managerId: card.manager_id, teamUserIds: card.reader_on_team ? [user.id] : [] })
        ? allowedNextStatuses(status)
        : [],
    })),
  }));
  return { columns, counts, types: row.types, users: row.users, clientName: row.client_name };
}

export interface DeletedCaseRow {
  id: string;
  caseNumber: string;
  title: string;
  deletedAt: Date | null;
  deletedBy: { name: string } | null;
  client: { id: string; name: string };
}

/** Deleted cases for the administrators' recovery page, newest deletion first (access/cases.ts: deletedCasesSql). */
export async function deletedCases(db: Db, user: CurrentUser, limit = 200): Promise<DeletedCaseRow[]> {
  return sqlRows<DeletedCaseRow>(db, Prisma.sql`
    SELECT k.id, k.case_number AS "caseNumber", k.title, k.deleted_at AS "deletedAt",
      (SELECT json_build_object('name', u.name) FROM users u WHERE u.id = k.deleted_by_id) AS "deletedBy",
      json_build_object('id', c.id, 'name', c.name) AS client
    FROM cases k JOIN clients c ON c.id = k.client_id
    WHERE ${deletedCasesSql(user, "k")}
    ORDER BY k.deleted_at DESC, k.id DESC
    LIMIT ${sqlInteger(limit)}`);
}
