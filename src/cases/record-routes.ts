// The case record: opening a case, its overview with the status form, editing, the team and history tabs, and
// soft deletion with the administrators' restore page. Visibility first (getCase / lockVisibleCase answer 404),
// then permission (403).
import { Router, type Request, type Response } from "express";
import type { Db } from "../db/client.ts";
import type { Actor } from "../access/roles.ts";
import { assertCan } from "../access/permissions.ts";
import { visibleClient } from "../access/records.ts";
import { suggestClients } from "../clients/queries.ts";
import { deletedCases } from "./queries.ts";
import { activeContacts, caseHistoryRows, contactsForEdit, templateGroups, typeTree } from "./selectors.ts";
import { FIELD_LABELS, money, savedText } from "./format.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { actorOf } from "../web/context.ts";
import { errorsOf, formValues, parseForm, type FieldErrors } from "../web/forms.ts";
import { flash } from "../web/flash.ts";
import * as schemas from "./schemas.ts";
import { STATUS_LABELS } from "./status.ts";
import {
  activeUsers,
  addTeamMember,
  CASE_FIELDS,
  changeCaseStatus,
  createCase,
  deleteCase,
  getCase,
  removeTeamMember,
  restoreCase,
  unfinishedWork,
  updateCase,
  type CaseDetail,
  type CaseSettings,
} from "./service.ts";

type Values = Record<string, string | string[]>;

/** A local path under /cases, so a form's returnTo can never send the user to another site. */
export function safeCasesPath(value: unknown): string | null {
  if (typeof value !== "string" || value.length > 2000) return null;
  if (!/^\/cases(?:[/?#]|$)/.test(value) || value.includes("\\") || value.includes("//") || /[\u0000-\u001f]/.test(value)) return null;
  return value;
}

/** All messages of a refused change, for a flash. */
function messageOf(error: ValidationError): string {
  const texts = Object.values(error.fields);
  return texts.length ? texts.join(" ") : error.message;
}

export function caseRecordRoutes(db: Db, settings: CaseSettings) {
  const router = Router();

  async function newFormLocals(actor: Actor, values: Values, extra: Record<string, unknown> = {}) {
    const client = (await visibleClient(db, actor, values.clientId)) ?? null;
    const clientQuery = typeof values.clientQuery === "string" ? values.clientQuery.trim().slice(0, 100) : "";
    const types = await typeTree(db);
    return {
      title: "Open a case",
      values,
      errors: {} as FieldErrors,
      client,
      clientQuery,
      clientMatches: !client && clientQuery ? await suggestClients(db, actor, clientQuery, 20) : [],
      contacts: client ? await activeContacts(db, client.id) : [],
      types,
      templateGroups: await templateGroups(db, types),
      users: await activeUsers(db),
      labels: schemas.LABELS,
      schemas,
      ...extra,
    };
  }

  router.get("/new", async (req, res) => {
    const actor = actorOf(req);
    assertCan(actor, "case.create");
    const values: Values = { managerId: actor.id, category: "other", priority: "medium", complexity: "moderate", riskLevel: "low" };
    for (const key of ["clientId", "clientQuery", "typeId"]) {
      const v = req.query[key];
      if (typeof v === "string") values[key] = v;
    }
    res.render("cases/new", await newFormLocals(actor, values));
  });

  /** The active contacts of a visible client, for the picker script to fill the contact select. */
  router.get("/new/contacts", async (req, res) => {
    const client = await visibleClient(db, actorOf(req), req.query.clientId);
    if (!client) throw new NotFoundError();
    res.json({ contacts: await activeContacts(db, client.id) });
  });

  router.post("/", async (req, res) => {
    const actor = actorOf(req);
    const values = formValues(req.body);
    const again = async (status: number, errors: FieldErrors) => res.status(status).render("cases/new", await newFormLocals(actor, values, { errors }));
    const form = parseForm(schemas.newCaseForm, req.body);
    if (!form.ok) return again(422, form.errors);
    try {
      const { id, caseNumber } = await createCase(db, actor, form.data, settings);
      flash(req, "success", `Case ${caseNumber} opened.`);
      res.redirect(`/cases/${id}`);
    } catch (error) {
      const errors = errorsOf(error);
      if (errors) return again(422, errors);
      throw error;
    }
  });

  router.get("/deleted", async (req, res) => {
    const actor = actorOf(req);
    assertCan(actor, "case.restore");
    res.render("cases/deleted", { title: "Deleted cases", cases: await deletedCases(db, actor) });
  });

  router.get("/:id", async (req, res) => {
    const detail = await getCase(db, actorOf(req), req.params.id);
    res.render("cases/show", { title: `${detail.case.caseNumber} ${detail.case.title}`, kase: detail.case, ...detail, activeTab: "overview", labels: schemas.LABELS, schemas, money });
  });

  router.post("/:id/status", async (req, res) => {
    const actor = actorOf(req);
    const id = String(req.params.id);
    const back = safeCasesPath(req.body?.returnTo) ?? `/cases/${id}`;
    const form = parseForm(schemas.transitionForm, req.body);
    if (!form.ok) {
      const { facts } = await getCase(db, actor, id, { audit: false }); // hidden or missing: 404 before any message
      assertCan(actor, "case.changeStatus", facts);
      flash(req, "error", Object.values(form.errors).join(" "));
      return res.redirect(back);
    }
    try {
      const { status } = await changeCaseStatus(db, actor, id, form.data);
      flash(req, "success", `Case moved to ${STATUS_LABELS[status]}.`);
    } catch (error) {
      if (error instanceof ValidationError) flash(req, "error", messageOf(error));
      else if (error instanceof ConflictError) flash(req, "error", error.message);
      else throw error;
    }
    res.redirect(back);
  });

  async function editLocals(kase: CaseDetail, values: Values, extra: Record<string, unknown> = {}) {
    return {
      title: `Edit ${kase.caseNumber}`,
      kase,
      values,
      errors: {} as FieldErrors,
      contacts: await contactsForEdit(db, kase),
      users: await activeUsers(db),
      labels: schemas.LABELS,
      schemas,
      money,
      ...extra,
    };
  }

  router.get("/:id/edit", async (req, res) => {
    const actor = actorOf(req);
    const { case: kase, facts } = await getCase(db, actor, req.params.id);
    assertCan(actor, "case.edit", facts);
    res.render("cases/edit", await editLocals(kase, schemas.caseEditValues(kase)));
  });

  router.post("/:id", async (req, res) => {
    const actor = actorOf(req);
    const { case: kase, facts } = await getCase(db, actor, String(req.params.id), { audit: false });
    assertCan(actor, "case.edit", facts);
    const values = formValues(req.body);
    const again = async (status: number, extra: Record<string, unknown>) => res.status(status).render("cases/edit", await editLocals(kase, values, extra));
    const form = parseForm(schemas.editCaseForm, req.body);
    if (!form.ok) return again(422, { errors: form.errors });
    try {
      await updateCase(db, actor, kase.id, form.data, settings);
    } catch (error) {
      const errors = errorsOf(error);
      if (errors) return again(422, { errors });
      if (error instanceof ConflictError) {
        const latest = (await getCase(db, actor, kase.id, { audit: false })).case;
        const saved = schemas.caseEditValues(latest);
        const differences = CASE_FIELDS.filter((f) => (saved[f] ?? "") !== (values[f] ?? "")).map((f) => ({ field: f, label: FIELD_LABELS[f] ?? f, saved: savedText(latest, f) }));
        return res.status(409).render("cases/edit", await editLocals(latest, { ...values, updatedAt: saved.updatedAt! }, { conflict: error.message, current: latest, differences }));
      }
      throw error;
    }
    flash(req, "success", "Case saved.");
    res.redirect(`/cases/${kase.id}`);
  });

  router.get("/:id/team", async (req, res) => {
    const detail = await getCase(db, actorOf(req), req.params.id);
    const onTeam = new Set([detail.case.managerId, ...detail.case.team.map((t) => t.userId)]);
    const candidates = detail.permissions.manageTeam ? (await activeUsers(db)).filter((u) => !onTeam.has(u.id)) : [];
    const assigned = new Map<string, string[]>();
    for (const s of detail.case.stages) {
      if (s.assigneeId && (s.status === "pending" || s.status === "in_progress")) assigned.set(s.assigneeId, [...(assigned.get(s.assigneeId) ?? []), s.name]);
    }
    res.render("cases/team", { title: `Team · ${detail.case.caseNumber}`, kase: detail.case, ...detail, activeTab: "team", candidates, assigned, labels: schemas.LABELS, schemas });
  });

  router.post("/:id/team", async (req, res) => {
    const actor = actorOf(req);
    const { case: kase, facts } = await getCase(db, actor, String(req.params.id), { audit: false });
    assertCan(actor, "case.manageTeam", facts);
    const form = parseForm(schemas.teamMemberForm, req.body);
    if (!form.ok) {
      flash(req, "error", Object.values(form.errors).join(" "));
      return res.redirect(`/cases/${kase.id}/team`);
    }
    const existing = kase.team.find((t) => t.userId === form.data.userId);
    try {
      const { name } = await addTeamMember(db, actor, kase.id, form.data);
      flash(req, "success", existing ? `${name} is now ${schemas.LABELS[form.data.role]} on the case.` : `${name} added to the team as ${schemas.LABELS[form.data.role]}.`);
    } catch (error) {
      if (error instanceof ValidationError) flash(req, "error", messageOf(error));
      else if (error instanceof ConflictError) flash(req, "error", error.message);
      else throw error;
    }
    res.redirect(`/cases/${kase.id}/team`);
  });

  router.post("/:id/team/:userId/remove", async (req, res) => {
    const actor = actorOf(req);
    const id = String(req.params.id);
    try {
      const { name } = await removeTeamMember(db, actor, id, String(req.params.userId));
      flash(req, "success", `${name} removed from the team.`);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      flash(req, "error", error.message);
    }
    res.redirect(`/cases/${id}/team`);
  });

  router.get("/:id/history", async (req, res) => {
    const detail = await getCase(db, actorOf(req), req.params.id);
    const rows = await caseHistoryRows(db, detail.case);
    res.render("cases/history", { title: `History · ${detail.case.caseNumber}`, kase: detail.case, ...detail, activeTab: "history", rows, labels: schemas.LABELS });
  });

  async function deletePage(req: Request, res: Response, status: number, extra: Record<string, unknown>, audit: boolean) {
    const actor = actorOf(req);
    const detail = await getCase(db, actor, String(req.params.id), { audit });
    assertCan(actor, "case.delete");
    res.status(status).render("cases/delete", { title: `Delete ${detail.case.caseNumber}`, kase: detail.case, blockers: await unfinishedWork(db, detail.case.id), values: {}, errors: {}, labels: schemas.LABELS, ...extra });
  }

  router.get("/:id/delete", async (req, res) => deletePage(req, res, 200, {}, true));

  router.post("/:id/delete", async (req, res) => {
    const actor = actorOf(req);
    const id = String(req.params.id);
    const form = parseForm(schemas.deleteCaseForm, req.body);
    if (!form.ok) return deletePage(req, res, 422, { values: formValues(req.body), errors: form.errors }, false);
    try {
      const { caseNumber } = await deleteCase(db, actor, id, form.data.reason);
      flash(req, "success", `Case ${caseNumber} deleted. An administrator can restore it.`);
      res.redirect("/cases");
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      flash(req, "error", error.message);
      res.redirect(`/cases/${id}/delete`);
    }
  });

  router.post("/:id/restore", async (req, res) => {
    const id = String(req.params.id);
    try {
      const { caseNumber } = await restoreCase(db, actorOf(req), id);
      flash(req, "success", `Case ${caseNumber} restored.`);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      flash(req, "error", error.message);
    }
    res.redirect(`/cases/${id}`);
  });

  return router;
}
