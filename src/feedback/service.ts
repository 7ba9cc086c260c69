// Client feedback: the rules, in the firm's words. Visibility and permissions come from access/feedback.ts. Each
// change locks its client row first (so a recording and a finalizing of the same client run one after the other),
// checks, writes and audits in one transaction. Finalized feedback never changes: refused here, and by a trigger.
import type { Db, Tx } from "../db/client.ts";
import type { Actor } from "../access/roles.ts";
import { feedbackActions } from "../access/feedback.ts";
import { changedFields, recordAudit } from "../audit/service.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../errors.ts";
import { feedbackById, feedbackClient, feedbackForPeriod, type FeedbackClient, type FeedbackRow } from "./queries.ts";
import { periodCode, periodLabel, type Period } from "./periods.ts";
import type { FeedbackInput } from "./schemas.ts";

/** The fields a feedback form writes, in audit order. */
const AUDITED = ["periodKind", "periodStart", "responsiveness", "communication", "requirementsClarity", "decisionSpeed", "overallSatisfaction", "writtenFeedback"] as const;

/** A second feedback for the same client and period: the form says so next to the period, with a link to the first. */
export class DuplicateFeedbackError extends ValidationError {
  constructor(
    period: Period,
    public readonly existingId: string,
  ) {
    super({ period: `Feedback for ${periodLabel(period)} is already recorded for this client: open it to change it.` });
    this.name = "DuplicateFeedbackError";
  }
}

/** Finalized feedback cannot change: said as a conflict (409), never a 500. */
export class FinalizedFeedbackError extends ConflictError {
  constructor(label: string) {
    super(`The feedback for ${label} is finalized and can no longer change.`);
    this.name = "FinalizedFeedbackError";
  }
}

/** Locks the client row, then reads it through the actor's visibility (hidden and missing: 404). */
async function lockVisibleClient(tx: Tx, actor: Actor, clientId: string): Promise<FeedbackClient> {
  const client = await feedbackClient(tx, actor, clientId);
  if (!client) throw new NotFoundError();
  await tx.$queryRaw`SELECT id FROM clients WHERE id = ${client.id}::uuid FOR UPDATE`;
  // Read again after the lock: a team or restriction change committed while this waited counts.
  const locked = await feedbackClient(tx, actor, clientId);
  if (!locked) throw new NotFoundError();
  return locked;
}

async function visibleFeedback(tx: Tx, actor: Actor, clientId: string, feedbackId: string): Promise<FeedbackRow> {
  const row = await feedbackById(tx, actor, clientId, feedbackId);
  if (!row) throw new NotFoundError();
  return row;
}

function assertMayRecord(actor: Actor, client: FeedbackClient): void {
  if (!feedbackActions.record(actor, client.onTeam)) throw new ForbiddenError("Feedback is recorded by the client's team, managers and administrators.");
}

function ratingData(input: FeedbackInput) {
  return {
    periodKind: input.period.kind,
    periodStart: input.period.start,
    responsiveness: input.responsiveness,
    communication: input.communication,
    requirementsClarity: input.requirementsClarity,
    decisionSpeed: input.decisionSpeed,
    overallSatisfaction: input.overallSatisfaction,
    writtenFeedback: input.writtenFeedback,
  };
}

async function refuseDuplicate(tx: Tx, actor: Actor, clientId: string, period: Period, except?: string): Promise<void> {
  const existing = await feedbackForPeriod(tx, actor, clientId, period.kind, period.start);
  if (existing && existing.id !== except) throw new DuplicateFeedbackError(period, existing.id);
}

/** The unique index is the last word on "one per client and period": a race lost to another recording says so too. */
async function holdingOnePerPeriod<T>(db: Db, actor: Actor, clientId: string, period: Period, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code !== "P2002") throw error;
    const existing = await feedbackForPeriod(db, actor, clientId, period.kind, period.start);
    if (existing) throw new DuplicateFeedbackError(period, existing.id);
    throw new ConflictError("Feedback for this period was recorded at the same moment. Reload the page and try again.");
  }
}

export async function recordFeedback(db: Db, actor: Actor, clientId: string, input: FeedbackInput): Promise<{ id: string; label: string }> {
  return holdingOnePerPeriod(db, actor, clientId, input.period, () =>
    db.$transaction(async (tx) => {
      const client = await lockVisibleClient(tx, actor, clientId);
      assertMayRecord(actor, client);
      await refuseDuplicate(tx, actor, client.id, input.period);
      const created = await tx.clientFeedback.create({ data: { ...ratingData(input), clientId: client.id, recordedById: actor.id } });
      await recordAudit(tx, {
        actorId: actor.id,
        action: "feedback.create",
        entityType: "client_feedback",
        entityId: created.id,
        changes: { clientId: { before: null, after: client.id }, ...changedFields(null, auditView(created), AUDITED) },
        context: actor.context,
      });
      return { id: created.id, label: periodLabel(input.period) };
    }),
  );
}

export async function updateFeedback(db: Db, actor: Actor, clientId: string, feedbackId: string, input: FeedbackInput): Promise<{ label: string }> {
  return holdingOnePerPeriod(db, actor, clientId, input.period, () =>
    db.$transaction(async (tx) => {
      const client = await lockVisibleClient(tx, actor, clientId);
      const before = await visibleFeedback(tx, actor, client.id, feedbackId);
      assertMayRecord(actor, client);
      if (before.finalizedAt) throw new FinalizedFeedbackError(periodLabel({ kind: before.periodKind, start: before.periodStart }));
      if (input.updatedAt && before.updatedAt.toISOString() !== input.updatedAt) {
        throw new ConflictError("Someone else saved this feedback while you were editing. Your changes are below, not yet saved: check the current values and save again.");
      }
      await refuseDuplicate(tx, actor, client.id, input.period, before.id);
      const after = await tx.clientFeedback.update({ where: { id: before.id }, data: { ...ratingData(input), updatedById: actor.id } });
      const changes = changedFields(auditView(before), auditView(after), AUDITED);
      if (changes) await recordAudit(tx, { actorId: actor.id, action: "feedback.update", entityType: "client_feedback", entityId: before.id, changes, context: actor.context });
      return { label: periodLabel(input.period) };
    }),
  );
}

/** Finalizing fixes the feedback for good (managers and administrators); finalizing it again changes nothing. */
export async function finalizeFeedback(db: Db, actor: Actor, clientId: string, feedbackId: string): Promise<{ label: string; changed: boolean }> {
  return db.$transaction(async (tx) => {
    const client = await lockVisibleClient(tx, actor, clientId);
    const before = await visibleFeedback(tx, actor, client.id, feedbackId);
    if (!feedbackActions.finalize(actor)) throw new ForbiddenError("Only managers and administrators finalize feedback.");
    const label = periodLabel({ kind: before.periodKind, start: before.periodStart });
    if (before.finalizedAt) return { label, changed: false };
    const finalizedAt = new Date();
    await tx.clientFeedback.update({ where: { id: before.id }, data: { finalizedAt, finalizedById: actor.id } });
    await recordAudit(tx, {
      actorId: actor.id,
      action: "feedback.finalize",
      entityType: "client_feedback",
      entityId: before.id,
      changes: { finalizedAt: { before: null, after: finalizedAt.toISOString() }, finalizedById: { before: null, after: actor.id } },
      context: actor.context,
    });
    return { label, changed: true };
  });
}

/** The period as its code, so the audit log shows "2026-Q1" rather than a timestamp. */
function auditView(row: { periodKind: Period["kind"]; periodStart: Date }): Record<string, unknown> {
  return { ...row, periodStart: periodCode({ kind: row.periodKind, start: row.periodStart }) };
}
