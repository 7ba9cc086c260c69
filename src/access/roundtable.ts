// THE access policy for roundtable meetings, stated once: meetings, their entries and action items are the
// relationship team's only (nobody else, not even administrators, may know they exist), and an entry or action item
// inherits its client's rule through client_id, so a restricted client's entries exist only for team members who may
// see that client. Every roundtable read (meeting mode, meeting pages and exports, the client page's history, the
// dashboards, follow-ups, counts) filters with these.
import { Prisma } from "../generated/prisma/client.ts";
import type { CurrentUser } from "./roles.ts";
import { clientRuleSql } from "./clients.ts";

/** Whether the user may see roundtable meetings at all (the relationship-team flag, whatever the role). */
export function seesRoundtable(user: CurrentUser): boolean {
  return user.relationshipTeam;
}

/** SQL on roundtable_meetings (`alias`): meetings this user may see. */
export function visibleRoundtableMeetingsSql(user: CurrentUser, _alias = "rm"): Prisma.Sql {
  return seesRoundtable(user) ? Prisma.sql`TRUE` : Prisma.sql`FALSE`;
}

/**
 * SQL on a roundtable row carrying client_id (`alias`: roundtable_entries or roundtable_action_items): the relationship
 * team's, and its client passes the client rule.
 */
export function visibleRoundtableRowsSql(user: CurrentUser, alias: string): Prisma.Sql {
  if (!seesRoundtable(user)) return Prisma.sql`FALSE`;
  // The client's restriction from the row's copy (client_confidential, kept by triggers in prisma/repeatable/access.sql
  // as cases' is): a meeting's entries are counted whole, and looking each one's client up cost more than the count.
  return clientRuleSql(user, { id: Prisma.raw(`"${alias}".client_id`), restricted: Prisma.raw(`"${alias}".client_confidential`) });
}
