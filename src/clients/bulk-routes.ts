// Bulk update pages (managers and admins): pick clients from the filtered list, dry run, apply.
import { Router, type Request, type Response } from "express";
import type { Db } from "../db/client.ts";
import { assertCan } from "../access/permissions.ts";
import { actorOf } from "../web/context.ts";
import { flash } from "../web/flash.ts";
import { fieldErrors, formValues } from "../web/forms.ts";

import { clientFilters, LABELS } from "./schemas.ts";
import { categoryChoices, clientListView } from "./queries.ts";
import { listPosition } from "../web/pagination.ts";
import { activeUsers } from "./service.ts";
import { applyBulkUpdate, BULK_MAX, BULK_STATUSES, bulkChangesForm, NO_CATEGORY, planBulkUpdate, selectedIds, versionsOf, type BulkPlan } from "./bulk.ts";

const FILTER_KEYS = ["q", "type", "status", "category", "manager", "poc", "attention", "priority", "relationship", "sort", "dir"] as const;

/** The list filters as a query string ("?status=active"), keeping only known keys, for the way back to the list. */
function listQuery(source: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = source[key];
    if (typeof value === "string" && value !== "" && value.length <= 200) params.set(key, value);
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

function backQuery(req: Request): string {
  const back = (req.body as Record<string, unknown> | undefined)?.back;
  return typeof back === "string" ? listQuery(Object.fromEntries(new URLSearchParams(back.replace(/^\?/, "")))) : "";
}

function requireBulk(req: Request) {
  assertCan(req.user!, "client.bulkUpdate");
}

export function clientBulkRoutes(db: Db) {
  const router = Router();

  const choices = async () => ({
    categories: await categoryChoices(db),
    users: await activeUsers(db),
    statuses: BULK_STATUSES,
    noCategory: NO_CATEGORY,
    labels: LABELS,
    max: BULK_MAX,
  });

  router.get("/bulk", async (req, res) => {
    requireBulk(req);
    const actor = actorOf(req);
    const filters = clientFilters.parse(req.query);
    const { page, counts } = await clientListView(db, actor, { ...filters, perPage: BULK_MAX });
    // The pager's position, as on the client list: relevance pages are numbered; keyset pages carry their start.
    const position = page.pageNumber ? (page.pageNumber - 1) * BULK_MAX + 1 : listPosition(req.query);
    res.render("clients/bulk", { title: "Bulk update clients", page, counts, position, query: req.query, back: listQuery(req.query), ...(await choices()) });
  });

  const preview = async (req: Request, res: Response, status: number, locals: { plan?: BulkPlan; problem?: string; errors?: Record<string, string>; notApplied?: boolean; ids?: string[] }) =>
    res.status(status).render("clients/bulk-preview", {
      title: "Bulk update: preview",
      values: formValues(req.body, ["ids", "versions", "back"]),
      back: backQuery(req),
      plan: undefined,
      problem: undefined,
      errors: {},
      notApplied: false,
      ids: [],
      ...locals,
      ...(await choices()),
    });

  /** The selection and the changes from the form; on a problem the response is sent and undefined returned. */
  async function readForm(req: Request, res: Response) {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const ids = selectedIds(body.ids);
    if (!ids.ok) {
      await preview(req, res, 422, { problem: ids.message });
      return undefined;
    }
    const changes = bulkChangesForm.safeParse({ status: body.status, categoryId: body.categoryId, accountManagerId: body.accountManagerId });
    if (!changes.success) {
      await preview(req, res, 422, { errors: fieldErrors(changes.error), problem: "Correct the requested changes below.", ids: ids.ids });
      return undefined;
    }
    return { ids: ids.ids, changes: changes.data };
  }

  router.post("/bulk/preview", async (req, res) => {
    requireBulk(req);
    const form = await readForm(req, res);
    if (!form) return;
    const plan = await planBulkUpdate(db, actorOf(req), form.ids, form.changes);
    await preview(req, res, Object.keys(plan.errors).length ? 422 : 200, { plan, errors: plan.errors });
  });

  router.post("/bulk/apply", async (req, res) => {
    requireBulk(req);
    const form = await readForm(req, res);
    if (!form) return;
    const versions = versionsOf((req.body as Record<string, unknown>).versions);
    const result = await applyBulkUpdate(db, actorOf(req), form.ids, form.changes, versions);
    if (!result.applied) return preview(req, res, 422, { plan: result.plan, errors: result.plan.errors, notApplied: true });
    const { changeCount, rows } = result.plan;
    const unchanged = rows.length - changeCount;
    flash(req, "success", `Updated ${changeCount} client${changeCount === 1 ? "" : "s"}${unchanged ? `; ${unchanged} already had these values` : ""}.`);
    res.redirect(`/clients${backQuery(req)}`);
  });

  return router;
}

