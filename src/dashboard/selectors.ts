// Reads for the signed-in home page: the administrator's user counts, the previous sign-in, "My work" (cases I
// manage, stages assigned to me, approvals waiting for me, my follow-ups) and the cards' counts, each through the
// access rules of its feature (src/access/): a hidden record is absent here, counts included. Counts are exact up to
// DASHBOARD_COUNT_CAP and shown as "1,000+" beyond.
import { openFollowUps } from "../communications/queries.ts";
import { attentionCounts } from "../clients/queries.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { Db } from "../db/client.ts";
import { sqlRows } from "../db/sql.ts";
import type { Actor } from "../access/roles.ts";
import { can } from "../access/permissions.ts";
import { seesRoundtable } from "../access/roundtable.ts";
import { openActionItems } from "../roundtable/selectors.ts";
import { casesIManage, stagesAssignedTo } from "../cases/summaries.ts";
import { approvalsWaitingFor } from "../cases/workflow.ts";
import { noticeApprovalsWaiting } from "../notifications/events.ts";

/** Counts on the dashboard's cards stop here (shown as "1,000+"). */
export const DASHBOARD_COUNT_CAP = 1000;

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

/** Approvals listed on the dashboard; one more is read to tell "10" from "more than 10". */
const APPROVALS_SHOWN = 10;

/** Everything the dashboard shows for `user`. */
export async function dashboardView(db: Db, user: Actor) {
  const [admin, lastLogin, managed, assigned, approvals, followUps, attention, actions] = await Promise.all([
    userCounts(db, user),
    previousSignIn(db, user),
    casesIManage(db, user),
    stagesAssignedTo(db, user, 10, DASHBOARD_COUNT_CAP),
    approvalsWaitingFor(db, user, APPROVALS_SHOWN + 1),
    openFollowUps(db, user, { assigneeId: user.id }, 10),
    attentionCounts(db, user),
    seesRoundtable(user) ? openActionItems(db, user, { assigneeId: user.id }, 10) : { count: 0, overdue: 0, rows: [] },
  ]);
  const followUpTotals = { open: followUps.count, overdue: followUps.overdue, actionsOpen: actions.count, actionsOverdue: actions.overdue };
  // Approvals are derived from the workflow's state; the bell gets a notice for each the first time it is seen.
  if (approvals.length) await noticeApprovalsWaiting(db, user, approvals.slice(0, APPROVALS_SHOWN));
  const shown = { approvals: approvals.slice(0, APPROVALS_SHOWN), approvalsCount: approvals.length, approvalsShown: APPROVALS_SHOWN };
  return {
    admin,
    lastLogin,
    myWork: { managed, assigned, ...shown, followUps, actionItems: actions.rows },
    attention,
    followUpTotals,
    byStatus: managed.byStatus,
    cap: DASHBOARD_COUNT_CAP,
  };
}
