// Case pages, mounted at /cases: the list and board, the case record and its tabs, and workflow actions.
import { Router } from "express";
import type { Db } from "../db/client.ts";
import type { CaseSettings } from "./service.ts";
import { caseListRoutes } from "./list-routes.ts";
import { caseRecordRoutes } from "./record-routes.ts";
import { caseWorkflowRoutes } from "./workflow-routes.ts";

export function caseRoutes(db: Db, settings: CaseSettings) {
  const router = Router();
  router.use(caseListRoutes(db));
  router.use(caseWorkflowRoutes(db));
  router.use(caseRecordRoutes(db, settings));
  return router;
}
