// The case record: opening a case, its overview with the status form, editing, the team and history tabs, and
// soft deletion with the administrators' restore page. Visibility first (getCase / lockVisibleCase answer 404),
// then permission (403).
import { Router, type Request, type Response } from "express";
import type { Db } from "../db/client.ts";
import type { Actor } from "../access/roles.ts";
import { assertCan } from "../access/permissions.ts";
import { visibleClient as visibleClientOf } from "../access/records.ts";
import { suggestClients } from "../clients/queries.ts";
import { deletedCases } from "./queries.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { actorOf } from "../web/context.ts";
import { errorsOf, formValues, parseForm, type FieldErrors } from "../web/forms.ts";
import { flash } from "../web/flash.ts";
import { isUuid } from "../web/fields.ts";
import * as schemas from "./schemas.ts";
import { STATUS_LABELS } from "./status.ts";
import {
  activeUsers,
  addTeamMember,
  CASE_FIELDS,
  caseHistory,
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

const moneyFormat = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
/** Amounts as 12,500.00; Prisma decimals, numbers and audit values alike. */
export function money(value: { toString(): string } | number | string | null | undefined): string {
  if (value === null || value === undefined || value === "") return "—";
  const n = Number(value.toString());
  return Number.isFinite(n) ? moneyFormat.format(n) : String(value);
}

/** Field names as the forms and the history call them. */
export const FIELD_LABELS: Record<string, string> = {
  caseNumber: "Case number",
  title: "Title",
  description: "Description",
  summary: "Summary",
  clientId: "Client",
  contactId: "Contact",
  managerId: "Case manager",
  typeId: "Case type",
  templateId: "Template",
  template: "Template",
  stages: "Stages",
  category: "Category",
  priority: "Priority",
  complexity: "Complexity",
  riskLevel: "Risk level",
  nextReviewDate: "Next review date",
  complianceReviewRequired: "Compliance review required",
  legalReviewRequired: "Legal review required",
  estimatedValue: "Estimated value",
  actualCost: "Actual cost",
  billingMethod: "Billing method",
  satisfaction: "Satisfaction",
  status: "Status",
  resolutionDate: "Resolution date",
  resolutionType: "Resolution type",
  resolutionSummary: "Resolution summary",
  note: "Note",
  notes: "Notes",
  reason: "Reason",
  assigneeId: "Assignee",
  deadline: "Deadline",
};

/** Audit actions of a case, in words. */
export const ACTION_LABELS: Record<string, string> = {
  "case.create": "Case opened",
  "case.update": "Case edited",
  "case.status": "Status changed",
  "case.team_add": "Team member added",
  "case.team_role": "Team role changed",
  "case.team_remove": "Team member removed",
  "case.delete": "Case deleted",
  "case.restore": "Case restored",
  "case.stage_start": "Stage started",
  "case.stage_approve": "Stage approved",
  "case.stage_complete": "Stage completed",
  "case.stage_skip": "Stage skipped",
  "case.stage_update": "Stage updated",
  "case.stage_note": "Stage note added",
};

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

  /** Active case types, each parent followed by its children (depth for indenting). */
  async function typeTree() {
    const types = await db.caseType.findMany({
      where: { active: true },
      select: { id: true, name: true, code: true, parentId: true, requiresLegalReview: true, requiresComplianceReview: true, defaultTemplateId: true },
      orderBy: { name: "asc" },
    });
    const ids = new Set(types.map((t) => t.id));
    const children = new Map<string | null, typeof types>();
    for (const t of types) {
      const parent = t.parentId && ids.has(t.parentId) ? t.parentId : null;
      children.set(parent, [...(children.get(parent) ?? []), t]);
    }
    const ordered: ((typeof types)[number] & { depth: number })[] = [];
    const walk = (parent: string | null, depth: number) => {
      for (const t of children.get(parent) ?? []) {
        ordered.push({ ...t, depth });
        if (depth < 20) walk(t.id, depth + 1);
      }
    };
    walk(null, 0);
    return ordered;
  }

  /** Active templates grouped by their (active) type, in the types' order. */
  async function templateGroups(types: { id: string; name: string; defaultTemplateId: string | null }[]) {
    const templates = await db.caseTemplate.findMany({
      where: { active: true, caseType: { active: true } },
      select: { id: true, name: true, code: true, caseTypeId: true, _count: { select: { stages: true } } },
      orderBy: { name: "asc" },
    });
    return types
      .map((t) => ({ typeId: t.id, typeName: t.name, templates: templates.filter((tpl) => tpl.caseTypeId === t.id).map((tpl) => ({ ...tpl, isDefault: tpl.id === t.defaultTemplateId })) }))
      .filter((g) => g.templates.length);
  }

  async function visibleClient(actor: Actor, id: unknown) {
    return (await visibleClientOf(db, actor, id)) ?? null;
  }

  function activeContacts(clientId: string) {
    return db.contact.findMany({ where: { clientId, active: true }, select: { id: true, name: true, title: true, isPrimary: true }, orderBy: [{ isPrimary: "desc" }, { name: "asc" }] });
  }

  async function newFormLocals(actor: Actor, values: Values, extra: Record<string, unknown> = {}) {
    const client = await visibleClient(actor, values.clientId);
    const clientQuery = typeof values.clientQuery === "string" ? values.clientQuery.trim().slice(0, 100) : "";
    const types = await typeTree();
    return {
      title: "Open a case",
      values,
      errors: {} as FieldErrors,
      client,
      clientQuery,
      clientMatches: !client && clientQuery ? await suggestClients(db, actor, clientQuery, 20) : [],
      contacts: client ? await activeContacts(client.id) : [],
      types,
      templateGroups: await templateGroups(types),
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
    const client = await visibleClient(actorOf(req), req.query.clientId);
    if (!client) throw new NotFoundError();
    res.json({ contacts: await activeContacts(client.id) });
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
      contacts: await db.contact.findMany({
        where: { clientId: kase.clientId, OR: [{ active: true }, ...(kase.contactId ? [{ id: kase.contactId }] : [])] },
        select: { id: true, name: true, title: true, isPrimary: true, active: true },
        orderBy: [{ isPrimary: "desc" }, { name: "asc" }],
      }),
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
    const events = await caseHistory(db, detail.case.id);
    const ids = new Set<string>();
    for (const e of events) {
      for (const change of Object.values((e.changes ?? {}) as Record<string, { before: unknown; after: unknown }>)) {
        for (const v of [change?.before, change?.after]) if (typeof v === "string" && isUuid(v)) ids.add(v);
      }
    }
    const names = new Map<string, string>();
    if (ids.size) {
      const where = { id: { in: [...ids] } };
      const [users, contacts, types, templates] = await Promise.all([
        db.user.findMany({ where, select: { id: true, name: true } }),
        db.contact.findMany({ where: { ...where, clientId: detail.case.clientId }, select: { id: true, name: true } }),
        db.caseType.findMany({ where, select: { id: true, name: true } }),
        db.caseTemplate.findMany({ where, select: { id: true, name: true } }),
      ]);
      for (const r of [...users, ...contacts, ...types, ...templates]) names.set(r.id, r.name);
    }
    if (ids.has(detail.case.clientId)) names.set(detail.case.clientId, detail.case.client.name);
    const rows = events.map((e) => ({
      id: e.id.toString(),
      at: e.at,
      who: e.actor?.name ?? e.actorLabel ?? "System",
      action: ACTION_LABELS[e.action] ?? e.action,
      changes: Object.entries((e.changes ?? {}) as Record<string, { before: unknown; after: unknown }>).sort(([a], [b]) => fieldOrder(a) - fieldOrder(b)).map(([field, change]) => ({
        label: changeLabel(field),
        before: historyValue(field, change?.before, names),
        after: historyValue(field, change?.after, names),
        hasBefore: change?.before !== null && change?.before !== undefined,
      })),
    }));
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

/** A stored value of the case, as the conflict notice shows it. */
function savedText(kase: CaseDetail, field: (typeof CASE_FIELDS)[number]): string {
  const value = kase[field];
  if (field === "managerId") return kase.manager.name;
  if (field === "contactId") return kase.contact?.name ?? "—";
  if (field === "estimatedValue" || field === "actualCost") return money(kase[field]);
  if (value === null || value === undefined || value === "") return "—";
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === "boolean") return value ? "Yes" : "No";
  return schemas.LABELS[String(value)] ?? String(value);
}

/** The form's order for known fields (the audit log's JSON does not keep it); stage and team entries after them. */
const FIELD_ORDER = Object.keys(FIELD_LABELS);
function fieldOrder(field: string): number {
  const at = FIELD_ORDER.indexOf(field);
  return at < 0 ? FIELD_ORDER.length : at;
}

/** "stage:Intake:deadline" → "Stage Intake: Deadline"; "team:Ann" → "Team: Ann". */
function changeLabel(field: string): string {
  const [kind, name, sub] = field.split(":");
  if (kind === "stage" && name !== undefined) return sub ? `Stage ${name}: ${FIELD_LABELS[sub] ?? sub}` : `Stage ${name}`;
  if (kind === "team" && name !== undefined) return `Team: ${name}`;
  return FIELD_LABELS[field] ?? field;
}

const ENUM_FIELDS = new Set(["status", "category", "priority", "complexity", "riskLevel", "billingMethod", "resolutionType"]);

/** A value from the audit log in words: names for ids, labels for enum values, dates and money formatted. */
function historyValue(field: string, value: unknown, names: Map<string, string>): string {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (Array.isArray(value)) return value.map((v) => historyValue(field, v, names)).join(", ") || "—";
  if (typeof value === "number") return field === "estimatedValue" || field === "actualCost" ? money(value) : String(value);
  if (typeof value !== "string") return JSON.stringify(value);
  if (isUuid(value)) return names.get(value) ?? "(someone no longer known)";
  if (field === "nextReviewDate" || field.endsWith(":deadline")) return /^\d{4}-\d{2}-\d{2}T/.test(value) ? value.slice(0, 10) : value;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return `${value.slice(0, 10)} ${value.slice(11, 16)} UTC`;
  const sub = field.split(":");
  if (ENUM_FIELDS.has(field) || sub[0] === "team" || (sub[0] === "stage" && sub.length === 2)) return schemas.LABELS[value] ?? value;
  return value;
}
