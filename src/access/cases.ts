// THE access policy for cases: who may know a case exists, stated once as the SQL every read of cases uses (lists,
// search, counts, the board, the client hub, "My work", detail pages, the row check before a write, the audit page),
// and how a child record inherits it through its case id. A case is never visible when its client is hidden.
import { Prisma } from "../generated/prisma/client.ts";
import type { CurrentUser } from "./roles.ts";
import { can } from "./permissions.ts";
import { clientRuleByClassSql, clientRuleSql, visibleRestrictedClientIdsSql } from "./clients.ts";

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
 * review. visibleCasesSql and seesOnlyOwnCases read it from here.
 */
function scopeOf(user: CurrentUser): { all: boolean; department: string | null; legal: boolean } {
  return { all: user.role === "admin", department: user.role === "manager" ? user.department : null, legal: user.legalTeam };
}

/**
 * The sets the SQL rule reads: the cases the user is on the team of, the managers of their department (when that is
 * a reason), the restricted clients they are on (unless they see every client). Each is a subquery for `x IN (…)`.
 */
export interface CaseVisibilitySets {
  /** Null: the team reason is asked of each row (an index probe), for queries that test few cases. */
  team: Prisma.Sql | null;
  departmentManagers: Prisma.Sql | null;
  restrictedClients: Prisma.Sql | null;
}

function teamSetSql(user: CurrentUser): Prisma.Sql {
  return Prisma.sql`SELECT ctm.case_id FROM case_team_members ctm WHERE ctm.user_id = ${user.id}::uuid`;
}

function inlineSets(user: CurrentUser): CaseVisibilitySets {
  const scope = scopeOf(user);
  return {
    team: null,
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
      team: reasons ? named("vis_team", "case_id", teamSetSql(user)) : inline.team,
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
    reasons.push(...managerReasonsSql(user, Prisma.sql`${k}.manager_id`, sets.departmentManagers));
    // Without a stored set, an EXISTS: PostgreSQL probes the team index per case when it expects few cases (one
    // client's, one document's) and hashes the reader's memberships when it expects many.
    reasons.push(
      sets.team
        ? Prisma.sql`${k}.id IN (${sets.team})`
        : Prisma.sql`EXISTS (SELECT 1 FROM case_team_members ctm WHERE ctm.case_id = ${k}.id AND ctm.user_id = ${user.id}::uuid)`,
    );
  }
  const anyReason = reasons.length ? Prisma.sql`(${Prisma.join(reasons, " OR ")})` : Prisma.sql`TRUE`;
  return Prisma.sql`(${k}.deleted_at IS NULL AND ${anyReason} AND ${caseClientRuleSql(user, sets.restrictedClients, caseAlias)})`;
}

/** The client rule on a row with client_id and client_confidential (a case, or a case_access row). */
function caseClientRuleSql(reader: CurrentUser, restrictedClients: Prisma.Sql | null, alias: string): Prisma.Sql {
  const a = Prisma.raw(`"${alias}"`);
  return clientRuleSql(reader, { id: Prisma.sql`${a}.client_id`, restricted: Prisma.sql`${a}.client_confidential` }, restrictedClients);
}

/**
 * visibleCasesSql's reasons that depend on the case's manager alone, for a reader who does not see every case: the
 * manager is the reader, or (for a manager with a department) one of the department's managers, `departmentManagers`
 * being that set (inline or a CTE's). The legal team's reason depends on each case's flags, the team's on its members.
 */
function managerReasonsSql(user: CurrentUser, managerIdSql: Prisma.Sql, departmentManagers: Prisma.Sql | null): Prisma.Sql[] {
  const reasons = [Prisma.sql`${managerIdSql} = ${user.id}::uuid`];
  if (departmentManagers) reasons.push(Prisma.sql`${managerIdSql} IN (${departmentManagers})`);
  return reasons;
}

/**
 * Whether the manager `managerIdSql` names gives the reader a reason to see every live case they manage: the reader
 * sees every case, or one of the reasons of managerReasonsSql holds.
 */
function managerGivesReasonSql(user: CurrentUser, managerIdSql: Prisma.Sql): Prisma.Sql {
  if (scopeOf(user).all) return Prisma.sql`TRUE`;
  return Prisma.sql`(${Prisma.join(managerReasonsSql(user, managerIdSql, inlineSets(user).departmentManagers), " OR ")})`;
}

/**
 * The case rule for counts kept per manager and restriction class (case_manager_counts, case_stage_deadline_counts),
 * over the managers of `managerIds` (a subquery of user ids) that give the reader a reason to see all their cases
 * (managerGivesReasonSql: the reader themselves; their department's managers; anyone, for administrators): other
 * managers' cases are left out. For those managers a case passes visibleCasesSql exactly when it is live and passes
 * the client rule, so a count is the kept rows of the classes the client rule admits whole (`keptRow`, SQL on a kept
 * row's manager_id and client_confidential) plus the live cases of restricted clients it admits one by one
 * (`oneByOne`, SQL on a case; null when there are none: holders of "view confidential"), which the partial index
 * cases_restricted_by_manager holds per manager.
 */
function managedCountsRule(user: CurrentUser, managerIds: Prisma.Sql): { keptRow: (alias: string) => Prisma.Sql; oneByOne: ((caseAlias: string) => Prisma.Sql) | null } {
  const { classVisible, individuallyVisible } = clientRuleByClassSql(user);
  return {
    keptRow: (alias) => {
      const s = Prisma.raw(`"${alias}"`);
      return Prisma.sql`(${s}.manager_id IN (${managerIds}) AND ${managerGivesReasonSql(user, Prisma.sql`${s}.manager_id`)}
        AND ${classVisible(Prisma.sql`${s}.client_confidential`)})`;
    },
    oneByOne: individuallyVisible
      ? (caseAlias) => {
          const k = Prisma.raw(`"${caseAlias}"`);
          return Prisma.sql`(${k}.deleted_at IS NULL AND ${k}.client_confidential AND ${k}.manager_id IN (${managerIds})
            AND ${managerGivesReasonSql(user, Prisma.sql`${k}.manager_id`)}
            AND ${individuallyVisible({ id: Prisma.sql`${k}.client_id`, restricted: Prisma.sql`${k}.client_confidential` })})`;
        }
      : null,
  };
}

/**
 * Visible live cases per manager and status, rows (manager_id, status, n), for the managers of `managerIds` that
 * give the reader a reason to see all their cases (managedCountsRule), from the kept case_manager_counts instead of
 * counting every case on each request.
 */
export function managedCaseCountsSql(user: CurrentUser, managerIds: Prisma.Sql): Prisma.Sql {
  const rule = managedCountsRule(user, managerIds);
  const kept = Prisma.sql`SELECT s.manager_id, s.status, s.n FROM case_manager_counts s WHERE s.n > 0 AND ${rule.keptRow("s")}`;
  if (!rule.oneByOne) return kept;
  return Prisma.sql`${kept}
    UNION ALL
    SELECT k.manager_id, k.status, count(*) FROM cases k WHERE ${rule.oneByOne("k")} GROUP BY k.manager_id, k.status`;
}

/**
 * Open stages (pending or in progress) due before today on visible live cases in one of `caseStatuses`, per manager,
 * rows (manager_id, n), for the managers of `managerIds` that give the reader a reason to see all their cases
 * (managedCountsRule), from the kept case_stage_deadline_counts instead of joining every overdue stage of the firm.
 */
export function managedOverdueStageCountsSql(user: CurrentUser, managerIds: Prisma.Sql, caseStatuses: readonly string[]): Prisma.Sql {
  const rule = managedCountsRule(user, managerIds);
  const statuses = Prisma.join(caseStatuses.map((status) => Prisma.sql`${status}::"CaseStatus"`));
  // The months before this one from their month rows, this month's days before today from their day rows: two ranges
  // of the key per manager.
  const keptOf = (range: Prisma.Sql) => Prisma.sql`SELECT s.manager_id, s.n FROM case_stage_deadline_counts s
    WHERE ${range} AND s.n <> 0 AND s.case_status IN (${statuses}) AND ${rule.keptRow("s")}`;
  const kept = Prisma.sql`${keptOf(Prisma.sql`s.month AND s.deadline < date_trunc('month', current_date)::date`)}
    UNION ALL
    ${keptOf(Prisma.sql`NOT s.month AND s.deadline >= date_trunc('month', current_date)::date AND s.deadline < current_date`)}`;
  if (!rule.oneByOne) return kept;
  return Prisma.sql`${kept}
    UNION ALL
    SELECT k.manager_id, count(*)
    FROM (SELECT k.id, k.manager_id FROM cases k WHERE ${rule.oneByOne("k")} AND k.status IN (${statuses}) OFFSET 0) k
    JOIN case_stages st ON st.case_id = k.id
    WHERE st.status IN ('pending', 'in_progress') AND st.deadline < current_date
    GROUP BY k.manager_id`;
}

/** Deleted cases, for those who may restore them (the recovery page); hidden clients stay hidden there too. */
export function deletedCasesSql(reader: CurrentUser, caseAlias = "k"): Prisma.Sql {
  if (!can(reader, "case.restore")) return Prisma.sql`FALSE`;
  const k = Prisma.raw(`"${caseAlias}"`);
  return Prisma.sql`(${k}.deleted_at IS NOT NULL AND ${caseClientRuleSql(reader, visibleRestrictedClientIdsSql(reader), caseAlias)})`;
}

/**
 * A child record's visibility, inherited from its case through its foreign key (`caseIdColumnSql`, e.g.
 * `Prisma.raw("d.case_id")`): visible exactly when its case is (live, and passing the case rule).
 */
export function caseChildVisibleSql(reader: CurrentUser, caseIdColumnSql: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`EXISTS (SELECT 1 FROM cases pk WHERE pk.id = ${caseIdColumnSql} AND ${visibleCasesSql(reader, "pk")})`;
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
    WHERE a.user_id = ${user.id}::uuid AND ${caseClientRuleSql(user, restrictedClients, "a")})`;
}

/** @deprecated ask permissions.ts: can(user, "case.edit", facts) or assertCan(actor, "case.edit", facts). Kept for branches started before it. */
export const caseActions = {
  create: (user: CurrentUser) => can(user, "case.create"),
  edit: (user: CurrentUser, facts: CaseFacts) => can(user, "case.edit", facts),
  changeStatus: (user: CurrentUser, facts: CaseFacts) => can(user, "case.changeStatus", facts),
  manageTeam: (user: CurrentUser, facts: CaseFacts) => can(user, "case.manageTeam", facts),
  delete: (user: CurrentUser) => can(user, "case.delete"),
  restore: (user: CurrentUser) => can(user, "case.restore"),
  workOnStage: (user: CurrentUser, facts: CaseFacts, stage: StageFacts) => can(user, "stage.work", { kase: facts, stage }),
  approveStage: (user: CurrentUser, stage: StageFacts) => can(user, "stage.approve", stage),
};
