// TODO(helper): replace with the real routes.
import { Router } from "express";
import type { Db } from "../db/client.ts";


export function caseWorkflowRoutes(db: Db) {
  void db;
  return Router();
}
