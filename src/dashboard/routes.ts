// The signed-in home page: a greeting, "My work" (cases, stages and approvals of the signed-in user) and the way to
// everything that exists. Its reads are in selectors.ts.
import { Router } from "express";
import type { Db } from "../db/client.ts";
import { can } from "../access/permissions.ts";
import { actorOf } from "../web/context.ts";
import { LABELS as CASE_LABELS } from "../cases/schemas.ts";
import { dashboardView } from "./selectors.ts";

export function dashboardRoutes(db: Db) {
  const router = Router();
  router.get("/", async (req, res) => {
    const user = actorOf(req);
    res.render("dashboard/index", {
      title: "Dashboard",
      ...(await dashboardView(db, user)),
      canCreateClients: can(user, "client.create"),
      canImportClients: can(user, "client.import"),
      caseLabels: CASE_LABELS,
      today: new Date().toISOString().slice(0, 10),
    });
  });
  return router;
}
