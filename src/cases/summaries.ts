// Short views of cases for other pages: "My work" on the dashboard and the cases section of the client hub. Every
// query takes its filter from access/cases.ts, so a hidden case never shows up here, not even in a count.
import type { Db } from "../db/client.ts";
import { cappedCountSql, jsonDate, jsonRead, sqlInteger, sqlRead, type JsonRead } from "../db/sql.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { CaseStatus } from "../generated/prisma/enums.ts";
import type { CurrentUser } from "../access/roles.ts";
import { managedCaseCountsSql, ownVisibleCasesSql, visibleCasesSql } from "../access/cases.ts";
import { ACTIVE_STATUSES, CASE_STATUSES } from "./status.ts";
import { caseByKey } from "./queries.ts";

/** A line of "Cases I manage". */
export interface CaseLine {
  id: string;
  caseNumber: string;
  title: string;
  status: CaseStatus;
  priority: string;
  nextReviewDate: Date | null;
  updatedAt: Date;
  client: { id: string; name: string };
  manager: { id: string; name: string };
  currentStage: { id: string; name: string } | null;
}

const ACTIVE = Prisma.raw(ACTIVE_STATUSES.map((status) => `'${status}'`).join(", "));

/** Every status, in the order of the status machine, with its count from `counts` (0 when absent). */
function everyStatus(counts: { status: CaseStatus; n: number | string }[]): { status: CaseStatus; count: number }[] {
  const found = new Map(counts.map((g) => [g.status, Number(g.n)]));
  return CASE_STATUSES.map((status) => ({ status, count: found.get(status) ?? 0 }));
}

/**
 * Active cases the user manages (and may see), most recently changed first, with how many there are in all, and how
 * many of every status they manage (the dashboard's "by status"): one SQL query over the cases they manage ("My work"
 * is on the page everyone lands on; through the ORM its queries cost tens of milliseconds).
 */
export interface CasesIManage {
  count: number;
  cases: CaseLine[];
  byStatus: { status: CaseStatus; count: number }[];
}

export function casesIManageRead(user: CurrentUser, limit = 10): JsonRead<CasesIManage> {
  return jsonRead<{ counts: { status: CaseStatus; n: number }[]; cases: (Omit<CaseLine, "nextReviewDate" | "updatedAt"> & { nextReviewDate: string | null; updatedAt: string })[] }, CasesIManage>(
    // The counts from the kept per-manager rows (managedCaseCountsSql); the page walks the manager's active cases by
    // last change and stops at the limit.
    Prisma.sql`SELECT (SELECT coalesce(json_agg(x), '[]') FROM (
           SELECT m.status, sum(m.n)::int AS n FROM (${managedCaseCountsSql(user, Prisma.sql`SELECT ${user.id}::uuid`)}) m GROUP BY m.status) x) AS counts,
        (SELECT coalesce(json_agg(r), '[]') FROM (
           SELECT k.id, k.case_number AS "caseNumber", k.title, k.status, k.priority, k.next_review_date AS "nextReviewDate",
             k.updated_at AS "updatedAt", json_build_object('id', c.id, 'name', c.name) AS client,
             json_build_object('id', m.id, 'name', m.name) AS manager,
             CASE WHEN st.id IS NULL THEN NULL ELSE json_build_object('id', st.id, 'name', st.name) END AS "currentStage"
           FROM (SELECT k.id FROM cases k WHERE k.manager_id = ${user.id}::uuid AND k.status IN (${ACTIVE}) AND ${visibleCasesSql(user, "k")}
                 ORDER BY k.updated_at DESC, k.id DESC LIMIT ${sqlInteger(limit)}) p
           JOIN cases k ON k.id = p.id JOIN clients c ON c.id = k.client_id JOIN users m ON m.id = k.manager_id
           LEFT JOIN case_stages st ON st.id = k.current_stage_id
           ORDER BY k.updated_at DESC, k.id DESC) r) AS cases`,
    ([row]) => {
      const byStatus = everyStatus(row!.counts);
      return {
        count: byStatus.filter((s) => (ACTIVE_STATUSES as readonly CaseStatus[]).includes(s.status)).reduce((sum, s) => sum + s.count, 0),
        cases: row!.cases.map((k) => ({ ...k, nextReviewDate: jsonDate(k.nextReviewDate), updatedAt: jsonDate(k.updatedAt)! })),
        byStatus,
      };
    },
  );
}

export function casesIManage(db: Db, user: CurrentUser, limit = 10): Promise<CasesIManage> {
  return sqlRead(db, casesIManageRead(user, limit));
}

/** A line of "Stages assigned to me". */
export interface AssignedStage {
  id: string;
  name: string;
  status: string;
  deadline: Date | null;
  case: { id: string; caseNumber: string; title: string; status: CaseStatus; client: { id: string; name: string } };
}

/**
 * Stages waiting for or under way with the user, on cases they may see that are still open; soonest deadline first,
 * with how many there are, counted up to `countCap + 1` (the dashboard shows "1,000+" beyond). One SQL query: the
 * first rows walk the user's open stages in deadline order (case_stages_open_by_assignee) and stop at the limit.
 */
export function stagesAssignedToRead(user: CurrentUser, limit = 10, countCap = 1000): JsonRead<{ count: number; stages: AssignedStage[] }> {
  const open = Prisma.sql`s.assignee_id = ${user.id}::uuid AND s.status IN ('pending', 'in_progress') AND k.status NOT IN ('resolved', 'closed')`;
  const mine = Prisma.sql`FROM case_stages s ${caseByKey("s.case_id")} WHERE ${open} AND ${visibleCasesSql(user, "k")}`;
  // The count tests up to a thousand cases: for a reader who sees only their own cases, against their case_access rows
  // (ownVisibleCasesSql: the rule's own source for them, read from its index) rather than each case's row.
  const own = ownVisibleCasesSql(user);
  const counted = own ? Prisma.sql`FROM case_stages s JOIN ${own} k ON k.id = s.case_id WHERE ${open}` : mine;
  return jsonRead<{ count: number; stages: (Omit<AssignedStage, "deadline"> & { deadline: string | null })[] }, { count: number; stages: AssignedStage[] }>(
    Prisma.sql`SELECT ${cappedCountSql(Prisma.sql`SELECT 1 ${counted}`, countCap)} AS count,
        (SELECT coalesce(json_agg(r), '[]') FROM (
           SELECT s.id, s.name, s.status, s.deadline,
             json_build_object('id', k.id, 'caseNumber', k.case_number, 'title', k.title, 'status', k.status,
               'client', json_build_object('id', c.id, 'name', c.name)) AS "case"
           FROM (SELECT s.id, s.deadline, k.case_number, s.position ${mine}
                 ORDER BY s.deadline ASC NULLS LAST, k.case_number ASC, s.position ASC LIMIT ${sqlInteger(limit)}) p
           JOIN case_stages s ON s.id = p.id JOIN cases k ON k.id = s.case_id JOIN clients c ON c.id = k.client_id
           ORDER BY p.deadline ASC NULLS LAST, p.case_number ASC, p.position ASC) r) AS stages`,
    ([row]) => ({ count: row!.count, stages: row!.stages.map((s) => ({ ...s, deadline: jsonDate(s.deadline) })) }),
  );
}

export function stagesAssignedTo(db: Db, user: CurrentUser, limit = 10, countCap = 1000): Promise<{ count: number; stages: AssignedStage[] }> {
  return sqlRead(db, stagesAssignedToRead(user, limit, countCap));
}

/** A line of the client hub's cases table. */
export interface ClientCaseLine {
  id: string;
  caseNumber: string;
  title: string;
  status: CaseStatus;
  updatedAt: Date;
  manager: { id: string; name: string };
}

export interface ClientCasesSummary {
  /** Visible cases of the client. */
  total: number;
  /** Every status, in the order of the status machine, with how many visible cases are in it. */
  byStatus: { status: CaseStatus; count: number }[];
  recent: ClientCaseLine[];
}

/**
 * The client hub's cases: counts by status and the latest changed, only among the cases the reader may see, in one
 * SQL query on the client's cases (the ORM's two queries cost more to compile than the rest of the page; see
 * docs/performance-history.md).
 */
export function clientCasesSummary(db: Db, user: CurrentUser, clientId: string, limit = 10): Promise<ClientCasesSummary> {
  return sqlRead(db, clientCasesSummaryRead(user, clientId, limit));
}

/** clientCasesSummary as a read, to be asked beside the client page's other reads. */
export function clientCasesSummaryRead(user: CurrentUser, clientId: string, limit = 10): JsonRead<ClientCasesSummary> {
  const visible = Prisma.sql`k.client_id = ${clientId}::uuid AND ${visibleCasesSql(user, "k")}`;
  return jsonRead<{ counts: { status: CaseStatus; n: number }[]; recent: (Omit<ClientCaseLine, "updatedAt"> & { updatedAt: string })[] }, ClientCasesSummary>(
    Prisma.sql`SELECT
      (SELECT coalesce(json_agg(x), '[]') FROM (SELECT k.status, count(*) AS n FROM cases k WHERE ${visible} GROUP BY k.status) x) AS counts,
      (SELECT coalesce(json_agg(r), '[]') FROM (
         SELECT k.id, k.case_number AS "caseNumber", k.title, k.status, k.updated_at AS "updatedAt",
           json_build_object('id', m.id, 'name', m.name) AS manager
         FROM cases k JOIN users m ON m.id = k.manager_id
         WHERE ${visible} ORDER BY k.updated_at DESC, k.id DESC LIMIT ${sqlInteger(limit)}) r) AS recent`,
    ([row]) => {
      const byStatus = everyStatus(row!.counts);
      return {
        total: byStatus.reduce((sum, s) => sum + s.count, 0),
        byStatus,
        recent: row!.recent.map((line) => ({ ...line, updatedAt: jsonDate(line.updatedAt)! })),
      };
    },
  );
}
