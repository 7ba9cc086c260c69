// Communication pages: the quick form on the client page (a normal form post without JavaScript; with it, a fetch
// that answers the re-rendered section), a client's timeline, a case's communications, the firm-wide list with search,
// one communication with edit, delete and follow-up completion, and the overdue follow-ups digest.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { Router, type Request, type RequestHandler, type Response } from "express";
import multer from "multer";
import type { Db } from "../db/client.ts";
import type { DocumentStorage } from "../documents/storage.ts";
import { filesOf, megabytes, removeTemporaryFiles, type DocumentSettings } from "../documents/routes.ts";
import { csrf, onceAfterParsing } from "../web/csrf.ts";
import type { CurrentUser } from "../access/roles.ts";
import { communicationActions } from "../access/communications.ts";
import { getClient, getClientHeading } from "../clients/service.ts";
import { attentionOf } from "../clients/routes.ts";
import { LABELS as CLIENT_LABELS } from "../clients/schemas.ts";
import { clientCommunicationsSection, defaults, shared } from "./section.ts";
import { getCase } from "../cases/service.ts";
import { actorOf } from "../web/context.ts";
import { errorsOf, formValues, parseForm, type FieldErrors } from "../web/forms.ts";
import { flash } from "../web/flash.ts";
import { pageInfo, pageRequest, withQuery } from "../web/pagination.ts";
import { ConflictError, ForbiddenError, NotFoundError } from "../errors.ts";
import { LABELS, communicationFilters, communicationForm } from "./schemas.ts";
import {
  activeUserOptionsRead,
  clientTimeline,
  communicationPage,
  communicationRow,
  timeline,
  formChoices,
  openFollowUpsRead,
  visibleClientNameRead,
  type CommunicationRow,
} from "./queries.ts";
import { completeFollowUp, deleteCommunication, logCommunication, updateCommunication } from "./service.ts";
import { digestReads } from "./digest.ts";
import { jsonRead, sqlReads } from "../db/sql.ts";
import { isUuid } from "../web/fields.ts";
import { recordAudit } from "../audit/service.ts";
import { seesRoundtable } from "../access/roundtable.ts";
import { openActionItemsRead } from "../roundtable/selectors.ts";

/** Follow-ups (and action items) per page of "My follow-ups". */
const FOLLOW_UPS_PER_PAGE = 50;

function editValues(row: CommunicationRow): Record<string, string | string[]> {
  const values: Record<string, string | string[]> = {
    type: row.type,
    direction: row.direction,
    occurredAt: row.occurredAt.toISOString().slice(0, 16),
    subject: row.subject,
    notes: row.notes ?? "",
    caseId: row.caseId ?? "",
    followUpDue: row.followUpDue ? row.followUpDue.toISOString().slice(0, 10) : "",
    followUpAssigneeId: row.followUpAssigneeId ?? "",
    contactIds: row.participants.filter((p) => p.kind === "contact").map((p) => p.id),
    userIds: row.participants.filter((p) => p.kind === "user").map((p) => p.id),
    updatedAt: row.updatedAt.toISOString(),
  };
  for (const flag of ["important", "privileged", "followUpRequired"] as const) if (row[flag]) values[flag] = "on";
  return values;
}

const wantsFragment = (req: Request) => req.get("X-Requested-With") === "fetch";

/** The communication forms that may carry attachments (multipart): the app-wide CSRF check leaves them to the route. */
export const COMMUNICATION_UPLOAD_PATHS = [/^\/clients\/[^/]+\/communications\/?$/i, /^\/communications\/[^/]+\/?$/i];

/** At most this many files with one communication. */
const MAX_ATTACHMENTS = 10;

export function communicationRoutes(db: Db, storage: DocumentStorage, settings: DocumentSettings) {
  const router = Router();
  const tmp = path.resolve(settings.dataDir, "tmp", "uploads");
  mkdirSync(tmp, { recursive: true, mode: 0o700 });
  const upload = multer({
    dest: tmp,
    limits: { fileSize: settings.maxBytes, files: MAX_ATTACHMENTS, fields: 200, fieldSize: 100_000, fieldNameSize: 100, parts: MAX_ATTACHMENTS + 200 },
  }).array("attachments", MAX_ATTACHMENTS);

  /**
   * A multipart form (with attachments) is parsed by multer, then its CSRF token checked; a refused upload (too large,
   * too many files) is kept as `res.locals.attachmentError` so the route shows the form again with what was typed.
   * Plain forms pass through (the app-wide check has already verified them).
   */
  const withAttachments: RequestHandler = (req, res, next) => {
    if (!req.is("multipart")) return next();
    upload(req, res, (error?: unknown) => {
      if (!csrf.isRequestValid(req)) {
        void removeTemporaryFiles(req);
        return next(csrf.invalidCsrfTokenError);
      }
      if (error instanceof multer.MulterError) {
        res.locals.attachmentError =
          error.code === "LIMIT_FILE_SIZE"
            ? `A file is larger than ${megabytes(settings.maxBytes)}, the most one document may be. Nothing was stored.`
            : error.code === "LIMIT_FILE_COUNT" || error.code === "LIMIT_UNEXPECTED_FILE"
              ? `Attach at most ${MAX_ATTACHMENTS} files to one communication, in the attachments field. Nothing was stored.`
              : "The form was not understood. Nothing was stored.";
        return next();
      }
      if (error) return next(error);
      onceAfterParsing(req, res, next);
    });
  };
  const attachmentUpload = (req: Request) => ({ storage, files: filesOf(req) });

  const getVisible = async (user: CurrentUser, id: string) => {
    const row = isUuid(id) ? await communicationRow(db, user, id) : undefined;
    if (!row) throw new NotFoundError();
    return row;
  };

  // --- on a client ---------------------------------------------------------------------------------------------

  const renderFullForm = async (req: Request, res: Response, status: number, clientId: string, values: Record<string, unknown>, errors: FieldErrors) => {
    const actor = actorOf(req);
    const { client } = await getClient(db, actor, clientId, { audit: false });
    res.status(status).render("communications/new", { title: `Log a communication with ${client.name}`, client, choices: await formChoices(db, actor, client.id), values, errors, ...shared });
  };

  router.get("/clients/:clientId/communications/new", async (req, res) => {
    const { client } = await getClient(db, actorOf(req), String(req.params.clientId));
    const caseId = typeof req.query.caseId === "string" && isUuid(req.query.caseId) ? req.query.caseId : "";
    await renderFullForm(req, res, 200, client.id, { ...defaults(req.user!), caseId }, {});
  });

  router.post("/clients/:clientId/communications", withAttachments, async (req, res) => {
    try {
      await logRoute(req, res);
    } finally {
      await removeTemporaryFiles(req);
    }
  });

  const logRoute = async (req: Request, res: Response) => {
    const actor = actorOf(req);
    const { client } = await getClient(db, actor, String(req.params.clientId), { audit: false });
    const values = formValues(req.body ?? {});
    const fragment = wantsFragment(req);
    const again = async (errors: FieldErrors) => {
      if (!fragment) return renderFullForm(req, res, 422, client.id, values, errors);
      const section = await clientCommunicationsSection(db, actor, client.id, { values, errors });
      return res.status(422).render("communications/_client-section", { layout: false, client, section });
    };
    const form = parseForm(communicationForm, req.body ?? {});
    const attachmentError = res.locals.attachmentError as string | undefined;
    if (!form.ok || attachmentError) return again({ ...(form.ok ? {} : form.errors), ...(attachmentError ? { attachments: attachmentError } : {}) });
    const files = filesOf(req);
    try {
      await logCommunication(db, actor, client.id, form.data, attachmentUpload(req));
    } catch (error) {
      const errors = errorsOf(error);
      if (errors) return again(errors);
      throw error;
    }
    const message = `${LABELS[form.data.type]} “${form.data.subject}” logged${files.length ? ` with ${files.length === 1 ? "1 attachment" : `${files.length} attachments`}` : ""}.`;
    if (fragment) {
      const [section, fresh] = await Promise.all([clientCommunicationsSection(db, actor, client.id), getClient(db, actor, client.id, { audit: false })]);
      return res.status(201).render("communications/logged", { layout: false, client: fresh.client, section, notice: message, attention: attentionOf(fresh.client.lastContactAt), clientLabels: CLIENT_LABELS });
    }
    flash(req, "success", message);
    res.redirect(`/clients/${client.id}#communications`);
  };

  router.get("/clients/:clientId/timeline", async (req, res) => {
    const actor = actorOf(req);
    const client = await getClientHeading(db, actor, String(req.params.clientId));
    const filters = communicationFilters.parse(req.query);
    const timeline = await clientTimeline(db, actor, client.id, filters, 25);
    res.render("communications/timeline", { title: `Timeline of ${client.name}`, client, timeline, filters, query: req.query, withQuery, ...shared });
  });

  // --- on a case -------------------------------------------------------------------------------------------------

  router.get("/cases/:caseId/communications", async (req, res) => {
    const actor = actorOf(req);
    const { case: kase } = await getCase(db, actor, String(req.params.caseId));
    const filters = communicationFilters.parse(req.query);
    const page = await timeline(db, actor, { caseId: kase.id }, { ...filters, client: undefined, loggedBy: undefined, show: filters.show === "cases" || filters.show === "changes" ? undefined : filters.show }, 25);
    res.render("communications/case", { title: `Communications of ${kase.caseNumber}`, kase, timeline: page, filters, query: req.query, withQuery, ...shared });
  });

  // --- firm-wide -------------------------------------------------------------------------------------------------

  router.get("/communications", async (req, res) => {
    const actor = actorOf(req);
    const filters = communicationFilters.parse(req.query);
    // The page's rows beside one statement for the filter's choices and the chosen client's name.
    const [page, [users, clientName]] = await Promise.all([
      communicationPage(db, actor, filters, {}, 25),
      sqlReads(db, [activeUserOptionsRead(), visibleClientNameRead(actor, filters.client)]),
    ]);
    const filtered = Boolean(filters.q || filters.type || filters.from || filters.to || filters.important || filters.attachments || filters.client || filters.loggedBy);
    res.render("communications/index", { title: "Communications", page, users, clientName, filters, filtered, query: req.query, withQuery, ...shared });
  });

  router.get("/communications/follow-ups", async (req, res) => {
    const actor = actorOf(req);
    // ?show=overdue (the dashboard's overdue card): the overdue ones, a page at a time; otherwise every open one, a page
    // at a time (earliest due first, so the overdue ones lead, marked), with how many are overdue.
    const show = req.query.show === "overdue" ? "overdue" : "open";
    const request = pageRequest(req.query as Record<string, unknown>, { perPage: FOLLOW_UPS_PER_PAGE, maxPerPage: 200 });
    const items = pageRequest({ page: req.query.itemsPage }, { perPage: FOLLOW_UPS_PER_PAGE, maxPerPage: FOLLOW_UPS_PER_PAGE });
    // Roundtable action items are follow-ups too, for the relationship team (nobody else may know they exist).
    // One statement for the page's reads.
    const reads = digestReads(actor, show === "overdue" ? { limit: request.perPage, offset: request.skip } : null);
    const [overdue, last, mine, actionItems] = await sqlReads(db, [
      reads.overdue,
      reads.last,
      show === "overdue" ? jsonRead(null, () => null) : openFollowUpsRead(actor, { assigneeId: actor.id }, request.perPage, request.skip),
      seesRoundtable(actor) && show === "open" ? openActionItemsRead(actor, { assigneeId: actor.id }, items.perPage, items.skip) : jsonRead(null, () => null),
    ] as const);
    const digest = { day: reads.day, overdue, last };
    const listed = (mine ?? digest.overdue)!;
    // A page past the end (the last ones were completed meanwhile): back to the first.
    if (request.page > 1 && !listed.rows.length) {
      const first = withQuery(req.query as Record<string, unknown>, { page: undefined });
      return res.redirect(`/communications/follow-ups${first === "?" ? "" : first}`);
    }
    res.render("communications/follow-ups", {
      title: show === "overdue" ? "My overdue follow-ups" : "My follow-ups",
      show,
      mine,
      minePage: mine && pageInfo(request, mine.count),
      overdueCount: listed.overdue,
      overduePage: digest.overdue && pageInfo(request, digest.overdue.count),
      actionItems,
      actionItemsPage: actionItems && pageInfo(items, actionItems.count),
      digest,
      query: req.query,
      ...shared,
    });
  });

  router.get("/communications/:id", async (req, res) => {
    const actor = actorOf(req);
    const row = await getVisible(actor, String(req.params.id));
    if (row.sensitive) await recordAudit(db, { actorId: actor.id, action: "communication.read_restricted", entityType: "communication", entityId: row.id, context: actor.context });
    res.render("communications/show", {
      title: row.subject,
      row,
      can: { ...res.locals.can, edit: communicationActions.edit(actor, row), delete: communicationActions.delete(actor, row), complete: communicationActions.completeFollowUp(actor, row) },
      ...shared,
    });
  });

  const renderEdit = async (req: Request, res: Response, status: number, row: CommunicationRow, values: Record<string, unknown>, errors: FieldErrors, conflict?: string) => {
    const actor = actorOf(req);
    res.status(status).render("communications/edit", { title: `Edit ${row.subject}`, row, choices: await formChoices(db, actor, row.clientId, row.id), values, errors, conflict, ...shared });
  };

  router.get("/communications/:id/edit", async (req, res) => {
    const actor = actorOf(req);
    const row = await getVisible(actor, String(req.params.id));
    if (!communicationActions.edit(actor, row)) throw new ForbiddenError("Only its author, managers and administrators edit a communication.");
    await renderEdit(req, res, 200, row, editValues(row), {});
  });

  router.post("/communications/:id", withAttachments, async (req, res) => {
    try {
      await editRoute(req, res);
    } finally {
      await removeTemporaryFiles(req);
    }
  });

  const editRoute = async (req: Request, res: Response) => {
    const actor = actorOf(req);
    const row = await getVisible(actor, String(req.params.id));
    const values = formValues(req.body ?? {});
    const form = parseForm(communicationForm, req.body ?? {});
    const attachmentError = res.locals.attachmentError as string | undefined;
    if (!form.ok || attachmentError) return renderEdit(req, res, 422, row, values, { ...(form.ok ? {} : form.errors), ...(attachmentError ? { attachments: attachmentError } : {}) });
    try {
      await updateCommunication(db, actor, row.id, form.data, attachmentUpload(req));
    } catch (error) {
      const errors = errorsOf(error);
      if (errors) return renderEdit(req, res, 422, row, values, errors);
      if (error instanceof ConflictError) {
        const latest = await getVisible(actor, row.id);
        return renderEdit(req, res, 409, latest, { ...values, updatedAt: latest.updatedAt.toISOString() }, {}, error.message);
      }
      throw error;
    }
    flash(req, "success", "Communication saved.");
    res.redirect(`/communications/${row.id}`);
  };

  router.get("/communications/:id/delete", async (req, res) => {
    const actor = actorOf(req);
    const row = await getVisible(actor, String(req.params.id));
    res.render("communications/delete", { title: `Delete ${row.subject}`, row, ...shared });
  });

  router.post("/communications/:id/delete", async (req, res) => {
    const { clientId, subject } = await deleteCommunication(db, actorOf(req), String(req.params.id));
    flash(req, "success", `Communication “${subject}” deleted.`);
    res.redirect(`/clients/${clientId}#communications`);
  });

  router.post("/communications/:id/complete", async (req, res) => {
    const id = String(req.params.id);
    try {
      const result = await completeFollowUp(db, actorOf(req), id);
      flash(req, result.changed ? "success" : "info", result.changed ? `Follow-up on “${result.subject}” completed.` : `The follow-up on “${result.subject}” was already completed.`);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      flash(req, "error", error.message);
    }
    const back = typeof req.body?.back === "string" && /^\/[a-z0-9/#?=&_-]*$/i.test(req.body.back) && !req.body.back.startsWith("//") ? req.body.back : `/communications/${id}`;
    res.redirect(back);
  });

  return router;
}
