// Administrators' page of document types: the list with an add form, and each type's edit form.
import { Router } from "express";
import type { Db } from "../db/client.ts";
import { ValidationError } from "../errors.ts";
import { actorOf } from "../web/context.ts";
import { flash } from "../web/flash.ts";
import { formValues, parseForm, type FieldErrors } from "../web/forms.ts";
import { isUuid } from "../web/fields.ts";
import { NotFoundError } from "../errors.ts";
import { documentTypes } from "./queries.ts";
import { documentTypeForm } from "./schemas.ts";
import { createDocumentType, updateDocumentType } from "./service.ts";

/** Mounted at /admin/document-types behind the manageDocumentTypes permission. */
export function documentTypeAdminRoutes(db: Db) {
  const router = Router();
  const list = async (values: Record<string, unknown> = { active: "on" }, errors: FieldErrors = {}) => ({ title: "Document types", types: await documentTypes(db, { counts: true }), values, errors });

  router.get("/", async (_req, res) => res.render("document-types/index", await list()));

  router.post("/", async (req, res) => {
    const parsed = parseForm(documentTypeForm, req.body);
    try {
      if (!parsed.ok) throw new ValidationError(parsed.errors);
      await createDocumentType(db, actorOf(req), parsed.data);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return res.status(422).render("document-types/index", await list(formValues(req.body), error.fields));
    }
    flash(req, "success", `Document type “${parsed.ok ? parsed.data.name : ""}” added.`);
    res.redirect(303, "/admin/document-types");
  });

  const editPage = async (id: string, values?: Record<string, unknown>, errors: FieldErrors = {}) => {
    const type = (await documentTypes(db, { counts: true })).find((t) => t.id === id);
    if (!type) throw new NotFoundError();
    return { title: `Edit ${type.name}`, type, values: values ?? { name: type.name, description: type.description ?? "", position: String(type.position), active: type.active ? "on" : "" }, errors };
  };

  router.get("/:id", async (req, res) => {
    if (!isUuid(req.params.id)) throw new NotFoundError();
    res.render("document-types/form", await editPage(req.params.id));
  });

  router.post("/:id", async (req, res) => {
    const id = String(req.params.id);
    if (!isUuid(id)) throw new NotFoundError();
    const parsed = parseForm(documentTypeForm, req.body);
    try {
      if (!parsed.ok) throw new ValidationError(parsed.errors);
      await updateDocumentType(db, actorOf(req), id, parsed.data);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return res.status(422).render("document-types/form", await editPage(id, formValues(req.body), error.fields));
    }
    flash(req, "success", "Document type saved.");
    res.redirect(303, "/admin/document-types");
  });
  return router;
}
