// The compliance check before a case that requires compliance review may close: a completed approval stage and a
// compliance document filed on the case.
import type { Tx } from "../db/client.ts";

/**
 * Whether the case holds a live (not deleted) document of the type "compliance" with at least one version: filed on
 * the case, or an existing document linked to it (document_cases).
 */
export async function hasComplianceDocument(tx: Tx, caseId: string): Promise<boolean> {
  const found = await tx.document.findFirst({
    where: { OR: [{ caseId }, { caseLinks: { some: { caseId } } }], deletedAt: null, versionCount: { gt: 0 }, type: { code: "compliance" } },
    select: { id: true },
  });
  return found !== null;
}

/** The reasons a compliance-review case may not close yet; empty when it may. */
export async function complianceClosingProblems(tx: Tx, caseId: string): Promise<string[]> {
  const problems: string[] = [];
  const approved = await tx.caseStage.count({ where: { caseId, approvalRequired: true, status: "completed" } });
  if (approved === 0) problems.push("a completed approval stage");
  if (!(await hasComplianceDocument(tx, caseId))) problems.push("a compliance document");
  return problems;
}
