// Reads for the managers' workload view (/dashboard/workload): per case manager of the reader's department (every
// department, or one chosen, for administrators), the open cases they manage and the overdue stages of those cases,
// beside the capacity limit (CASE_MANAGER_MAX_ACTIVE_CASES, the most active cases one manager may hold). Cases are
// counted through visibleCasesSql, so a case the reader may not see is absent here too, counts included.
import { Prisma } from "../generated/prisma/client.ts";
import type { Db } from "../db/client.ts";
import { jsonRead, sqlReads, type JsonRead } from "../db/sql.ts";
import type { CurrentUser } from "../access/roles.ts";
import { visibleCasesSql } from "../access/cases.ts";
import { ACTIVE_STATUSES } from "../cases/status.ts";

const ACTIVE = Prisma.raw(ACTIVE_STATUSES.map((status) => `'${status}'`).join(", "));

export interface WorkloadRow {
  id: string;
  name: string;
  department: string | null;
  role: string;
  openCases: number;
  overdueStages: number;
}

/** The departments an administrator may pick from (none asked for anyone else). */
function departmentsRead(user: CurrentUser): JsonRead<string[]> {
  return jsonRead<{ department: string }, string[]>(
    user.role === "admin" ? Prisma.sql`SELECT DISTINCT department FROM users WHERE active AND department IS NOT NULL ORDER BY department` : null,
    (rows) => rows.map((r) => r.department),
  );
}

/**
 * The people in scope (active users of the department; a manager without a department sees themselves only) with
 * their open cases and overdue stages, busiest first. The open cases they may see are found once (open_cases) and both
 * counts read from them; the overdue stages come from case_stages_open_by_case.
 */
function workloadRead(user: CurrentUser, department?: string): JsonRead<WorkloadRow[]> {
  let scope: Prisma.Sql;
  if (user.role === "admin") scope = department ? Prisma.sql`u.department = ${department}` : Prisma.sql`TRUE`;
  else if (user.department) scope = Prisma.sql`u.department = ${user.department}`;
  else scope = Prisma.sql`u.id = ${user.id}::uuid`;
  return jsonRead<WorkloadRow, WorkloadRow[]>(
    Prisma.sql`WITH people AS MATERIALIZED (SELECT u.id, u.name, u.department, u.role::text AS role FROM users u WHERE u.active AND ${scope}),
      open_cases AS MATERIALIZED (SELECT k.id, k.manager_id FROM cases k
        WHERE k.status IN (${ACTIVE}) AND k.manager_id IN (SELECT id FROM people) AND ${visibleCasesSql(user, "k")}),
      open AS (SELECT o.manager_id, count(*)::int AS n FROM open_cases o GROUP BY o.manager_id),
      late AS (SELECT o.manager_id, count(*)::int AS n FROM open_cases o JOIN case_stages s ON s.case_id = o.id
        WHERE s.status IN ('pending', 'in_progress') AND s.deadline < current_date GROUP BY o.manager_id)
      SELECT p.id, p.name, p.department, p.role, coalesce(open.n, 0) AS "openCases", coalesce(late.n, 0) AS "overdueStages"
      FROM people p LEFT JOIN open ON open.manager_id = p.id LEFT JOIN late ON late.manager_id = p.id
      ORDER BY coalesce(open.n, 0) DESC, coalesce(late.n, 0) DESC, p.name, p.id`,
    (rows) => rows,
  );
}

/** The view's rows and, for administrators, the departments to choose from: one statement. */
export async function workloadView(db: Db, user: CurrentUser, department?: string): Promise<{ rows: WorkloadRow[]; departments: string[] }> {
  const [rows, departments] = await sqlReads(db, [workloadRead(user, department), departmentsRead(user)]);
  return { rows, departments };
}
