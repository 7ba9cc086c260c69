// A case's workflow: stages copied from its template, started in order (a parallel stage runs alongside the one
// before it), approved by distinct allowed users, completed only with enough approvals. Every change locks the case
// row first, so two people clicking the same button at once change it once.
import type { Db, Tx } from "../db/client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { Actor } from "../access/roles.ts";
import { visibleCasesSql } from "../access/cases.ts";
import { approvableStageTypes, assertCan, can } from "../access/permissions.ts";
import { changedFields, eventFacts, recordAuditBy } from "../audit/service.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { isUuid } from "../web/fields.ts";
import { jsonDate, jsonRead, sqlInteger, sqlRead, type JsonRead } from "../db/sql.ts";
import { factsOf, lockVisibleCase } from "./service.ts";
import { caseByKey } from "./queries.ts";
import { noticeStageAssigned } from "../notifications/events.ts";

interface StageOrder {
  id: string;
  name: string;
  position: number;
  required: boolean;
  parallel: boolean;
  status: string;
}

const finished = (status: string) => status === "completed" || status === "skipped";

/** Earlier required stages that must finish before this one starts (a parallel stage joins the group before it). */
export function stagesBlocking(stages: StageOrder[], stageId: string): StageOrder[] {
  const ordered = [...stages].sort((a, b) => a.position - b.position);
  let groupStart = ordered.findIndex((s) => s.id === stageId);
  if (groupStart < 0) return [];
  while (groupStart > 0 && ordered[groupStart]!.parallel) groupStart--;
  return ordered.slice(0, groupStart).filter((s) => s.required && !finished(s.status));
}

/** The case's current stage: the first one under way, else the first one waiting, else none. */
async function refreshCurrentStage(tx: Tx, caseId: string): Promise<void> {
  const stages = await tx.caseStage.findMany({ where: { caseId }, orderBy: { position: "asc" }, select: { id: true, status: true } });
  const current = stages.find((s) => s.status === "in_progress") ?? stages.find((s) => s.status === "pending") ?? null;
  await tx.case.update({ where: { id: caseId }, data: { currentStageId: current?.id ?? null } });
}

async function lockStage(tx: Tx, actor: Actor, caseId: string, stageId: string) {
  const kase = await lockVisibleCase(tx, actor, caseId);
  if (!isUuid(stageId)) throw new NotFoundError();
  const stage = await tx.caseStage.findFirst({ where: { id: stageId, caseId }, include: { approvals: { select: { userId: true } } } });
  if (!stage) throw new NotFoundError();
  return { kase, stage };
}

function refuseOnFinishedCase(status: string): void {
  if (status === "resolved" || status === "closed") throw new ConflictError("This case is resolved or closed: reopen it before working on its stages.");
}

function audit(tx: Tx, actor: Actor, caseId: string, action: string, changes: Record<string, { before: unknown; after: unknown }>) {
  return recordAuditBy(tx, actor, { action, entityType: "case", entityId: caseId, changes });
}

export async function startStage(db: Db, actor: Actor, caseId: string, stageId: string): Promise<{ name: string }> {
  return db.$transaction(async (tx) => {
    const { kase, stage } = await lockStage(tx, actor, caseId, stageId);
    assertCan(actor, "stage.work", { kase: factsOf(kase), stage });
    refuseOnFinishedCase(kase.status);
    if (stage.status !== "pending") throw new ConflictError(`The stage "${stage.name}" has already been started.`);
    const all = await tx.caseStage.findMany({ where: { caseId }, select: { id: true, name: true, position: true, required: true, parallel: true, status: true } });
    const blocking = stagesBlocking(all, stage.id);
    if (blocking.length) throw new ConflictError(`Finish ${blocking.map((s) => `"${s.name}"`).join(", ")} before starting "${stage.name}".`);
    await tx.caseStage.update({ where: { id: stage.id }, data: { status: "in_progress", startedAt: new Date(), startedById: actor.id } });
    await refreshCurrentStage(tx, caseId);
    await audit(tx, actor, caseId, "case.stage_start", { [`stage:${stage.name}`]: { before: "pending", after: "in_progress" } });
    return { name: stage.name };
  });
}

export async function approveStage(db: Db, actor: Actor, caseId: string, stageId: string, note: string | null): Promise<{ name: string; approvals: number; needed: number }> {
  return db.$transaction(async (tx) => {
    const { kase, stage } = await lockStage(tx, actor, caseId, stageId);
    assertCan(actor, "stage.approve", stage);
    refuseOnFinishedCase(kase.status);
    if (!stage.approvalRequired) throw new ConflictError(`The stage "${stage.name}" does not need approval.`);
    if (stage.status !== "in_progress") throw new ConflictError(stage.status === "pending" ? `Start the stage "${stage.name}" before approving it.` : `The stage "${stage.name}" is ${stage.status} already.`);
    if (stage.approvals.some((a) => a.userId === actor.id)) throw new ConflictError(`You have already approved "${stage.name}"; approvals must come from different people.`);
    await tx.caseStageApproval.create({ data: { stageId: stage.id, userId: actor.id, note } });
    const approvals = stage.approvals.length + 1;
    await audit(tx, actor, caseId, "case.stage_approve", { [`stage:${stage.name}`]: { before: `${approvals - 1} of ${stage.minApprovers} approvals`, after: `${approvals} of ${stage.minApprovers} approvals` }, ...(note ? eventFacts({ note }) : {}) });
    return { name: stage.name, approvals, needed: stage.minApprovers };
  });
}

export async function completeStage(db: Db, actor: Actor, caseId: string, stageId: string, notes: string | null): Promise<{ name: string }> {
  return db.$transaction(async (tx) => {
    const { kase, stage } = await lockStage(tx, actor, caseId, stageId);
    assertCan(actor, "stage.work", { kase: factsOf(kase), stage });
    refuseOnFinishedCase(kase.status);
    if (stage.status === "completed" || stage.status === "skipped") throw new ConflictError(`The stage "${stage.name}" is ${stage.status} already.`);
    if (stage.status === "pending") throw new ConflictError(`Start the stage "${stage.name}" before completing it.`);
    if (stage.approvalRequired && stage.approvals.length < stage.minApprovers) {
      throw new ValidationError({ _form: `"${stage.name}" needs ${stage.minApprovers} approval${stage.minApprovers === 1 ? "" : "s"} from different people before it is complete; it has ${stage.approvals.length}.` });
    }
    await tx.caseStage.update({ where: { id: stage.id }, data: { status: "completed", completedAt: new Date(), completedById: actor.id, notes: notes ?? stage.notes } });
    await refreshCurrentStage(tx, caseId);
    await audit(tx, actor, caseId, "case.stage_complete", { [`stage:${stage.name}`]: { before: "in_progress", after: "completed" }, ...(notes ? eventFacts({ notes }) : {}) });
    return { name: stage.name };
  });
}

/** Optional stages may be skipped; required ones must be completed. */
export async function skipStage(db: Db, actor: Actor, caseId: string, stageId: string): Promise<{ name: string }> {
  return db.$transaction(async (tx) => {
    const { kase, stage } = await lockStage(tx, actor, caseId, stageId);
    assertCan(actor, "case.skipStage", factsOf(kase));
    refuseOnFinishedCase(kase.status);
    if (stage.required) throw new ConflictError(`The stage "${stage.name}" is required and cannot be skipped.`);
    if (finished(stage.status)) throw new ConflictError(`The stage "${stage.name}" is ${stage.status} already.`);
    await tx.caseStageApproval.deleteMany({ where: { stageId: stage.id } });
    await tx.caseStage.update({ where: { id: stage.id }, data: { status: "skipped" } });
    await refreshCurrentStage(tx, caseId);
    await audit(tx, actor, caseId, "case.stage_skip", { [`stage:${stage.name}`]: { before: stage.status, after: "skipped" } });
    return { name: stage.name };
  });
}

/** Assignee, deadline and notes of a stage; the assignee must be the case manager or on the team. */
export async function updateStage(db: Db, actor: Actor, caseId: string, stageId: string, input: { assigneeId: string | null; deadline: Date | null; notes: string | null }): Promise<{ name: string }> {
  return db.$transaction(async (tx) => {
    const { kase, stage } = await lockStage(tx, actor, caseId, stageId);
    assertCan(actor, "case.planStages", factsOf(kase));
    if (input.assigneeId && input.assigneeId !== stage.assigneeId && input.assigneeId !== kase.managerId && !kase.team.some((t) => t.userId === input.assigneeId)) {
      throw new ValidationError({ assigneeId: "Choose the case manager or someone on the case's team (add them to the team first)." });
    }
    const after = await tx.caseStage.update({ where: { id: stage.id }, data: { assigneeId: input.assigneeId, deadline: input.deadline, notes: input.notes } });
    const changes = changedFields(stage, after, ["assigneeId", "deadline", "notes"]);
    if (after.assigneeId !== stage.assigneeId) await noticeStageAssigned(tx, actor.id, after, { id: kase.id, caseNumber: kase.caseNumber, clientId: kase.clientId });
    if (changes) {
      const labelled = Object.fromEntries(Object.entries(changes).map(([field, change]) => [`stage:${stage.name}:${field}`, change]));
      await audit(tx, actor, caseId, "case.stage_update", labelled);
    }
    return { name: stage.name };
  });
}

export interface WaitingApproval {
  case_id: string;
  case_number: string;
  title: string;
  stage_id: string;
  stage_name: string;
  stage_type: string;
  approvals: number;
  min_approvers: number;
  deadline: Date | null;
}

/**
 * Stages waiting for this user's approval: under way, needing approval, short of approvers, not yet approved by
 * them, on cases they can see, of a kind they may approve; the nearest deadline first. The stages under way that need
 * approval are walked in that order from their own index (migration `awaiting_approval_index`: deadline, case,
 * position), each case looked up by its key, until `limit` are found.
 */
export function approvalsWaitingForRead(actor: Actor, limit = 20): JsonRead<WaitingApproval[]> {
  const kinds = approvableStageTypes(actor);
  return jsonRead<Omit<WaitingApproval, "deadline"> & { deadline: string | null }, WaitingApproval[]>(
    kinds.length === 0
      ? null
      : Prisma.sql`
      SELECT k.id AS case_id, k.case_number, k.title, s.id AS stage_id, s.name AS stage_name, s.stage_type::text AS stage_type,
             (SELECT count(*)::int FROM case_stage_approvals a WHERE a.stage_id = s.id) AS approvals, s.min_approvers, s.deadline
      FROM case_stages s ${caseByKey("s.case_id")}
      WHERE s.status = 'in_progress' AND s.approval_required
        AND k.status NOT IN ('resolved', 'closed')
        AND s.stage_type::text = ANY(${kinds}::text[])
        AND NOT EXISTS (SELECT 1 FROM case_stage_approvals a WHERE a.stage_id = s.id AND a.user_id = ${actor.id}::uuid)
        AND (SELECT count(*) FROM case_stage_approvals a WHERE a.stage_id = s.id) < s.min_approvers
        AND ${visibleCasesSql(actor, "k")}
      ORDER BY s.deadline ASC NULLS LAST, s.case_id, s.position
      LIMIT ${sqlInteger(limit)}`,
    (rows) => rows.map((r) => ({ ...r, deadline: jsonDate(r.deadline) })),
  );
}

export function approvalsWaitingFor(db: Db, actor: Actor, limit = 20): Promise<WaitingApproval[]> {
  return sqlRead(db, approvalsWaitingForRead(actor, limit));
}

export interface StageButtons {
  start: boolean;
  approve: boolean;
  complete: boolean;
  skip: boolean;
  edit: boolean;
  /** Names of earlier stages that must finish first (why "start" is not offered). */
  waitingFor: string[];
  /** Whether this user has approved the stage. */
  approvedByMe: boolean;
}

/** Which workflow buttons a user gets on each stage of a case they can see (the services check again on submit). */
export function stageButtonsFor(
  actor: Actor,
  kase: { status: string; managerId: string; team: { userId: string }[]; stages: (StageOrder & { stageType: string; assigneeId: string | null; approvalRequired: boolean; minApprovers: number; approvals: { userId: string }[] })[] },
): Record<string, StageButtons> {
  const facts = factsOf(kase);
  const open = kase.status !== "resolved" && kase.status !== "closed";
  const canEdit = can(actor, "case.edit", facts);
  const buttons: Record<string, StageButtons> = {};
  for (const stage of kase.stages) {
    const work = open && can(actor, "stage.work", { kase: facts, stage });
    const waitingFor = stage.status === "pending" ? stagesBlocking(kase.stages, stage.id).map((s) => s.name) : [];
    const approvedByMe = stage.approvals.some((a) => a.userId === actor.id);
    buttons[stage.id] = {
      start: work && stage.status === "pending" && waitingFor.length === 0,
      approve: open && stage.status === "in_progress" && stage.approvalRequired && !approvedByMe && can(actor, "stage.approve", stage),
      complete: work && stage.status === "in_progress" && (!stage.approvalRequired || stage.approvals.length >= stage.minApprovers),
      skip: open && canEdit && !stage.required && !finished(stage.status),
      edit: canEdit,
      waitingFor,
      approvedByMe,
    };
  }
  return buttons;
}
