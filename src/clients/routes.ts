// Client pages: list, hub, create, edit, deactivate/reactivate, delete, by point of contact, autocomplete.
import { Router, type Request, type Response } from "express";
import type { Db } from "../db/client.ts";
import { canSeeInternalAssessment } from "../access/clients.ts";
import { assertCan, can } from "../access/permissions.ts";
import { actorOf } from "../web/context.ts";
import { errorsOf, formValues, parseForm } from "../web/forms.ts";
import { listPosition } from "../web/pagination.ts";
import { flash } from "../web/flash.ts";
import { ConflictError } from "../errors.ts";
import { clientDocumentsSectionRead } from "../documents/queries.ts";
import * as schemas from "./schemas.ts";
import { categoryChoices, clientListView, clientsByPointOfContact, suggestClients } from "./queries.ts";
import { clientTransferRoutes } from "./transfer-routes.ts";
import { clientBulkRoutes } from "./bulk-routes.ts";
import { clientCasesSummaryRead } from "../cases/summaries.ts";
import { clientFeedbackSectionRead } from "../feedback/web.ts";
import { LABELS as CASE_LABELS } from "../cases/schemas.ts";
import { clientEngagementsRead, clientOriginRead } from "../pipeline/queries.ts";
import { sqlReads } from "../db/sql.ts";
import { LABELS as PIPELINE_LABELS } from "../pipeline/schemas.ts";
import { clientCommunicationsSectionReads } from "../communications/section.ts";
import { clientRoundtableSectionRead } from "../roundtable/selectors.ts";
import {
  activeUsers,
  clientDependents,
  createClient,
  deactivateClient,
  deleteClient,
  findDuplicates,
  getClient,
  reactivateClient,
  updateClient,
  type ClientDetail,
  type Duplicate,
} from "./service.ts";

export function clientRoutes(db: Db) {
  const router = Router();
  router.use(clientTransferRoutes(db));
  router.use(clientBulkRoutes(db));

  router.get("/", async (req, res) => {
    const actor = actorOf(req);
    const filters = schemas.clientFilters.parse(req.query);
    const { page, counts, categories, users } = await clientListView(db, actor, filters);
    const filtered = Boolean(filters.q || filters.type || filters.status || filters.category || filters.manager || filters.poc || filters.attention || filters.mine || filters.priority || filters.relationship);
    res.render("clients/index", {
      title: "Clients",
      page,
      counts,
      filters,
      filtered,
      query: req.query,
      // Relevance pages are numbered; keyset pages carry their start in the query.
      position: page.pageNumber ? (page.pageNumber - 1) * (filters.perPage ?? 25) + 1 : listPosition(req.query),
      perPage: filters.perPage ?? 25,
      categories,
      users,
      assessmentVisible: canSeeInternalAssessment(actor),
      canCreate: can(actor, "client.create"),
      canBulk: can(actor, "client.bulkUpdate"),
      labels: schemas.LABELS,
      schemas,
      attentionOf,
    });
  });

  router.get("/autocomplete", async (req, res) => {
    const q = typeof req.query.q === "string" ? req.query.q : "";
    res.json({ results: await suggestClients(db, actorOf(req), q) });
  });

  router.get("/by-point-of-contact", async (req, res) => {
    const result = await clientsByPointOfContact(db, actorOf(req));
    res.render("clients/by-poc", { title: "Clients by point of contact", ...result, labels: schemas.LABELS });
  });

  const formLocals = async (req: Request, extra: Record<string, unknown>) => ({
    categories: await categoryChoices(db),
    users: await activeUsers(db),
    labels: schemas.LABELS,
    schemas,
    errors: {},
    duplicates: [] as Duplicate[],
    assessmentVisible: canSeeInternalAssessment(req.user!),
    canChangeConfidentiality: can(req.user!, "client.changeConfidentiality"),
    notesWithheld: false,
    ...extra,
  });

  router.get("/new", async (req, res) => {
    assertCan(req.user!, "client.create");
    res.render("clients/form", await formLocals(req, { title: "New client", isNew: true, values: { clientType: "organization", status: "active", dataClassification: "confidential", accountManagerId: req.user!.id } }));
  });

  router.post("/", async (req, res) => {
    const actor = actorOf(req);
    assertCan(actor, "client.create");
    const values = formValues(req.body);
    const again = async (status: number, extra: Record<string, unknown>) =>
      res.status(status).render("clients/form", await formLocals(req, { title: "New client", isNew: true, values, ...extra }));
    const form = parseForm(schemas.clientForm, req.body);
    if (!form.ok) return again(422, { errors: form.errors });
    if (!form.data.confirmDuplicates) {
      const duplicates = await findDuplicates(db, actor, form.data);
      if (duplicates.length) return again(200, { duplicates });
    }
    try {
      const { id, clientCode } = await createClient(db, actor, form.data);
      flash(req, "success", `Client ${form.data.name} created as ${clientCode}.`);
      res.redirect(`/clients/${id}`);
    } catch (error) {
      const errors = errorsOf(error);
      if (errors) return again(422, { errors });
      throw error;
    }
  });

  router.get("/:id", async (req, res) => {
    const actor = actorOf(req);
    const detail = await getClient(db, actor, req.params.id);
    const id = detail.client.id;
    // Every section's reads in one statement, beside the timeline's own (its events decide what it reads next): each
    // statement costs the app a socket write and PostgreSQL a wake-up on the same two cores, more than most of these
    // reads cost to run.
    const communications = clientCommunicationsSectionReads(actor, id);
    const [[origin, engagements, cases, documents, feedback, choices, followUps, roundtable], timeline] = await Promise.all([
      sqlReads(db, [
        clientOriginRead(actor, id),
        clientEngagementsRead(actor, id),
        clientCasesSummaryRead(actor, id),
        clientDocumentsSectionRead(actor, id),
        clientFeedbackSectionRead(actor, id, detail.onTeam),
        ...communications.reads,
        clientRoundtableSectionRead(actor, id),
      ]),
      communications.timeline(db),
    ]);
    res.render("clients/show", {
      title: detail.client.name,
      ...detail,
      cases,
      ...documents,
      feedback,
      section: communications.assemble(choices, followUps, timeline),
      caseLabels: CASE_LABELS,
      origin,
      engagements,
      pipelineLabels: PIPELINE_LABELS,
      labels: schemas.LABELS,
      attention: attentionOf(detail.client.lastContactAt),
      roundtable,
      can: { ...res.locals.can, editClient: can(actor, "client.edit"), deactivateClient: can(actor, "client.deactivate"), deleteClient: can(actor, "client.delete") },
    });
  });

  router.get("/:id/edit", async (req, res) => {
    // The edit form shows every field: reading a restricted client here is audited like its page.
    const { client, notesWithheld } = await getClient(db, actorOf(req), req.params.id);
    res.render("clients/form", await formLocals(req, { title: `Edit ${client.name}`, isNew: false, client, notesWithheld, values: editValues(client) }));
  });

  router.post("/:id", async (req, res) => {
    const actor = actorOf(req);
    const { client, notesWithheld } = await getClient(db, actor, req.params.id, { audit: false });
    const values = formValues(req.body);
    const again = async (status: number, extra: Record<string, unknown>) =>
      res.status(status).render("clients/form", await formLocals(req, { title: `Edit ${client.name}`, isNew: false, client, notesWithheld, values, ...extra }));
    const form = parseForm(schemas.clientForm, req.body);
    if (!form.ok) return again(422, { errors: form.errors });
    if (!form.data.confirmDuplicates && (form.data.name !== client.name || form.data.email !== client.email)) {
      const duplicates = await findDuplicates(db, actor, form.data, client.id);
      if (duplicates.length) return again(200, { duplicates });
    }
    try {
      await updateClient(db, actor, client.id, form.data);
    } catch (error) {
      const errors = errorsOf(error);
      if (errors) return again(422, { errors });
      if (error instanceof ConflictError) {
        const latest = await getClient(db, actor, client.id, { audit: false });
        return again(409, { conflict: error.message, current: latest.client, values: { ...values, updatedAt: latest.client.updatedAt.toISOString() } });
      }
      throw error;
    }
    flash(req, "success", "Client saved.");
    res.redirect(`/clients/${client.id}`);
  });

  router.post("/:id/deactivate", async (req, res) => reasonAction(req, res, "deactivate"));
  router.post("/:id/reactivate", async (req, res) => reasonAction(req, res, "reactivate"));

  async function reasonAction(req: Request, res: Response, action: "deactivate" | "reactivate") {
    const actor = actorOf(req);
    const id = String(req.params.id);
    const form = parseForm(schemas.reasonForm, req.body);
    if (!form.ok) {
      await getClient(db, actor, id, { audit: false }); // hidden or missing: 404 before any message
      assertCan(actor, action === "deactivate" ? "client.deactivate" : "client.reactivate");
      flash(req, "error", `To ${action} a client, give a reason.`);
      return res.redirect(`/clients/${id}#status`);
    }
    try {
      if (action === "deactivate") await deactivateClient(db, actor, id, form.data.reason);
      else await reactivateClient(db, actor, id, form.data.reason);
      flash(req, "success", action === "deactivate" ? "Client deactivated. Its records stay linked." : "Client reactivated.");
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      flash(req, "error", error.message);
    }
    res.redirect(`/clients/${id}`);
  }

  router.get("/:id/delete", async (req, res) => {
    const actor = actorOf(req);
    // Visibility first: a hidden or missing client is a 404 for everyone, before any "not allowed".
    const { client } = await getClient(db, actor, req.params.id, { audit: false });
    assertCan(actor, "client.delete");
    res.render("clients/delete", { title: `Delete ${client.name}`, client, dependents: await clientDependents(db, client.id, actor) });
  });

  router.post("/:id/delete", async (req, res) => {
    const actor = actorOf(req);
    const id = String(req.params.id);
    try {
      const { name } = await deleteClient(db, actor, id);
      flash(req, "success", `Client ${name} deleted.`);
      res.redirect("/clients");
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      flash(req, "error", error.message);
      res.redirect(`/clients/${id}/delete`);
    }
  });

  return router;
}

/** Attention by days since the last contact: urgent over 90, warning over 60, never contacted. */
export function attentionOf(lastContactAt: Date | null, today = new Date()): "urgent" | "warning" | "never" | "ok" {
  if (!lastContactAt) return "never";
  const days = Math.floor((today.getTime() - lastContactAt.getTime()) / 86_400_000);
  return days > 90 ? "urgent" : days > 60 ? "warning" : "ok";
}

function dateValue(d: Date | null) {
  return d ? d.toISOString().slice(0, 10) : "";
}

function editValues(client: ClientDetail): Record<string, string | string[]> {
  const values: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(client)) {
    if (value instanceof Date) values[key] = key === "updatedAt" ? value.toISOString() : dateValue(value);
    else if (typeof value === "string") values[key] = value;
    else if (typeof value === "boolean" && value) values[key] = "on";
  }
  values.teamUserIds = client.team.map((t) => t.userId);
  return values;
}
