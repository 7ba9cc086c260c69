// Admin pages for case types (/admin/case-types) and case templates with their ordered stage editor
// (/admin/case-templates). Both are mounted behind requirePermission("manageCaseTypes") in app.ts.
import { Router, type Request, type Response } from "express";
import type { Db } from "../db/client.ts";
import { actorOf } from "../web/context.ts";
import { errorsOf, formValues, parseForm, type FieldErrors } from "../web/forms.ts";
import { flash } from "../web/flash.ts";
import { BILLING_METHODS, LABELS, STAGE_TYPES } from "../cases/schemas.ts";
import {
  BLANK_STAGE_ROWS,
  MAX_DOCUMENT_TYPES,
  caseTypeForm,
  moveButton,
  movedRows,
  parseTemplateForm,
  postedStageRows,
  type StageRowValues,
} from "./schemas.ts";
import {
  CaseTemplateInUseError,
  CaseTypeInUseError,
  caseTemplateForDeletion,
  caseTypeForDeletion,
  caseTypeFormOptions,
  createCaseTemplate,
  createCaseType,
  deleteCaseTemplate,
  deleteCaseType,
  getCaseTemplate,
  getCaseType,
  listCaseTemplates,
  listCaseTypes,
  setCaseTemplateActive,
  setCaseTypeActive,
  templateTypeOptions,
  updateCaseTemplate,
  updateCaseType,
  type CaseTemplateDetail,
  type CaseTypeDetail,
} from "./service.ts";

const TYPES = "/admin/case-types";
const TEMPLATES = "/admin/case-templates";
const billingOptions = BILLING_METHODS.map((m) => ({ value: m, label: LABELS[m] ?? m }));
const stageTypeOptions = STAGE_TYPES.map((t) => ({ value: t, label: LABELS[t] ?? t }));
const on = (flag: boolean) => (flag ? "on" : "");

// ---------------------------------------------------------------------------------------------------------------

export function caseTypeAdminRoutes(db: Db) {
  const router = Router();

  router.get("/", async (req, res) => {
    res.render("case-types/index", { title: "Case types", types: await listCaseTypes(db, actorOf(req)), labels: LABELS });
  });

  const showForm = async (req: Request, res: Response, status: number, locals: { type?: CaseTypeDetail; values: Record<string, unknown>; errors?: FieldErrors }) => {
    const options = await caseTypeFormOptions(db, actorOf(req), locals.type?.id);
    res.status(status).render("case-types/form", {
      title: locals.type ? `Edit ${locals.type.name}` : "New case type",
      isNew: !locals.type,
      type: locals.type,
      values: locals.values,
      errors: locals.errors ?? {},
      parentOptions: options.parents.map((t) => ({ value: t.id, label: `${"— ".repeat(t.depth)}${t.name} (${t.code})${t.active ? "" : " — inactive"}` })),
      templateOptions: options.templates.map((t) => ({ value: t.id, label: `${t.name} (${t.code})` })),
      billingOptions,
    });
  };

  router.get("/new", (req, res) => showForm(req, res, 200, { values: { active: "on", parentId: typeof req.query.parent === "string" ? req.query.parent : "" } }));

  router.post("/", async (req, res) => {
    const values = formValues(req.body);
    const form = parseForm(caseTypeForm, req.body);
    if (!form.ok) return showForm(req, res, 422, { values, errors: form.errors });
    try {
      const { id, name } = await createCaseType(db, actorOf(req), form.data);
      flash(req, "success", `Case type ${name} created. Add a template for it, then choose it as the default.`);
      res.redirect(`${TYPES}/${id}`);
    } catch (error) {
      const errors = errorsOf(error);
      if (errors) return showForm(req, res, 422, { values, errors });
      throw error;
    }
  });

  router.get("/:id", async (req, res) => {
    const type = await getCaseType(db, actorOf(req), req.params.id);
    res.render("case-types/show", { title: type.name, type, labels: LABELS });
  });

  router.get("/:id/edit", async (req, res) => {
    const type = await getCaseType(db, actorOf(req), req.params.id);
    await showForm(req, res, 200, { type, values: typeValues(type) });
  });

  router.post("/:id", async (req, res) => {
    const type = await getCaseType(db, actorOf(req), req.params.id);
    const values = formValues(req.body);
    const form = parseForm(caseTypeForm, req.body);
    if (!form.ok) return showForm(req, res, 422, { type, values, errors: form.errors });
    try {
      await updateCaseType(db, actorOf(req), type.id, form.data);
    } catch (error) {
      const errors = errorsOf(error);
      if (errors) return showForm(req, res, 422, { type, values, errors });
      throw error;
    }
    flash(req, "success", `Case type ${form.data.name} saved.`);
    res.redirect(`${TYPES}/${type.id}`);
  });

  for (const [path, active] of [["deactivate", false], ["reactivate", true]] as const) {
    router.post(`/:id/${path}`, async (req, res) => {
      const { name, changed } = await setCaseTypeActive(db, actorOf(req), req.params.id, active);
      const done = active ? `Case type ${name} reactivated: it is offered for new cases again.` : `Case type ${name} deactivated: it is no longer offered for new cases; its cases keep it.`;
      flash(req, changed ? "success" : "info", changed ? done : `Case type ${name} was already ${active ? "active" : "inactive"}.`);
      res.redirect(`${TYPES}/${req.params.id}`);
    });
  }

  router.get("/:id/delete", async (req, res) => {
    const data = await caseTypeForDeletion(db, actorOf(req), req.params.id);
    res.render("case-types/delete", { title: `Delete ${data.type.name}`, ...data, refusal: null });
  });

  router.post("/:id/delete", async (req, res) => {
    const actor = actorOf(req);
    try {
      const { name } = await deleteCaseType(db, actor, req.params.id);
      flash(req, "success", `Case type ${name} deleted.`);
      res.redirect(TYPES);
    } catch (error) {
      if (!(error instanceof CaseTypeInUseError)) throw error;
      const data = await caseTypeForDeletion(db, actor, req.params.id);
      res.status(409).render("case-types/delete", { title: `Delete ${data.type.name}`, ...data, refusal: error.message });
    }
  });

  return router;
}

function typeValues(type: CaseTypeDetail): Record<string, string> {
  return {
    name: type.name,
    code: type.code,
    description: type.description ?? "",
    parentId: type.parentId ?? "",
    requiresLegalReview: on(type.requiresLegalReview),
    requiresComplianceReview: on(type.requiresComplianceReview),
    defaultBillingMethod: type.defaultBillingMethod ?? "",
    defaultTemplateId: type.defaultTemplateId ?? "",
    active: on(type.active),
  };
}

// ---------------------------------------------------------------------------------------------------------------

export function caseTemplateAdminRoutes(db: Db) {
  const router = Router();

  router.get("/", async (req, res) => {
    res.render("case-types/templates", { title: "Case templates", templates: await listCaseTemplates(db, actorOf(req)) });
  });

  const showEditor = async (
    req: Request,
    res: Response,
    status: number,
    locals: { template?: CaseTemplateDetail; values: Record<string, unknown>; rows: StageRowValues[]; errors?: FieldErrors },
  ) => {
    const types = await templateTypeOptions(db, actorOf(req));
    res.status(status).render("case-types/template-form", {
      title: locals.template ? `Edit ${locals.template.name}` : "New case template",
      isNew: !locals.template,
      template: locals.template,
      values: locals.values,
      rows: locals.rows.length ? locals.rows : blankRows(0),
      errors: locals.errors ?? {},
      typeOptions: types.map((t) => ({ value: t.id, label: `${"— ".repeat(t.depth)}${t.name} (${t.code})${t.active ? "" : " — inactive"}` })),
      stageTypeOptions,
      maxDocumentTypes: MAX_DOCUMENT_TYPES,
    });
  };

  /** A move button re-shows the form in the new order without saving; answers whether it was one. */
  const moved = async (req: Request, res: Response, template?: CaseTemplateDetail) => {
    const move = moveButton.safeParse(req.body?.move);
    if (!move.success) return false;
    await showEditor(req, res, 200, { template, values: formValues(req.body), rows: movedRows(postedStageRows(req.body), move.data) });
    return true;
  };

  router.get("/new", (req, res) =>
    showEditor(req, res, 200, { values: { active: "on", caseTypeId: typeof req.query.type === "string" ? req.query.type : "" }, rows: blankRows(0) }),
  );

  router.post("/", async (req, res) => {
    if (await moved(req, res)) return;
    const values = formValues(req.body);
    const rows = postedStageRows(req.body);
    const form = parseTemplateForm(req.body);
    if (!form.ok) return showEditor(req, res, 422, { values, rows, errors: form.errors });
    try {
      const { id, name } = await createCaseTemplate(db, actorOf(req), form.data);
      flash(req, "success", `Template ${name} created with ${form.data.stages.length} stage${form.data.stages.length === 1 ? "" : "s"}.`);
      res.redirect(`${TEMPLATES}/${id}/edit`);
    } catch (error) {
      const errors = errorsOf(error);
      if (errors) return showEditor(req, res, 422, { values, rows, errors });
      throw error;
    }
  });

  router.get("/:id/edit", async (req, res) => {
    const template = await getCaseTemplate(db, actorOf(req), req.params.id);
    await showEditor(req, res, 200, { template, values: templateValues(template), rows: templateRows(template) });
  });

  router.post("/:id", async (req, res) => {
    const template = await getCaseTemplate(db, actorOf(req), req.params.id);
    if (await moved(req, res, template)) return;
    const values = formValues(req.body);
    const rows = postedStageRows(req.body);
    const form = parseTemplateForm(req.body);
    if (!form.ok) return showEditor(req, res, 422, { template, values, rows, errors: form.errors });
    try {
      const { clearedDefaultOf } = await updateCaseTemplate(db, actorOf(req), template.id, form.data);
      flash(req, "success", `Template ${form.data.name} saved with ${form.data.stages.length} stage${form.data.stages.length === 1 ? "" : "s"}. Existing cases keep their stages.`);
      if (clearedDefaultOf) flash(req, "info", `It is no longer the default template of ${clearedDefaultOf}.`);
      res.redirect(`${TEMPLATES}/${template.id}/edit`);
    } catch (error) {
      const errors = errorsOf(error);
      if (errors) return showEditor(req, res, 422, { template, values, rows, errors });
      throw error;
    }
  });

  for (const [path, active] of [["deactivate", false], ["reactivate", true]] as const) {
    router.post(`/:id/${path}`, async (req, res) => {
      const { name, changed, clearedDefaultOf } = await setCaseTemplateActive(db, actorOf(req), req.params.id, active);
      const done = active ? `Template ${name} reactivated: it is offered for new cases again.` : `Template ${name} deactivated: it is no longer offered for new cases.`;
      flash(req, changed ? "success" : "info", changed ? done : `Template ${name} was already ${active ? "active" : "inactive"}.`);
      if (clearedDefaultOf) flash(req, "info", `It is no longer the default template of ${clearedDefaultOf}.`);
      res.redirect(`${TEMPLATES}/${req.params.id}/edit`);
    });
  }

  router.get("/:id/delete", async (req, res) => {
    const template = await caseTemplateForDeletion(db, actorOf(req), req.params.id);
    res.render("case-types/template-delete", { title: `Delete ${template.name}`, template, refusal: null });
  });

  router.post("/:id/delete", async (req, res) => {
    const actor = actorOf(req);
    try {
      const { name, clearedDefaultOf } = await deleteCaseTemplate(db, actor, req.params.id);
      flash(req, "success", clearedDefaultOf ? `Template ${name} deleted; ${clearedDefaultOf} no longer has a default template.` : `Template ${name} deleted.`);
      res.redirect(TEMPLATES);
    } catch (error) {
      if (!(error instanceof CaseTemplateInUseError)) throw error;
      const template = await caseTemplateForDeletion(db, actor, req.params.id);
      res.status(409).render("case-types/template-delete", { title: `Delete ${template.name}`, template, refusal: error.message });
    }
  });

  return router;
}

function blankRows(from: number): StageRowValues[] {
  return Array.from({ length: BLANK_STAGE_ROWS }, (_, i) => ({
    row: from + i,
    name: "",
    type: "work",
    required: true,
    parallel: false,
    approval: false,
    min_approvers: "1",
    duration: "",
    position: String(from + i + 1),
    remove: false,
  }));
}

function templateRows(template: CaseTemplateDetail): StageRowValues[] {
  const saved = template.stages.map((s, i) => ({
    row: i,
    name: s.name,
    type: s.stageType,
    required: s.required,
    parallel: s.parallel,
    approval: s.approvalRequired,
    min_approvers: String(s.minApprovers),
    duration: s.defaultDurationDays === null ? "" : String(s.defaultDurationDays),
    position: String(i + 1),
    remove: false,
  }));
  return [...saved, ...blankRows(saved.length)];
}

function templateValues(template: CaseTemplateDetail): Record<string, string> {
  return {
    name: template.name,
    code: template.code,
    description: template.description ?? "",
    caseTypeId: template.caseTypeId,
    active: on(template.active),
    requiredDocumentTypes: template.requiredDocumentTypes.join("\n"),
  };
}
