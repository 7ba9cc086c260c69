// Shared by the case rule tests (rules, concurrency, numbering, access): reading what was stored and audited, and
// putting a case straight into a state the rules would take many steps to reach.
import type { Db } from "../../src/db/client.ts";
import type { Prisma } from "../../src/generated/prisma/client.ts";
import type { CaseStatus } from "../../src/generated/prisma/enums.ts";
import type { CurrentUser } from "../../src/access/roles.ts";
import { changeCaseStatus } from "../../src/cases/service.ts";
import { caseEditValues, editCaseForm, type EditCaseInput } from "../../src/cases/schemas.ts";
import { actor } from "./support.ts";

/** The audit events of a case, oldest first, optionally of one action. */
export function auditOf(db: Db, caseId: string, action?: string) {
  return db.auditEvent.findMany({ where: { entityType: "case", entityId: caseId, ...(action ? { action } : {}) }, orderBy: { id: "asc" } });
}

/** The changes of an audit event as a plain record. */
export function changesOf(event: { changes: Prisma.JsonValue }): Record<string, { before: unknown; after: unknown }> {
  return (event.changes ?? {}) as Record<string, { before: unknown; after: unknown }>;
}

/** Writes a status straight to the database, with a resolution where the status implies one. */
export async function putInStatus(db: Db, caseId: string, status: CaseStatus) {
  const resolved = status === "resolved" || status === "closed";
  await db.case.update({
    where: { id: caseId },
    data: {
      status,
      resolutionDate: resolved ? new Date("2024-05-01T10:00:00Z") : null,
      resolutionType: resolved ? "settled" : null,
      resolutionSummary: resolved ? "Agreed terms." : null,
    },
  });
}

/** Moves a case through the service as `by`, with a resolution type (needed for resolved and a first close). */
export function move(db: Db, by: CurrentUser, caseId: string, to: CaseStatus, from?: CaseStatus, extra: { resolutionType?: "settled" | "favorable" | null; resolutionSummary?: string | null; note?: string | null } = {}) {
  return changeCaseStatus(db, actor(by), caseId, {
    to,
    from,
    resolutionType: extra.resolutionType === undefined ? "settled" : extra.resolutionType,
    resolutionSummary: extra.resolutionSummary ?? null,
    note: extra.note ?? null,
  });
}

/** The edit form as a browser would post it for this case, with some fields changed. */
export function editInput(kase: Prisma.CaseGetPayload<object>, changes: Record<string, string> = {}): EditCaseInput {
  const { updatedAt: _saved, ...values } = caseEditValues(kase);
  return editCaseForm.parse({ ...values, ...changes });
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function refusal(promise: Promise<unknown>): Promise<Error & { fields?: Record<string, string> }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { fields?: Record<string, string> };
  }
  throw new Error("expected the call to be refused, but it succeeded");
}
