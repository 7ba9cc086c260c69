// Feedback reads: the client's feedback page (history, averages, trend, case satisfaction), one feedback, the client
// hub's summary and the firm-wide report. Every read of feedback is filtered by visibleFeedbackSql (src/access/
// feedback.ts), every read of clients by visibleClientsSql, and case satisfaction by the case rule (visibleCasesSql).
import { Prisma } from "../generated/prisma/client.ts";
import type { Db, Tx } from "../db/client.ts";
import { cappedCountSql, jsonDate, jsonRead, sqlInteger, sqlRead, sqlRows, type JsonRead } from "../db/sql.ts";
import type { CurrentUser } from "../access/roles.ts";
import { privilegedVisibleSql, visibleClientsSql } from "../access/clients.ts";
import { feedbackLatestVisibleSql, feedbackSumsVisibility, visibleFeedbackSql } from "../access/feedback.ts";
import { visibleCasesSql } from "../access/cases.ts";
import type { FeedbackPeriodKind } from "../generated/prisma/enums.ts";
import { isUuid } from "../web/fields.ts";
import { addQuarters, quarterStart } from "./periods.ts";
import type { DateRange } from "./schemas.ts";

/** The client a feedback page is about: its header facts and whether the reader is on its team. */
export interface FeedbackClient {
  id: string;
  name: string;
  clientCode: string;
  status: string;
  isConfidential: boolean;
  accountManagerName: string | null;
  onTeam: boolean;
}

/** A visible client, or undefined (hidden and missing alike). */
export async function feedbackClient(db: Db | Tx, user: CurrentUser, id: string): Promise<FeedbackClient | undefined> {
  if (!isUuid(id)) return undefined;
  // On the client's team: the privileged-material rule's own set (account manager, points of contact, team members).
  const [row] = await sqlRows<FeedbackClient>(db, Prisma.sql`
    SELECT c.id, c.name, c.client_code AS "clientCode", c.status::text AS status, c.is_confidential AS "isConfidential",
      am.name AS "accountManagerName", ${privilegedVisibleSql(user, Prisma.sql`c.id`)} AS "onTeam"
    FROM clients c LEFT JOIN users am ON am.id = c.account_manager_id
    WHERE c.id = ${id}::uuid AND ${visibleClientsSql(user, "c")}`);
  return row;
}

/** One feedback as pages, tables and CSV files show it. */
export interface FeedbackRow {
  id: string;
  clientId: string;
  periodKind: FeedbackPeriodKind;
  periodStart: Date;
  responsiveness: number;
  communication: number;
  requirementsClarity: number;
  decisionSpeed: number;
  overallSatisfaction: number;
  writtenFeedback: string | null;
  recordedAt: Date;
  recordedByName: string;
  updatedAt: Date;
  updatedByName: string | null;
  finalizedAt: Date | null;
  finalizedByName: string | null;
}

const FEEDBACK_COLUMNS = Prisma.sql`f.id, f.client_id AS "clientId", f.period_kind::text AS "periodKind", f.period_start AS "periodStart",
  f.responsiveness, f.communication, f.requirements_clarity AS "requirementsClarity", f.decision_speed AS "decisionSpeed",
  f.overall_satisfaction AS "overallSatisfaction", f.written_feedback AS "writtenFeedback", f.recorded_at AS "recordedAt",
  rb.name AS "recordedByName", f.updated_at AS "updatedAt", ub.name AS "updatedByName", f.finalized_at AS "finalizedAt",
  fb.name AS "finalizedByName"`;
const FEEDBACK_PEOPLE = Prisma.sql`JOIN users rb ON rb.id = f.recorded_by_id LEFT JOIN users ub ON ub.id = f.updated_by_id
  LEFT JOIN users fb ON fb.id = f.finalized_by_id`;

/** A date as PostgreSQL's date text (the driver would write a Date in the process's time zone). */
const day = (d: Date) => d.toISOString().slice(0, 10);

function rangeSql(range: DateRange, column = Prisma.raw("f.period_start")): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (range.from) parts.push(Prisma.sql`${column} >= ${day(range.from)}::date`);
  if (range.to) parts.push(Prisma.sql`${column} <= ${day(range.to)}::date`);
  return parts.length ? Prisma.join(parts, " AND ") : Prisma.sql`TRUE`;
}

/** One visible feedback of one client, or undefined (another client's, hidden and missing alike). */
export async function feedbackById(db: Db | Tx, user: CurrentUser, clientId: string, id: string): Promise<FeedbackRow | undefined> {
  if (!isUuid(clientId) || !isUuid(id)) return undefined;
  const [row] = await sqlRows<FeedbackRow>(db, Prisma.sql`
    SELECT ${FEEDBACK_COLUMNS} FROM client_feedback f ${FEEDBACK_PEOPLE}
    WHERE f.id = ${id}::uuid AND f.client_id = ${clientId}::uuid AND ${visibleFeedbackSql(user, "f")}`);
  return row;
}

/** The visible feedback of a client and period, if any (the one a second recording would repeat). */
export async function feedbackForPeriod(db: Db | Tx, user: CurrentUser, clientId: string, kind: FeedbackPeriodKind, start: Date): Promise<{ id: string } | undefined> {
  const [row] = await sqlRows<{ id: string }>(db, Prisma.sql`
    SELECT f.id FROM client_feedback f
    WHERE f.client_id = ${clientId}::uuid AND f.period_kind = ${kind}::"FeedbackPeriodKind" AND f.period_start = ${day(start)}::date
      AND ${visibleFeedbackSql(user, "f")}`);
  return row;
}

/** A client's feedback in the range, newest period first. */
export async function clientFeedbackHistory(db: Db, user: CurrentUser, clientId: string, range: DateRange): Promise<FeedbackRow[]> {
  return sqlRows<FeedbackRow>(db, Prisma.sql`
    SELECT ${FEEDBACK_COLUMNS} FROM client_feedback f ${FEEDBACK_PEOPLE}
    WHERE f.client_id = ${clientId}::uuid AND ${visibleFeedbackSql(user, "f")} AND ${rangeSql(range)}
    ORDER BY f.period_start DESC, f.period_kind DESC`);
}

/** Averages of the five ratings over some feedback (null when there is none), with how many there are. */
export interface RatingAverages {
  count: number;
  finalized: number;
  responsiveness: number | null;
  communication: number | null;
  requirementsClarity: number | null;
  decisionSpeed: number | null;
  overallSatisfaction: number | null;
}

const AVERAGES = Prisma.sql`count(*)::int AS count, count(f.finalized_at)::int AS finalized,
  avg(f.responsiveness)::float8 AS responsiveness, avg(f.communication)::float8 AS communication,
  avg(f.requirements_clarity)::float8 AS "requirementsClarity", avg(f.decision_speed)::float8 AS "decisionSpeed",
  avg(f.overall_satisfaction)::float8 AS "overallSatisfaction"`;

export async function clientFeedbackAverages(db: Db, user: CurrentUser, clientId: string, range: DateRange): Promise<RatingAverages> {
  const [row] = await sqlRows<RatingAverages>(db, Prisma.sql`
    SELECT ${AVERAGES} FROM client_feedback f
    WHERE f.client_id = ${clientId}::uuid AND ${visibleFeedbackSql(user, "f")} AND ${rangeSql(range)}`);
  return row!;
}

/** Case satisfaction (1-5, given at resolution) of a client's cases the reader may see, averaged per quarter of resolution. */
export interface CaseSatisfactionPoint {
  quarterStart: Date;
  average: number;
  cases: number;
}

export async function caseSatisfactionByQuarter(db: Db, user: CurrentUser, clientId: string, range: DateRange): Promise<CaseSatisfactionPoint[]> {
  const quarter = Prisma.raw("date_trunc('quarter', k.resolution_date)::date");
  return sqlRows<CaseSatisfactionPoint>(db, Prisma.sql`
    SELECT ${quarter} AS "quarterStart", avg(k.satisfaction)::float8 AS average, count(*)::int AS cases
    FROM cases k
    WHERE k.client_id = ${clientId}::uuid AND k.satisfaction IS NOT NULL AND k.resolution_date IS NOT NULL
      AND ${visibleCasesSql(user, "k")} AND ${rangeSql(range, quarter)}
    GROUP BY 1 ORDER BY 1`);
}

/** The client hub's feedback section: how many, the latest, and whether the last quarter has any. */
export interface ClientFeedbackSummary {
  count: number;
  latest: FeedbackRow | undefined;
}

/** How many feedback rows of a client the user may see, and the latest (the client page's section). */
export function clientFeedbackSummaryRead(user: CurrentUser, clientId: string): JsonRead<ClientFeedbackSummary> {
  type Raw = Omit<FeedbackRow, "periodStart" | "recordedAt" | "updatedAt" | "finalizedAt"> & { periodStart: string; recordedAt: string; updatedAt: string; finalizedAt: string | null; total: number };
  return jsonRead<Raw, ClientFeedbackSummary>(
    Prisma.sql`SELECT ${FEEDBACK_COLUMNS}, count(*) OVER ()::int AS total FROM client_feedback f ${FEEDBACK_PEOPLE}
      WHERE f.client_id = ${clientId}::uuid AND ${visibleFeedbackSql(user, "f")}
      ORDER BY f.period_start DESC, f.period_kind DESC LIMIT 1`,
    ([first]) => {
      if (!first) return { count: 0, latest: undefined };
      const { total, ...latest } = first;
      return {
        count: total,
        latest: {
          ...latest,
          periodStart: jsonDate(latest.periodStart)!,
          recordedAt: jsonDate(latest.recordedAt)!,
          updatedAt: jsonDate(latest.updatedAt)!,
          finalizedAt: jsonDate(latest.finalizedAt),
        },
      };
    },
  );
}

// ---- The firm-wide report ----------------------------------------------------------------------------------------

export interface GroupAverages extends RatingAverages {
  key: string | null;
  label: string;
}

/** The firm-wide averages over the visible feedback in the range, three ways. */
export interface FirmAverages {
  /** By the clients' category ("No category" last). */
  byCategory: GroupAverages[];
  /** By the clients' current account manager ("No account manager" last). */
  byAccountManager: GroupAverages[];
  /** By quarter, oldest first (a month's feedback counts in its quarter). */
  byQuarter: (RatingAverages & { quarterStart: Date })[];
}

type GroupedRow = RatingAverages & { dimension: "category" | "account_manager" | "quarter"; key: string | null; label: string | null; quarterStart: Date | null };

/**
 * All three in one pass (grouping sets), names joined afterwards. Read from the trigger-kept sums per period, class of
 * clients and category or account manager (feedback_group_sums) the reader sees whole, plus the reader's own kept sums
 * of the restricted clients on their team (feedback_team_sums): a few hundred rows however much feedback there is
 * (docs/performance-feedback.md). The quarters are summed over the category rows (each feedback is in one of them).
 */
export function firmAveragesRead(user: CurrentUser, range: DateRange): JsonRead<FirmAverages> {
  const quarter = Prisma.raw("date_trunc('quarter', p.period_start)::date");
  const { classVisible, teamSumsUserId } = feedbackSumsVisibility(user, "g");
  const individual = teamSumsUserId
    ? Prisma.sql`UNION ALL
      SELECT t.dimension, t.group_id, t.period_start, t.feedback_count, t.finalized_count, t.responsiveness_sum, t.communication_sum,
        t.requirements_clarity_sum, t.decision_speed_sum, t.overall_satisfaction_sum
      FROM feedback_team_sums t
      WHERE t.user_id = ${teamSumsUserId} AND t.feedback_count > 0 AND ${rangeSql(range, Prisma.raw("t.period_start"))}`
    : Prisma.empty;
  // avg() of integers is their sum over their count in numeric: the same division here, so the figures are identical.
  const mean = (column: string, name: string) => Prisma.raw(`(sum(p.${column})::numeric / sum(p.n))::float8 AS "${name}"`);
  return jsonRead<Omit<GroupedRow, "quarterStart"> & { quarterStart: string | null }, FirmAverages>(Prisma.sql`
    WITH p (dimension, group_id, period_start, n, finalized, responsiveness, communication, requirements_clarity, decision_speed, overall_satisfaction) AS (
      SELECT g.dimension, g.group_id, g.period_start, g.feedback_count, g.finalized_count, g.responsiveness_sum, g.communication_sum,
        g.requirements_clarity_sum, g.decision_speed_sum, g.overall_satisfaction_sum
      FROM feedback_group_sums g
      WHERE g.feedback_count > 0 AND ${classVisible} AND ${rangeSql(range, Prisma.raw("g.period_start"))}
      ${individual})
    SELECT g.dimension, g.key, coalesce(cat.name, am.name) AS label, g."quarterStart", g.count, g.finalized, g.responsiveness, g.communication,
      g."requirementsClarity", g."decisionSpeed", g."overallSatisfaction"
    FROM (
      SELECT CASE WHEN GROUPING(p.group_id) = 0 THEN p.dimension ELSE 'quarter' END AS dimension, p.group_id AS key, ${quarter} AS "quarterStart",
        sum(p.n)::int AS count, sum(p.finalized)::int AS finalized,
        ${mean("responsiveness", "responsiveness")}, ${mean("communication", "communication")}, ${mean("requirements_clarity", "requirementsClarity")},
        ${mean("decision_speed", "decisionSpeed")}, ${mean("overall_satisfaction", "overallSatisfaction")}
      FROM p
      GROUP BY GROUPING SETS ((p.dimension, p.group_id), (p.dimension, ${quarter}))
      HAVING GROUPING(p.group_id) = 0 OR p.dimension = 'category') g
    LEFT JOIN client_categories cat ON g.dimension = 'category' AND cat.id = g.key
    LEFT JOIN users am ON g.dimension = 'account_manager' AND am.id = g.key`,
    (rows) => {
      const named = (dimension: GroupedRow["dimension"], none: string) =>
        rows
          .filter((r) => r.dimension === dimension)
          .map(({ dimension: _d, quarterStart: _q, ...r }) => ({ ...r, label: r.key === null ? none : (r.label ?? none) }))
          .sort((a, b) => Number(a.key === null) - Number(b.key === null) || byLabel.compare(a.label, b.label));
      return {
        byCategory: named("category", "No category"),
        byAccountManager: named("account_manager", "No account manager"),
        byQuarter: rows
          .filter((r) => r.dimension === "quarter")
          .map(({ dimension: _d, key: _k, label: _l, quarterStart, ...r }) => ({ ...r, quarterStart: jsonDate(quarterStart)! }))
          .sort((a, b) => a.quarterStart.getTime() - b.quarterStart.getTime()),
      };
    },
  );
}

/** Group labels in the order localeCompare gives, with one collator (localeCompare builds one per call). */
const byLabel = new Intl.Collator();

export function firmAverages(db: Db, user: CurrentUser, range: DateRange): Promise<FirmAverages> {
  return sqlRead(db, firmAveragesRead(user, range));
}

/** A client whose overall satisfaction fell by a point or more from one feedback to the next (its latest in the range). */
export interface SatisfactionDrop {
  clientId: string;
  clientName: string;
  clientCode: string;
  accountManagerName: string | null;
  previousKind: FeedbackPeriodKind;
  previousStart: Date;
  previous: number;
  latestKind: FeedbackPeriodKind;
  latestStart: Date;
  latest: number;
  drop: number;
  total: number;
}

/** The report's count of clients whose satisfaction fell stops here (shown as "1,000+"); the CSV file lists them all. */
export const DROPS_COUNT_CAP = 1000;

/**
 * The clients whose satisfaction fell, largest drop first, each with their number (`total`, counted up to
 * DROPS_COUNT_CAP + 1 when a page is asked for). Without an end date (the report's default) from the
 * trigger-kept latest two feedback per client (feedback_client_latest): in a range open at the end, a client's latest
 * feedback in it is its latest, and the one before counts when it starts on or after `from`. With an end date, from
 * the rows (satisfactionDropsFromRowsRead).
 */
export function satisfactionDropsRead(user: CurrentUser, range: DateRange, limit: number | null): JsonRead<SatisfactionDrop[]> {
  if (range.to) return satisfactionDropsFromRowsRead(user, range, limit);
  const where = Prisma.sql`s.previous_overall - s.latest_overall >= 1
    ${range.from ? Prisma.sql`AND s.previous_start >= ${day(range.from)}::date` : Prisma.empty} AND ${feedbackLatestVisibleSql(user, "s")}`;
  // The capped count is an uncorrelated subquery: computed once, beside the page of rows.
  const total = limit === null
    ? Prisma.sql`NULL::int`
    : cappedCountSql(Prisma.sql`SELECT 1 FROM feedback_client_latest s WHERE ${where}`, DROPS_COUNT_CAP);
  return jsonRead<DropJson & { total: number | null }, SatisfactionDrop[]>(
    Prisma.sql`
    SELECT s.client_id AS "clientId", s.client_name AS "clientName", c.client_code AS "clientCode", am.name AS "accountManagerName",
      s.previous_kind::text AS "previousKind", s.previous_start AS "previousStart", s.previous_overall AS previous,
      s.latest_kind::text AS "latestKind", s.latest_start AS "latestStart", s.latest_overall AS latest, s.previous_overall - s.latest_overall AS drop,
      ${total} AS total
    FROM feedback_client_latest s JOIN clients c ON c.id = s.client_id LEFT JOIN users am ON am.id = c.account_manager_id
    WHERE ${where}
    ORDER BY s.previous_overall - s.latest_overall DESC, s.client_name, s.client_id
    ${limit === null ? Prisma.empty : Prisma.sql`LIMIT ${sqlInteger(limit)}`}`,
    (rows) => rows.map((r) => dropFromJson(r, r.total ?? rows.length)),
  );
}

export function satisfactionDrops(db: Db, user: CurrentUser, range: DateRange, limit: number | null): Promise<SatisfactionDrop[]> {
  return sqlRead(db, satisfactionDropsRead(user, range, limit));
}

type DropJson = Omit<SatisfactionDrop, "previousStart" | "latestStart" | "total"> & { previousStart: string; latestStart: string };

function dropFromJson(r: DropJson, total: number): SatisfactionDrop {
  return { ...r, previousStart: jsonDate(r.previousStart)!, latestStart: jsonDate(r.latestStart)!, total };
}

/** The same list computed from the feedback rows in the range (a range with an end date). */
function satisfactionDropsFromRowsRead(user: CurrentUser, range: DateRange, limit: number | null): JsonRead<SatisfactionDrop[]> {
  return jsonRead<DropJson & { total: number }, SatisfactionDrop[]>(Prisma.sql`
    WITH ranked AS (
      SELECT f.client_id, f.period_kind, f.period_start, f.overall_satisfaction,
        lag(f.overall_satisfaction) OVER w AS previous, lag(f.period_kind) OVER w AS previous_kind, lag(f.period_start) OVER w AS previous_start,
        row_number() OVER (PARTITION BY f.client_id ORDER BY f.period_start DESC, f.period_kind DESC) AS newest
      FROM client_feedback f
      WHERE ${visibleFeedbackSql(user, "f")} AND ${rangeSql(range)}
      WINDOW w AS (PARTITION BY f.client_id ORDER BY f.period_start, f.period_kind))
    SELECT c.id AS "clientId", c.name AS "clientName", c.client_code AS "clientCode", am.name AS "accountManagerName",
      r.previous_kind::text AS "previousKind", r.previous_start AS "previousStart", r.previous, r.period_kind::text AS "latestKind",
      r.period_start AS "latestStart", r.overall_satisfaction AS latest, r.previous - r.overall_satisfaction AS drop,
      count(*) OVER ()::int AS total
    FROM ranked r JOIN clients c ON c.id = r.client_id LEFT JOIN users am ON am.id = c.account_manager_id
    WHERE r.newest = 1 AND r.previous - r.overall_satisfaction >= 1
    ORDER BY drop DESC, c.name, c.id
    ${limit === null ? Prisma.empty : Prisma.sql`LIMIT ${sqlInteger(limit)}`}`,
    (rows) => rows.map((r) => dropFromJson(r, r.total)),
    { planned: "each time" },
  );
}

/** An active client with no feedback for either of the last two complete quarters. */
export interface ClientWithoutFeedback {
  clientId: string;
  clientName: string;
  clientCode: string;
  accountManagerName: string | null;
  lastPeriodKind: FeedbackPeriodKind | null;
  lastPeriodStart: Date | null;
  total: number;
}

/** The last two complete quarters before `today`: [start of the earlier, start of the current). */
export function lastTwoQuarters(today = new Date()): { from: Date; until: Date } {
  const until = quarterStart(today);
  return { from: addQuarters(until, -2), until };
}

export function clientsWithoutRecentFeedbackRead(user: CurrentUser, limit: number | null, today = new Date()): JsonRead<ClientWithoutFeedback[]> {
  const { from, until } = lastTwoQuarters(today);
  // From the trigger-kept row per client (feedback_client_latest: its latest feedback, whether it is active, when it
  // was created), read through its index on active clients' latest period; its feedback is all visible with it.
  return jsonRead<Omit<ClientWithoutFeedback, "lastPeriodStart"> & { lastPeriodStart: string | null }, ClientWithoutFeedback[]>(Prisma.sql`
    SELECT s.client_id AS "clientId", s.client_name AS "clientName", c.client_code AS "clientCode", am.name AS "accountManagerName",
      s.latest_kind::text AS "lastPeriodKind", s.latest_start AS "lastPeriodStart", count(*) OVER ()::int AS total
    FROM feedback_client_latest s JOIN clients c ON c.id = s.client_id
    LEFT JOIN users am ON am.id = c.account_manager_id
    WHERE s.active AND s.client_created_at < ${addQuarters(until, -1).toISOString()}::timestamp
      AND (s.latest_start IS NULL OR s.latest_start < ${day(from)}::date) AND ${feedbackLatestVisibleSql(user, "s")}
    ORDER BY s.client_name, s.client_id
    ${limit === null ? Prisma.empty : Prisma.sql`LIMIT ${sqlInteger(limit)}`}`,
    (rows) => rows.map((r) => ({ ...r, lastPeriodStart: jsonDate(r.lastPeriodStart) })),
  );
}

export function clientsWithoutRecentFeedback(db: Db, user: CurrentUser, limit: number | null, today = new Date()): Promise<ClientWithoutFeedback[]> {
  return sqlRead(db, clientsWithoutRecentFeedbackRead(user, limit, today));
}

/** An active client whose account manager is owed a reminder: no feedback for any period starting in `quarter`. */
export interface ReminderDue {
  clientId: string;
  clientName: string;
  accountManagerId: string;
}

/**
 * Active clients that existed before `quarter` ended, with an active account manager, and no feedback for a month or
 * quarter starting in it. A job's read, not a reader's: the recipient is the client's account manager, on its team.
 */
export async function clientsDueForReminder(db: Db, quarter: { start: Date; end: Date }): Promise<ReminderDue[]> {
  return sqlRows<ReminderDue>(db, Prisma.sql`
    SELECT c.id AS "clientId", c.name AS "clientName", c.account_manager_id AS "accountManagerId"
    FROM clients c JOIN users am ON am.id = c.account_manager_id AND am.active
    WHERE c.status = 'active' AND c.created_at < ${quarter.end.toISOString()}::timestamp
      AND NOT EXISTS (SELECT 1 FROM client_feedback f WHERE f.client_id = c.id
        AND f.period_start >= ${day(quarter.start)}::date AND f.period_start < ${day(quarter.end)}::date)
    ORDER BY c.account_manager_id, c.name, c.id`);
}
