// Contact pages, within a client (mounted at /clients/:clientId/contacts): add, edit, make primary, deactivate and
// reactivate, delete with confirmation. The contact list itself is part of the client page (views/clients/_contacts.ejs).
import { Router, type Request, type Response } from "express";
import type { Db } from "../db/client.ts";
import { getClient, type ClientDetail } from "../clients/service.ts";
import { actorOf } from "../web/context.ts";
import { errorsOf, formValues, parseForm } from "../web/forms.ts";
import { flash } from "../web/flash.ts";
import { ConflictError } from "../errors.ts";
import { contactForm } from "./schemas.ts";
import { assertOrganization, createContact, deleteContact, getContact, makePrimaryContact, setContactActive, updateContact } from "./service.ts";

type Contact = ClientDetail["contacts"][number];

export function contactRoutes(db: Db) {
  const router = Router({ mergeParams: true });
  const clientIdOf = (req: Request) => String(req.params.clientId);
  const contactIdOf = (req: Request) => String(req.params.contactId);
  const backToClient = (clientId: string, contactId?: string) => `/clients/${clientId}#${contactId ? `contact-${contactId}` : "contacts"}`;

  const renderForm = (res: Response, status: number, locals: { client: ClientDetail; contact?: Contact; values: Record<string, unknown>; errors?: Record<string, string>; conflict?: string }) =>
    res.status(status).render("contacts/form", {
      title: locals.contact ? `Edit ${locals.contact.name}` : `New contact at ${locals.client.name}`,
      isNew: !locals.contact,
      errors: {},
      ...locals,
    });

  router.get("/", (req, res) => res.redirect(backToClient(clientIdOf(req))));

  router.get("/new", async (req, res) => {
    const { client } = await getClient(db, actorOf(req), clientIdOf(req));
    assertOrganization(client);
    renderForm(res, 200, { client, values: { active: "on" } });
  });

  router.post("/", async (req, res) => {
    const actor = actorOf(req);
    const { client } = await getClient(db, actor, clientIdOf(req), { audit: false });
    assertOrganization(client);
    const values = formValues(req.body);
    const form = parseForm(contactForm, req.body);
    if (!form.ok) return renderForm(res, 422, { client, values, errors: form.errors });
    try {
      const created = await createContact(db, actor, client.id, form.data);
      flash(req, "success", `Contact ${created.name} added${form.data.isPrimary ? " as the primary contact" : ""}.`);
      res.redirect(backToClient(client.id, created.id));
    } catch (error) {
      const errors = errorsOf(error);
      if (errors) return renderForm(res, 422, { client, values, errors });
      throw error;
    }
  });

  router.get("/:contactId", (req, res) => res.redirect(backToClient(clientIdOf(req), contactIdOf(req))));

  router.get("/:contactId/edit", async (req, res) => {
    const { client, contact } = await getContact(db, actorOf(req), clientIdOf(req), contactIdOf(req));
    assertOrganization(client);
    renderForm(res, 200, { client, contact, values: editValues(contact) });
  });

  router.post("/:contactId", async (req, res) => {
    const actor = actorOf(req);
    const { client, contact } = await getContact(db, actor, clientIdOf(req), contactIdOf(req), { audit: false });
    assertOrganization(client);
    const values = formValues(req.body);
    const form = parseForm(contactForm, req.body);
    if (!form.ok) return renderForm(res, 422, { client, contact, values, errors: form.errors });
    try {
      await updateContact(db, actor, client.id, contact.id, form.data);
    } catch (error) {
      const errors = errorsOf(error);
      if (errors) return renderForm(res, 422, { client, contact, values, errors });
      if (error instanceof ConflictError) {
        const latest = await getContact(db, actor, client.id, contact.id, { audit: false });
        return renderForm(res, 409, { client: latest.client, contact: latest.contact, values: { ...values, updatedAt: latest.contact.updatedAt.toISOString() }, conflict: error.message });
      }
      throw error;
    }
    flash(req, "success", `Contact ${form.data.name} saved.`);
    res.redirect(backToClient(client.id, contact.id));
  });

  router.post("/:contactId/primary", async (req, res) => {
    const clientId = clientIdOf(req);
    try {
      const result = await makePrimaryContact(db, actorOf(req), clientId, contactIdOf(req));
      if (!result.changed) flash(req, "info", `${result.name} is already the primary contact.`);
      else flash(req, "success", `${result.name} is now the primary contact${result.previous ? ` instead of ${result.previous}` : ""}.`);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      flash(req, "error", error.message);
    }
    res.redirect(backToClient(clientId, contactIdOf(req)));
  });

  const activeAction = (active: boolean) => async (req: Request, res: Response) => {
    const clientId = clientIdOf(req);
    const result = await setContactActive(db, actorOf(req), clientId, contactIdOf(req), active);
    if (!result.changed) flash(req, "info", `${result.name} is already ${active ? "active" : "inactive"}.`);
    else flash(req, "success", active ? `${result.name} is active again.` : `${result.name} deactivated${result.wasPrimary ? "; the client now has no primary contact" : ""}.`);
    res.redirect(backToClient(clientId, contactIdOf(req)));
  };
  router.post("/:contactId/deactivate", activeAction(false));
  router.post("/:contactId/reactivate", activeAction(true));

  // Without JavaScript (or from a link) deleting shows this page first; the list's button confirms in the browser
  // and sends confirmed=yes.
  const confirmPage = async (req: Request, res: Response) => {
    const { client, contact } = await getContact(db, actorOf(req), clientIdOf(req), contactIdOf(req), { audit: req.method === "GET" });
    res.render("contacts/delete", { title: `Delete ${contact.name}`, client, contact });
  };
  router.get("/:contactId/delete", confirmPage);
  router.post("/:contactId/delete", async (req, res) => {
    if ((req.body as Record<string, unknown> | undefined)?.confirmed !== "yes") return confirmPage(req, res);
    const clientId = clientIdOf(req);
    const { name } = await deleteContact(db, actorOf(req), clientId, contactIdOf(req));
    flash(req, "success", `Contact ${name} deleted.`);
    res.redirect(backToClient(clientId));
  });

  return router;
}

function editValues(contact: Contact): Record<string, string> {
  const values: Record<string, string> = { updatedAt: contact.updatedAt.toISOString() };
  for (const key of ["name", "title", "email", "phone", "mobile", "notes"] as const) values[key] = contact[key] ?? "";
  if (contact.active) values.active = "on";
  if (contact.isPrimary) values.isPrimary = "on";
  return values;
}
