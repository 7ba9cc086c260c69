// TODO(helper): replace with the real routes.
import { Router } from "express";
import type { Db } from "../db/client.ts";
import type { CaseSettings } from "./service.ts";

export function caseRecordRoutes(db: Db, settings: CaseSettings) {
  void db;
  void settings;
  return Router();
}
