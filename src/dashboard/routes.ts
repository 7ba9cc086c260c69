// The signed-in home page: a greeting, "My work" (cases, stages and approvals of the signed-in user) and the way to
// everything that exists.
import { Router } from "express";
import type { Db } from "../db/client.ts";
import { can } from "../access/roles.ts";
import { clientActions } from "../access/clients.ts";
import { actorOf } from "../web/context.ts";
import { casesIManage, stagesAssignedTo } from "../cases/summaries.ts";
import { approvalsWaitingFor } from "../cases/workflow.ts";
import { LABELS as CASE_LABELS } from "../cases/schemas.ts";

export function dashboardRoutes(db: Db) {
  const router = Router();
  router.get("/", async (req, res) => {
    const user = req.user!;
    const admin = can.useAdmin(user)
      ? await db.user.groupBy({ by: ["active"], _count: { _all: true }, orderBy: { active: "asc" } }).then((rows) => ({
          activeUsers: rows.find((r) => r.active)?._count._all ?? 0,
          inactiveUsers: rows.find((r) => !r.active)?._count._all ?? 0,
        }))
      : undefined;
    const lastLogin = await db.auditEvent.findFirst({
      where: { actorId: user.id, action: "auth.login" },
      orderBy: { id: "desc" },
      skip: 1,
      select: { at: true, ip: true },
    });
    const [managed, assigned, approvals] = await Promise.all([casesIManage(db, user), stagesAssignedTo(db, user), approvalsWaitingFor(db, actorOf(req), 10)]);
    res.render("dashboard/index", {
      title: "Dashboard",
      admin,
      lastLogin,
      canCreateClients: clientActions.create(user),
      canImportClients: clientActions.import(user),
      myWork: { managed, assigned, approvals },
      caseLabels: CASE_LABELS,
      today: new Date().toISOString().slice(0, 10),
    });
  });
  return router;
}
