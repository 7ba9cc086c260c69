// Clients: the rules, in the firm's words. Visibility comes from access/clients.ts; every change is audited
// in the same transaction, with field-level before/after.
import type { Db, Tx } from "../db/client.ts";
import { nextInYear } from "../db/counters.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { Actor, CurrentUser } from "../access/roles.ts";
import { seesRoundtable } from "../access/roundtable.ts";
import { canSeeInternalAssessment } from "../access/clients.ts";
import { assertCan, can } from "../access/permissions.ts";
import { requireVisibleClient, type VisibleClient } from "../access/records.ts";
import { changedFields, recordAudit, type FieldChanges } from "../audit/service.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { ASSESSMENT_FIELDS, type ClientInput } from "./schemas.ts";
import { clientDetailRow, duplicateCandidates } from "./queries.ts";
import { isUuid } from "../web/fields.ts";
import { periodCode } from "../feedback/periods.ts";

/** Fields written from the form, in audit order. */
export const CLIENT_FIELDS = [
  "name", "clientType", "categoryId", "status", "email", "phone", "website", "addressLine1", "addressLine2", "city",
  "state", "postalCode", "country", "dateOfBirth", "ssnLast4", "taxId", "industry", "intakeDate", "clientSince",
  "referralSource", "notes", "isConfidential", "dataClassification", "accountManagerId", "primaryPocId", "secondaryPocId",
  "nextContactAt", "nextContactType",
  "nextContactAssigneeId", ...ASSESSMENT_FIELDS,
] as const;
type ClientField = (typeof CLIENT_FIELDS)[number];
const AUDITED = [...CLIENT_FIELDS, "teamUserIds", "deactivatedAt", "deactivationReason"] as const;

export const clientDetailInclude = {
  category: true,
  accountManager: { select: { id: true, name: true, email: true } },
  primaryPoc: { select: { id: true, name: true, email: true } },
  secondaryPoc: { select: { id: true, name: true, email: true } },
  lastContactBy: { select: { id: true, name: true } },
  nextContactAssignee: { select: { id: true, name: true } },
  deactivatedBy: { select: { id: true, name: true } },
  createdBy: { select: { id: true, name: true } },
  updatedBy: { select: { id: true, name: true } },
  team: { include: { user: { select: { id: true, name: true, email: true, active: true } } }, orderBy: [{ addedAt: "asc" }, { userId: "asc" }] },
  contacts: { orderBy: [{ isPrimary: "desc" }, { active: "desc" }, { name: "asc" }] },
} satisfies Prisma.ClientInclude;

export type ClientDetail = Prisma.ClientGetPayload<{ include: typeof clientDetailInclude }>;

/** Privileged notes are the client's team's only (access/clients.ts): withheld from everyone else, on every page and form. */
function notesWithheld(client: { dataClassification: string; privilegedVisible: boolean }): boolean {
  return client.dataClassification === "privileged" && !client.privilegedVisible;
}

/** Blanks the internal assessment for readers outside the relationship team, so no view can show it. */
function withoutAssessment<T extends Record<string, unknown>>(client: T): T {
  const copy: Record<string, unknown> = { ...client };
  for (const field of ASSESSMENT_FIELDS) copy[field] = null;
  return copy as T;
}

/** Records a read of a restricted client, and of a privileged client's material by its team (DOMAIN.md: both are audited). */
async function auditClientRead(db: Db, actor: Actor, client: { id: string; isConfidential: boolean; dataClassification: string; privilegedVisible: boolean }) {
  const read = (action: string) => ({ actorId: actor.id, action, entityType: "client", entityId: client.id, context: actor.context });
  if (client.isConfidential) await recordAudit(db, read("client.read_restricted"));
  if (client.dataClassification === "privileged" && !notesWithheld(client)) await recordAudit(db, read("client.read_privileged"));
}

/**
 * A client the actor may see, by id, with only what a page about its records names it by (id, name, code), or NotFound
 * (the same for hidden and missing); the read is audited as getClient's. For pages that show the client's records, not
 * the client (its timeline): getClient reads every field, its team and contacts.
 */
export async function getClientHeading(db: Db, actor: Actor, id: string): Promise<VisibleClient> {
  const client = await requireVisibleClient(db, actor, id);
  await auditClientRead(db, actor, client);
  return client;
}

/**
 * A client the actor may see, or NotFound (the same for hidden and missing). Privileged notes are withheld from readers
 * off the client's team. Reads of restricted clients, and of privileged material by its team, are audited.
 */
export async function getClient(db: Db, actor: Actor, id: string, options: { audit?: boolean } = {}) {
  if (!isUuid(id)) throw new NotFoundError();
  const row = await clientDetailRow(db, actor, id);
  if (!row) throw new NotFoundError();
  const { privilegedVisible, ...client } = row;
  const withheld = notesWithheld(row);
  if (options.audit !== false) await auditClientRead(db, actor, { ...client, privilegedVisible });
  const shown = withheld ? { ...client, notes: null } : client;
  return {
    client: canSeeInternalAssessment(actor) ? shown : withoutAssessment(shown),
    /** On the client's team, which is also who may see its privileged material. */
    onTeam: privilegedVisible,
    privilegedVisible,
    notesWithheld: withheld,
    assessmentVisible: canSeeInternalAssessment(actor),
  };
}

/** Locks the client row for a change, then reads it through the actor's visibility (hidden and missing are both 404). */
async function lockVisibleClient(tx: Tx, actor: Actor, id: string) {
  // Checked after the lock: a deletion or team change committed while this waited counts.
  const { privilegedVisible } = await requireVisibleClient(tx, actor, id, { lock: true });
  const locked = await tx.client.findUniqueOrThrow({ where: { id }, include: { team: { select: { userId: true } } } });
  return { ...locked, privilegedVisible };
}

/** CLT-YYYY-NNNN from a per-year counter, so concurrent creates never share a number (codes are never reused). */
export async function nextClientCode(tx: Tx, now = new Date()): Promise<string> {
  return `CLT-${now.getUTCFullYear()}-${String(await nextInYear(tx, "client_code_counters", now)).padStart(4, "0")}`;
}

/** Users named in the form must exist and be active (a departed colleague cannot be given new clients); the category must exist. */
async function checkPeople(tx: Tx, input: ClientInput, previous?: { accountManagerId: string | null; primaryPocId: string | null; secondaryPocId: string | null; nextContactAssigneeId: string | null; team: { userId: string }[] }) {
  const fields = ["accountManagerId", "primaryPocId", "secondaryPocId", "nextContactAssigneeId"] as const;
  const ids = new Set<string>([...(input.teamUserIds ?? [])]);
  for (const f of fields) if (input[f]) ids.add(input[f]!);
  const errors: Record<string, string> = {};
  // The category must exist too: an unknown id is the user's mistake (a message), not a foreign-key failure (a 500).
  if (input.categoryId && !(await tx.clientCategory.findUnique({ where: { id: input.categoryId }, select: { id: true } }))) errors.categoryId = "Choose a valid category.";
  const users = ids.size ? await tx.user.findMany({ where: { id: { in: [...ids] } }, select: { id: true, active: true } }) : [];
  const active = new Set(users.filter((u) => u.active).map((u) => u.id));
  const known = new Set(users.map((u) => u.id));
  for (const f of fields) {
    const id = input[f];
    if (!id) continue;
    const unchanged = previous && previous[f] === id;
    if (!known.has(id) || (!active.has(id) && !unchanged)) errors[f] = "Choose an active user.";
  }
  const previousTeam = new Set(previous?.team.map((t) => t.userId) ?? []);
  if ((input.teamUserIds ?? []).some((id) => !known.has(id) || (!active.has(id) && !previousTeam.has(id)))) errors.teamUserIds = "Choose active users for the team.";
  if (Object.keys(errors).length) throw new ValidationError(errors);
}

function clientData(input: ClientInput, actor: Actor, previous?: Parameters<typeof notesWithheld>[0] & Record<string, unknown>) {
  const data: Record<string, unknown> = {};
  for (const field of CLIENT_FIELDS) data[field] = input[field as keyof ClientInput] ?? null;
  // Readers who may not see privileged notes never saw them in the form: their save keeps them as they are, and they
  // may not lower the classification (which would open the notes to them).
  if (previous && notesWithheld(previous)) {
    data.notes = previous.notes;
    if (can(actor, "client.changeConfidentiality") && input.dataClassification && input.dataClassification !== "privileged") {
      throw new ValidationError({ dataClassification: "Only the client's team may lower a privileged classification." });
    }
  }
  // Only the relationship team writes the assessment; for others the stored values stay as they are.
  if (!canSeeInternalAssessment(actor)) for (const f of ASSESSMENT_FIELDS) data[f] = previous ? previous[f] : null;
  if (!can(actor, "client.changeConfidentiality")) {
    data.isConfidential = previous ? previous.isConfidential : false;
    data.dataClassification = previous ? previous.dataClassification : "confidential";
  }
  if (!data.status) data.status = previous?.status ?? "active";
  return data as Record<ClientField, unknown>;
}

function auditView(client: Record<string, unknown>, teamUserIds: string[]) {
  return { ...client, teamUserIds: [...teamUserIds].sort() };
}

export interface Duplicate {
  id: string;
  name: string;
  client_code: string;
  email: string | null;
  reason: string;
}

/** Possible duplicates to warn about before saving (the user may go on). */
export async function findDuplicates(db: Db, actor: Actor, input: { name: string; email: string | null }, excludeId?: string): Promise<Duplicate[]> {
  return duplicateCandidates(db, actor, input, excludeId);
}

export async function createClient(db: Db, actor: Actor, input: ClientInput, options: { tx?: Tx; source?: string } = {}): Promise<{ id: string; clientCode: string }> {
  assertCan(actor, "client.create");
  const run = async (tx: Tx) => {
    await checkPeople(tx, input);
    const data = clientData(input, actor);
    if (data.status === "inactive") throw new ValidationError({ status: "A new client cannot start inactive; create it, then deactivate it with a reason." });
    const clientCode = await nextClientCode(tx);
    const created = await tx.client.create({
      data: {
        ...(data as Prisma.ClientUncheckedCreateInput),
        clientCode,
        createdById: actor.id,
        updatedById: actor.id,
        team: { create: (input.teamUserIds ?? []).map((userId) => ({ userId })) },
      },
    });
    await recordAudit(tx, {
      actorId: actor.id,
      action: options.source === "import" ? "client.import" : "client.create",
      entityType: "client",
      entityId: created.id,
      changes: { clientCode: { before: null, after: clientCode }, ...changedFields(null, auditView(created, input.teamUserIds ?? []), AUDITED) },
      context: actor.context,
    });
    return { id: created.id, clientCode };
  };
  return options.tx ? run(options.tx) : db.$transaction(run);
}

export async function updateClient(db: Db, actor: Actor, id: string, input: ClientInput): Promise<void> {
  await db.$transaction(async (tx) => {
    const before = await lockVisibleClient(tx, actor, id);
    if (input.updatedAt && before.updatedAt.toISOString() !== input.updatedAt) {
      throw new ConflictError("Someone else saved this client while you were editing. Your changes are below, not yet saved: check the current values and save again.");
    }
    if (input.status === "inactive" && before.status !== "inactive") {
      throw new ValidationError({ status: "Use Deactivate (administrators, with a reason) to make a client inactive." });
    }
    if (before.status === "inactive" && input.status !== "inactive") {
      throw new ValidationError({ status: "Use Reactivate (administrators, with a reason) to bring an inactive client back." });
    }
    await checkPeople(tx, input, before);
    const data = clientData(input, actor, before);
    const team = input.teamUserIds ?? [];
    const after = await tx.client.update({ where: { id }, data: { ...(data as Prisma.ClientUncheckedUpdateInput), updatedById: actor.id } });
    const beforeTeam = before.team.map((t) => t.userId);
    const removed = beforeTeam.filter((u) => !team.includes(u));
    const added = team.filter((u) => !beforeTeam.includes(u));
    if (removed.length) await tx.clientTeamMember.deleteMany({ where: { clientId: id, userId: { in: removed } } });
    if (added.length) await tx.clientTeamMember.createMany({ data: added.map((userId) => ({ clientId: id, userId })) });
    const changes = changedFields(auditView(before, beforeTeam), auditView(after, team), AUDITED);
    if (changes) await recordAudit(tx, { actorId: actor.id, action: "client.update", entityType: "client", entityId: id, changes, context: actor.context });
  });
}

export async function deactivateClient(db: Db, actor: Actor, id: string, reason: string): Promise<void> {
  await db.$transaction(async (tx) => {
    // Visibility first: a hidden or missing client is a 404 for everyone, before any "not allowed".
    const before = await lockVisibleClient(tx, actor, id);
    assertCan(actor, "client.deactivate");
    if (before.status === "inactive") throw new ConflictError("This client is already inactive.");
    const after = await tx.client.update({
      where: { id },
      data: { status: "inactive", deactivatedAt: new Date(), deactivationReason: reason, deactivatedById: actor.id, updatedById: actor.id },
    });
    await recordAudit(tx, { actorId: actor.id, action: "client.deactivate", entityType: "client", entityId: id, changes: changedFields(before, after, AUDITED), context: actor.context });
  });
}

export async function reactivateClient(db: Db, actor: Actor, id: string, reason: string): Promise<void> {
  await db.$transaction(async (tx) => {
    const before = await lockVisibleClient(tx, actor, id);
    assertCan(actor, "client.reactivate");
    if (before.status !== "inactive") throw new ConflictError("This client is not inactive.");
    const after = await tx.client.update({
      where: { id },
      data: { status: "active", deactivatedAt: null, deactivationReason: null, deactivatedById: null, updatedById: actor.id },
    });
    const changes: FieldChanges = { ...changedFields(before, after, AUDITED), reason: { before: null, after: reason } };
    await recordAudit(tx, { actorId: actor.id, action: "client.reactivate", entityType: "client", entityId: id, changes, context: actor.context });
  });
}

/** What keeps a client from being deleted: each kind of dependent record with a count and a few names. */
export interface Dependent {
  kind: string;
  count: number;
  examples: string[];
}

export async function clientDependents(db: Db | Tx, clientId: string, reader: CurrentUser): Promise<Dependent[]> {
  const contacts = await db.contact.findMany({ where: { clientId }, select: { name: true }, orderBy: { name: "asc" }, take: 5 });
  const contactCount = contacts.length < 5 ? contacts.length : await db.contact.count({ where: { clientId } });
  const dependents: Dependent[] = [];
  if (contactCount) dependents.push({ kind: contactCount === 1 ? "contact" : "contacts", count: contactCount, examples: contacts.map((c) => c.name) });
  // Deleted cases count too: they are kept for recovery and still reference the client.
  const cases = await db.case.findMany({ where: { clientId }, select: { caseNumber: true, deletedAt: true }, orderBy: { caseNumber: "asc" }, take: 5 });
  const caseCount = cases.length < 5 ? cases.length : await db.case.count({ where: { clientId } });
  if (caseCount) dependents.push({ kind: caseCount === 1 ? "case" : "cases", count: caseCount, examples: cases.map((c) => (c.deletedAt ? `${c.caseNumber} (deleted)` : c.caseNumber)) });
  // Engagements (contracts) and renewal prospects of the pre-sale pipeline reference the client too.
  const engagements = await db.engagement.findMany({ where: { clientId }, select: { title: true }, orderBy: { startDate: "asc" }, take: 5 });
  const engagementCount = engagements.length < 5 ? engagements.length : await db.engagement.count({ where: { clientId } });
  if (engagementCount) dependents.push({ kind: engagementCount === 1 ? "engagement" : "engagements", count: engagementCount, examples: engagements.map((e) => e.title) });
  const renewalCount = await db.prospect.count({ where: { clientId } });
  if (renewalCount) dependents.push({ kind: renewalCount === 1 ? "renewal prospect" : "renewal prospects", count: renewalCount, examples: [] });
  const feedback = await db.clientFeedback.findMany({ where: { clientId }, select: { periodKind: true, periodStart: true }, orderBy: { periodStart: "desc" }, take: 5 });
  const feedbackCount = feedback.length < 5 ? feedback.length : await db.clientFeedback.count({ where: { clientId } });
  if (feedbackCount) dependents.push({ kind: "feedback", count: feedbackCount, examples: feedback.map((f) => periodCode({ kind: f.periodKind, start: f.periodStart })) });
  // Roundtable entries keep the client too; only the relationship team may learn what and how many they are.
  const roundtableCount = await db.roundtableEntry.count({ where: { clientId } });
  if (roundtableCount) {
    dependents.push(
      seesRoundtable(reader)
        ? { kind: roundtableCount === 1 ? "roundtable entry" : "roundtable entries", count: roundtableCount, examples: [] }
        : { kind: "set of records kept by the relationship team (ask them)", count: 1, examples: [] },
    );
  }
  return dependents;
}

export async function deleteClient(db: Db, actor: Actor, id: string): Promise<{ name: string }> {
  return db.$transaction(async (tx) => {
    const before = await lockVisibleClient(tx, actor, id);
    assertCan(actor, "client.delete");
    const dependents = await clientDependents(tx, id, actor);
    if (dependents.length) {
      const list = dependents.map((d) => `${d.count} ${d.kind} (${d.examples.join(", ")}${d.count > d.examples.length ? ", …" : ""})`).join("; ");
      throw new ConflictError(`This client cannot be deleted while other records depend on it: ${list}. Remove or move them first, or deactivate the client instead.`);
    }
    await tx.clientTeamMember.deleteMany({ where: { clientId: id } });
    await tx.client.delete({ where: { id } });
    await recordAudit(tx, {
      actorId: actor.id,
      action: "client.delete",
      entityType: "client",
      entityId: id,
      changes: { clientCode: { before: before.clientCode, after: null }, ...changedFields(auditView(before, before.team.map((t) => t.userId)), Object.fromEntries(AUDITED.map((f) => [f, null])) as Record<string, unknown>, AUDITED) },
      context: actor.context,
    });
    return { name: before.name };
  });
}

/** Active users for the people pickers (account manager, points of contact, team). */
export function activeUsers(db: Db) {
  return db.user.findMany({ where: { active: true }, select: { id: true, name: true, email: true }, orderBy: { name: "asc" } });
}
