// The case list and the board (mounted first under /cases, so /cases/board is never taken for a case id).
import { Router, type Request, type Response } from "express";
import type { Db } from "../db/client.ts";
import { can } from "../access/permissions.ts";
import { actorOf } from "../web/context.ts";
import * as schemas from "./schemas.ts";
import { STATUS_LABELS, TRANSITIONS } from "./status.ts";
import { BOARD_CARDS, caseBoardView, caseListView, isFiltered } from "./queries.ts";

/** The filters a board keeps in its URL (a board shows every status, sorted by its own rule, on one page). */
const BOARD_FILTERS = ["q", "priority", "type", "manager", "client", "overdue"] as const;

export function boardUrl(filters: schemas.CaseFilters): string {
  const params = new URLSearchParams();
  for (const key of BOARD_FILTERS) {
    const value = filters[key];
    if (value) params.set(key, value);
  }
  const text = params.toString();
  return text ? `/cases/board?${text}` : "/cases/board";
}

/** The list URL for these filters with some changed (for the board's "more…" and view links). */
function listUrl(filters: schemas.CaseFilters, changes: Partial<Record<keyof schemas.CaseFilters, string>>): string {
  const params = new URLSearchParams();
  for (const key of BOARD_FILTERS) {
    const value = filters[key];
    if (value) params.set(key, value);
  }
  for (const [key, value] of Object.entries(changes)) if (value) params.set(key, value);
  const text = params.toString();
  return text ? `/cases?${text}` : "/cases";
}

export function caseListRoutes(db: Db) {
  const router = Router();

  router.get("/", async (req, res) => {
    if (req.query.view === "board") return renderBoard(req, res);
    const actor = actorOf(req);
    const filters = schemas.caseFilters.parse(req.query);
    const view = await caseListView(db, actor, filters);
    res.render("cases/index", {
      title: "Cases",
      ...view,
      filters,
      filtered: isFiltered(filters),
      query: req.query,
      boardHref: boardUrl(filters),
      canCreate: can(actor, "case.create"),
      statuses: Object.keys(TRANSITIONS),
      labels: schemas.LABELS,
      schemas,
    });
  });

  router.get("/board", (req, res) => renderBoard(req, res));

  async function renderBoard(req: Request, res: Response) {
    const actor = actorOf(req);
    const filters = { ...schemas.caseFilters.parse(req.query), status: undefined, sort: undefined, dir: undefined, page: undefined };
    const view = await caseBoardView(db, actor, filters);
    const here = boardUrl(filters);
    res.render("cases/board", {
      title: "Case board",
      ...view,
      filters,
      filtered: isFiltered(filters),
      query: Object.fromEntries(Object.entries(req.query).filter(([k]) => (BOARD_FILTERS as readonly string[]).includes(k))),
      boardHref: here,
      listHref: listUrl(filters, {}),
      moreHref: (status: string) => listUrl(filters, { status }),
      canCreate: can(actor, "case.create"),
      statusLabels: STATUS_LABELS,
      boardCards: BOARD_CARDS,
      labels: schemas.LABELS,
      schemas,
    });
  }

  return router;
}
