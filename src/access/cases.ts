// THE access policy for cases: who may know a case exists, and who may do what to it. Every query of cases (lists,
// search, counts, the board, the client hub, "My work", detail pages) takes its filter from here, as a Prisma
// `where` or an equivalent SQL fragment. A case is never visible when its client is hidden from the reader.
import { Prisma } from "../generated/prisma/client.ts";
import type { CurrentUser } from "./roles.ts";
import { visibleClientsWhere, visibleRestrictedClientIdsSql } from "./clients.ts";

/** The facts about a case that decide what a user may do with it. */
export interface CaseFacts {
  managerId: string;
  teamUserIds: string[];
}

export interface StageFacts {
  stageType: string;
  assigneeId: string | null;
}

/**
 * Why a user sees cases: admins see all; everyone else the cases they manage or are on the team of, plus, for a
 * manager with a department, the cases managed from it, and for the legal team, the cases needing legal or compliance
 * review. The Prisma and SQL forms below and seesOnlyOwnCases all read it from here.
 */
function scopeOf(user: CurrentUser): { all: boolean; department: string | null; legal: boolean } {
  return { all: user.role === "admin", department: user.role === "manager" ? user.department : null, legal: user.legalTeam };
}

function caseScopeWhere(user: CurrentUser): Prisma.CaseWhereInput {
  const scope = scopeOf(user);
  if (scope.all) return {};
  const reasons: Prisma.CaseWhereInput[] = [{ managerId: user.id }, { team: { some: { userId: user.id } } }];
  if (scope.department) reasons.push({ manager: { department: scope.department } });
  if (scope.legal) reasons.push({ legalReviewRequired: true }, { complianceReviewRequired: true });
  return { OR: reasons };
}

/** Prisma filter: the cases this user may know exist (never deleted ones; see deletedCasesWhere). */
export function visibleCasesWhere(user: CurrentUser): Prisma.CaseWhereInput {
  return { AND: [{ deletedAt: null }, { client: visibleClientsWhere(user) }, caseScopeWhere(user)] };
}

/** Deleted cases, for the administrators' recovery page; hidden clients stay hidden there too. */
export function deletedCasesWhere(user: CurrentUser): Prisma.CaseWhereInput {
  if (user.role !== "admin") return { id: { in: [] } };
  return { AND: [{ deletedAt: { not: null } }, { client: visibleClientsWhere(user) }] };
}

/**
 * The sets the SQL rule reads: the cases the user is on the team of, the managers of their department (when that is
 * a reason), the restricted clients they are on (unless they see every client). Each is a subquery for `x IN (…)`.
 */
export interface CaseVisibilitySets {
  team: Prisma.Sql;
  departmentManagers: Prisma.Sql | null;
  restrictedClients: Prisma.Sql | null;
}

function inlineSets(user: CurrentUser): CaseVisibilitySets {
  const scope = scopeOf(user);
  return {
    team: Prisma.sql`SELECT ctm.case_id FROM case_team_members ctm WHERE ctm.user_id = ${user.id}::uuid`,
    departmentManagers: scope.department ? Prisma.sql`SELECT cm.id FROM users cm WHERE cm.department = ${scope.department}` : null,
    restrictedClients: visibleRestrictedClientIdsSql(user),
  };
}

/**
 * The same sets as WITH-clause entries (vis_team, vis_managers, vis_clients), for a query that tests the rule in many
 * places (a list's rows and its seven status counts, the board's columns): each set is then read once per query, and
 * each place hashes the stored rows instead of reading the indexes again. Put `ctes` in the query's WITH clause and
 * pass `sets` to visibleCasesSql.
 */
export function caseVisibilityCtes(user: CurrentUser, only?: "restrictedClients"): { ctes: Prisma.Sql[]; sets: CaseVisibilitySets } {
  const inline = inlineSets(user);
  const ctes: Prisma.Sql[] = [];
  const named = (name: string, column: string, sql: Prisma.Sql) => {
    ctes.push(Prisma.sql`${Prisma.raw(name)} AS MATERIALIZED (${sql})`);
    return Prisma.raw(`SELECT ${name}.${column} FROM ${name}`);
  };
  // An administrator's rule reads neither reason set; an own-cases source (ownVisibleCasesSql) only the clients.
  const reasons = !scopeOf(user).all && only !== "restrictedClients";
  return {
    ctes,
    sets: {
      team: reasons ? named("vis_team", "case_id", inline.team) : inline.team,
      departmentManagers: reasons && inline.departmentManagers ? named("vis_managers", "id", inline.departmentManagers) : inline.departmentManagers,
      restrictedClients: inline.restrictedClients && named("vis_clients", "id", inline.restrictedClients),
    },
  };
}

/**
 * The same filter as SQL for hand-written queries, `caseAlias` being the cases table. It reads only the case's own
 * columns, so lists, counts and the board can test it from an index without fetching the case or its client: the
 * team and department reasons are sets built once per query (hashed), and the client rule reads the case's copy of
 * its client's restriction (client_confidential, kept by triggers) and, for a restricted client, the set of
 * restricted clients the user is on. `sets` come from caseVisibilityCtes when the query defines them once.
 */
export function visibleCasesSql(user: CurrentUser, caseAlias = "k", sets: CaseVisibilitySets = inlineSets(user)): Prisma.Sql {
  const k = Prisma.raw(`"${caseAlias}"`);
  const scope = scopeOf(user);
  const reasons: Prisma.Sql[] = [];
  if (!scope.all) {
    // PostgreSQL tests an OR's terms in the order written and stops at the first true one: the case's own columns
    // first, then the department's few managers, then the team set (the largest hash).
    if (scope.legal) reasons.push(Prisma.sql`${k}.legal_review_required OR ${k}.compliance_review_required`);
    reasons.push(Prisma.sql`${k}.manager_id = ${user.id}::uuid`);
    if (sets.departmentManagers) reasons.push(Prisma.sql`${k}.manager_id IN (${sets.departmentManagers})`);
    reasons.push(Prisma.sql`${k}.id IN (${sets.team})`);
  }
  const anyReason = reasons.length ? Prisma.sql`(${Prisma.join(reasons, " OR ")})` : Prisma.sql`TRUE`;
  return Prisma.sql`(${k}.deleted_at IS NULL AND ${anyReason} AND ${clientRuleSql(sets.restrictedClients, caseAlias)})`;
}

/** The client rule on a row with client_id and client_confidential (a case, or a case_access row). */
function clientRuleSql(restrictedClients: Prisma.Sql | null, alias: string): Prisma.Sql {
  if (!restrictedClients) return Prisma.sql`TRUE`;
  const a = Prisma.raw(`"${alias}"`);
  return Prisma.sql`(NOT ${a}.client_confidential OR ${a}.client_id IN (${restrictedClients}))`;
}

/** Readers whose only reasons to see a case are managing it or being on its team (see scopeOf). */
export function seesOnlyOwnCases(user: CurrentUser): boolean {
  const scope = scopeOf(user);
  return !scope.all && !scope.department && !scope.legal;
}

/**
 * For a reader who sees only their own cases (seesOnlyOwnCases), exactly the cases visibleCasesSql lets them see, as
 * a subquery of the columns lists filter and sort on (id, number_lower, title_lower, status, client_id, manager_id,
 * updated_at, priority, type_id, next_review_date, created_at; number and title lowercased). They come from
 * case_access, the trigger-kept rows of who manages or is on the team of each live case, in one index range, with
 * the client rule as on the cases table (`restrictedClients`: caseVisibilityCtes' set, when the query defines it
 * once). Null for any other reader. Counting such a reader's cases by status is one pass over this.
 */
export function ownVisibleCasesSql(user: CurrentUser, restrictedClients = visibleRestrictedClientIdsSql(user)): Prisma.Sql | null {
  if (!seesOnlyOwnCases(user)) return null;
  return Prisma.sql`(SELECT a.case_id AS id, a.number_lower, a.title_lower, a.status, a.client_id, a.manager_id, a.updated_at, a.priority,
      a.type_id, a.next_review_date, a.created_at
    FROM case_access a
    WHERE a.user_id = ${user.id}::uuid AND ${clientRuleSql(restrictedClients, "a")})`;
}

const isManagerOrAdmin = (user: CurrentUser) => user.role === "admin" || user.role === "manager";
const isOnCase = (user: CurrentUser, facts: CaseFacts) => facts.managerId === user.id || facts.teamUserIds.includes(user.id);

/** What a user may do to a case they can see (callers check visibility first, so hidden cases stay 404). */
export const caseActions = {
  /** Anyone may open a case for a client they can see; staff who do are put on its team. */
  create: (_user: CurrentUser) => true,
  /** Its manager and team, and managers and admins who see it; the legal team reviews but does not edit. */
  edit: (user: CurrentUser, facts: CaseFacts) => isManagerOrAdmin(user) || isOnCase(user, facts),
  changeStatus: (user: CurrentUser, facts: CaseFacts) => isManagerOrAdmin(user) || isOnCase(user, facts),
  manageTeam: (user: CurrentUser, facts: CaseFacts) => isManagerOrAdmin(user) || facts.managerId === user.id,
  /** Soft delete: managers and admins; only admins see deleted cases and restore them. */
  delete: (user: CurrentUser) => isManagerOrAdmin(user),
  restore: (user: CurrentUser) => user.role === "admin",
  /** Starting, completing or skipping a stage: whoever may edit the case, and the stage's assignee. */
  workOnStage: (user: CurrentUser, facts: CaseFacts, stage: StageFacts) => caseActions.edit(user, facts) || stage.assigneeId === user.id,
  /**
   * Approving a stage: managers, admins and the legal team; legal and compliance review stages only the legal team.
   */
  approveStage: (user: CurrentUser, stage: StageFacts) =>
    stage.stageType === "legal_review" || stage.stageType === "compliance_review" ? user.legalTeam : isManagerOrAdmin(user) || user.legalTeam,
};
