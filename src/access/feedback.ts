// THE access policy for client feedback. Feedback has no rule of its own: it is visible exactly when its client is,
// the client rule (visibleClientsSql) followed through client_feedback.client_id. Every feedback read (the client's
// feedback pages, charts and averages, the firm-wide report, counts and CSV exports) takes its filter from here.
import { Prisma } from "../generated/prisma/client.ts";
import type { CurrentUser } from "./roles.ts";
import { visibleClientsSql } from "./clients.ts";
import { can } from "./permissions.ts";

/**
 * The feedback rows this user may see, as SQL on a row with a client_id (`alias`: the client_feedback table): its
 * client passes the client rule. The set of visible clients is built once per query and hashed.
 */
export function visibleFeedbackSql(user: CurrentUser, alias = "f"): Prisma.Sql {
  return Prisma.sql`${Prisma.raw(`"${alias}"`)}.client_id IN (SELECT vc.id FROM clients vc WHERE ${visibleClientsSql(user, "vc")})`;
}

/** @deprecated ask permissions.ts: can(user, "feedback.record", { onClientTeam }) or assertCan(...). Kept for branches started before it. */
export const feedbackActions = {
  record: (user: CurrentUser, onClientTeam: boolean) => can(user, "feedback.record", { onClientTeam }),
  finalize: (user: CurrentUser) => can(user, "feedback.finalize"),
};
