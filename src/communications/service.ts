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
  if (Object.keys(errors).length) throw new ValidationError(errors);
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

async function writeParticipants(tx: Tx, communicationId: string, input: CommunicationInput): Promise<void> {
  await tx.communicationParticipant.deleteMany({ where: { communicationId } });
  const data = [...input.contactIds.map((contactId) => ({ communicationId, contactId })), ...input.userIds.map((userId) => ({ communicationId, userId }))];
  if (data.length) await tx.communicationParticipant.createMany({ data });
}

/** Logs a communication with a client the actor can see, and moves the client's last contact forward when it is the latest. */
export async function logCommunication(db: Db, actor: Actor, clientId: string, input: CommunicationInput): Promise<{ id: string }> {
  if (!communicationActions.log(actor)) throw new ForbiddenError("You may not log communications.");
  return db.$transaction(async (tx) => {
    await lockVisibleClient(tx, actor, clientId);
    await checkReferences(tx, actor, clientId, input);
    const created = await tx.communication.create({ data: { ...columns(input), clientId, loggedById: actor.id }, select: { id: true } });
    await writeParticipants(tx, created.id, input);
    await advanceLastContact(tx, actor, clientId, { id: created.id, type: input.type, occurredAt: input.occurredAt, subject: input.subject });
    if (input.followUpRequired) {
      await noticeFollowUpAssigned(tx, actor.id, { id: created.id, subject: input.subject, clientId, followUpDue: input.followUpDue, assigneeId: input.followUpAssigneeId });
    }
    await recordAudit(tx, {
      actorId: actor.id,
      action: "communication.create",
      entityType: "communication",
      entityId: created.id,
      changes: changedFields(null, { ...columns(input), clientId, participants: participantList(input) }, ["clientId", ...AUDITED]),
      context: actor.context,
    });
    return created;
  });
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

/** Edits a communication (its author, managers, administrators); the earlier values stay in the audit log. */
export async function updateCommunication(db: Db, actor: Actor, id: string, input: CommunicationInput): Promise<{ clientId: string }> {
  return db.$transaction(async (tx) => {
    const before = await lockVisibleCommunication(tx, actor, id);
    if (!communicationActions.edit(actor, before)) throw new ForbiddenError("Only its author, managers and administrators edit a communication.");
    if (input.updatedAt && before.updatedAt.toISOString() !== input.updatedAt) {
      throw new ConflictError("Someone else saved this communication while you were editing. Your changes are below, not yet saved: check the current values and save again.");
    }
    const was = storedParticipants(before);
    await checkReferences(tx, actor, before.clientId, input, [...was.userIds, ...(before.followUpAssigneeId ? [before.followUpAssigneeId] : [])]);
    const after = await tx.communication.update({ where: { id }, data: columns(input) });
    await writeParticipants(tx, id, input);
    await tx.$queryRaw`SELECT id FROM clients WHERE id = ${before.clientId}::uuid FOR UPDATE`;
    await advanceLastContact(tx, actor, before.clientId, { id, type: input.type, occurredAt: input.occurredAt, subject: input.subject });
    if (after.followUpRequired && !after.followUpCompletedAt && after.followUpAssigneeId && (after.followUpAssigneeId !== before.followUpAssigneeId || !before.followUpRequired)) {
      await noticeFollowUpAssigned(tx, actor.id, { id, subject: after.subject, clientId: after.clientId, followUpDue: after.followUpDue, assigneeId: after.followUpAssigneeId });
    }
    const changes = changedFields({ ...before, participants: participantList(was) }, { ...after, participants: participantList(input) }, AUDITED);
    if (changes) await recordAudit(tx, { actorId: actor.id, action: "communication.update", entityType: "communication", entityId: id, changes, context: actor.context });
    return { clientId: before.clientId };
  });
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
      changes: eventFacts({ clientId: before.clientId, subject: before.subject, notes: before.notes, occurredAt: before.occurredAt.toISOString() }),
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
