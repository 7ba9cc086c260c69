// THE access policy for communications, stated once: a communication inherits its client's rule and, when linked to
// a case, its case's rule; a privileged one, or any of a privileged client, is for the client's team only. Every read
// of communications (timelines, the firm-wide list, search, counts, follow-ups, the digest, the row lock before a
// write) filters with visibleCommunicationsSql. It is composed from the parent rules in clients.ts and cases.ts only,
// over the row's copies of its client's restriction and classification.
import { Prisma } from "../generated/prisma/client.ts";
import type { CurrentUser } from "./roles.ts";
import { clientRuleSql, privilegedVisibleSql } from "./clients.ts";
import { visibleCasesSql } from "./cases.ts";
import { can, type CommunicationFacts } from "./permissions.ts";

/**
 * SQL filter over the communications table aliased `alias`: live communications this user may know exist. The client
 * rule and the privileged-material rule read the communication's copies of its client's restriction and privileged
 * classification (client_confidential, client_privileged: kept by triggers in prisma/repeatable/access.sql, as
 * documents' are), so a list, a count or the follow-ups test them from the row or an index entry. The case is looked
 * up per row (OFFSET 0): as an EXISTS joining the case, PostgreSQL built the set of every case the user sees, reading
 * the whole table, to count a few hundred follow-ups.
 */
export function visibleCommunicationsSql(user: CurrentUser, alias = "m", options: { includeDeleted?: boolean } = {}): Prisma.Sql {
  const m = Prisma.raw(`"${alias}"`);
  const live = options.includeDeleted ? Prisma.sql`TRUE` : Prisma.sql`${m}.deleted_at IS NULL`;
  return Prisma.sql`(${live}
    AND ${clientRuleSql(user, { id: Prisma.sql`${m}.client_id`, restricted: Prisma.sql`${m}.client_confidential` })}
    AND (NOT (${m}.privileged OR ${m}.client_privileged) OR ${privilegedVisibleSql(user, Prisma.sql`${m}.client_id`)})
    AND (${m}.case_id IS NULL OR EXISTS (SELECT 1 FROM (SELECT * FROM cases "mk0" WHERE "mk0".id = ${m}.case_id OFFSET 0) "mk"
      WHERE ${visibleCasesSql(user, "mk")})))`;
}

export type { CommunicationFacts } from "./permissions.ts";

/** @deprecated ask permissions.ts: can(user, "communication.edit", facts) or assertCan(...). Kept for branches started before it. */
export const communicationActions = {
  log: (user: CurrentUser) => can(user, "communication.log"),
  edit: (user: CurrentUser, facts: CommunicationFacts) => can(user, "communication.edit", facts),
  delete: (user: CurrentUser, facts: CommunicationFacts) => can(user, "communication.delete", facts),
  completeFollowUp: (user: CurrentUser, facts: CommunicationFacts) => can(user, "communication.completeFollowUp", facts),
};
