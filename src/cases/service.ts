// Cases: the rules, in the firm's words. Visibility and permissions come from access/cases.ts; every change is
// audited in the same transaction, and each change of a case locks its row first, so two clicks apply once.
import type { Db, Tx } from "../db/client.ts";
import { nextInYear } from "../db/counters.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { CaseStatus, CaseTeamRole } from "../generated/prisma/enums.ts";
import type { Actor } from "../access/roles.ts";
import type { CaseFacts } from "../access/cases.ts";
import { assertCan, can } from "../access/permissions.ts";
import { caseIsVisible, visibleClient } from "../access/records.ts";
import { changedFields, eventFacts, recordAudit } from "../audit/service.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { isUuid } from "../web/fields.ts";
import { billingProblems, LABELS, type EditCaseInput, type NewCaseInput, type TransitionInput } from "./schemas.ts";
import { ACTIVE_STATUSES, assertTransition, allowedNextStatuses, canMove, STATUS_LABELS, transitionRefusal } from "./status.ts";
import { complianceClosingProblems } from "./compliance.ts";
import { caseDetailRow } from "./detail-query.ts";
import { noticeCaseAssigned } from "../notifications/events.ts";

export interface CaseSettings {
  /** Active cases one case manager may hold (CASE_MANAGER_MAX_ACTIVE_CASES). */
  maxActiveCasesPerManager: number;
}

/** Fields written from the case form, in audit order. */
export const CASE_FIELDS = [
  "title", "description", "summary", "contactId", "managerId", "category", "priority", "complexity", "riskLevel", "nextReviewDate",
  "complianceReviewRequired", "legalReviewRequired", "estimatedValue", "actualCost", "billingMethod", "satisfaction",
] as const;
const AUDITED = [...CASE_FIELDS, "status", "resolutionDate", "resolutionType", "resolutionSummary"] as const;

/** Decimals as numbers, so the audit log compares 1500 and 1500.00 as the same amount. */
function auditView(row: Record<string, unknown>): Record<string, unknown> {
  const view: Record<string, unknown> = { ...row };
  for (const field of ["estimatedValue", "actualCost"]) {
    const value = view[field];
    if (value !== null && value !== undefined) view[field] = Number(value);
  }
  return view;
}

export function factsOf(row: { managerId: string; team: { userId: string }[] }): CaseFacts {
  return { managerId: row.managerId, teamUserIds: row.team.map((t) => t.userId) };
}

/** CASE-YYYY-NNNNNN from a per-year counter, so concurrent creates never share a number. */
export async function nextCaseNumber(tx: Tx, now = new Date()): Promise<string> {
  return `CASE-${now.getUTCFullYear()}-${String(await nextInYear(tx, "case_number_counters", now)).padStart(6, "0")}`;
}

/**
 * Locks the case row for a change, then reads it through the actor's visibility (hidden and missing are both 404).
 * Reading after the lock means a deletion or team change committed while this waited counts.
 */
export async function lockVisibleCase(tx: Tx, actor: Actor, id: string) {
  if (!isUuid(id)) throw new NotFoundError();
  if (!(await caseIsVisible(tx, actor, id, { lock: true }))) throw new NotFoundError();
  const locked = await tx.case.findUnique({ where: { id }, include: { team: { select: { userId: true, role: true } }, type: true } });
  if (!locked) throw new NotFoundError();
  return locked;
}

/**
 * The manager must be an active user with room for one more active case. Their user row is locked first, so two
 * assignments to the same manager at once are counted one after the other.
 */
async function checkManagerCapacity(tx: Tx, managerId: string, settings: CaseSettings): Promise<void> {
  const [manager] = await tx.$queryRaw<{ name: string; active: boolean }[]>`SELECT name, active FROM users WHERE id = ${managerId}::uuid FOR UPDATE`;
  if (!manager || !manager.active) throw new ValidationError({ managerId: "Choose an active user as case manager." });
  const count = await tx.case.count({ where: { managerId, deletedAt: null, status: { in: [...ACTIVE_STATUSES] } } });
  if (count >= settings.maxActiveCasesPerManager) {
    throw new ValidationError({
      managerId: `${manager.name} already manages ${count} active case${count === 1 ? "" : "s"}, the most one manager may hold (${settings.maxActiveCasesPerManager}). Choose someone else, or resolve or close one of their cases first.`,
    });
  }
}

async function checkContact(tx: Tx, clientId: string, contactId: string | null, previous?: string | null): Promise<void> {
  if (!contactId || contactId === previous) return;
  const contact = await tx.contact.findFirst({ where: { id: contactId, clientId }, select: { active: true } });
  if (!contact || !contact.active) throw new ValidationError({ contactId: "Choose an active contact of this case's client." });
}

function checkBilling(input: { billingMethod: string | null; estimatedValue: number | null; actualCost: number | null }): void {
  const problems = billingProblems(input);
  if (Object.keys(problems).length) throw new ValidationError(problems);
}

function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * 86_400_000);
}

/** Stage deadlines from the template's durations: a stage starts when the one before ends, unless it runs in parallel. */
export function stageDeadlines(stages: { parallel: boolean; defaultDurationDays: number | null }[], start: Date): (Date | null)[] {
  const today = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()));
  let groupStart = today;
  let groupEnd = today;
  return stages.map((stage, index) => {
    if (index > 0 && !stage.parallel) groupStart = groupEnd;
    const end = stage.defaultDurationDays === null ? null : addDays(groupStart, stage.defaultDurationDays);
    if (end && end > groupEnd) groupEnd = end;
    return end;
  });
}

export async function createCase(db: Db, actor: Actor, input: NewCaseInput, settings: CaseSettings, options: { tx?: Tx } = {}): Promise<{ id: string; caseNumber: string }> {
  assertCan(actor, "case.create");
  // With `tx`, the case is part of the caller's transaction (a converted proposal's first case).
  const run = async (tx: Tx) => {
    const client = await visibleClient(tx, actor, input.clientId);
    if (!client) throw new ValidationError({ clientId: "Choose a client from the list." });
    if (client.status === "inactive") throw new ValidationError({ clientId: "This client is inactive: reactivate it before opening a case." });
    const type = await tx.caseType.findUnique({ where: { id: input.typeId } });
    if (!type || !type.active) throw new ValidationError({ typeId: "Choose an active case type." });
    let templateId: string | null = null;
    if (input.templateId === null) {
      templateId = type.defaultTemplateId;
    } else if (input.templateId !== "none") {
      templateId = input.templateId;
    }
    const template = templateId
      ? await tx.caseTemplate.findUnique({ where: { id: templateId }, include: { stages: { orderBy: { position: "asc" } } } })
      : null;
    if (templateId && (!template || !template.active || template.caseTypeId !== type.id)) {
      if (input.templateId === null) templateId = null; // the type's default was retired: open the case without a workflow
      else throw new ValidationError({ templateId: `Choose an active template of the type ${type.name}.` });
    }
    await checkContact(tx, client.id, input.contactId);
    checkBilling(input);
    await checkManagerCapacity(tx, input.managerId, settings);

    const caseNumber = await nextCaseNumber(tx);
    const created = await tx.case.create({
      data: {
        caseNumber,
        title: input.title,
        description: input.description,
        summary: input.summary,
        clientId: client.id,
        contactId: input.contactId,
        managerId: input.managerId,
        typeId: type.id,
        templateId: templateId && template ? template.id : null,
        category: input.category,
        priority: input.priority,
        complexity: input.complexity,
        riskLevel: input.riskLevel,
        nextReviewDate: input.nextReviewDate,
        // The type's review requirements are a floor: a case of such a type always needs them.
        complianceReviewRequired: input.complianceReviewRequired || type.requiresComplianceReview,
        legalReviewRequired: input.legalReviewRequired || type.requiresLegalReview,
        estimatedValue: input.estimatedValue,
        actualCost: input.actualCost,
        billingMethod: input.billingMethod ?? (input.estimatedValue !== null ? type.defaultBillingMethod : null),
        satisfaction: input.satisfaction,
        createdById: actor.id,
        updatedById: actor.id,
      },
    });
    // Someone who opens a case they would not otherwise see (staff, for another manager) joins its team.
    if (actor.role !== "admin" && actor.id !== input.managerId) {
      await tx.caseTeamMember.create({ data: { caseId: created.id, userId: actor.id, role: "associate" } });
    }
    const stages = templateId && template ? template.stages : [];
    if (stages.length) {
      const deadlines = stageDeadlines(stages, created.createdAt);
      await tx.caseStage.createMany({
        data: stages.map((s, i) => ({
          caseId: created.id,
          position: i + 1,
          name: s.name,
          stageType: s.stageType,
          required: s.required,
          parallel: s.parallel,
          approvalRequired: s.approvalRequired,
          minApprovers: s.minApprovers,
          assigneeId: input.managerId,
          deadline: deadlines[i] ?? null,
        })),
      });
      const first = await tx.caseStage.findFirstOrThrow({ where: { caseId: created.id }, orderBy: { position: "asc" }, select: { id: true } });
      await tx.case.update({ where: { id: created.id }, data: { currentStageId: first.id } });
    }
    // The manager's bell (one INSERT, none when the actor manages the case): the case and its stages are theirs.
    await noticeCaseAssigned(tx, actor.id, { id: created.id, caseNumber, title: created.title, clientId: client.id, managerId: input.managerId, stages: stages.length });
    await recordAudit(tx, {
      actorId: actor.id,
      action: "case.create",
      entityType: "case",
      entityId: created.id,
      changes: {
        caseNumber: { before: null, after: caseNumber },
        clientId: { before: null, after: client.id },
        typeId: { before: null, after: type.id },
        ...changedFields(null, auditView(created), AUDITED),
        ...eventFacts({ template: template && templateId ? template.name : null, stages: stages.map((s) => s.name) }),
      },
      context: actor.context,
    });
    return { id: created.id, caseNumber };
  };
  return options.tx ? run(options.tx) : db.$transaction(run);
}

export const caseDetailInclude = {
  client: { select: { id: true, name: true, clientCode: true, status: true, isConfidential: true, dataClassification: true } },
  contact: { select: { id: true, name: true, email: true, phone: true, title: true } },
  manager: { select: { id: true, name: true, email: true, department: true } },
  type: { select: { id: true, name: true, code: true, requiresLegalReview: true, requiresComplianceReview: true } },
  template: { select: { id: true, name: true, code: true, requiredDocumentTypes: true } },
  currentStage: { select: { id: true, name: true, status: true } },
  createdBy: { select: { id: true, name: true } },
  updatedBy: { select: { id: true, name: true } },
  deletedBy: { select: { id: true, name: true } },
  team: { include: { user: { select: { id: true, name: true, email: true, active: true } } }, orderBy: [{ addedAt: "asc" }, { userId: "asc" }] },
  stages: {
    orderBy: { position: "asc" },
    include: {
      assignee: { select: { id: true, name: true } },
      startedBy: { select: { id: true, name: true } },
      completedBy: { select: { id: true, name: true } },
      approvals: { include: { user: { select: { id: true, name: true } } }, orderBy: { approvedAt: "asc" } },
    },
  },
} satisfies Prisma.CaseInclude;

export type CaseDetail = Prisma.CaseGetPayload<{ include: typeof caseDetailInclude }>;

/** A case the actor may see, with what they may do to it; NotFound for hidden and missing alike. */
export async function getCase(db: Db, actor: Actor, id: string, options: { audit?: boolean } = {}) {
  if (!isUuid(id)) throw new NotFoundError();
  // One hand-written query (detail-query.ts) giving the shape of caseDetailInclude; the ORM read cost most of the page.
  const found = await caseDetailRow(db, actor, id);
  if (!found) throw new NotFoundError();
  if (found.client.isConfidential && options.audit !== false) {
    await recordAudit(db, { actorId: actor.id, action: "case.read_restricted", entityType: "case", entityId: found.id, context: actor.context });
  }
  const facts = factsOf(found);
  return {
    case: found,
    facts,
    allowedNext: allowedNextStatuses(found.status),
    permissions: {
      edit: can(actor, "case.edit", facts),
      changeStatus: can(actor, "case.changeStatus", facts),
      manageTeam: can(actor, "case.manageTeam", facts),
      delete: can(actor, "case.delete"),
    },
  };
}

export async function updateCase(db: Db, actor: Actor, id: string, input: EditCaseInput, settings: CaseSettings): Promise<void> {
  await db.$transaction(async (tx) => {
    const before = await lockVisibleCase(tx, actor, id);
    assertCan(actor, "case.edit", factsOf(before));
    if (input.updatedAt && before.updatedAt.toISOString() !== input.updatedAt) {
      throw new ConflictError("Someone else saved this case while you were editing. Your changes are below, not yet saved: check the current values and save again.");
    }
    const problems: Record<string, string> = {};
    if (before.type.requiresLegalReview && !input.legalReviewRequired) problems.legalReviewRequired = `Cases of the type ${before.type.name} always need legal review.`;
    if (before.type.requiresComplianceReview && !input.complianceReviewRequired) problems.complianceReviewRequired = `Cases of the type ${before.type.name} always need compliance review.`;
    // A review someone asked for is lifted by a manager or an administrator, not by the team doing the work.
    if (actor.role === "staff") {
      if (before.legalReviewRequired && !input.legalReviewRequired) problems.legalReviewRequired ??= "Only managers and administrators remove a legal review requirement.";
      if (before.complianceReviewRequired && !input.complianceReviewRequired) problems.complianceReviewRequired ??= "Only managers and administrators remove a compliance review requirement.";
    }
    if (Object.keys(problems).length) throw new ValidationError(problems);
    await checkContact(tx, before.clientId, input.contactId, before.contactId);
    checkBilling(input);
    if (input.managerId !== before.managerId) await checkManagerCapacity(tx, input.managerId, settings);
    const data = Object.fromEntries(CASE_FIELDS.map((f) => [f, input[f]])) as Prisma.CaseUncheckedUpdateInput;
    const after = await tx.case.update({ where: { id }, data: { ...data, updatedById: actor.id } });
    // The new manager may have been on the team; they lead it now.
    if (input.managerId !== before.managerId) {
      await tx.caseTeamMember.deleteMany({ where: { caseId: id, userId: input.managerId } });
      await noticeCaseAssigned(tx, actor.id, { id, caseNumber: after.caseNumber, title: after.title, clientId: after.clientId, managerId: input.managerId });
    }
    const changes = changedFields(auditView(before), auditView(after), AUDITED);
    if (changes) await recordAudit(tx, { actorId: actor.id, action: "case.update", entityType: "case", entityId: id, changes, context: actor.context });
  });
}

/** Moves a case along the status machine. `from` is what the user saw: a repeated click finds it moved and changes nothing. */
export async function changeCaseStatus(db: Db, actor: Actor, id: string, input: TransitionInput): Promise<{ status: CaseStatus }> {
  return db.$transaction(async (tx) => {
    const before = await lockVisibleCase(tx, actor, id);
    assertCan(actor, "case.changeStatus", factsOf(before));
    if (input.from && input.from !== before.status) {
      const why = canMove(before.status, input.to) ? "Nothing was changed: check it and try again." : transitionRefusal(before.status, input.to);
      throw new ConflictError(`This case is ${STATUS_LABELS[before.status]} now: it was moved while you were looking. ${why}`);
    }
    assertTransition(before.status, input.to);
    const data: Prisma.CaseUncheckedUpdateInput = { status: input.to, statusChangedAt: new Date(), updatedById: actor.id };
    if (input.to === "resolved" || (input.to === "closed" && !before.resolutionDate)) {
      if (!input.resolutionType) throw new ValidationError({ resolutionType: `Say how the case ended before it is ${STATUS_LABELS[input.to].toLowerCase()}.` });
      data.resolutionDate = new Date();
      data.resolutionType = input.resolutionType;
      data.resolutionSummary = input.resolutionSummary;
    } else if (input.to === "closed" && input.resolutionType) {
      data.resolutionType = input.resolutionType;
      if (input.resolutionSummary) data.resolutionSummary = input.resolutionSummary;
    }
    if (input.to === "closed" && before.complianceReviewRequired) {
      const missing = await complianceClosingProblems(tx, id);
      if (missing.length) {
        throw new ValidationError({ to: `This case requires compliance review: it cannot close without ${missing.join(" and ")}.` });
      }
    }
    if (input.to === "reopened") {
      data.resolutionDate = null;
      data.resolutionType = null;
      data.resolutionSummary = null;
    }
    const after = await tx.case.update({ where: { id }, data });
    await recordAudit(tx, {
      actorId: actor.id,
      action: "case.status",
      entityType: "case",
      entityId: id,
      changes: { ...changedFields(auditView(before), auditView(after), AUDITED), ...(input.note ? eventFacts({ note: input.note }) : {}) },
      context: actor.context,
    });
    return { status: after.status };
  });
}

export async function addTeamMember(db: Db, actor: Actor, caseId: string, input: { userId: string; role: CaseTeamRole }): Promise<{ name: string }> {
  return db.$transaction(async (tx) => {
    const before = await lockVisibleCase(tx, actor, caseId);
    assertCan(actor, "case.manageTeam", factsOf(before));
    const user = await tx.user.findUnique({ where: { id: input.userId }, select: { id: true, name: true, active: true } });
    if (!user || !user.active) throw new ValidationError({ userId: "Choose an active user." });
    if (user.id === before.managerId) throw new ValidationError({ userId: `${user.name} is the case manager and leads the case already.` });
    const existing = before.team.find((t) => t.userId === user.id);
    if (existing?.role === input.role) throw new ConflictError(`${user.name} is already on the team as ${LABELS[input.role]}.`);
    await tx.caseTeamMember.upsert({ where: { caseId_userId: { caseId, userId: user.id } }, create: { caseId, userId: user.id, role: input.role }, update: { role: input.role } });
    await tx.case.update({ where: { id: caseId }, data: { updatedById: actor.id } });
    await recordAudit(tx, {
      actorId: actor.id,
      action: existing ? "case.team_role" : "case.team_add",
      entityType: "case",
      entityId: caseId,
      changes: { [`team:${user.name}`]: { before: existing ? existing.role : null, after: input.role } },
      context: actor.context,
    });
    return { name: user.name };
  });
}

export async function removeTeamMember(db: Db, actor: Actor, caseId: string, userId: string): Promise<{ name: string }> {
  return db.$transaction(async (tx) => {
    const before = await lockVisibleCase(tx, actor, caseId);
    assertCan(actor, "case.manageTeam", factsOf(before));
    const member = before.team.find((t) => t.userId === userId);
    if (!member) throw new NotFoundError();
    const user = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { name: true } });
    const stages = await tx.caseStage.findMany({ where: { caseId, assigneeId: userId, status: { in: ["pending", "in_progress"] } }, select: { name: true } });
    if (stages.length) {
      throw new ConflictError(`${user.name} is assigned ${stages.map((s) => `"${s.name}"`).join(", ")}: give ${stages.length === 1 ? "that stage" : "those stages"} to someone else first.`);
    }
    await tx.caseTeamMember.delete({ where: { caseId_userId: { caseId, userId } } });
    await tx.case.update({ where: { id: caseId }, data: { updatedById: actor.id } });
    await recordAudit(tx, { actorId: actor.id, action: "case.team_remove", entityType: "case", entityId: caseId, changes: { [`team:${user.name}`]: { before: member.role, after: null } }, context: actor.context });
    return { name: user.name };
  });
}

/** Stages that block deletion: started and not finished, or waiting for approvals. */
export async function unfinishedWork(tx: Tx | Db, caseId: string) {
  const stages = await tx.caseStage.findMany({
    where: { caseId, status: "in_progress" },
    select: { name: true, approvalRequired: true, minApprovers: true, _count: { select: { approvals: true } } },
    orderBy: { position: "asc" },
  });
  return {
    activeStages: stages.map((s) => s.name),
    pendingApprovals: stages.filter((s) => s.approvalRequired && s._count.approvals < s.minApprovers).map((s) => s.name),
  };
}

/** Soft delete: the case disappears for everyone and an administrator can restore it. */
export async function deleteCase(db: Db, actor: Actor, id: string, reason: string): Promise<{ caseNumber: string }> {
  return db.$transaction(async (tx) => {
    const before = await lockVisibleCase(tx, actor, id);
    assertCan(actor, "case.delete");
    const { activeStages, pendingApprovals } = await unfinishedWork(tx, id);
    if (activeStages.length || pendingApprovals.length) {
      const parts = [];
      if (activeStages.length) parts.push(`active stages (${activeStages.join(", ")})`);
      if (pendingApprovals.length) parts.push(`approvals still pending (${pendingApprovals.join(", ")})`);
      throw new ConflictError(`This case cannot be deleted while it has ${parts.join(" and ")}. Complete or skip them first.`);
    }
    await tx.case.update({ where: { id }, data: { deletedAt: new Date(), deletedById: actor.id } });
    await recordAudit(tx, { actorId: actor.id, action: "case.delete", entityType: "case", entityId: id, changes: eventFacts({ caseNumber: before.caseNumber, reason }), context: actor.context });
    return { caseNumber: before.caseNumber };
  });
}

export async function restoreCase(db: Db, actor: Actor, id: string): Promise<{ caseNumber: string }> {
  assertCan(actor, "case.restore");
  if (!isUuid(id)) throw new NotFoundError();
  return db.$transaction(async (tx) => {
    if (!(await caseIsVisible(tx, actor, id, { deleted: true }))) throw new NotFoundError();
    const [row] = await tx.$queryRaw<{ case_number: string; deleted_at: Date | null }[]>`SELECT case_number, deleted_at FROM cases WHERE id = ${id}::uuid FOR UPDATE`;
    if (!row?.deleted_at) throw new ConflictError("This case has been restored already.");
    await tx.case.update({ where: { id }, data: { deletedAt: null, deletedById: null, updatedById: actor.id } });
    await recordAudit(tx, { actorId: actor.id, action: "case.restore", entityType: "case", entityId: id, changes: eventFacts({ caseNumber: row.case_number }), context: actor.context });
    return { caseNumber: row.case_number };
  });
}

/** Users who may manage cases or join teams (active ones), for the pickers. */
export function activeUsers(db: Db) {
  return db.user.findMany({ where: { active: true }, select: { id: true, name: true, email: true, department: true }, orderBy: { name: "asc" } });
}
