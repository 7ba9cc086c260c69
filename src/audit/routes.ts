// Admin page: the audit log, filtered and paged newest first, read through the visibility rules (selectors.ts).
import { Router } from "express";
import type { Db } from "../db/client.ts";
import { actorOf } from "../web/context.ts";
import { auditFilters } from "./schemas.ts";
import { auditFilterChoices, countAuditLog, searchAuditLog } from "./selectors.ts";

export { auditFilters, type AuditFilters } from "./schemas.ts";

export function auditRoutes(db: Db) {
  const router = Router();
  router.get("/", async (req, res) => {
    const reader = actorOf(req);
    const filters = auditFilters.parse(req.query);
    const [result, counts, choices] = await Promise.all([searchAuditLog(db, reader, filters), countAuditLog(db, reader, filters), auditFilterChoices(db, reader)]);
    res.render("audit/index", { title: "Audit log", ...result, counts, perPage: filters.perPage ?? 50, filters, query: req.query, ...choices });
  });
  return router;
}
