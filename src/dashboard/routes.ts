// The signed-in home page: a greeting, "My work" (cases, stages and approvals of the signed-in user) and the way to
// everything that exists.
import { Router } from "express";
import type { Db } from "../db/client.ts";
import { sqlRows } from "../db/sql.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { can } from "../access/roles.ts";
import { clientActions } from "../access/clients.ts";
import { attentionCounts } from "../clients/queries.ts";
import { actorOf } from "../web/context.ts";
import { casesIManage, stagesAssignedTo } from "../cases/summaries.ts";
import { approvalsWaitingFor } from "../cases/workflow.ts";
import { LABELS as CASE_LABELS } from "../cases/schemas.ts";

/** Approvals listed; one more is read to tell "10+" from 10. */
const APPROVALS_SHOWN = 10;

export function dashboardRoutes(db: Db) {
  const router = Router();
  router.get("/", async (req, res) => {
    const user = req.user!;
    // Everyone lands here: hand-written SQL on the pool, as the ORM's query compiling costs about a millisecond of CPU
    // per query.
    const admin = can.useAdmin(user)
      ? await sqlRows<{ activeUsers: number; inactiveUsers: number }>(
          db,
          Prisma.sql`SELECT count(*) FILTER (WHERE active)::int AS "activeUsers", count(*) FILTER (WHERE NOT active)::int AS "inactiveUsers" FROM users`,
        ).then((rows) => rows[0]!)
      : undefined;
    // The sign-in before this one (this session's own is the latest).
    const [lastLogin] = await sqlRows<{ at: Date; ip: string | null }>(
      db,
      Prisma.sql`SELECT e.at, e.ip FROM audit_events e WHERE e.actor_id = ${user.id}::uuid AND e.action = 'auth.login'
        ORDER BY e.at DESC, e.id DESC OFFSET 1 LIMIT 1`,
    );
    const [managed, assigned, approvals, attention] = await Promise.all([
      casesIManage(db, user),
      stagesAssignedTo(db, user),
      approvalsWaitingFor(db, actorOf(req), APPROVALS_SHOWN + 1),
      attentionCounts(db, user),
    ]);
    res.render("dashboard/index", {
      title: "Dashboard",
      admin,
      lastLogin: lastLogin ?? null,
      canCreateClients: clientActions.create(user),
      canImportClients: clientActions.import(user),
      myWork: { managed, assigned, approvals: approvals.slice(0, APPROVALS_SHOWN), approvalsCount: approvals.length, approvalsShown: APPROVALS_SHOWN },
      attention,
      caseLabels: CASE_LABELS,
      today: new Date().toISOString().slice(0, 10),
    });
  });
  return router;
}
