// Document pages: the firm-wide list, upload (from the client page, the case's Documents tab or its own page), the
// document page with its versions, download and preview, edit, soft delete and the administrators' restore page.
import { mkdirSync } from "node:fs";
import { unlink } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { Router, type ErrorRequestHandler, type Request, type Response } from "express";
import multer from "multer";
import type { Db } from "../db/client.ts";
import type { Actor } from "../access/roles.ts";
import { documentActions } from "../access/documents.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { actorOf } from "../web/context.ts";
import { flash } from "../web/flash.ts";
import { multipartWithCsrf } from "../web/csrf.ts";
import { formValues, parseForm, type FieldErrors } from "../web/forms.ts";
import { isUuid } from "../web/fields.ts";
import { ALLOWED_TYPES, contentDisposition } from "./content.ts";
import { COUNT_CAP, documentPage, documentTypes, documentTypesRead, linkableDocuments, linkedCasesOf, linkedToCase, uploadersRead, visibleCase, visibleCaseRead, visibleCasesOfClient, visibleClient, visibleClientRead, type DocumentDetail } from "./queries.ts";
import { jsonRead, sqlReads } from "../db/sql.ts";
import { documentFilters, editForm, uploadForm } from "./schemas.ts";
import { addVersion, deleteDocument, getDocument, linkDocumentToCase, openVersion, restoreDocument, unlinkDocumentFromCase, updateDocument, uploadDocuments, type UploadedFile } from "./service.ts";
import type { DocumentStorage } from "./storage.ts";
import { LABELS as CASE_LABELS } from "../cases/schemas.ts";

/** The multipart routes, for the app-wide CSRF check to leave their bodies to multer here (see web/csrf.ts). */
export const DOCUMENT_UPLOAD_PATHS = [/^\/documents\/?$/, /^\/documents\/[^/]+\/versions\/?$/i];

export interface DocumentSettings {
  dataDir: string;
  maxBytes: number;
}

const MAX_FILES = 20;

export const megabytes = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 100) / 100} MB`;

/** Where to go back to after an upload: a page of ours only. */
function safeReturn(value: unknown, fallback: string): string {
  return typeof value === "string" && /^\/(clients|cases|documents)\/[\w\-/]*(#[\w-]+)?$/.test(value) ? value : fallback;
}

const fromOurScript = (req: Request) => req.get("x-requested-with") === "XMLHttpRequest";
const wantsHtml = (req: Request) => Boolean(req.accepts("html")) && !req.xhr && !req.get("x-requested-with");

/** The files multer wrote for this request (shared with the communication forms' attachments). */
export function filesOf(req: Request): UploadedFile[] {
  const files = Array.isArray(req.files) ? req.files : [];
  return files.map((f) => ({ path: f.path, originalName: f.originalname, size: f.size }));
}

/** Removes the request's temporary upload files, whatever became of the upload. */
export async function removeTemporaryFiles(req: Request): Promise<void> {
  const files = Array.isArray(req.files) ? req.files : req.file ? [req.file] : [];
  await Promise.all(files.map((f) => unlink(f.path).catch(() => undefined)));
}

export function documentRoutes(db: Db, storage: DocumentStorage, settings: DocumentSettings) {
  const router = Router();
  const tmp = path.resolve(settings.dataDir, "tmp", "uploads");
  mkdirSync(tmp, { recursive: true, mode: 0o700 });
  const limits = { fileSize: settings.maxBytes, files: MAX_FILES, fields: 20, fieldSize: 10_000, fieldNameSize: 100, parts: MAX_FILES + 20 };
  const many = multer({ dest: tmp, limits }).array("file", MAX_FILES);
  const one = multer({ dest: tmp, limits: { ...limits, files: 1 } }).array("file", 1);
  const tooLarge = `A file is larger than ${megabytes(settings.maxBytes)}, the most one document may be. Nothing was stored.`;

  async function uploadPageLocals(actor: Actor, values: Record<string, unknown>, errors: FieldErrors = {}) {
    const clientId = typeof values.clientId === "string" && isUuid(values.clientId) ? values.clientId : undefined;
    const caseId = typeof values.caseId === "string" && isUuid(values.caseId) ? values.caseId : undefined;
    const kase = caseId ? await visibleCase(db, actor, caseId) : undefined;
    const client = clientId ? await visibleClient(db, actor, clientId) : kase ? await visibleClient(db, actor, kase.clientId) : undefined;
    if ((clientId && !client) || (caseId && !kase)) throw new NotFoundError();
    return {
      title: "Upload documents",
      client,
      kase,
      cases: client && !caseId ? await visibleCasesOfClient(db, actor, client.id) : [],
      types: await documentTypes(db, { activeOnly: true }),
      values,
      errors,
      maxBytes: settings.maxBytes,
      accept: Object.keys(ALLOWED_TYPES),
    };
  }

  router.get("/", async (req, res) => {
    const actor = actorOf(req);
    const filters = documentFilters.parse(req.query);
    // The page beside one statement for the filter choices and the chosen client's and case's names.
    const none = jsonRead(null, () => undefined);
    const [page, [types, people, client, kase]] = await Promise.all([
      documentPage(db, actor, filters),
      sqlReads(db, [
        documentTypesRead(),
        uploadersRead(),
        filters.client ? visibleClientRead(actor, filters.client) : none,
        filters.case ? visibleCaseRead(actor, filters.case) : none,
      ]),
    ]);
    res.render("documents/index", { title: "Documents", page, filters, query: req.query, types, people, client, kase, countCap: COUNT_CAP });
  });

  router.get("/new", async (req, res) => {
    const actor = actorOf(req);
    const values = { clientId: req.query.client, caseId: req.query.case, returnTo: req.query.returnTo };
    res.render("documents/new", await uploadPageLocals(actor, values));
  });

  router.post("/", multipartWithCsrf(many), async (req, res) => {
    const actor = actorOf(req);
    const values = formValues(req.body);
    try {
      const parsed = parseForm(uploadForm, req.body);
      if (!parsed.ok) throw new ValidationError(parsed.errors);
      const created = await uploadDocuments(db, storage, actor, parsed.data, filesOf(req));
      const back = safeReturn(parsed.data.returnTo, created.length === 1 ? `/documents/${created[0]!.id}` : "/documents");
      // The page's script follows `redirect`, so the next page shows the message as after a plain post.
      if (wantsHtml(req) || fromOurScript(req)) flash(req, "success", created.length === 1 ? `“${created[0]!.title}” uploaded.` : `${created.length} documents uploaded.`);
      if (!wantsHtml(req)) return res.status(201).json({ created, redirect: back });
      res.redirect(303, back);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      if (!wantsHtml(req)) return res.status(422).json({ error: Object.values(error.fields)[0] ?? error.message, fields: error.fields });
      res.status(422).render("documents/new", await uploadPageLocals(actor, values, error.fields));
    } finally {
      await removeTemporaryFiles(req);
    }
  });

  router.get("/deleted", async (req, res) => {
    const actor = actorOf(req);
    if (!documentActions.restore(actor)) throw new NotFoundError();
    const filters = documentFilters.parse(req.query);
    res.render("documents/deleted", { title: "Deleted documents", page: await documentPage(db, actor, filters, "deleted"), filters, query: req.query });
  });

  const idOf = (req: Request) => String(req.params.id);

  async function showPage(req: Request, res: Response, status = 200, extra: Record<string, unknown> = {}) {
    const actor = actorOf(req);
    const document = await getDocument(db, actor, idOf(req), { audit: status === 200 });
    res.status(status).render("documents/show", {
      title: document.title,
      document,
      types: await documentTypes(db),
      values: { title: document.title, typeId: document.typeId, description: document.description ?? "", privileged: document.privileged ? "on" : "" },
      errors: {},
      canDelete: documentActions.delete(actor, document.createdById),
      previewable: Boolean(ALLOWED_TYPES[document.contentType]?.preview),
      typeLabel: (t: string) => ALLOWED_TYPES[t]?.label ?? t,
      maxBytes: settings.maxBytes,
      linkedCases: await linkedCasesOf(db, actor, document.id),
      ...extra,
    });
  }

  router.get("/:id", async (req, res) => showPage(req, res));

  router.post("/:id", async (req, res) => {
    const actor = actorOf(req);
    const parsed = parseForm(editForm, req.body);
    try {
      if (!parsed.ok) throw new ValidationError(parsed.errors);
      await updateDocument(db, actor, idOf(req), parsed.data);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return showPage(req, res, 422, { values: formValues(req.body), errors: error.fields });
    }
    flash(req, "success", "Document saved.");
    res.redirect(303, `/documents/${idOf(req)}`);
  });

  router.post("/:id/versions", multipartWithCsrf(one), async (req, res) => {
    const actor = actorOf(req);
    try {
      const number = await addVersion(db, storage, actor, idOf(req), filesOf(req)[0]);
      if (wantsHtml(req) || fromOurScript(req)) flash(req, "success", `Version ${number} uploaded.`);
      if (!wantsHtml(req)) return res.status(201).json({ version: number, redirect: `/documents/${idOf(req)}` });
      res.redirect(303, `/documents/${idOf(req)}#versions`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      if (!wantsHtml(req)) return res.status(422).json({ error: Object.values(error.fields)[0] ?? error.message, fields: error.fields });
      await showPage(req, res, 422, { versionErrors: error.fields });
    } finally {
      await removeTemporaryFiles(req);
    }
  });

  // Upload problems multer reports (too large, too many files, unexpected field): a clear refusal, never a 500.
  const uploadErrors: ErrorRequestHandler = async (error, req, res, next) => {
    if (!(error instanceof multer.MulterError)) return next(error);
    await removeTemporaryFiles(req);
    const message =
      error.code === "LIMIT_FILE_SIZE" ? tooLarge : error.code === "LIMIT_FILE_COUNT" ? `Upload at most ${MAX_FILES} files at once. Nothing was stored.` : "The upload was not understood: send the files in the “file” field. Nothing was stored.";
    const status = error.code === "LIMIT_FILE_SIZE" ? 413 : 400;
    try {
      if (!wantsHtml(req)) return res.status(status).json({ error: message, fields: { file: message } });
      const actor = actorOf(req);
      if (req.path !== "/" && isUuid(idOf(req))) return await showPage(req, res, status, { versionErrors: { file: message } });
      res.status(status).render("documents/new", await uploadPageLocals(actor, formValues(req.body), { file: message }));
    } catch (inner) {
      next(inner);
    }
  };
  router.use(uploadErrors);

  async function send(req: Request, res: Response, purpose: "download" | "preview") {
    const n = req.params.number;
    if (n !== undefined && !/^\d{1,6}$/.test(String(n))) throw new NotFoundError();
    const opened = await openVersion(db, storage, actorOf(req), idOf(req), n === undefined ? undefined : Number(n), purpose);
    res.set({
      "Content-Type": opened.version.contentType,
      "Content-Length": String(opened.version.size),
      "Content-Disposition": contentDisposition(purpose === "preview" ? "inline" : "attachment", opened.version.fileName),
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "private, no-store",
      // The file is shown on its own, never able to run anything or reach anywhere.
      "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'",
    });
    try {
      await pipeline(opened.body, res);
    } catch (error) {
      req.log?.error({ err: error, document: idOf(req), version: opened.version.number }, "document download failed");
      res.destroy();
    }
  }

  router.get("/:id/download", (req, res) => send(req, res, "download"));
  router.get("/:id/preview", (req, res) => send(req, res, "preview"));
  router.get("/:id/versions/:number/download", (req, res) => send(req, res, "download"));
  router.get("/:id/versions/:number/preview", (req, res) => send(req, res, "preview"));

  router.get("/:id/delete", async (req, res) => {
    const actor = actorOf(req);
    const document = await getDocument(db, actor, idOf(req), { audit: false });
    res.render("documents/delete", { title: `Delete ${document.title}`, document, allowed: documentActions.delete(actor, document.createdById) });
  });

  router.post("/:id/delete", async (req, res) => {
    const document: DocumentDetail = await getDocument(db, actorOf(req), idOf(req), { audit: false });
    await deleteDocument(db, actorOf(req), document.id);
    flash(req, "success", `“${document.title}” deleted. An administrator can restore it.`);
    res.redirect(303, document.caseId && !document.clientId ? `/cases/${document.caseId}/documents` : `/clients/${document.parentClientId}#documents`);
  });

  router.post("/:id/restore", async (req, res) => {
    await restoreDocument(db, actorOf(req), idOf(req));
    flash(req, "success", "Document restored.");
    res.redirect(303, `/documents/${idOf(req)}`);
  });

  return router;
}

/** The case's Documents tab, mounted at /cases/:caseId/documents: its documents, upload, add an existing one, unlink. */
export function caseDocumentRoutes(db: Db, settings: DocumentSettings, caseDetail: (db: Db, actor: Actor, id: string) => Promise<{ case: { id: string; clientId: string } }>) {
  const router = Router({ mergeParams: true });
  const caseIdOf = (req: Request) => String((req.params as Record<string, string>).caseId);

  async function tab(req: Request, res: Response, status = 200, link: { values?: Record<string, unknown>; errors?: FieldErrors } = {}) {
    const actor = actorOf(req);
    const detail = await caseDetail(db, actor, caseIdOf(req));
    const filters = documentFilters.parse({ ...req.query, case: detail.case.id, client: undefined });
    const page = await documentPage(db, actor, filters);
    res.status(status).render("documents/case", {
      ...detail,
      title: "Documents",
      kase: detail.case,
      activeTab: "documents",
      labels: CASE_LABELS,
      page,
      linked: await linkedToCase(db, detail.case.id, page.rows.map((r) => r.id)),
      linkable: await linkableDocuments(db, actor, detail.case.id, detail.case.clientId),
      linkValues: link.values ?? {},
      linkErrors: link.errors ?? {},
      filters,
      query: req.query,
      types: await documentTypes(db, { activeOnly: true }),
      maxBytes: settings.maxBytes,
      countCap: COUNT_CAP,
    });
  }

  router.get("/", (req, res) => tab(req, res));

  router.post("/links", async (req, res) => {
    const actor = actorOf(req);
    const documentId = typeof req.body?.documentId === "string" ? req.body.documentId : "";
    try {
      if (!documentId) throw new ValidationError({ documentId: "Choose a document to add." });
      const { title } = await linkDocumentToCase(db, actor, caseIdOf(req), documentId);
      flash(req, "success", `“${title}” added to this case.`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return tab(req, res, 422, { values: { documentId }, errors: error.fields });
    }
    res.redirect(303, `/cases/${caseIdOf(req)}/documents`);
  });

  router.post("/links/:documentId/delete", async (req, res) => {
    const { title } = await unlinkDocumentFromCase(db, actorOf(req), caseIdOf(req), String(req.params.documentId));
    flash(req, "success", `“${title}” unlinked from this case. The document itself is kept.`);
    res.redirect(303, `/cases/${caseIdOf(req)}/documents`);
  });

  return router;
}
