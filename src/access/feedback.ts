// THE access policy for client feedback. Feedback has no rule of its own: it is visible exactly when its client is,
// the client rule (visibleClientsSql) followed through client_feedback.client_id. Every feedback read (the client's
// feedback pages, charts and averages, the firm-wide report, counts and CSV exports) takes its filter from here.
import { Prisma } from "../generated/prisma/client.ts";
import type { CurrentUser } from "./roles.ts";
import { visibleClientsSql } from "./clients.ts";

/**
 * The feedback rows this user may see, as SQL on a row with a client_id (`alias`: the client_feedback table): its
 * client passes the client rule. The set of visible clients is built once per query and hashed.
 */
export function visibleFeedbackSql(user: CurrentUser, alias = "f"): Prisma.Sql {
  return Prisma.sql`${Prisma.raw(`"${alias}"`)}.client_id IN (SELECT vc.id FROM clients vc WHERE ${visibleClientsSql(user, "vc")})`;
}

const isManagerOrAdmin = (user: CurrentUser) => user.role === "admin" || user.role === "manager";

/** What a user may do with the feedback of a client they can see (callers check visibility first: hidden is 404). */
export const feedbackActions = {
  /** Recording feedback, and editing it until it is finalized: the client's team, managers and administrators. */
  record: (user: CurrentUser, onClientTeam: boolean) => onClientTeam || isManagerOrAdmin(user),
  /** Finalizing (after which nothing changes it): managers and administrators. */
  finalize: (user: CurrentUser) => isManagerOrAdmin(user),
};
