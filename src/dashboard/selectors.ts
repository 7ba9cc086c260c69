// Reads for the signed-in home page: the administrator's user counts, the previous sign-in, "My work" (cases I
// manage, stages assigned to me, approvals waiting for me, my follow-ups) and the cards' counts, each through the
// access rules of its feature (src/access/): a hidden record is absent here, counts included. Counts are exact up to
// DASHBOARD_COUNT_CAP and shown as "1,000+" beyond.
import { openFollowUps } from "../communications/queries.ts";
import { attentionCounts } from "../clients/queries.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { CaseStatus } from "../generated/prisma/enums.ts";
import type { Db } from "../db/client.ts";
import { jsonDate, sqlInteger, sqlRows } from "../db/sql.ts";
import type { Actor, CurrentUser } from "../access/roles.ts";
import { can } from "../access/permissions.ts";
import { visibleCasesSql } from "../access/cases.ts";
import { visibleCommunicationsSql } from "../access/communications.ts";
import { seesRoundtable, visibleRoundtableRowsSql } from "../access/roundtable.ts";
import { casesIManage, stagesAssignedTo } from "../cases/summaries.ts";
import { approvalsWaitingFor } from "../cases/workflow.ts";
import { CASE_STATUSES } from "../cases/status.ts";
import { noticeApprovalsWaiting } from "../notifications/events.ts";

/** Counts on the dashboard's cards stop here (shown as "1,000+"). */
export const DASHBOARD_COUNT_CAP = 1000;
const CAP = sqlInteger(DASHBOARD_COUNT_CAP + 1);

export interface UserCounts {
  activeUsers: number;
  inactiveUsers: number;
}

/** Active and deactivated accounts, for administrators (undefined for anyone else). */
async function userCounts(db: Db, user: Actor): Promise<UserCounts | undefined> {
  if (!can(user, "admin.use")) return undefined;
  const [row] = await sqlRows<UserCounts>(db, Prisma.sql`SELECT count(*) FILTER (WHERE active)::int AS "activeUsers", count(*) FILTER (WHERE NOT active)::int AS "inactiveUsers" FROM users`);
  return row;
}

/** The sign-in before this one (this session's own is the latest). */
async function previousSignIn(db: Db, user: Actor): Promise<{ at: Date; ip: string | null } | null> {
  const [row] = await sqlRows<{ at: Date; ip: string | null }>(
    db,
    Prisma.sql`SELECT e.at, e.ip FROM audit_events e WHERE e.actor_id = ${user.id}::uuid AND e.action = 'auth.login'
      ORDER BY e.at DESC, e.id DESC OFFSET 1 LIMIT 1`,
  );
  return row ?? null;
}

export interface FollowUpCounts {
  /** Open communication follow-ups assigned to me (visible), and of them overdue. */
  open: number;
  overdue: number;
  /** Open roundtable action items assigned to me (relationship team only; 0 for anyone else), and of them overdue. */
  actionsOpen: number;
  actionsOverdue: number;
}

/** My open and overdue follow-ups, communications and (for the relationship team) roundtable action items, capped. */
export async function followUpCounts(db: Db, user: CurrentUser): Promise<FollowUpCounts> {
  const comm = (overdue: boolean) => Prisma.sql`(SELECT count(*)::int FROM (SELECT 1 FROM communications m
      WHERE m.follow_up_assignee_id = ${user.id}::uuid AND m.follow_up_required AND m.follow_up_completed_at IS NULL
        ${overdue ? Prisma.sql`AND m.follow_up_due < current_date` : Prisma.empty} AND ${visibleCommunicationsSql(user, "m")} LIMIT ${CAP}) x)`;
  const actions = (overdue: boolean) =>
    seesRoundtable(user)
      ? Prisma.sql`(SELECT count(*)::int FROM (SELECT 1 FROM roundtable_action_items ai
          WHERE ai.assignee_id = ${user.id}::uuid AND ai.completed_at IS NULL
            ${overdue ? Prisma.sql`AND ai.due_date < current_date` : Prisma.empty} AND ${visibleRoundtableRowsSql(user, "ai")} LIMIT ${CAP}) x)`
      : Prisma.sql`0`;
  const [row] = await sqlRows<FollowUpCounts>(
    db,
    Prisma.sql`SELECT ${comm(false)} AS open, ${comm(true)} AS overdue, ${actions(false)} AS "actionsOpen", ${actions(true)} AS "actionsOverdue"`,
  );
  return row!;
}

export interface ActionItemLine {
  id: string;
  description: string;
  dueDate: Date;
  overdue: boolean;
  clientId: string;
  clientName: string;
}

/** My open roundtable action items (relationship team only), earliest due first. */
export async function myActionItems(db: Db, user: CurrentUser, limit = 10): Promise<ActionItemLine[]> {
  if (!seesRoundtable(user)) return [];
  const rows = await sqlRows<ActionItemLine>(
    db,
    Prisma.sql`SELECT ai.id, ai.description, ai.due_date AS "dueDate", ai.due_date < current_date AS overdue, c.id AS "clientId", c.name AS "clientName"
      FROM roundtable_action_items ai JOIN clients c ON c.id = ai.client_id
      WHERE ai.assignee_id = ${user.id}::uuid AND ai.completed_at IS NULL AND ${visibleRoundtableRowsSql(user, "ai")}
      ORDER BY ai.due_date, ai.created_at, ai.id LIMIT ${sqlInteger(limit)}`,
  );
  return rows.map((r) => ({ ...r, dueDate: jsonDate(r.dueDate)! }));
}

/** Cases I manage (and may see), by status, each count capped; every status in the status machine's order. */
export async function managedCasesByStatus(db: Db, user: CurrentUser): Promise<{ status: CaseStatus; count: number }[]> {
  const one = (status: CaseStatus) => Prisma.sql`(SELECT count(*)::int FROM (SELECT 1 FROM cases k
      WHERE k.manager_id = ${user.id}::uuid AND k.status = ${status}::"CaseStatus" AND ${visibleCasesSql(user, "k")} LIMIT ${CAP}) x)`;
  const [row] = await sqlRows<Record<string, number>>(db, Prisma.sql`SELECT ${Prisma.join(CASE_STATUSES.map((s) => Prisma.sql`${one(s)} AS ${Prisma.raw(`"${s}"`)}`), ", ")}`);
  return CASE_STATUSES.map((status) => ({ status, count: row![status] ?? 0 }));
}

/** Approvals listed on the dashboard; one more is read to tell "10" from "more than 10". */
const APPROVALS_SHOWN = 10;

/** Everything the dashboard shows for `user`. */
export async function dashboardView(db: Db, user: Actor) {
  const [admin, lastLogin, managed, assigned, approvals, followUps, attention, followUpTotals, actionItems, byStatus] = await Promise.all([
    userCounts(db, user),
    previousSignIn(db, user),
    casesIManage(db, user),
    stagesAssignedTo(db, user),
    approvalsWaitingFor(db, user, APPROVALS_SHOWN + 1),
    openFollowUps(db, user, { assigneeId: user.id }, 10),
    attentionCounts(db, user),
    followUpCounts(db, user),
    myActionItems(db, user),
    managedCasesByStatus(db, user),
  ]);
  // Approvals are derived from the workflow's state; the bell gets a notice for each the first time it is seen.
  if (approvals.length) await noticeApprovalsWaiting(db, user, approvals.slice(0, APPROVALS_SHOWN));
  const shown = { approvals: approvals.slice(0, APPROVALS_SHOWN), approvalsCount: approvals.length, approvalsShown: APPROVALS_SHOWN };
  return {
    admin,
    lastLogin,
    myWork: { managed, assigned, ...shown, followUps, actionItems },
    attention,
    followUpTotals,
    byStatus,
    cap: DASHBOARD_COUNT_CAP,
  };
}
