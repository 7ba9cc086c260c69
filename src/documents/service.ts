// Document writes and audited reads, actor first. A file's bytes are written (and fsynced) to storage before the
// transaction that records them commits; when that transaction fails the new objects are removed again, and a crash
// in between leaves at most an orphan object, which `npm run documents:cleanup` removes.
import { createReadStream } from "node:fs";
import { Transform, type Readable } from "node:stream";
import { createHash } from "node:crypto";
import { Prisma } from "../generated/prisma/client.ts";
import type { Db, Tx } from "../db/client.ts";
import { sqlRows } from "../db/sql.ts";
import type { Actor } from "../access/roles.ts";
import { documentActions, visibleDocumentsSql } from "../access/documents.ts";
import { assertCan } from "../access/permissions.ts";
import { changedFields, eventFacts, recordAudit } from "../audit/service.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../errors.ts";
import { isUuid } from "../web/fields.ts";
import { ALLOWED_TYPES, detectContentType, safeFileName } from "./content.ts";
import { documentDetail, visibleCase, visibleClient, type DocumentDetail, type VersionRow } from "./queries.ts";
import type { DocumentTypeInput, EditInput, UploadInput } from "./schemas.ts";
import { newStorageKey, type DocumentStorage } from "./storage.ts";
import { enqueueTextExtraction } from "./jobs.ts";

/** A file multer wrote to a temporary path. */
export interface UploadedFile {
  path: string;
  originalName: string;
  size: number;
}

/** A file's bytes once durable in storage, before any row points to them. */
export interface StoredFile {
  key: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
}

/** Checks every file's content first (nothing is stored if any is refused), then stores each one. */
export async function storeFiles(storage: DocumentStorage, files: UploadedFile[]): Promise<StoredFile[]> {
  if (files.length === 0) throw new ValidationError({ file: "Choose at least one file to upload." });
  const types: string[] = [];
  for (const file of files) {
    if (file.size === 0) throw new ValidationError({ file: `“${safeFileName(file.originalName, "")}” is empty. Nothing was stored.` });
    try {
      types.push(await detectContentType(file.path, file.originalName));
    } catch (error) {
      if (error instanceof ValidationError && files.length > 1) {
        throw new ValidationError({ file: `“${safeFileName(file.originalName, "")}”: ${error.fields.file}` });
      }
      throw error;
    }
  }
  const stored: StoredFile[] = [];
  try {
    for (const [i, file] of files.entries()) {
      const contentType = types[i]!;
      const key = newStorageKey();
      const { size, sha256 } = await storage.put(key, createReadStream(file.path));
      stored.push({ key, fileName: safeFileName(file.originalName, contentType), contentType, size, sha256 });
    }
  } catch (error) {
    await removeObjects(storage, stored);
    throw error;
  }
  return stored;
}

/** Removes stored objects again (a transaction that was to point to them failed). */
export async function removeObjects(storage: DocumentStorage, stored: StoredFile[]): Promise<void> {
  for (const file of stored) await storage.delete(file.key).catch(() => undefined);
}

async function activeType(tx: Tx, typeId: string) {
  const type = await tx.documentType.findUnique({ where: { id: typeId }, select: { id: true, active: true, name: true } });
  if (!type || !type.active) throw new ValidationError({ typeId: "Choose one of the document types offered." });
  return type;
}

/** The client and case a new document hangs off, both checked visible to the actor. */
async function parentOf(tx: Tx, actor: Actor, input: UploadInput): Promise<{ clientId: string | null; caseId: string | null }> {
  let clientId = input.clientId;
  let caseId: string | null = null;
  if (input.caseId) {
    const kase = await visibleCase(tx, actor, input.caseId);
    if (!kase) throw new NotFoundError();
    caseId = kase.id;
    if (clientId && clientId !== kase.clientId) throw new ValidationError({ caseId: "Choose a case of this document's client." });
    if (input.linkClient) clientId = kase.clientId;
  }
  if (clientId && !(await visibleClient(tx, actor, clientId))) throw new NotFoundError();
  return { clientId, caseId };
}

const EXTRACTABLE = new Set(["application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "text/plain", "text/csv", "message/rfc822"]);
const textStatusOf = (contentType: string) => (EXTRACTABLE.has(contentType) ? "pending" : "none");

export interface NewDocuments {
  clientId: string | null;
  caseId: string | null;
  typeId: string;
  privileged: boolean;
  description: string | null;
  /** The title of a single file (several files are titled by their names). */
  title?: string | null;
  /** Written into each document.create audit entry (e.g. the communication it is attached to). */
  auditFacts?: Record<string, unknown>;
}

/**
 * Inside the caller's transaction: one document (with its first version) per stored file, its text extraction queued
 * and its creation audited. The caller has checked the parent's visibility and the type, and removes the stored
 * objects if its transaction fails. Used by uploads and by communication attachments.
 */
export async function recordNewDocuments(tx: Tx, actor: Actor, meta: NewDocuments, stored: StoredFile[]): Promise<{ id: string; title: string }[]> {
  const created: { id: string; title: string }[] = [];
  for (const file of stored) {
    const title = (stored.length === 1 && meta.title) || file.fileName.replace(/\.[^.]{1,8}$/, "") || file.fileName;
    const document = await tx.document.create({
      data: {
        title: title.slice(0, 200),
        description: meta.description,
        typeId: meta.typeId,
        clientId: meta.clientId,
        caseId: meta.caseId,
        privileged: meta.privileged,
        versionCount: 1,
        fileName: file.fileName,
        contentType: file.contentType,
        size: file.size,
        textStatus: textStatusOf(file.contentType),
        createdById: actor.id,
      },
      select: { id: true, title: true },
    });
    const version = await tx.documentVersion.create({
      data: { documentId: document.id, number: 1, storageKey: file.key, fileName: file.fileName, contentType: file.contentType, size: file.size, sha256: file.sha256, uploadedById: actor.id },
      select: { id: true },
    });
    if (textStatusOf(file.contentType) === "pending") await enqueueTextExtraction(tx, document.id, version.id);
    await recordAudit(tx, {
      actorId: actor.id,
      action: "document.create",
      entityType: "document",
      entityId: document.id,
      changes: eventFacts({ title: document.title, typeId: meta.typeId, clientId: meta.clientId, caseId: meta.caseId, privileged: meta.privileged, fileName: file.fileName, size: file.size, sha256: file.sha256, ...meta.auditFacts }),
      context: actor.context,
    });
    created.push(document);
  }
  return created;
}

/** Uploads one document per file; returns their ids and titles. */
export async function uploadDocuments(db: Db, storage: DocumentStorage, actor: Actor, input: UploadInput, files: UploadedFile[]): Promise<{ id: string; title: string }[]> {
  if (!documentActions.upload(actor)) throw new ForbiddenError("You may not upload documents.");
  // Visibility and the type first, so a refused request stores nothing.
  await db.$transaction(async (tx) => {
    await parentOf(tx, actor, input);
    await activeType(tx, input.typeId);
  });
  const stored = await storeFiles(storage, files);
  try {
    return await db.$transaction(async (tx) => {
      const parent = await parentOf(tx, actor, input);
      await activeType(tx, input.typeId);
      return recordNewDocuments(tx, actor, { ...parent, typeId: input.typeId, privileged: input.privileged, description: input.description, title: input.title }, stored);
    });
  } catch (error) {
    await removeObjects(storage, stored);
    throw error;
  }
}

/** The live document row locked for a change, or NotFound when the actor may not see it. */
async function lockVisibleDocument(tx: Tx, actor: Actor, id: string, state: "live" | "deleted" = "live") {
  if (!isUuid(id)) throw new NotFoundError();
  await tx.$queryRaw`SELECT id FROM documents WHERE id = ${id}::uuid FOR UPDATE`;
  const [visible] = await sqlRows<{ id: string }>(tx, Prisma.sql`SELECT d.id FROM documents d WHERE d.id = ${id}::uuid AND ${visibleDocumentsSql(actor, "d", state)}`);
  if (!visible) throw new NotFoundError();
  return tx.document.findUniqueOrThrow({ where: { id } });
}

/** Adds a new version (the latest from now on); older versions are kept. */
export async function addVersion(db: Db, storage: DocumentStorage, actor: Actor, id: string, file: UploadedFile | undefined): Promise<number> {
  if (!documentActions.addVersion(actor)) throw new ForbiddenError("You may not add versions.");
  await db.$transaction((tx) => lockVisibleDocument(tx, actor, id));
  if (!file) throw new ValidationError({ file: "Choose the file of the new version." });
  const [stored] = await storeFiles(storage, [file]);
  try {
    return await db.$transaction(async (tx) => {
      const before = await lockVisibleDocument(tx, actor, id);
      const number = before.versionCount + 1;
      const version = await tx.documentVersion.create({
        data: { documentId: id, number, storageKey: stored!.key, fileName: stored!.fileName, contentType: stored!.contentType, size: stored!.size, sha256: stored!.sha256, uploadedById: actor.id },
        select: { id: true },
      });
      const status = textStatusOf(stored!.contentType);
      await tx.document.update({
        where: { id },
        data: { versionCount: number, fileName: stored!.fileName, contentType: stored!.contentType, size: stored!.size, textStatus: status, contentText: null },
      });
      if (status === "pending") await enqueueTextExtraction(tx, id, version.id);
      await recordAudit(tx, {
        actorId: actor.id,
        action: "document.version_add",
        entityType: "document",
        entityId: id,
        changes: eventFacts({ version: number, fileName: stored!.fileName, size: stored!.size, sha256: stored!.sha256 }),
        context: actor.context,
      });
      return number;
    });
  } catch (error) {
    await removeObjects(storage, stored ? [stored] : []);
    throw error;
  }
}

const EDITED = ["title", "typeId", "description", "privileged"] as const;

export async function updateDocument(db: Db, actor: Actor, id: string, input: EditInput): Promise<void> {
  await db.$transaction(async (tx) => {
    const before = await lockVisibleDocument(tx, actor, id);
    if (!documentActions.edit(actor)) throw new ForbiddenError("You may not edit this document.");
    if (input.typeId !== before.typeId) await activeType(tx, input.typeId);
    const after = await tx.document.update({ where: { id }, data: input });
    const changes = changedFields(before, after, EDITED);
    if (changes) await recordAudit(tx, { actorId: actor.id, action: "document.update", entityType: "document", entityId: id, changes, context: actor.context });
  });
}

export async function deleteDocument(db: Db, actor: Actor, id: string): Promise<void> {
  await db.$transaction(async (tx) => {
    const before = await lockVisibleDocument(tx, actor, id);
    if (!documentActions.delete(actor, before.createdById)) throw new ForbiddenError("Only its uploader, managers and administrators delete a document.");
    await tx.document.update({ where: { id }, data: { deletedAt: new Date(), deletedById: actor.id } });
    await recordAudit(tx, { actorId: actor.id, action: "document.delete", entityType: "document", entityId: id, context: actor.context });
  });
}

export async function restoreDocument(db: Db, actor: Actor, id: string): Promise<void> {
  if (!documentActions.restore(actor)) throw new ForbiddenError("Only administrators restore documents.");
  await db.$transaction(async (tx) => {
    await lockVisibleDocument(tx, actor, id, "deleted");
    await tx.document.update({ where: { id }, data: { deletedAt: null, deletedById: null } });
    await recordAudit(tx, { actorId: actor.id, action: "document.restore", entityType: "document", entityId: id, context: actor.context });
  });
}

// --- Links to further cases of the same client ----------------------------------------------------------------

/**
 * Adds an existing document to another case of its client (document_cases). The actor must see the case and the
 * document; the document must be its client's and not already on the case. Audited on the document.
 */
export async function linkDocumentToCase(db: Db, actor: Actor, caseId: string, documentId: string): Promise<{ title: string }> {
  assertCan(actor, "document.linkCase");
  if (!isUuid(caseId)) throw new NotFoundError();
  return db.$transaction(async (tx) => {
    const kase = await visibleCase(tx, actor, caseId);
    if (!kase) throw new NotFoundError();
    if (!isUuid(documentId)) throw new ValidationError({ documentId: "Choose one of this client's documents." });
    const document = await lockVisibleDocument(tx, actor, documentId).catch((error: unknown) => {
      if (error instanceof NotFoundError) throw new ValidationError({ documentId: "Choose one of this client's documents." });
      throw error;
    });
    const owner = document.clientId ?? (await tx.case.findUniqueOrThrow({ where: { id: document.caseId! }, select: { clientId: true } })).clientId;
    if (owner !== kase.clientId) throw new ValidationError({ documentId: "Choose one of this client's documents." });
    const already = document.caseId === kase.id || (await tx.documentCase.findUnique({ where: { documentId_caseId: { documentId, caseId } } }));
    if (already) throw new ValidationError({ documentId: `“${document.title}” is already on this case.` });
    await tx.documentCase.create({ data: { documentId, caseId, linkedById: actor.id } });
    await recordAudit(tx, { actorId: actor.id, action: "document.case_link", entityType: "document", entityId: documentId, changes: eventFacts({ caseId, caseNumber: kase.caseNumber }), context: actor.context });
    return { title: document.title };
  });
}

/** Removes a document's link to a case it was added to (not the case it was filed on); the document stays. */
export async function unlinkDocumentFromCase(db: Db, actor: Actor, caseId: string, documentId: string): Promise<{ title: string }> {
  assertCan(actor, "document.linkCase");
  if (!isUuid(caseId) || !isUuid(documentId)) throw new NotFoundError();
  return db.$transaction(async (tx) => {
    const kase = await visibleCase(tx, actor, caseId);
    if (!kase) throw new NotFoundError();
    const document = await lockVisibleDocument(tx, actor, documentId);
    const removed = await tx.documentCase.deleteMany({ where: { documentId, caseId } });
    if (removed.count === 0) throw new NotFoundError();
    await recordAudit(tx, { actorId: actor.id, action: "document.case_unlink", entityType: "document", entityId: documentId, changes: eventFacts({ caseId, caseNumber: kase.caseNumber }), context: actor.context });
    return { title: document.title };
  });
}

/** Whether reading the document is written to the audit log: a restricted client's, or privileged material. */
const isSensitive = (d: DocumentDetail) => d.clientConfidential || d.privileged || d.clientPrivileged;

/** The document page's data; NotFound when hidden or missing. Reading sensitive documents is audited. */
export async function getDocument(db: Db, actor: Actor, id: string, options: { audit?: boolean; state?: "live" | "deleted" } = {}): Promise<DocumentDetail> {
  if (!isUuid(id)) throw new NotFoundError();
  const document = await documentDetail(db, actor, id, options.state);
  if (!document) throw new NotFoundError();
  if (options.audit !== false && isSensitive(document)) {
    await recordAudit(db, { actorId: actor.id, action: "document.read", entityType: "document", entityId: id, context: actor.context });
  }
  return document;
}

export interface OpenedVersion {
  version: VersionRow;
  /** The bytes, checked against the stored SHA-256 as they pass: a mismatch ends the stream with an error. */
  body: Readable;
  preview: boolean;
}

/** A version's bytes for download or preview (`number` undefined: the latest); audited like the page. */
export async function openVersion(db: Db, storage: DocumentStorage, actor: Actor, id: string, number: number | undefined, purpose: "download" | "preview"): Promise<OpenedVersion> {
  const document = await getDocument(db, actor, id, { audit: false });
  const version = number === undefined ? document.versions[0] : document.versions.find((v) => v.number === number);
  if (!version) throw new NotFoundError();
  const preview = Boolean(ALLOWED_TYPES[version.contentType]?.preview);
  if (purpose === "preview" && !preview) throw new NotFoundError();
  const stream = await storage.get(version.storageKey);
  if (!stream) throw new ConflictError("The file of this version is missing from storage. Tell an administrator.");
  if (isSensitive(document)) {
    await recordAudit(db, { actorId: actor.id, action: `document.${purpose}`, entityType: "document", entityId: id, changes: eventFacts({ version: version.number }), context: actor.context });
  }
  return { version, body: stream.pipe(verifying(version.sha256, version.size)), preview };
}

/**
 * Passes bytes through while hashing them, holding back the last chunk until the hash is known: a file whose bytes
 * no longer match its checksum never arrives whole; the stream fails instead.
 */
function verifying(sha256: string, size: number): Transform {
  const hash = createHash("sha256");
  let held: Buffer | undefined;
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      seen += chunk.length;
      const out = held;
      held = chunk;
      done(null, out);
    },
    flush(done) {
      if (seen !== size || hash.digest("hex") !== sha256) return done(new Error("stored file does not match its checksum"));
      done(null, held);
    },
  });
}

// --- Document types (administrators) ---------------------------------------------------------------------------

const codeOf = (name: string) => name.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "").replace(/^(\d)/, "t_$1").slice(0, 50) || "type";

function typeConflict(error: unknown): never {
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") throw new ValidationError({ name: "Another document type has this name." });
  const message = (error as Error).message ?? "";
  if (/document_types_name_lower_key|document_types_code_key/.test(message)) throw new ValidationError({ name: "Another document type has this name." });
  throw error;
}

export async function createDocumentType(db: Db, actor: Actor, input: DocumentTypeInput): Promise<void> {
  if (!documentActions.manageTypes(actor)) throw new ForbiddenError("Only administrators manage document types.");
  try {
    await db.$transaction(async (tx) => {
      const type = await tx.documentType.create({ data: { ...input, code: codeOf(input.name) } });
      await recordAudit(tx, { actorId: actor.id, action: "document_type.create", entityType: "document_type", entityId: type.id, changes: changedFields(null, type, ["name", "code", "description", "position", "active"]), context: actor.context });
    });
  } catch (error) {
    typeConflict(error);
  }
}

export async function updateDocumentType(db: Db, actor: Actor, id: string, input: DocumentTypeInput): Promise<void> {
  if (!documentActions.manageTypes(actor)) throw new ForbiddenError("Only administrators manage document types.");
  if (!isUuid(id)) throw new NotFoundError();
  try {
    await db.$transaction(async (tx) => {
      const before = await tx.documentType.findUnique({ where: { id } });
      if (!before) throw new NotFoundError();
      if (before.code === "compliance" && !input.active) throw new ValidationError({ active: "The compliance type closes compliance-review cases: it stays active." });
      const after = await tx.documentType.update({ where: { id }, data: input });
      const changes = changedFields(before, after, ["name", "description", "position", "active"]);
      if (changes) await recordAudit(tx, { actorId: actor.id, action: "document_type.update", entityType: "document_type", entityId: id, changes, context: actor.context });
    });
  } catch (error) {
    typeConflict(error);
  }
}
