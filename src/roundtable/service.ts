// The writes of roundtable meetings, actor first: start a meeting, save a client's entry (an upsert on the unique
// meeting and client, so saving twice, even at once, leaves one row), end the meeting, complete an action item. Each
// locks what it changes, checks, writes and audits in one transaction; nobody off the relationship team gets past the
// first check (a 404, as for a record that does not exist).
import { Prisma } from "../generated/prisma/client.ts";
import type { Db, Tx } from "../db/client.ts";
import { sqlRows } from "../db/sql.ts";
import type { Actor, CurrentUser } from "../access/roles.ts";
import { visibleClientsSql } from "../access/clients.ts";
import { seesRoundtable, visibleRoundtableMeetingsSql, visibleRoundtableRowsSql } from "../access/roundtable.ts";
import { changedFields, eventFacts, recordAudit } from "../audit/service.ts";
import { noticeActionItemAssigned } from "../notifications/events.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../errors.ts";
import { isUuid } from "../web/fields.ts";
import type { ActionItemInput, EntryInput, MeetingInput } from "./schemas.ts";

function assertTeam(actor: CurrentUser): void {
  if (!seesRoundtable(actor)) throw new NotFoundError();
}

/** The ids among `ids` that are active relationship-team users. */
async function teamMembers(tx: Tx, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows = await tx.user.findMany({ where: { id: { in: ids }, active: true, relationshipTeam: true }, select: { id: true, name: true } });
  return new Map(rows.map((r) => [r.id, r.name]));
}

export async function startMeeting(db: Db, actor: Actor, input: MeetingInput): Promise<{ id: string }> {
  assertTeam(actor);
  return db.$transaction(async (tx) => {
    const attendees = await teamMembers(tx, input.attendeeIds);
    if (attendees.size !== input.attendeeIds.length) throw new ValidationError({ attendeeIds: "Attendees are active members of the relationship team." });
    const meeting = await tx.roundtableMeeting.create({
      data: { meetingDate: input.meetingDate!, agenda: input.agenda, createdById: actor.id, attendees: { create: input.attendeeIds.map((userId) => ({ userId })) } },
    });
    await recordAudit(tx, {
      actorId: actor.id,
      action: "roundtable_meeting.start",
      entityType: "roundtable_meeting",
      entityId: meeting.id,
      changes: eventFacts({ meetingDate: meeting.meetingDate.toISOString().slice(0, 10), agenda: meeting.agenda, attendees: [...attendees.values()] }),
      context: actor.context,
    });
    return { id: meeting.id };
  });
}

/** The meeting, locked (`FOR SHARE` while saving an entry, `FOR UPDATE` to end it); 404 when the actor may not see it. */
async function lockMeeting(tx: Tx, actor: CurrentUser, id: string, mode: "share" | "update") {
  if (!isUuid(id)) throw new NotFoundError();
  const [row] = await sqlRows<{ id: string; ended_at: Date | null }>(
    tx,
    Prisma.sql`SELECT rm.id, rm.ended_at FROM roundtable_meetings rm WHERE rm.id = ${id}::uuid AND ${visibleRoundtableMeetingsSql(actor, "rm")} FOR ${Prisma.raw(mode === "share" ? "SHARE" : "UPDATE")} OF rm`,
  );
  if (!row) throw new NotFoundError();
  return row;
}

const ENTRY_FIELDS = ["nearTermFocus", "workTargets", "discussion", "nextSteps"] as const;

/** An action item as the audit log and the comparison see it. */
const itemLine = (item: ActionItemInput, names: Map<string, string>) => `${item.description} (${names.get(item.assigneeId) ?? item.assigneeId}, due ${item.dueDate.toISOString().slice(0, 10)})`;

export interface SaveResult {
  /** null when nothing was typed yet (no row is made for an empty form). */
  entryId: string | null;
  created: boolean;
  changed: boolean;
}

/**
 * Saves a client's entry in a meeting: creates it or updates the one row of this meeting and client. The open action
 * items become exactly the ones given (completed ones stay). `final` marks it saved (a form post, the Save button);
 * an autosave leaves that as it was.
 */
export async function saveEntry(db: Db, actor: Actor, meetingId: string, clientId: string, input: Omit<EntryInput, "actionErrors">, options: { final: boolean }): Promise<SaveResult> {
  assertTeam(actor);
  return db.$transaction(async (tx) => {
    const meeting = await lockMeeting(tx, actor, meetingId, "share");
    if (meeting.ended_at) throw new ConflictError("This meeting has ended: its entries can no longer change.");
    if (!isUuid(clientId)) throw new NotFoundError();
    const [client] = await sqlRows<{ id: string }>(tx, Prisma.sql`SELECT c.id FROM clients c WHERE c.id = ${clientId}::uuid AND ${visibleClientsSql(actor, "c")}`);
    if (!client) throw new NotFoundError();
    const assignees = await teamMembers(tx, [...new Set(input.actionItems.map((a) => a.assigneeId))]);
    const wrong = input.actionItems.findIndex((a) => !assignees.has(a.assigneeId));
    if (wrong >= 0) throw new ValidationError({ [`actionItems.${wrong}`]: "Action items go to active members of the relationship team." });

    const now = new Date();
    const empty = ENTRY_FIELDS.every((f) => !input[f]) && input.actionItems.length === 0;
    // Two saves at once: the second waits on the unique index, inserts nothing, then updates the first one's row.
    const inserted = empty
      ? []
      : await sqlRows<{ id: string }>(
          tx,
          Prisma.sql`INSERT INTO roundtable_entries (id, meeting_id, client_id, near_term_focus, work_targets, discussion, next_steps, author_id, saved_at, updated_at)
            VALUES (gen_random_uuid(), ${meetingId}::uuid, ${clientId}::uuid, ${input.nearTermFocus}, ${input.workTargets}, ${input.discussion}, ${input.nextSteps},
              ${actor.id}::uuid, ${options.final ? now : null}, ${now})
            ON CONFLICT (meeting_id, client_id) DO NOTHING RETURNING id`,
        );
    const [locked] = await sqlRows<{ id: string }>(
      tx,
      Prisma.sql`SELECT e.id FROM roundtable_entries e WHERE e.meeting_id = ${meetingId}::uuid AND e.client_id = ${clientId}::uuid AND ${visibleRoundtableRowsSql(actor, "e")} FOR UPDATE OF e`,
    );
    if (!locked) return { entryId: null, created: false, changed: false };
    const created = inserted.length > 0;
    const before = await tx.roundtableEntry.findUniqueOrThrow({ where: { id: locked.id }, include: { actionItems: { where: { completedAt: null }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] } } });

    const data = { nearTermFocus: input.nearTermFocus, workTargets: input.workTargets, discussion: input.discussion, nextSteps: input.nextSteps };
    const fieldChanges = created ? changedFields(null, before, ENTRY_FIELDS) : changedFields(before, data, ENTRY_FIELDS);
    const names = new Map([...assignees, ...(await teamNames(tx, before.actionItems.map((a) => a.assigneeId)))]);
    const wasItems = before.actionItems.map((a) => itemLine(a, names));
    const nowItems = input.actionItems.map((a) => itemLine(a, names));
    const itemsChanged = JSON.stringify(wasItems) !== JSON.stringify(nowItems);
    const markSaved = options.final && (!before.savedAt || Boolean(fieldChanges) || itemsChanged);
    if (!created && !fieldChanges && !itemsChanged && !markSaved) return { entryId: before.id, created: false, changed: false };

    if (!created) await tx.roundtableEntry.update({ where: { id: before.id }, data: { ...data, ...(markSaved ? { savedAt: now } : {}) } });
    if (itemsChanged) {
      await tx.roundtableActionItem.deleteMany({ where: { entryId: before.id, completedAt: null } });
      await tx.roundtableActionItem.createMany({
        data: input.actionItems.map((a, i) => ({ entryId: before.id, clientId, description: a.description, assigneeId: a.assigneeId, dueDate: a.dueDate, createdAt: new Date(now.getTime() + i) })),
      });
    }
    // Saved (not a keystroke's autosave): the assignees of its open action items hear of them, once per item.
    if (options.final) await noticeOpenActionItems(tx, actor.id, { entryId: before.id });
    await recordAudit(tx, {
      actorId: actor.id,
      action: created ? "roundtable_entry.create" : "roundtable_entry.update",
      entityType: "roundtable_entry",
      entityId: before.id,
      changes: {
        ...(created ? eventFacts({ meetingId, clientId }) : {}),
        ...fieldChanges,
        ...(itemsChanged ? { actionItems: { before: wasItems, after: nowItems } } : {}),
        ...(markSaved && !created ? { savedAt: { before: before.savedAt?.toISOString() ?? null, after: now.toISOString() } } : {}),
      },
      context: actor.context,
    });
    return { entryId: before.id, created, changed: true };
  });
}

async function teamNames(tx: Tx, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows = await tx.user.findMany({ where: { id: { in: [...new Set(ids)] } }, select: { id: true, name: true } });
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Ends the meeting: records when, and every entry typed in it counts as saved. Ending twice changes nothing. */
export async function endMeeting(db: Db, actor: Actor, meetingId: string): Promise<{ changed: boolean; entries: number }> {
  assertTeam(actor);
  return db.$transaction(async (tx) => {
    const meeting = await lockMeeting(tx, actor, meetingId, "update");
    if (meeting.ended_at) return { changed: false, entries: 0 };
    const now = new Date();
    await tx.roundtableMeeting.update({ where: { id: meeting.id }, data: { endedAt: now } });
    const saved = await tx.roundtableEntry.updateMany({ where: { meetingId: meeting.id, savedAt: null }, data: { savedAt: now } });
    const entries = await tx.roundtableEntry.count({ where: { meetingId: meeting.id } });
    await noticeOpenActionItems(tx, actor.id, { meetingId: meeting.id });
    await recordAudit(tx, {
      actorId: actor.id,
      action: "roundtable_meeting.end",
      entityType: "roundtable_meeting",
      entityId: meeting.id,
      changes: { endedAt: { before: null, after: now.toISOString() }, ...eventFacts({ entries, savedAtEnd: saved.count }) },
      context: actor.context,
    });
    return { changed: true, entries };
  });
}

/** Notices to the assignees of the open action items of one entry or of a meeting's entries (a notice per item text,
 * assignee and entry, written once however often the entry is saved). */
async function noticeOpenActionItems(tx: Tx, actorId: string, where: { entryId: string } | { meetingId: string }): Promise<void> {
  const items = await tx.roundtableActionItem.findMany({
    where: { completedAt: null, ...("entryId" in where ? { entryId: where.entryId } : { entry: { meetingId: where.meetingId } }) },
    select: { id: true, entryId: true, clientId: true, description: true, assigneeId: true, dueDate: true },
  });
  for (const item of items) {
    await noticeActionItemAssigned(tx, actorId, { ...item, link: "/communications/follow-ups#action-items" });
  }
}

/** The assignee completes an open action item (who and when are recorded); completing it again changes nothing. */
export async function completeActionItem(db: Db, actor: Actor, id: string): Promise<{ description: string; changed: boolean }> {
  assertTeam(actor);
  if (!isUuid(id)) throw new NotFoundError();
  return db.$transaction(async (tx) => {
    const [row] = await sqlRows<{ id: string }>(
      tx,
      Prisma.sql`SELECT a.id FROM roundtable_action_items a WHERE a.id = ${id}::uuid AND ${visibleRoundtableRowsSql(actor, "a")} FOR UPDATE OF a`,
    );
    if (!row) throw new NotFoundError();
    const before = await tx.roundtableActionItem.findUniqueOrThrow({ where: { id } });
    if (before.assigneeId !== actor.id) throw new ForbiddenError("Only the person it is assigned to completes an action item.");
    if (before.completedAt) return { description: before.description, changed: false };
    const after = await tx.roundtableActionItem.update({ where: { id }, data: { completedAt: new Date(), completedById: actor.id } });
    await recordAudit(tx, {
      actorId: actor.id,
      action: "roundtable_action_item.complete",
      entityType: "roundtable_action_item",
      entityId: id,
      changes: changedFields(before, after, ["completedAt", "completedById"]),
      context: actor.context,
    });
    return { description: before.description, changed: true };
  });
}
