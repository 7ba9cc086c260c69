// The reads of the pre-sale pipeline (lists, board, funnel, campaigns, renewals, a client's origin and engagements),
// always filtered by access/pipeline.ts (and access/clients.ts for what hangs off clients). Keyset pages, capped counts.
import { Prisma } from "../generated/prisma/client.ts";
import type { Db, Tx } from "../db/client.ts";
import { cappedCountSql, escapeLike, jsonDate, jsonRead, sqlInteger, sqlRow, sqlRows, type JsonRead } from "../db/sql.ts";
import type { CurrentUser } from "../access/roles.ts";
import { visibleClientsSql } from "../access/clients.ts";
import { visibleLeadsSql, visibleProposalsSql, visibleProspectsSql } from "../access/pipeline.ts";
import { duplicateCandidates } from "../clients/queries.ts";
import { isUuid } from "../web/fields.ts";
import { STAGES, type LeadFilters, type ProspectFilters, type Stage } from "./schemas.ts";

/** Counts stop here: beyond it a list says "1,000+". */
export const COUNT_CAP = 1000;
export const PAGE_SIZE = 50;
/** Cards per board column (the most recently updated); the column's count says how many more there are. */
export const BOARD_CARDS = 30;

// ------------------------------------------------------------------------------------------------ keyset cursors

type CursorValue = string | number | null;

function encodeCursor(values: CursorValue[]): string {
  return Buffer.from(JSON.stringify(values)).toString("base64url");
}

/** What each cast of a sort key accepts, so an edited cursor never reaches PostgreSQL as a value it cannot read. */
const CURSOR_VALUE: Record<string, RegExp> = {
  "::timestamp": /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$/,
  "::date": /^\d{4}-\d{2}-\d{2}$/,
  "::int": /^\d{1,3}$/,
  "::numeric": /^\d{1,13}(\.\d{1,2})?$/,
  "::text": /^[^\u0000]{0,400}$/,
};

/** A cursor from the URL, or null when it is not one of ours (a stale or edited link starts from the first page). */
function decodeCursor(text: string | undefined, sort: KeysetSort): CursorValue[] | null {
  if (!text) return null;
  try {
    const values = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as unknown;
    if (!Array.isArray(values) || values.length !== sort.keys.length) return null;
    const fits = (v: unknown, i: number) => typeof v === "string" && (sort.keys[i]!.cast === "::uuid" ? isUuid(v) : CURSOR_VALUE[sort.keys[i]!.cast]!.test(v));
    return values.every(fits) ? (values as CursorValue[]) : null;
  } catch {
    return null;
  }
}

/** One sort of a keyset list: its key expressions (the last is the unique id), each ascending or descending. */
interface KeysetSort {
  keys: { sql: string; dir: "asc" | "desc"; cast: string }[];
}

/**
 * The rows after the cursor in the sort's order. Keys all in one direction: the row comparison `(k1, id) < (v1, id)`,
 * which an index on the keys reads as a range (the OR form below only filters: each page of a walk, such as the CSV
 * export, read every row before it). Mixed directions: written out as the OR of prefixes.
 */
function afterCursor(sort: KeysetSort, values: CursorValue[]): Prisma.Sql {
  if (sort.keys.every((k) => k.dir === sort.keys[0]!.dir)) {
    const columns = Prisma.raw(sort.keys.map((k) => k.sql).join(", "));
    const cursor = Prisma.join(sort.keys.map((k, i) => Prisma.sql`${values[i]}${Prisma.raw(k.cast)}`));
    return Prisma.sql`((${columns}) ${Prisma.raw(sort.keys[0]!.dir === "asc" ? ">" : "<")} (${cursor}))`;
  }
  const terms: Prisma.Sql[] = [];
  sort.keys.forEach((key, i) => {
    const equal = sort.keys.slice(0, i).map((k, j) => Prisma.sql`${Prisma.raw(k.sql)} = ${values[j]}${Prisma.raw(k.cast)}`);
    const beyond = Prisma.sql`${Prisma.raw(key.sql)} ${Prisma.raw(key.dir === "asc" ? ">" : "<")} ${values[i]}${Prisma.raw(key.cast)}`;
    terms.push(Prisma.join([...equal, beyond], " AND "));
  });
  return Prisma.sql`(${Prisma.join(terms.map((t) => Prisma.sql`(${t})`), " OR ")})`;
}

function orderBy(sort: KeysetSort): Prisma.Sql {
  return Prisma.raw(sort.keys.map((k) => `${k.sql} ${k.dir.toUpperCase()}`).join(", "));
}

/** Whether a search also matches similar words (typos): from five characters on. */
function similarWords(q: string | undefined): boolean {
  return (q?.length ?? 0) >= 5;
}

/** Search text: a substring of company, contact or email; from five characters on, also similar words (typos). */
function matches(alias: string, term: string): Prisma.Sql {
  const column = Prisma.raw(`${alias}.search_text`);
  const like = Prisma.sql`${column} LIKE ${`%${escapeLike(term)}%`}`;
  return similarWords(term) ? Prisma.sql`(${like} OR ${term} <% ${column})` : like;
}

export interface Page<T> {
  rows: T[];
  next: string | null;
  count: number;
  capped: boolean;
}

async function cappedCount(db: Db, from: Prisma.Sql, where: Prisma.Sql): Promise<{ count: number; capped: boolean }> {
  const row = await sqlRow<{ n: number }>(db, Prisma.sql`SELECT ${cappedCountSql(Prisma.sql`SELECT 1 FROM ${from} WHERE ${where}`, COUNT_CAP)} AS n`);
  const n = row.n;
  return { count: Math.min(n, COUNT_CAP), capped: n > COUNT_CAP };
}

/**
 * One keyset page of `from` under `where` in `sort`'s order (after the URL's cursor), and a capped count of all.
 * With `gather` (the alias of `from`'s one table, for a search by similar words), the matching ids are gathered first
 * (from the trigram index) and the page and the count read them: walking the table in the page's order instead
 * tested the costly similarity on thousands of rows per page, and again for the count.
 */
async function keysetPage<T extends { id: string }>(db: Db, q: { columns: Prisma.Sql; from: Prisma.Sql; joins: Prisma.Sql; where: Prisma.Sql; sort: KeysetSort; after: string | undefined; size: number; gather?: string }): Promise<Page<T>> {
  const cursor = decodeCursor(q.after, q.sort);
  if (q.gather) return gatheredPage<T>(db, { ...q, gather: q.gather }, cursor);
  const pageWhere = cursor ? Prisma.sql`${q.where} AND ${afterCursor(q.sort, cursor)}` : q.where;
  const rows = await sqlRows<T & { sort_key: string }>(db, Prisma.sql`
    SELECT ${q.columns}, (${Prisma.raw(q.sort.keys[0]!.sql)})::text AS sort_key
    FROM ${q.from} ${q.joins}
    WHERE ${pageWhere}
    ORDER BY ${orderBy(q.sort)}
    LIMIT ${sqlInteger(q.size + 1)}`);
  const shown = rows.slice(0, q.size);
  const last = shown.at(-1);
  const next = rows.length > q.size && last ? encodeCursor([last.sort_key, last.id]) : null;
  const { count, capped } = await cappedCount(db, q.from, q.where);
  return { rows: shown, next, count, capped };
}

/**
 * keysetPage over the gathered matches, in one statement: the count's row always comes back, joined to the page's
 * rows (none on an empty page), which keep their order by their position in it. The matches are gathered with their
 * sort keys (read from the rows the index pointed to anyway), so only the page's rows are read again and joined.
 */
async function gatheredPage<T extends { id: string }>(db: Db, q: { columns: Prisma.Sql; from: Prisma.Sql; joins: Prisma.Sql; where: Prisma.Sql; sort: KeysetSort; size: number; gather: string }, cursor: CursorValue[] | null): Promise<Page<T>> {
  const alias = Prisma.raw(q.gather);
  const keyed = (table: string): KeysetSort => ({ keys: q.sort.keys.map((k, i) => ({ ...k, sql: `${table}.k${i}` })) });
  const keys = Prisma.raw(q.sort.keys.map((k, i) => `${k.sql} AS k${i}`).join(", "));
  const rows = await sqlRows<(T & { sort_key: string; position: number | null }) & { n: number }>(db, Prisma.sql`
    WITH hits AS MATERIALIZED (SELECT ${alias}.id, ${keys} FROM ${q.from} WHERE ${q.where})
    SELECT page.*, counted.n
    FROM (SELECT ${cappedCountSql(Prisma.sql`SELECT 1 FROM hits`, COUNT_CAP)} AS n) counted
    LEFT JOIN LATERAL (
      SELECT ${q.columns}, top.k0::text AS sort_key, row_number() OVER (ORDER BY ${orderBy(keyed("top"))}) AS position
      FROM (SELECT * FROM hits ${cursor ? Prisma.sql`WHERE ${afterCursor(keyed("hits"), cursor)}` : Prisma.empty}
            ORDER BY ${orderBy(keyed("hits"))} LIMIT ${sqlInteger(q.size + 1)}) top
      JOIN ${q.from} ON ${alias}.id = top.id ${q.joins}
      ORDER BY ${orderBy(keyed("top"))}) page ON TRUE
    ORDER BY page.position`);
  const n = rows[0]?.n ?? 0;
  const found = rows.filter((r) => r.id !== null).map(({ n: _n, position: _p, ...row }) => row);
  const shown = found.slice(0, q.size);
  const last = shown.at(-1);
  const next = found.length > q.size && last ? encodeCursor([last.sort_key, last.id]) : null;
  return { rows: shown as unknown as T[], next, count: Math.min(n, COUNT_CAP), capped: n > COUNT_CAP };
}

/** Every page of a list, for its CSV export. */
async function* everyPage<T>(page: (after: string | undefined) => Promise<Page<T>>): AsyncGenerator<T[]> {
  let after: string | undefined;
  for (;;) {
    const current = await page(after);
    if (current.rows.length) yield current.rows;
    if (!current.next) return;
    after = current.next;
  }
}

// ---------------------------------------------------------------------------------------------------------- leads

export interface LeadRow {
  id: string;
  company_name: string;
  contact_name: string | null;
  email: string | null;
  phone: string | null;
  source: string;
  status: string;
  lost_reason: string | null;
  score: number;
  captured_date: Date;
  campaign_id: string | null;
  campaign_name: string | null;
  owner_id: string;
  owner_name: string;
  prospect_id: string | null;
  created_at: Date;
}

const LEAD_SORTS: Record<NonNullable<LeadFilters["sort"]>, KeysetSort> = {
  newest: { keys: [{ sql: "l.created_at", dir: "desc", cast: "::timestamp" }, { sql: "l.id", dir: "desc", cast: "::uuid" }] },
  company: { keys: [{ sql: "lower(l.company_name)", dir: "asc", cast: "::text" }, { sql: "l.id", dir: "asc", cast: "::uuid" }] },
  score: { keys: [{ sql: "l.score", dir: "desc", cast: "::int" }, { sql: "l.id", dir: "desc", cast: "::uuid" }] },
};

function leadConditions(user: CurrentUser, filters: LeadFilters): Prisma.Sql {
  const conds = [visibleLeadsSql(user, "l")];
  const term = filters.q?.toLowerCase();
  if (term) conds.push(matches("l", term));
  if (filters.status) conds.push(Prisma.sql`l.status = ${filters.status}::"LeadStatus"`);
  if (filters.owner) conds.push(Prisma.sql`l.owner_id = ${filters.owner}::uuid`);
  if (filters.campaign) conds.push(Prisma.sql`l.campaign_id = ${filters.campaign}::uuid`);
  if (filters.source) conds.push(Prisma.sql`l.source = ${filters.source}`);
  return Prisma.join(conds, " AND ");
}

const LEAD_COLUMNS = Prisma.sql`l.id, l.company_name, l.contact_name, l.email, l.phone, l.source, l.status::text AS status, l.lost_reason, l.score,
  l.captured_date, l.campaign_id, cp.name AS campaign_name, l.owner_id, u.name AS owner_name, pp.id AS prospect_id, l.created_at`;
const LEAD_JOINS = Prisma.sql`LEFT JOIN campaigns cp ON cp.id = l.campaign_id JOIN users u ON u.id = l.owner_id LEFT JOIN prospects pp ON pp.lead_id = l.id`;

/** One keyset page of the leads the user may see, with the filters, and a capped count of all matching. */
export function leadPage(db: Db, user: CurrentUser, filters: LeadFilters, size = PAGE_SIZE): Promise<Page<LeadRow>> {
  const sort = LEAD_SORTS[filters.sort ?? "newest"];
  return keysetPage<LeadRow>(db, { columns: LEAD_COLUMNS, from: Prisma.sql`leads l`, joins: LEAD_JOINS, where: leadConditions(user, filters), sort, after: filters.after, size, gather: similarWords(filters.q) ? "l" : undefined });
}

/** Every lead matching the filters, in pages, for the CSV export. */
export function allMatchingLeads(db: Db, user: CurrentUser, filters: LeadFilters, batch = 500): AsyncGenerator<LeadRow[]> {
  return everyPage((after) => leadPage(db, user, { ...filters, after }, batch));
}

export async function leadRow(db: Db | Tx, user: CurrentUser, id: string): Promise<(LeadRow & { notes: string | null; updated_at: Date; created_by_name: string }) | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await sqlRows<LeadRow & { notes: string | null; updated_at: Date; created_by_name: string }>(db as Db, Prisma.sql`
    SELECT ${LEAD_COLUMNS}, l.notes, l.updated_at, cb.name AS created_by_name
    FROM leads l ${LEAD_JOINS} JOIN users cb ON cb.id = l.created_by_id
    WHERE l.id = ${id}::uuid AND ${visibleLeadsSql(user, "l")}`);
  return row;
}

// ------------------------------------------------------------------------------------------------------ prospects

export interface ProspectRow {
  id: string;
  company_name: string;
  contact_name: string | null;
  contact_email: string | null;
  contact_phone: string | null;
  stage: Stage;
  estimated_value: string | null;
  probability: number;
  expected_close_date: Date | null;
  lost_reason: string | null;
  owner_id: string;
  owner_name: string;
  campaign_id: string | null;
  campaign_name: string | null;
  lead_id: string | null;
  client_id: string | null;
  renewal_of_id: string | null;
  won_at: Date | null;
  updated_at: Date;
  created_at: Date;
}

const PROSPECT_COLUMNS = Prisma.sql`p.id, p.company_name, p.contact_name, p.contact_email, p.contact_phone, p.stage::text AS stage,
  p.estimated_value::text AS estimated_value, p.probability, p.expected_close_date, p.lost_reason, p.owner_id, u.name AS owner_name,
  p.campaign_id, cp.name AS campaign_name, p.lead_id, p.client_id, p.renewal_of_id, p.won_at, p.updated_at, p.created_at`;
const PROSPECT_JOINS = Prisma.sql`JOIN users u ON u.id = p.owner_id LEFT JOIN campaigns cp ON cp.id = p.campaign_id`;

const PROSPECT_SORTS: Record<NonNullable<ProspectFilters["sort"]>, KeysetSort> = {
  updated: { keys: [{ sql: "p.updated_at", dir: "desc", cast: "::timestamp" }, { sql: "p.id", dir: "desc", cast: "::uuid" }] },
  company: { keys: [{ sql: "lower(p.company_name)", dir: "asc", cast: "::text" }, { sql: "p.id", dir: "asc", cast: "::uuid" }] },
  value: { keys: [{ sql: "coalesce(p.estimated_value, 0)", dir: "desc", cast: "::numeric" }, { sql: "p.id", dir: "desc", cast: "::uuid" }] },
  close: { keys: [{ sql: "coalesce(p.expected_close_date, DATE '9999-12-31')", dir: "asc", cast: "::date" }, { sql: "p.id", dir: "asc", cast: "::uuid" }] },
};

function prospectConditions(user: CurrentUser, filters: Omit<ProspectFilters, "stage"> & { stage?: Stage | undefined }): Prisma.Sql {
  const conds = [visibleProspectsSql(user, "p")];
  const term = filters.q?.toLowerCase();
  if (term) conds.push(matches("p", term));
  if (filters.stage) conds.push(Prisma.sql`p.stage = ${filters.stage}::"ProspectStage"`);
  if (filters.owner) conds.push(Prisma.sql`p.owner_id = ${filters.owner}::uuid`);
  if (filters.campaign) conds.push(Prisma.sql`p.campaign_id = ${filters.campaign}::uuid`);
  return Prisma.join(conds, " AND ");
}

export function prospectPage(db: Db, user: CurrentUser, filters: ProspectFilters, size = PAGE_SIZE): Promise<Page<ProspectRow>> {
  const sort = PROSPECT_SORTS[filters.sort ?? "updated"];
  return keysetPage<ProspectRow>(db, { columns: PROSPECT_COLUMNS, from: Prisma.sql`prospects p`, joins: PROSPECT_JOINS, where: prospectConditions(user, filters), sort, after: filters.after, size, gather: similarWords(filters.q) ? "p" : undefined });
}

export function allMatchingProspects(db: Db, user: CurrentUser, filters: ProspectFilters, batch = 500): AsyncGenerator<ProspectRow[]> {
  return everyPage((after) => prospectPage(db, user, { ...filters, after }, batch));
}

export async function prospectRow(db: Db | Tx, user: CurrentUser, id: string): Promise<ProspectRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await sqlRows<ProspectRow>(db as Db, Prisma.sql`
    SELECT ${PROSPECT_COLUMNS} FROM prospects p ${PROSPECT_JOINS}
    WHERE p.id = ${id}::uuid AND ${visibleProspectsSql(user, "p")}`);
  return row;
}

export interface BoardColumn {
  stage: Stage;
  count: number;
  capped: boolean;
  value: number;
  cards: ProspectRow[];
}

/** The board: per stage, a capped count and the most recently updated cards, with the list's filters (but stage). */
export async function prospectBoard(db: Db, user: CurrentUser, filters: ProspectFilters): Promise<BoardColumn[]> {
  const where = prospectConditions(user, { ...filters, stage: undefined });
  const rows = await sqlRows<ProspectRow & { n: number }>(db, Prisma.sql`
    SELECT s.stage AS board_stage, c.n, card.*
    FROM unnest(${[...STAGES]}::"ProspectStage"[]) AS s(stage)
    -- Each stage's capped count as a lateral aggregate, not cappedCountSql's scalar subquery: correlated with the stage,
    -- that subquery made the manager's board 10 times slower (3 -> 30 ms a request on the bench cluster).
    CROSS JOIN LATERAL (SELECT count(*)::int AS n FROM (SELECT 1 FROM prospects p WHERE ${where} AND p.stage = s.stage LIMIT ${sqlInteger(COUNT_CAP + 1)}) x) c
    LEFT JOIN LATERAL (
      SELECT ${PROSPECT_COLUMNS} FROM prospects p ${PROSPECT_JOINS}
      WHERE ${where} AND p.stage = s.stage
      ORDER BY p.updated_at DESC, p.id DESC
      LIMIT ${sqlInteger(BOARD_CARDS)}) card ON TRUE`);
  const columns = new Map<Stage, BoardColumn>(STAGES.map((stage) => [stage, { stage, count: 0, capped: false, value: 0, cards: [] }]));
  for (const row of rows as (ProspectRow & { n: number; board_stage: Stage })[]) {
    const column = columns.get(row.board_stage)!;
    column.count = Math.min(row.n, COUNT_CAP);
    column.capped = row.n > COUNT_CAP;
    if (row.id) column.cards.push(row);
  }
  return [...columns.values()];
}

export interface FunnelStage {
  stage: Stage;
  count: number;
  value: number;
  weighted: number;
}

/** Prospects per stage with their estimated value and value weighted by probability (what the reader may see). */
export async function funnel(db: Db, user: CurrentUser): Promise<FunnelStage[]> {
  const rows = await sqlRows<{ stage: Stage; n: bigint; value: string | null; weighted: string | null }>(db, Prisma.sql`
    SELECT p.stage::text AS stage, count(*) AS n, sum(coalesce(p.estimated_value, 0))::text AS value,
      sum(coalesce(p.estimated_value, 0) * p.probability / 100.0)::text AS weighted
    FROM prospects p WHERE ${visibleProspectsSql(user, "p")}
    GROUP BY p.stage`);
  const byStage = new Map(rows.map((r) => [r.stage, r]));
  return STAGES.map((stage) => {
    const r = byStage.get(stage);
    return { stage, count: Number(r?.n ?? 0), value: Number(r?.value ?? 0), weighted: Math.round(Number(r?.weighted ?? 0) * 100) / 100 };
  });
}


// ------------------------------------------------------------------------------------------------------ proposals

export interface ProposalRow {
  id: string;
  number: string;
  prospect_id: string;
  status: string;
  current_version: number;
  sent_at: Date | null;
  decided_at: Date | null;
  decided_by_name: string | null;
  rejection_reason: string | null;
  amount: string;
  currency: string;
  valid_until: Date | null;
  scope: string;
  created_at: Date;
  updated_at: Date;
  created_by_name: string;
}

const PROPOSAL_COLUMNS = Prisma.sql`pr.id, pr.number, pr.prospect_id, pr.status::text AS status, pr.current_version, pr.sent_at, pr.decided_at,
  du.name AS decided_by_name, pr.rejection_reason, v.amount::text AS amount, v.currency, v.valid_until, v.scope, pr.created_at, pr.updated_at,
  cu.name AS created_by_name`;
const PROPOSAL_JOINS = Prisma.sql`JOIN proposal_versions v ON v.proposal_id = pr.id AND v.version = pr.current_version
  JOIN users cu ON cu.id = pr.created_by_id LEFT JOIN users du ON du.id = pr.decided_by_id`;

export async function proposalsOfProspect(db: Db, user: CurrentUser, prospectId: string): Promise<ProposalRow[]> {
  return sqlRows<ProposalRow>(db, Prisma.sql`
    SELECT ${PROPOSAL_COLUMNS} FROM proposals pr ${PROPOSAL_JOINS}
    WHERE pr.prospect_id = ${prospectId}::uuid AND ${visibleProposalsSql(user, "pr")}
    ORDER BY pr.created_at DESC, pr.id DESC`);
}

export async function proposalRow(db: Db | Tx, user: CurrentUser, id: string): Promise<ProposalRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await sqlRows<ProposalRow>(db as Db, Prisma.sql`
    SELECT ${PROPOSAL_COLUMNS} FROM proposals pr ${PROPOSAL_JOINS}
    WHERE pr.id = ${id}::uuid AND ${visibleProposalsSql(user, "pr")}`);
  return row;
}

export interface VersionRow {
  version: number;
  amount: string;
  currency: string;
  valid_until: Date | null;
  scope: string;
  sent_at: Date | null;
  created_at: Date;
  created_by_name: string;
}

/** Every version of a visible proposal, newest first (the caller has read the proposal through the rule). */
export function proposalVersions(db: Db, proposalId: string): Promise<VersionRow[]> {
  return sqlRows<VersionRow>(db, Prisma.sql`
    SELECT v.version, v.amount::text AS amount, v.currency, v.valid_until, v.scope, v.sent_at, v.created_at, u.name AS created_by_name
    FROM proposal_versions v JOIN users u ON u.id = v.created_by_id
    WHERE v.proposal_id = ${proposalId}::uuid ORDER BY v.version DESC`);
}

export type ProposalListRow = ProposalRow & { company_name: string };

const PROPOSAL_SORT: KeysetSort = { keys: [{ sql: "pr.created_at", dir: "desc", cast: "::timestamp" }, { sql: "pr.id", dir: "desc", cast: "::uuid" }] };

/** One keyset page of the proposals the user may see (through their prospect), newest first, and a capped count. */
export function proposalPage(db: Db, user: CurrentUser, filters: { status?: string | undefined; after?: string | undefined }, size = PAGE_SIZE): Promise<Page<ProposalListRow>> {
  const status = filters.status ? Prisma.sql`AND pr.status = ${filters.status}::"ProposalStatus"` : Prisma.empty;
  return keysetPage<ProposalListRow>(db, {
    columns: Prisma.sql`${PROPOSAL_COLUMNS}, p.company_name`,
    from: Prisma.sql`proposals pr JOIN prospects p ON p.id = pr.prospect_id`,
    joins: PROPOSAL_JOINS,
    where: Prisma.sql`${visibleProspectsSql(user, "p")} ${status}`,
    sort: PROPOSAL_SORT,
    after: filters.after,
    size,
  });
}

/** Every proposal the user may see, in pages, for the CSV export. */
export function allVisibleProposals(db: Db, user: CurrentUser, batch = 500): AsyncGenerator<ProposalListRow[]> {
  return everyPage((after) => proposalPage(db, user, { after }, batch));
}

// ------------------------------------------------------------------------------------------------------ campaigns

export interface CampaignRow {
  id: string;
  name: string;
  campaign_type: string;
  start_date: Date;
  end_date: Date | null;
  budget: string;
  owner_id: string;
  owner_name: string;
  leads: number;
  prospects: number;
  won: number;
  won_value: string;
}

/**
 * Campaigns with the leads and prospects they brought, the prospects won and their value, counted among the records
 * the reader may see. Won value is what the won prospects' accepted proposals were worth.
 */
export async function campaignList(db: Db, user: CurrentUser, id?: string): Promise<CampaignRow[]> {
  const one = id ? Prisma.sql`WHERE c.id = ${id}::uuid` : Prisma.empty;
  return sqlRows<CampaignRow>(db, Prisma.sql`
    SELECT c.id, c.name, c.campaign_type::text AS campaign_type, c.start_date, c.end_date, c.budget::text AS budget, c.owner_id, u.name AS owner_name,
      (SELECT count(*)::int FROM leads l WHERE l.campaign_id = c.id AND ${visibleLeadsSql(user, "l")}) AS leads,
      (SELECT count(*)::int FROM prospects p WHERE p.campaign_id = c.id AND ${visibleProspectsSql(user, "p")}) AS prospects,
      (SELECT count(*)::int FROM prospects p WHERE p.campaign_id = c.id AND p.stage = 'won' AND ${visibleProspectsSql(user, "p")}) AS won,
      (SELECT coalesce(sum(v.amount), 0)::text FROM prospects p
         JOIN proposals pr ON pr.prospect_id = p.id AND pr.status = 'accepted'
         JOIN proposal_versions v ON v.proposal_id = pr.id AND v.version = pr.current_version
       WHERE p.campaign_id = c.id AND ${visibleProspectsSql(user, "p")}) AS won_value
    FROM campaigns c JOIN users u ON u.id = c.owner_id
    ${one}
    ORDER BY c.start_date DESC, c.name, c.id`);
}

export function campaignChoicesRead(): JsonRead<{ id: string; name: string }[]> {
  return jsonRead<{ id: string; name: string }, { id: string; name: string }[]>(
    Prisma.sql`SELECT id, name FROM campaigns ORDER BY start_date DESC, name LIMIT 500`,
    (rows) => rows,
  );
}

// ------------------------------------------------------------------------------------------- engagements, renewals

export interface EngagementRow {
  id: string;
  client_id: string;
  client_name: string;
  proposal_id: string | null;
  proposal_number: string | null;
  parent_id: string | null;
  version: number;
  title: string;
  start_date: Date;
  end_date: Date;
  value: string;
  currency: string;
  status: string;
  renewal_prospect_id: string | null;
}

const ENGAGEMENT_COLUMNS = Prisma.sql`e.id, e.client_id, c.name AS client_name, e.proposal_id, pr.number AS proposal_number, e.parent_id, e.version,
  e.title, e.start_date, e.end_date, e.value::text AS value, e.currency, e.status::text AS status,
  (SELECT rp.id FROM prospects rp WHERE rp.renewal_of_id = e.id ORDER BY rp.created_at DESC LIMIT 1) AS renewal_prospect_id`;

/** A visible client's engagements (the client rule decides), newest first. */
export function clientEngagementsRead(user: CurrentUser, clientId: string): JsonRead<EngagementRow[]> {
  return jsonRead<EngagementRow, EngagementRow[]>(
    Prisma.sql`
    SELECT ${ENGAGEMENT_COLUMNS} FROM engagements e JOIN clients c ON c.id = e.client_id LEFT JOIN proposals pr ON pr.id = e.proposal_id
    WHERE e.client_id = ${clientId}::uuid AND ${visibleClientsSql(user, "c")}
    ORDER BY e.start_date DESC, e.version DESC`,
    (rows) => rows.map((r) => ({ ...r, start_date: jsonDate(r.start_date)!, end_date: jsonDate(r.end_date)! })),
  );
}

/** Current engagements of visible clients ending within `days` days (or overdue), soonest first. */
export function upcomingRenewals(db: Db, user: CurrentUser, days = 90): Promise<EngagementRow[]> {
  return sqlRows<EngagementRow>(db, Prisma.sql`
    SELECT ${ENGAGEMENT_COLUMNS} FROM engagements e JOIN clients c ON c.id = e.client_id LEFT JOIN proposals pr ON pr.id = e.proposal_id
    WHERE e.status = 'current' AND e.end_date <= current_date + ${sqlInteger(days)} AND ${visibleClientsSql(user, "c")}
    ORDER BY e.end_date, e.id
    LIMIT 500`);
}

export interface ClientOrigin {
  prospect_id: string;
  prospect_company: string;
  proposal_id: string | null;
  proposal_number: string | null;
  lead_id: string | null;
  campaign_name: string | null;
  /** Whether the reader may open the prospect (pipeline rule); the client page shows the origin either way. */
  prospect_visible: boolean;
}

/** Where a client came from; the caller has read the client through the client rule. */
export function clientOriginRead(user: CurrentUser, clientId: string): JsonRead<ClientOrigin | undefined> {
  return jsonRead<ClientOrigin, ClientOrigin | undefined>(
    Prisma.sql`
    SELECT p.id AS prospect_id, p.company_name AS prospect_company, pr.id AS proposal_id, pr.number AS proposal_number, p.lead_id,
      cp.name AS campaign_name, ${visibleProspectsSql(user, "p")} AS prospect_visible
    FROM clients c JOIN prospects p ON p.id = c.origin_prospect_id
    LEFT JOIN proposals pr ON pr.id = c.origin_proposal_id LEFT JOIN campaigns cp ON cp.id = p.campaign_id
    WHERE c.id = ${clientId}::uuid`,
    ([row]) => row,
  );
}

// ----------------------------------------------------------------------------------------------------- duplicates

export interface PipelineDuplicate {
  kind: "client" | "lead" | "prospect";
  id: string;
  name: string;
  detail: string;
  reason: string;
}

/**
 * Clients, leads and prospects the user may see that resemble a company (similar name, same email domain): the
 * clients through the clients' own similarity search, leads and prospects by the same trigram test.
 */
export async function pipelineDuplicates(db: Db, user: CurrentUser, input: { name: string; email: string | null }, exclude: { leadId?: string; prospectId?: string } = {}): Promise<PipelineDuplicate[]> {
  const clients = await duplicateCandidates(db, user, input);
  const name = input.name.trim().toLowerCase();
  const none = "00000000-0000-0000-0000-000000000000";
  const leads = await sqlRows<{ id: string; company_name: string; status: string }>(db, Prisma.sql`
    SELECT l.id, l.company_name, l.status::text AS status FROM leads l
    WHERE ${visibleLeadsSql(user, "l")} AND lower(l.company_name) % ${name} AND l.id <> ${exclude.leadId ?? none}::uuid
    ORDER BY similarity(lower(l.company_name), ${name}) DESC, l.id LIMIT 5`);
  const prospects = await sqlRows<{ id: string; company_name: string; stage: string }>(db, Prisma.sql`
    SELECT p.id, p.company_name, p.stage::text AS stage FROM prospects p
    WHERE ${visibleProspectsSql(user, "p")} AND lower(p.company_name) % ${name} AND p.id <> ${exclude.prospectId ?? none}::uuid
      AND (p.lead_id IS NULL OR p.lead_id <> ${exclude.leadId ?? none}::uuid)
    ORDER BY similarity(lower(p.company_name), ${name}) DESC, p.id LIMIT 5`);
  return [
    ...clients.map((c) => ({ kind: "client" as const, id: c.id, name: c.name, detail: c.client_code, reason: c.reason })),
    ...leads.map((l) => ({ kind: "lead" as const, id: l.id, name: l.company_name, detail: l.status, reason: "similar name" })),
    ...prospects.map((p) => ({ kind: "prospect" as const, id: p.id, name: p.company_name, detail: p.stage, reason: "similar name" })),
  ];
}

/** The client a prospect was converted into, if any (the prospect page links to it; the client page applies its rule). */
export function convertedClientOf(db: Db, prospectId: string): Promise<{ id: string } | null> {
  return db.client.findFirst({ where: { originProspectId: prospectId }, select: { id: true } });
}

/** The engagement an accepted proposal made, with its client and first case. */
export function engagementOfProposal(db: Db, proposalId: string): Promise<{ id: string; clientId: string; firstCaseId: string | null } | null> {
  return db.engagement.findUnique({ where: { proposalId }, select: { id: true, clientId: true, firstCaseId: true } });
}

/** Active case types, for the first case a conversion may open. */
export function caseTypeChoices(db: Db): Promise<{ id: string; name: string }[]> {
  return db.caseType.findMany({ where: { active: true }, select: { id: true, name: true }, orderBy: { name: "asc" } });
}

/** Active users, for owner pickers. */
export function ownerChoicesRead(): JsonRead<{ id: string; name: string }[]> {
  return jsonRead<{ id: string; name: string }, { id: string; name: string }[]>(Prisma.sql`SELECT id, name FROM users WHERE active ORDER BY name, id`, (rows) => rows);
}
