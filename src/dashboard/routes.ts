// The signed-in home page: a greeting and the way to everything that exists.
import { Router } from "express";
import type { Db } from "../db/client.ts";
import { can } from "../access/roles.ts";
import { clientActions } from "../access/clients.ts";

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
    res.render("dashboard/index", { title: "Dashboard", admin, lastLogin, canCreateClients: clientActions.create(user), canImportClients: clientActions.import(user) });
  });
  return router;
}
