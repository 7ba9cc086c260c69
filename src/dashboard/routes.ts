// The signed-in home page (a greeting, "My work", the cards that link to filtered lists), the relationship team's
// dashboard and the managers' workload view. Reads are in selectors.ts, relationship.ts and workload.ts.
import { Router } from "express";
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { can } from "../access/permissions.ts";
import { seesRoundtable } from "../access/roundtable.ts";
import { actorOf } from "../web/context.ts";
import { barChartSvg, countTicks, lineChartSvg } from "../web/charts.ts";
import { NotFoundError } from "../errors.ts";
import { LABELS as CASE_LABELS } from "../cases/schemas.ts";
import { LABELS as CLIENT_LABELS } from "../clients/schemas.ts";
import type { CaseSettings } from "../cases/service.ts";
import { dashboardView } from "./selectors.ts";
import { relationshipDashboardView } from "./relationship.ts";
import { workloadView } from "./workload.ts";

const workloadQuery = z.object({ department: z.string().trim().max(200).optional().catch(undefined) });

export function dashboardRoutes(db: Db, settings: CaseSettings = { maxActiveCasesPerManager: 40 }) {
  const router = Router();
  router.get("/", async (req, res) => {
    const user = actorOf(req);
    res.render("dashboard/index", {
      title: "Dashboard",
      ...(await dashboardView(db, user)),
      canCreateClients: can(user, "client.create"),
      canImportClients: can(user, "client.import"),
      canSeeWorkload: can(user, "dashboard.workload"),
      caseLabels: CASE_LABELS,
      today: new Date().toISOString().slice(0, 10),
    });
  });

  // The relationship team's only: for anyone else the page does not exist.
  router.get("/dashboard/relationship", async (req, res) => {
    const user = actorOf(req);
    if (!seesRoundtable(user)) throw new NotFoundError();
    const view = await relationshipDashboardView(db, user);
    const weeks = view.history;
    const label = (d: Date) => d.toISOString().slice(5, 10);
    const known = weeks.filter((w) => w.urgent !== null);
    const series = [
      { name: "Urgent", className: "series-danger", points: known.map((w) => ({ at: w.weekStart, value: w.urgent!, label: `${label(w.weekStart)}: ${w.urgent}` })) },
      { name: "Warning", className: "series-1", points: known.map((w) => ({ at: w.weekStart, value: w.warning!, label: `${label(w.weekStart)}: ${w.warning}` })) },
    ];
    const top = Math.max(0, ...known.flatMap((w) => [w.urgent!, w.warning!]));
    res.render("dashboard/relationship", {
      title: "Relationship dashboard",
      ...view,
      clientLabels: CLIENT_LABELS,
      attentionChart: known.length ? lineChartSvg("attention-chart", "Urgent and warning clients per week, last 12 weeks", series, countTicks(top)) : null,
      priorityChart: barChartSvg("priority-chart", "Clients by priority", view.assessment.byPriority.map((p) => ({ label: p.value ? CLIENT_LABELS[p.value]! : "Not set", value: p.count }))),
      relationshipChart: barChartSvg("relationship-chart", "Clients by relationship status", view.assessment.byRelationship.map((p) => ({ label: p.value ? CLIENT_LABELS[p.value]! : "Not set", value: p.count }))),
    });
  });

  // Managers (their department) and administrators (any department).
  router.get("/dashboard/workload", async (req, res) => {
    const user = actorOf(req);
    if (!can(user, "dashboard.workload")) throw new NotFoundError();
    const { department } = workloadQuery.parse(req.query);
    const chosen = user.role === "admin" ? department || undefined : undefined;
    const { rows, departments: choices } = await workloadView(db, user, chosen);
    const capacity = settings.maxActiveCasesPerManager;
    const charted = rows.filter((r) => r.openCases > 0).slice(0, 20);
    res.render("dashboard/workload", {
      title: "Workload",
      rows,
      capacity,
      isAdmin: user.role === "admin",
      departments: choices,
      department: user.role === "admin" ? (chosen ?? "") : user.department,
      chart: charted.length ? barChartSvg("workload-chart", `Open cases per case manager (capacity ${capacity})`, charted.map((r) => ({ label: r.name, value: r.openCases }))) : null,
    });
  });
  return router;
}
