// Short views of cases for other pages: "My work" on the dashboard and the cases section of the client hub. Every
// query takes its filter from access/cases.ts, so a hidden case never shows up here, not even in a count.
import type { Db } from "../db/client.ts";
import { jsonDate, sqlRows } from "../db/sql.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { CaseStatus } from "../generated/prisma/enums.ts";
import type { CurrentUser } from "../access/roles.ts";
import { visibleCasesSql, visibleCasesWhere } from "../access/cases.ts";
import { ACTIVE_STATUSES, CASE_STATUSES } from "./status.ts";

const caseLine = {
  id: true,
  caseNumber: true,
  title: true,
  status: true,
  priority: true,
  nextReviewDate: true,
  updatedAt: true,
  client: { select: { id: true, name: true } },
  manager: { select: { id: true, name: true } },
  currentStage: { select: { id: true, name: true } },
} satisfies Prisma.CaseSelect;

export type CaseLine = Prisma.CaseGetPayload<{ select: typeof caseLine }>;

/** Active cases the user manages (and may see), most recently changed first, with how many there are in all. */
export async function casesIManage(db: Db, user: CurrentUser, limit = 10): Promise<{ count: number; cases: CaseLine[] }> {
  const where: Prisma.CaseWhereInput = { AND: [visibleCasesWhere(user), { managerId: user.id, status: { in: [...ACTIVE_STATUSES] } }] };
  const [count, cases] = await Promise.all([
    db.case.count({ where }),
    db.case.findMany({ where, select: caseLine, orderBy: [{ updatedAt: "desc" }, { id: "desc" }], take: limit }),
  ]);
  return { count, cases };
}

const stageLine = {
  id: true,
  name: true,
  status: true,
  deadline: true,
  case: { select: { id: true, caseNumber: true, title: true, status: true, client: { select: { id: true, name: true } } } },
} satisfies Prisma.CaseStageSelect;

export type AssignedStage = Prisma.CaseStageGetPayload<{ select: typeof stageLine }>;

/** Stages waiting for or under way with the user, on cases they may see that are still open; soonest deadline first. */
export async function stagesAssignedTo(db: Db, user: CurrentUser, limit = 10): Promise<{ count: number; stages: AssignedStage[] }> {
  const where: Prisma.CaseStageWhereInput = {
    assigneeId: user.id,
    status: { in: ["pending", "in_progress"] },
    case: { AND: [visibleCasesWhere(user), { status: { notIn: ["resolved", "closed"] } }] },
  };
  const [count, stages] = await Promise.all([
    db.caseStage.count({ where }),
    db.caseStage.findMany({
      where,
      select: stageLine,
      orderBy: [{ deadline: { sort: "asc", nulls: "last" } }, { case: { caseNumber: "asc" } }, { position: "asc" }],
      take: limit,
    }),
  ]);
  return { count, stages };
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
 * SQL query on the client's cases (through the ORM, its two queries cost the page about 4.5 ms of Node CPU to compile,
 * four times the rest of the page).
 */
export async function clientCasesSummary(db: Db, user: CurrentUser, clientId: string, limit = 10): Promise<ClientCasesSummary> {
  const visible = Prisma.sql`k.client_id = ${clientId}::uuid AND ${visibleCasesSql(user, "k")}`;
  const [row] = await sqlRows<{ counts: { status: CaseStatus; n: number }[]; recent: (Omit<ClientCaseLine, "updatedAt"> & { updatedAt: string })[] }>(
    db,
    Prisma.sql`SELECT
      (SELECT coalesce(json_agg(x), '[]') FROM (SELECT k.status, count(*) AS n FROM cases k WHERE ${visible} GROUP BY k.status) x) AS counts,
      (SELECT coalesce(json_agg(r), '[]') FROM (
         SELECT k.id, k.case_number AS "caseNumber", k.title, k.status, k.updated_at AS "updatedAt",
           json_build_object('id', m.id, 'name', m.name) AS manager
         FROM cases k JOIN users m ON m.id = k.manager_id
         WHERE ${visible} ORDER BY k.updated_at DESC, k.id DESC LIMIT ${limit}) r) AS recent`,
  );
  const counts = new Map(row!.counts.map((g) => [g.status, Number(g.n)]));
  const byStatus = CASE_STATUSES.map((status) => ({ status, count: counts.get(status) ?? 0 }));
  return {
    total: byStatus.reduce((sum, s) => sum + s.count, 0),
    byStatus,
    recent: row!.recent.map((line) => ({ ...line, updatedAt: jsonDate(line.updatedAt)! })),
  };
}
