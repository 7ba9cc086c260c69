// Short views of cases for other pages: "My work" on the dashboard and the cases section of the client hub. Every
// query takes its filter from access/cases.ts, so a hidden case never shows up here, not even in a count.
import type { Db } from "../db/client.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { CaseStatus } from "../generated/prisma/enums.ts";
import type { CurrentUser } from "../access/roles.ts";
import { visibleCasesWhere } from "../access/cases.ts";
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

export interface ClientCasesSummary {
  /** Visible cases of the client. */
  total: number;
  /** Every status, in the order of the status machine, with how many visible cases are in it. */
  byStatus: { status: CaseStatus; count: number }[];
  recent: CaseLine[];
}

/** The client hub's cases: counts by status and the latest changed, only among the cases the reader may see. */
export async function clientCasesSummary(db: Db, user: CurrentUser, clientId: string, limit = 10): Promise<ClientCasesSummary> {
  const where: Prisma.CaseWhereInput = { AND: [visibleCasesWhere(user), { clientId }] };
  const [groups, recent] = await Promise.all([
    db.case.groupBy({ by: ["status"], where, _count: { _all: true }, orderBy: { status: "asc" } }),
    db.case.findMany({ where, select: caseLine, orderBy: [{ updatedAt: "desc" }, { id: "desc" }], take: limit }),
  ]);
  const counts = new Map(groups.map((g) => [g.status, g._count._all]));
  const byStatus = CASE_STATUSES.map((status) => ({ status, count: counts.get(status) ?? 0 }));
  return { total: byStatus.reduce((sum, s) => sum + s.count, 0), byStatus, recent };
}
