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
 * The restricted clients this user may still see (account manager, point of contact or on the team), as a set for
 * `column IN (...)`: a few rows, built once per query from the partial indexes of restricted clients and the team
 * index, then hashed. For rows that say whether their client is restricted (cases.client_confidential, case_access),
 * the client rule is `NOT restricted OR client_id IN (this)`: no client is looked up per row, and the set is built
 * only when a row of a restricted client comes up. Null when the user sees every client.
 */
export function visibleRestrictedClientIdsSql(user: CurrentUser): Prisma.Sql | null {
  if (user.viewConfidential) return null;
  return Prisma.sql`SELECT vc.id FROM clients vc WHERE vc.is_confidential AND vc.account_manager_id = ${user.id}::uuid
    UNION ALL SELECT vc.id FROM clients vc WHERE vc.is_confidential AND vc.primary_poc_id = ${user.id}::uuid
    UNION ALL SELECT vc.id FROM clients vc WHERE vc.is_confidential AND vc.secondary_poc_id = ${user.id}::uuid
    UNION ALL SELECT vm.client_id FROM client_team_members vm WHERE vm.user_id = ${user.id}::uuid`;
}

/**
 * The client's team (canSeePrivilegedMaterial) as SQL, `alias` being the clients table: account manager, either point
 * of contact or a team member. View confidential does not count here: privileged material is for the team only.
 */
export function clientTeamSql(user: CurrentUser, alias = "c"): Prisma.Sql {
  const c = Prisma.raw(`"${alias}"`);
  return Prisma.sql`(${c}.account_manager_id = ${user.id}::uuid
    OR ${c}.primary_poc_id = ${user.id}::uuid
    OR ${c}.secondary_poc_id = ${user.id}::uuid
    OR EXISTS (SELECT 1 FROM client_team_members ptm WHERE ptm.client_id = ${c}.id AND ptm.user_id = ${user.id}::uuid))`;
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
