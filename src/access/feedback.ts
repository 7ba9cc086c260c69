// THE access policy for client feedback. Feedback has no rule of its own: it is visible exactly when its client is,
// the client rule (visibleClientsSql) followed through client_feedback.client_id. Every feedback read (the client's
// feedback pages, charts and averages, the firm-wide report, counts and CSV exports) takes its filter from here.
import { Prisma } from "../generated/prisma/client.ts";
import type { CurrentUser } from "./roles.ts";
import { clientRuleByClassSql, clientRuleSql, visibleClientsSql } from "./clients.ts";
import { can } from "./permissions.ts";

/**
 * The feedback rows this user may see, as SQL on a row with a client_id (`alias`: the client_feedback table): its
 * client passes the client rule. The set of visible clients is built once per query and hashed.
 */
export function visibleFeedbackSql(user: CurrentUser, alias = "f"): Prisma.Sql {
  return Prisma.sql`${Prisma.raw(`"${alias}"`)}.client_id IN (SELECT vc.id FROM clients vc WHERE ${visibleClientsSql(user, "vc")})`;
}

/**
 * A client's row in feedback_client_latest (`alias`), which carries its client's restriction: visible when its client
 * is, the client rule tested on the row's own client_id and is_confidential (as cases.client_confidential is).
 */
export function feedbackLatestVisibleSql(user: CurrentUser, alias = "s"): Prisma.Sql {
  const s = Prisma.raw(`"${alias}"`);
  return clientRuleSql(user, { id: Prisma.sql`${s}.client_id`, restricted: Prisma.sql`${s}.is_confidential` });
}

/**
 * The firm-wide averages read feedback_group_sums (sums per period, class of clients and category or account manager)
 * instead of every row. `classVisible` filters the class rows (`alias`); `teamSumsUserId`, when the reader sees some
 * clients although their class is not admitted whole (restricted clients on their team: clientRuleByClassSql's
 * individuallyVisible), names the reader whose feedback_team_sums rows hold exactly those clients' sums (kept per
 * user from client_team_user_ids, the team client_team_ids reads from the other side); null when there are none.
 * Together exactly the feedback visibleFeedbackSql admits (tests/feedback/summaries.test.ts).
 */
export function feedbackSumsVisibility(user: CurrentUser, alias = "g"): { classVisible: Prisma.Sql; teamSumsUserId: Prisma.Sql | null } {
  const rule = clientRuleByClassSql(user);
  return {
    classVisible: rule.classVisible(Prisma.sql`${Prisma.raw(`"${alias}"`)}.restricted`),
    teamSumsUserId: rule.individuallyVisible ? Prisma.sql`${user.id}::uuid` : null,
  };
}

/** @deprecated ask permissions.ts: can(user, "feedback.record", { onClientTeam }) or assertCan(...). Kept for branches started before it. */
export const feedbackActions = {
  record: (user: CurrentUser, onClientTeam: boolean) => can(user, "feedback.record", { onClientTeam }),
  finalize: (user: CurrentUser) => can(user, "feedback.finalize"),
};
