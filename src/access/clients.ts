// THE access policy for clients: who may see a client, its privileged material and its internal assessment,
// and who may do what to it. Every query of clients (lists, search, counts, exports, autocomplete, bulk actions,
// detail pages) takes its filter from here, in one of two equivalent forms: a Prisma `where` and an SQL fragment.
import { Prisma } from "../generated/prisma/client.ts";
import type { CurrentUser } from "./roles.ts";

/** A client's team: the people a restricted client is visible to (besides view-confidential holders). */
export interface ClientTeamFacts {
  isConfidential: boolean;
  dataClassification?: string;
  accountManagerId: string | null;
  primaryPocId: string | null;
  secondaryPocId: string | null;
  teamUserIds: string[];
}

export function isOnClientTeam(user: CurrentUser, client: ClientTeamFacts): boolean {
  return (
    client.accountManagerId === user.id ||
    client.primaryPocId === user.id ||
    client.secondaryPocId === user.id ||
    client.teamUserIds.includes(user.id)
  );
}

/** Restricted clients exist only for their team and holders of "view confidential". Admins are not exempt. */
export function canSeeClient(user: CurrentUser, client: ClientTeamFacts): boolean {
  return !client.isConfidential || user.viewConfidential || isOnClientTeam(user, client);
}

/** Privileged material (privileged clients' documents and notes) is for the client's team only. */
export function canSeePrivilegedMaterial(user: CurrentUser, client: ClientTeamFacts): boolean {
  return isOnClientTeam(user, client);
}

/** The internal assessment (strength, notes, priority, relationship status): relationship team only. */
export function canSeeInternalAssessment(user: CurrentUser): boolean {
  return user.relationshipTeam;
}

/** Prisma filter: the clients this user may know exist. */
export function visibleClientsWhere(user: CurrentUser): Prisma.ClientWhereInput {
  if (user.viewConfidential) return {};
  return {
    OR: [
      { isConfidential: false },
      { accountManagerId: user.id },
      { primaryPocId: user.id },
      { secondaryPocId: user.id },
      { team: { some: { userId: user.id } } },
    ],
  };
}

/** The same filter as SQL, for the hand-written list and search queries; `alias` is the clients table alias. */
export function visibleClientsSql(user: CurrentUser, alias = "c"): Prisma.Sql {
  if (user.viewConfidential) return Prisma.sql`TRUE`;
  const c = Prisma.raw(`"${alias}"`);
  return Prisma.sql`(NOT ${c}.is_confidential
    OR ${c}.account_manager_id = ${user.id}::uuid
    OR ${c}.primary_poc_id = ${user.id}::uuid
    OR ${c}.secondary_poc_id = ${user.id}::uuid
    OR EXISTS (SELECT 1 FROM client_team_members tm WHERE tm.client_id = ${c}.id AND tm.user_id = ${user.id}::uuid))`;
}

/**
 * The same rule for a client known only by its id (`column`, e.g. a case's client_id), without joining the clients
 * table: visible unless that client is restricted and the user is off its team. The restricted clients are few and
 * indexed on their own (clients_confidential), so each row costs one probe of that small index, which also holds the
 * team columns; `OFFSET 0` keeps the probe per row instead of hashing every restricted client for each query.
 */
export function visibleClientIdSql(user: CurrentUser, column: string): Prisma.Sql {
  if (user.viewConfidential) return Prisma.sql`TRUE`;
  return Prisma.sql`NOT EXISTS (SELECT 1 FROM clients hc WHERE hc.id = ${Prisma.raw(column)} AND hc.is_confidential
      AND hc.account_manager_id IS DISTINCT FROM ${user.id}::uuid
      AND hc.primary_poc_id IS DISTINCT FROM ${user.id}::uuid
      AND hc.secondary_poc_id IS DISTINCT FROM ${user.id}::uuid
      AND NOT EXISTS (SELECT 1 FROM client_team_members hm WHERE hm.client_id = hc.id AND hm.user_id = ${user.id}::uuid)
      OFFSET 0)`;
}

export const clientActions = {
  /** Staff browse and edit; managers and admins also create (and import). */
  create: (user: CurrentUser) => user.role === "admin" || user.role === "manager",
  edit: (_user: CurrentUser) => true,
  /** Changing who may see a client (restriction, classification) is for managers and admins. */
  changeConfidentiality: (user: CurrentUser) => user.role === "admin" || user.role === "manager",
  deactivate: (user: CurrentUser) => user.role === "admin",
  delete: (user: CurrentUser) => user.role === "admin",
  bulkUpdate: (user: CurrentUser) => user.role === "admin" || user.role === "manager",
  import: (user: CurrentUser) => user.role === "admin" || user.role === "manager",
};
