// THE access policy for communications, stated once: a communication inherits its client's rule and, when linked to
// a case, its case's rule; a privileged one, or any of a privileged client, is for the client's team only. Every read
// of communications (timelines, the firm-wide list, search, counts, follow-ups, the digest, the row lock before a
// write) filters with visibleCommunicationsSql. It is composed from the parent rules in clients.ts and cases.ts only.
import { Prisma } from "../generated/prisma/client.ts";
import type { CurrentUser } from "./roles.ts";
import { privilegedVisibleSql, visibleClientsSql } from "./clients.ts";
import { visibleCasesSql } from "./cases.ts";

/**
 * SQL filter over the communications table aliased `alias`: live communications this user may know exist. The case is
 * looked up per row (OFFSET 0): otherwise PostgreSQL turns the EXISTS into the set of every case the user sees, built by
 * reading the whole cases table on each query.
 */
export function visibleCommunicationsSql(user: CurrentUser, alias = "m", options: { includeDeleted?: boolean } = {}): Prisma.Sql {
  const m = Prisma.raw(`"${alias}"`);
  const live = options.includeDeleted ? Prisma.sql`TRUE` : Prisma.sql`${m}.deleted_at IS NULL`;
  return Prisma.sql`(${live}
    AND EXISTS (SELECT 1 FROM clients "mc" WHERE "mc".id = ${m}.client_id AND ${visibleClientsSql(user, "mc")}
      AND (NOT (${m}.privileged OR "mc".data_classification = 'privileged') OR ${privilegedVisibleSql(user, Prisma.sql`"mc".id`)}))
    AND (${m}.case_id IS NULL OR EXISTS (SELECT 1 FROM (SELECT * FROM cases "mk0" WHERE "mk0".id = ${m}.case_id OFFSET 0) "mk"
      WHERE ${visibleCasesSql(user, "mk")})))`;
}

const isManagerOrAdmin = (user: CurrentUser) => user.role === "admin" || user.role === "manager";

/** The facts about a visible communication that decide what a user may do to it. */
export interface CommunicationFacts {
  loggedById: string;
  followUpAssigneeId: string | null;
}

/** What a user may do to a communication they can see (callers check visibility first, so hidden ones stay 404). */
export const communicationActions = {
  /** Anyone who sees a client may log a contact with it. */
  log: (_user: CurrentUser) => true,
  /** Its author, managers and administrators. */
  edit: (user: CurrentUser, facts: CommunicationFacts) => isManagerOrAdmin(user) || facts.loggedById === user.id,
  delete: (user: CurrentUser, facts: CommunicationFacts) => isManagerOrAdmin(user) || facts.loggedById === user.id,
  /** The assignee, the author, managers and administrators. */
  completeFollowUp: (user: CurrentUser, facts: CommunicationFacts) =>
    isManagerOrAdmin(user) || facts.loggedById === user.id || facts.followUpAssigneeId === user.id,
};
