// Reads for the managers' workload view (/dashboard/workload): per case manager of the reader's department (every
// department, or one chosen, for administrators), the open cases they manage and the overdue stages of those cases,
// beside the capacity limit (CASE_MANAGER_MAX_ACTIVE_CASES, the most active cases one manager may hold). Both are read
// from counts kept per manager through src/access/cases.ts, so a case the reader may not see is absent here too.
import { Prisma } from "../generated/prisma/client.ts";
import type { Db } from "../db/client.ts";
import { jsonRead, sqlReads, type JsonRead } from "../db/sql.ts";
import type { CurrentUser } from "../access/roles.ts";
import { managedCaseCountsSql, managedOverdueStageCountsSql } from "../access/cases.ts";
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
 * their open cases and overdue stages, busiest first.
 */
function workloadRead(user: CurrentUser, department?: string): JsonRead<WorkloadRow[]> {
  let scope: Prisma.Sql;
  if (user.role === "admin") scope = department ? Prisma.sql`u.department = ${department}` : Prisma.sql`TRUE`;
  else if (user.department) scope = Prisma.sql`u.department = ${user.department}`;
  else scope = Prisma.sql`u.id = ${user.id}::uuid`;
  // Open cases and overdue stages per person from the kept per-manager counts (src/access/cases.ts: the people in scope
  // are the reader or managers of their department, each a reason to see all their cases).
  return jsonRead<WorkloadRow, WorkloadRow[]>(
    Prisma.sql`WITH people AS MATERIALIZED (SELECT u.id, u.name, u.department, u.role::text AS role FROM users u WHERE u.active AND ${scope}),
      open AS (SELECT o.manager_id, sum(o.n)::int AS n FROM (${managedCaseCountsSql(user, Prisma.sql`SELECT people.id FROM people`)}) o
        WHERE o.status IN (${ACTIVE}) GROUP BY o.manager_id),
      late AS (SELECT o.manager_id, sum(o.n)::int AS n FROM (${managedOverdueStageCountsSql(user, Prisma.sql`SELECT people.id FROM people`, ACTIVE_STATUSES)}) o
        GROUP BY o.manager_id)
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
