// Reads for the signed-in home page: the administrator's user counts, the previous sign-in, "My work" (cases I
// manage, stages assigned to me, approvals waiting for me, my follow-ups) and the cards' counts, each through the
// access rules of its feature (src/access/): a hidden record is absent here, counts included. Counts are exact up to
// DASHBOARD_COUNT_CAP and shown as "1,000+" beyond.
import { openFollowUpsRead } from "../communications/queries.ts";
import { attentionCountsRead } from "../clients/queries.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { Db } from "../db/client.ts";
import { jsonDate, jsonRead, sqlReads, type JsonRead } from "../db/sql.ts";
import type { Actor } from "../access/roles.ts";
import { can } from "../access/permissions.ts";
import { seesRoundtable } from "../access/roundtable.ts";
import { openActionItemsRead } from "../roundtable/selectors.ts";
import { casesIManageRead, stagesAssignedToRead } from "../cases/summaries.ts";
import { approvalsWaitingForRead } from "../cases/workflow.ts";
import { noticeApprovalsWaiting } from "../notifications/events.ts";

/** Counts on the dashboard's cards stop here (shown as "1,000+"). */
export const DASHBOARD_COUNT_CAP = 1000;

export interface UserCounts {
  activeUsers: number;
  inactiveUsers: number;
}

/** Active and deactivated accounts, for administrators (undefined for anyone else). */
function userCountsRead(user: Actor): JsonRead<UserCounts | undefined> {
  return jsonRead<UserCounts, UserCounts | undefined>(
    can(user, "admin.use")
      ? Prisma.sql`SELECT count(*) FILTER (WHERE active)::int AS "activeUsers", count(*) FILTER (WHERE NOT active)::int AS "inactiveUsers" FROM users`
      : null,
    ([row]) => row,
  );
}

/** The sign-in before this one (this session's own is the latest). */
function previousSignInRead(user: Actor): JsonRead<{ at: Date; ip: string | null } | null> {
  return jsonRead<{ at: string; ip: string | null }, { at: Date; ip: string | null } | null>(
    Prisma.sql`SELECT e.at, e.ip FROM audit_events e WHERE e.actor_id = ${user.id}::uuid AND e.action = 'auth.login'
      ORDER BY e.at DESC, e.id DESC OFFSET 1 LIMIT 1`,
    ([row]) => (row ? { at: jsonDate(row.at)!, ip: row.ip } : null),
  );
}

/** Approvals listed on the dashboard; one more is read to tell "10" from "more than 10". */
const APPROVALS_SHOWN = 10;

/** Everything the dashboard shows for `user`. */
export async function dashboardView(db: Db, user: Actor) {
  // Every section's read in one statement: one round trip for the page's data.
  const noActions = jsonRead(null, () => ({ count: 0, overdue: 0, rows: [] }));
  const [admin, lastLogin, managed, assigned, approvals, followUps, attention, actions] = await sqlReads(db, [
    userCountsRead(user),
    previousSignInRead(user),
    casesIManageRead(user),
    stagesAssignedToRead(user, 10, DASHBOARD_COUNT_CAP),
    approvalsWaitingForRead(user, APPROVALS_SHOWN + 1),
    openFollowUpsRead(user, { assigneeId: user.id }, 10),
    attentionCountsRead(user),
    seesRoundtable(user) ? openActionItemsRead(user, { assigneeId: user.id }, 10) : noActions,
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
