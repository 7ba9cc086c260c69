// Communications: logging, editing, deleting and completing follow-ups, in the firm's words. Each write locks the
// visible row first (the client's when logging, the communication's otherwise), checks the rule from
// access/communications.ts, writes and audits in one transaction. Logging moves the client's last contact forward.
import type { Db, Tx } from "../db/client.ts";
import { sqlRows } from "../db/sql.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { Actor } from "../access/roles.ts";
import { visibleClientsSql } from "../access/clients.ts";
import { visibleCasesSql } from "../access/cases.ts";
import { communicationActions, visibleCommunicationsSql } from "../access/communications.ts";
import { changedFields, eventFacts, recordAudit } from "../audit/service.ts";
import { noticeFollowUpAssigned } from "../notifications/events.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../errors.ts";
import { isUuid } from "../web/fields.ts";
import type { CommunicationInput, CommunicationType } from "./schemas.ts";
import { recordNewDocuments, removeObjects, storeFiles, type StoredFile, type UploadedFile } from "../documents/service.ts";
import type { DocumentStorage } from "../documents/storage.ts";
import { visibleDocumentsSql } from "../access/documents.ts";

/** Files sent with a communication form: stored as the client's documents and linked to it (communication_documents). */
export interface AttachmentUpload {
  storage: DocumentStorage;
  files: UploadedFile[];
}

/**
 * Checks and stores the files through the documents' pipeline (content by magic bytes, size, SHA-256, durable before
 * any row points to them); a refused file stores nothing and is reported next to the attachments field.
 */
async function storeAttachments(upload: AttachmentUpload | undefined): Promise<StoredFile[]> {
  if (!upload || upload.files.length === 0) return [];
  try {
    return await storeFiles(upload.storage, upload.files);
  } catch (error) {
    if (error instanceof ValidationError && error.fields.file) throw new ValidationError({ attachments: error.fields.file });
    throw error;
  }
}

/** The document type attachments are filed under: correspondence (seeded), else the first active type. */
async function attachmentTypeId(tx: Tx): Promise<string> {
  const type = (await tx.documentType.findUnique({ where: { code: "correspondence" }, select: { id: true } })) ?? (await tx.documentType.findFirst({ where: { active: true }, orderBy: { position: "asc" }, select: { id: true } }));
  if (!type) throw new ConflictError("No document type is active: an administrator must add one before files can be attached.");
  return type.id;
}

/**
 * Inside the communication's transaction: one document per stored file, the client's (a case-only document of the
 * communication's case when it has one, so the attachment is never visible to someone who may not see that case),
 * privileged when the communication is, and the link rows. Returns the new document ids.
 */
async function attachStored(tx: Tx, actor: Actor, communication: { id: string; clientId: string; caseId: string | null; privileged: boolean; subject: string }, stored: StoredFile[]): Promise<string[]> {
  if (!stored.length) return [];
  const created = await recordNewDocuments(
    tx,
    actor,
    {
      clientId: communication.caseId ? null : communication.clientId,
      caseId: communication.caseId,
      typeId: await attachmentTypeId(tx),
      privileged: communication.privileged,
      description: `Attached to the communication “${communication.subject}”.`.slice(0, 2000),
      auditFacts: { communicationId: communication.id },
    },
    stored,
  );
  await tx.communicationDocument.createMany({ data: created.map((d) => ({ communicationId: communication.id, documentId: d.id, linkedById: actor.id })) });
  return created.map((d) => d.id);
}

const AUDITED = [
  "type", "direction", "occurredAt", "subject", "notes", "caseId", "important", "privileged", "followUpRequired", "followUpDue",
  "followUpAssigneeId", "participants",
] as const;

/** The client's contact-tracking type for a communication; a note to the file is not a contact with the client. */
const CONTACT_METHOD: Record<CommunicationType, "email" | "phone" | "video" | "in_person" | null> = {
  email: "email",
  phone: "phone",
  video: "video",
  meeting: "in_person",
  in_person: "in_person",
  note: null,
};

/** Locks the client row (serialising every log of that client, so the last contact is decided one at a time). */
async function lockVisibleClient(tx: Tx, actor: Actor, clientId: string): Promise<void> {
  if (!isUuid(clientId)) throw new NotFoundError();
  const rows = await sqlRows<{ id: string }>(tx, Prisma.sql`SELECT c.id FROM clients c WHERE c.id = ${clientId}::uuid AND ${visibleClientsSql(actor, "c")} FOR UPDATE OF c`);
  if (!rows.length) throw new NotFoundError();
}

/** The references in a form must belong to this client (case, contacts) or be active colleagues; else field messages. */
async function checkReferences(tx: Tx, actor: Actor, clientId: string, input: CommunicationInput, keepUserIds: string[] = []): Promise<void> {
  const errors: Record<string, string> = {};
  if (input.caseId) {
    const found = await sqlRows<{ id: string }>(tx, Prisma.sql`SELECT k.id FROM cases k WHERE k.id = ${input.caseId}::uuid AND k.client_id = ${clientId}::uuid AND ${visibleCasesSql(actor, "k")}`);
    if (!found.length) errors.caseId = "Choose one of this client's cases.";
  }
  if (input.contactIds.length) {
    const found = await sqlRows<{ id: string }>(tx, Prisma.sql`SELECT id FROM contacts WHERE id = ANY(${input.contactIds}::uuid[]) AND client_id = ${clientId}::uuid`);
    if (found.length !== input.contactIds.length) errors.contactIds = "Participants must be contacts of this client.";
  }
  const people = [...input.userIds, ...(input.followUpAssigneeId ? [input.followUpAssigneeId] : [])];
  if (people.length) {
    const active = new Set(
      (await sqlRows<{ id: string }>(tx, Prisma.sql`SELECT id FROM users WHERE id = ANY(${people}::uuid[]) AND (active OR id = ANY(${keepUserIds}::uuid[]))`)).map((u) => u.id),
    );
    if (input.userIds.some((id) => !active.has(id))) errors.userIds = "Choose active colleagues.";
    if (input.followUpAssigneeId && !active.has(input.followUpAssigneeId)) errors.followUpAssigneeId = "Choose an active colleague.";
  }
  if (input.existingDocumentIds.length) {
    // The client's documents the actor may see (the document rule); anything else gets the same message, hidden or missing alike.
    const found = await sqlRows<{ id: string }>(
      tx,
      Prisma.sql`SELECT d.id FROM documents d LEFT JOIN cases k ON k.id = d.case_id
        WHERE d.id = ANY(${input.existingDocumentIds}::uuid[]) AND coalesce(d.client_id, k.client_id) = ${clientId}::uuid AND ${visibleDocumentsSql(actor, "d")}
        FOR SHARE OF d`,
    );
    if (found.length !== input.existingDocumentIds.length) errors.existingDocumentIds = "Choose documents of this client from the list: a document was not found.";
  }
  if (Object.keys(errors).length) throw new ValidationError(errors);
}

/** Links existing documents (checked by checkReferences in the same transaction) to the communication; already linked ones stay. */
async function attachExisting(tx: Tx, actor: Actor, communicationId: string, documentIds: string[]): Promise<void> {
  if (!documentIds.length) return;
  await tx.communicationDocument.createMany({ data: documentIds.map((documentId) => ({ communicationId, documentId, linkedById: actor.id })), skipDuplicates: true });
}

function columns(input: CommunicationInput) {
  return {
    type: input.type,
    direction: input.direction,
    occurredAt: input.occurredAt,
    subject: input.subject,
    notes: input.notes,
    caseId: input.caseId,
    important: input.important,
    privileged: input.privileged,
    followUpRequired: input.followUpRequired,
    followUpDue: input.followUpDue,
    followUpAssigneeId: input.followUpAssigneeId,
  };
}

const participantList = (input: { contactIds: string[]; userIds: string[] }) => [...input.contactIds.map((id) => `contact:${id}`), ...input.userIds.map((id) => `user:${id}`)].sort();

/**
 * Moves the client's last contact to this communication when it is the latest contact logged (never back: a
 * backdated entry, or one older than the hand-kept date, leaves it). The caller holds the client's row lock, so two
 * logged at once are compared one after the other and the later one wins.
 */
async function advanceLastContact(tx: Tx, actor: Actor, clientId: string, communication: { id: string; type: CommunicationType; occurredAt: Date; subject: string }): Promise<void> {
  const method = CONTACT_METHOD[communication.type];
  if (!method) return;
  const moved = await sqlRows<{ before: Date | null; beforeType: string | null }>(
    tx,
    Prisma.sql`UPDATE clients c SET last_contact_at = (${communication.occurredAt}::timestamptz AT TIME ZONE 'UTC')::date,
        last_contact_type = ${method}::"ContactMethod", last_contact_by_id = ${actor.id}::uuid, last_contact_summary = ${communication.subject.slice(0, 2000)}
      FROM clients old WHERE old.id = c.id AND c.id = ${clientId}::uuid
        AND (c.last_contact_at IS NULL OR c.last_contact_at <= (${communication.occurredAt}::timestamptz AT TIME ZONE 'UTC')::date)
        AND NOT EXISTS (SELECT 1 FROM communications o WHERE o.client_id = c.id AND o.id <> ${communication.id}::uuid AND o.deleted_at IS NULL
          AND o.type <> 'note' AND o.occurred_at > ${communication.occurredAt}::timestamptz)
      RETURNING old.last_contact_at AS before, old.last_contact_type::text AS "beforeType"`,
  );
  if (!moved.length) return;
  await recordAudit(tx, {
    actorId: actor.id,
    action: "client.last_contact",
    entityType: "client",
    entityId: clientId,
    changes: {
      lastContactAt: { before: moved[0]!.before, after: communication.occurredAt.toISOString().slice(0, 10) },
      lastContactType: { before: moved[0]!.beforeType, after: method },
      communicationId: { before: null, after: communication.id },
    },
    context: actor.context,
  });
}

/** Sets a communication's participants (`created`: a communication written in this transaction has none to remove). */
async function writeParticipants(tx: Tx, communicationId: string, input: CommunicationInput, created = false): Promise<void> {
  if (!created) await tx.communicationParticipant.deleteMany({ where: { communicationId } });
  const data = [...input.contactIds.map((contactId) => ({ communicationId, contactId })), ...input.userIds.map((userId) => ({ communicationId, userId }))];
  if (data.length) await tx.communicationParticipant.createMany({ data });
}

/**
 * Logs a communication with a client the actor can see, and moves the client's last contact forward when it is the
 * latest. Attached files are checked and stored first, then the communication, its documents and their links are
 * written in one transaction: a refused file or a refused form stores nothing (stored objects are removed again).
 */
export async function logCommunication(db: Db, actor: Actor, clientId: string, input: CommunicationInput, upload?: AttachmentUpload): Promise<{ id: string }> {
  if (!communicationActions.log(actor)) throw new ForbiddenError("You may not log communications.");
  if (upload?.files.length) {
    // The client and the form's references first, so a refused request stores no file.
    await db.$transaction(async (tx) => {
      await lockVisibleClient(tx, actor, clientId);
      await checkReferences(tx, actor, clientId, input);
    });
  }
  const stored = await storeAttachments(upload);
  try {
    return await db.$transaction(async (tx) => {
      await lockVisibleClient(tx, actor, clientId);
      await checkReferences(tx, actor, clientId, input);
      const created = await tx.communication.create({ data: { ...columns(input), clientId, loggedById: actor.id }, select: { id: true } });
      await writeParticipants(tx, created.id, input, true);
      await attachExisting(tx, actor, created.id, input.existingDocumentIds);
      const attachments = [...input.existingDocumentIds, ...(await attachStored(tx, actor, { id: created.id, clientId, caseId: input.caseId, privileged: input.privileged, subject: input.subject }, stored))];
      await advanceLastContact(tx, actor, clientId, { id: created.id, type: input.type, occurredAt: input.occurredAt, subject: input.subject });
      if (input.followUpRequired) {
        await noticeFollowUpAssigned(tx, actor.id, { id: created.id, subject: input.subject, clientId, followUpDue: input.followUpDue, assigneeId: input.followUpAssigneeId });
      }
      await recordAudit(tx, {
        actorId: actor.id,
        action: "communication.create",
        entityType: "communication",
        entityId: created.id,
        changes: changedFields(null, { ...columns(input), clientId, participants: participantList(input), ...(attachments.length ? { attachments: [...attachments].sort() } : {}) }, [
          "clientId",
          ...AUDITED,
          ...(attachments.length ? (["attachments"] as const) : []),
        ]),
        context: actor.context,
      });
      return created;
    });
  } catch (error) {
    if (upload) await removeObjects(upload.storage, stored);
    throw error;
  }
}

/** Locks a communication the actor can see, or NotFound (hidden, deleted and missing alike). */
async function lockVisibleCommunication(tx: Tx, actor: Actor, id: string) {
  if (!isUuid(id)) throw new NotFoundError();
  const rows = await sqlRows<{ id: string }>(tx, Prisma.sql`SELECT m.id FROM communications m WHERE m.id = ${id}::uuid AND ${visibleCommunicationsSql(actor, "m")} FOR UPDATE OF m`);
  if (!rows.length) throw new NotFoundError();
  return tx.communication.findUniqueOrThrow({ where: { id }, include: { participants: true } });
}

function storedParticipants(row: { participants: { contactId: string | null; userId: string | null }[] }) {
  return {
    contactIds: row.participants.flatMap((p) => (p.contactId ? [p.contactId] : [])),
    userIds: row.participants.flatMap((p) => (p.userId ? [p.userId] : [])),
  };
}

/** The ids of the documents linked to a communication (all of them, whoever may see them), sorted. */
async function attachmentIds(tx: Tx, communicationId: string): Promise<string[]> {
  const rows = await tx.communicationDocument.findMany({ where: { communicationId }, select: { documentId: true } });
  return rows.map((r) => r.documentId).sort();
}

/**
 * Edits a communication (its author, managers, administrators); the earlier values stay in the audit log. New files
 * are attached like when logging (stored first, linked in the same transaction); `removeAttachmentIds` unlinks
 * attachments the actor can see (the documents stay with the client). Marking it privileged makes its attachments
 * privileged too (each change audited on the document).
 */
export async function updateCommunication(db: Db, actor: Actor, id: string, input: CommunicationInput, upload?: AttachmentUpload): Promise<{ clientId: string }> {
  const check = async (tx: Tx) => {
    const before = await lockVisibleCommunication(tx, actor, id);
    if (!communicationActions.edit(actor, before)) throw new ForbiddenError("Only its author, managers and administrators edit a communication.");
    if (input.updatedAt && before.updatedAt.toISOString() !== input.updatedAt) {
      throw new ConflictError("Someone else saved this communication while you were editing. Your changes are below, not yet saved: check the current values and save again.");
    }
    const was = storedParticipants(before);
    await checkReferences(tx, actor, before.clientId, input, [...was.userIds, ...(before.followUpAssigneeId ? [before.followUpAssigneeId] : [])]);
    return { before, was };
  };
  if (upload?.files.length) await db.$transaction(check);
  const stored = await storeAttachments(upload);
  try {
    return await db.$transaction(async (tx) => {
      const { before, was } = await check(tx);
      const attachedBefore = await attachmentIds(tx, id);
      const after = await tx.communication.update({ where: { id }, data: columns(input) });
      await writeParticipants(tx, id, input);
      if (input.removeAttachmentIds.length) {
        const removable = await sqlRows<{ id: string }>(
          tx,
          Prisma.sql`SELECT d.id FROM communication_documents cd JOIN documents d ON d.id = cd.document_id
            WHERE cd.communication_id = ${id}::uuid AND d.id = ANY(${input.removeAttachmentIds}::uuid[]) AND ${visibleDocumentsSql(actor, "d")}`,
        );
        if (removable.length) await tx.communicationDocument.deleteMany({ where: { communicationId: id, documentId: { in: removable.map((r) => r.id) } } });
      }
      if (input.privileged && !before.privileged) await makeAttachmentsPrivileged(tx, actor, id);
      await attachExisting(tx, actor, id, input.existingDocumentIds);
      await attachStored(tx, actor, { id, clientId: before.clientId, caseId: input.caseId, privileged: input.privileged, subject: input.subject }, stored);
      const attachedAfter = await attachmentIds(tx, id);
      await tx.$queryRaw`SELECT id FROM clients WHERE id = ${before.clientId}::uuid FOR UPDATE`;
      await advanceLastContact(tx, actor, before.clientId, { id, type: input.type, occurredAt: input.occurredAt, subject: input.subject });
      if (after.followUpRequired && !after.followUpCompletedAt && after.followUpAssigneeId && (after.followUpAssigneeId !== before.followUpAssigneeId || !before.followUpRequired)) {
        await noticeFollowUpAssigned(tx, actor.id, { id, subject: after.subject, clientId: after.clientId, followUpDue: after.followUpDue, assigneeId: after.followUpAssigneeId });
      }
      const changes = changedFields(
        { ...before, participants: participantList(was), attachments: attachedBefore },
        { ...after, participants: participantList(input), attachments: attachedAfter },
        [...AUDITED, "attachments"],
      );
      if (changes) await recordAudit(tx, { actorId: actor.id, action: "communication.update", entityType: "communication", entityId: id, changes, context: actor.context });
      return { clientId: before.clientId };
    });
  } catch (error) {
    if (upload) await removeObjects(upload.storage, stored);
    throw error;
  }
}

/** A communication turned privileged: its attachments become privileged documents too, each change audited. */
async function makeAttachmentsPrivileged(tx: Tx, actor: Actor, communicationId: string): Promise<void> {
  const rows = await sqlRows<{ id: string }>(
    tx,
    Prisma.sql`UPDATE documents d SET privileged = true, updated_at = now() FROM communication_documents cd
      WHERE cd.communication_id = ${communicationId}::uuid AND cd.document_id = d.id AND NOT d.privileged RETURNING d.id`,
  );
  for (const row of rows) {
    await recordAudit(tx, {
      actorId: actor.id,
      action: "document.update",
      entityType: "document",
      entityId: row.id,
      changes: { privileged: { before: false, after: true }, communicationId: { before: null, after: communicationId } },
      context: actor.context,
    });
  }
}

/** Soft delete (its author, managers, administrators), audited with what it said. The client's last contact stays. */
export async function deleteCommunication(db: Db, actor: Actor, id: string): Promise<{ clientId: string; subject: string }> {
  return db.$transaction(async (tx) => {
    const before = await lockVisibleCommunication(tx, actor, id);
    if (!communicationActions.delete(actor, before)) throw new ForbiddenError("Only its author, managers and administrators delete a communication.");
    await tx.communication.update({ where: { id }, data: { deletedAt: new Date(), deletedById: actor.id } });
    await recordAudit(tx, {
      actorId: actor.id,
      action: "communication.delete",
      entityType: "communication",
      entityId: id,
      // Its attachments stay the client's documents (and stay linked, for a restore).
      changes: eventFacts({ clientId: before.clientId, subject: before.subject, notes: before.notes, occurredAt: before.occurredAt.toISOString(), attachments: await attachmentIds(tx, id) }),
      context: actor.context,
    });
    return { clientId: before.clientId, subject: before.subject };
  });
}

/** Marks a follow-up done, recording who and when; a second click changes nothing. */
export async function completeFollowUp(db: Db, actor: Actor, id: string): Promise<{ clientId: string; subject: string; changed: boolean }> {
  return db.$transaction(async (tx) => {
    const before = await lockVisibleCommunication(tx, actor, id);
    if (!before.followUpRequired) throw new ConflictError("This communication has no follow-up to complete.");
    if (!communicationActions.completeFollowUp(actor, before)) throw new ForbiddenError("Only the assignee, the author, managers and administrators complete a follow-up.");
    if (before.followUpCompletedAt) return { clientId: before.clientId, subject: before.subject, changed: false };
    const after = await tx.communication.update({ where: { id }, data: { followUpCompletedAt: new Date(), followUpCompletedById: actor.id } });
    await recordAudit(tx, {
      actorId: actor.id,
      action: "communication.follow_up_complete",
      entityType: "communication",
      entityId: id,
      changes: changedFields(before, after, ["followUpCompletedAt", "followUpCompletedById"]),
      context: actor.context,
    });
    return { clientId: before.clientId, subject: before.subject, changed: true };
  });
}
