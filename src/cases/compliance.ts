// The compliance check before a case that requires compliance review may close: a completed approval stage and a
// compliance document. Documents do not exist yet; hasComplianceDocument is where the documents feature plugs in.
import type { Tx } from "../db/client.ts";

/**
 * Whether the case holds a document of type "compliance".
 * Until the documents feature exists there is nothing to look in, so this answers true and only the approval stage
 * is checked. The documents issue replaces the body with a query of the case's documents.
 */
export async function hasComplianceDocument(_tx: Tx, _caseId: string): Promise<boolean> {
  return true;
}

/** The reasons a compliance-review case may not close yet; empty when it may. */
export async function complianceClosingProblems(tx: Tx, caseId: string): Promise<string[]> {
  const problems: string[] = [];
  const approved = await tx.caseStage.count({ where: { caseId, approvalRequired: true, status: "completed" } });
  if (approved === 0) problems.push("a completed approval stage");
  if (!(await hasComplianceDocument(tx, caseId))) problems.push("a compliance document");
  return problems;
}
