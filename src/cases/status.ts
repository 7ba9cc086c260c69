// The case status machine, exactly as the firm defined it. Anything else is refused with the allowed next statuses.
import type { CaseStatus } from "../generated/prisma/enums.ts";
import { ValidationError } from "../errors.ts";

export const CASE_STATUSES = ["new", "assigned", "in_progress", "on_hold", "resolved", "closed", "reopened"] as const satisfies readonly CaseStatus[];

export const TRANSITIONS: Readonly<Record<CaseStatus, readonly CaseStatus[]>> = {
  new: ["assigned", "in_progress", "on_hold", "closed"],
  assigned: ["in_progress", "on_hold", "closed"],
  in_progress: ["on_hold", "resolved", "closed"],
  on_hold: ["in_progress", "closed"],
  resolved: ["closed", "reopened"],
  closed: ["reopened"],
  reopened: ["assigned", "in_progress"],
};

export const STATUS_LABELS: Readonly<Record<CaseStatus, string>> = {
  new: "New",
  assigned: "Assigned",
  in_progress: "In progress",
  on_hold: "On hold",
  resolved: "Resolved",
  closed: "Closed",
  reopened: "Reopened",
};

/** Statuses in which a case counts against its manager's capacity. */
export const ACTIVE_STATUSES = ["new", "assigned", "in_progress", "on_hold", "reopened"] as const satisfies readonly CaseStatus[];

export function allowedNextStatuses(from: CaseStatus): readonly CaseStatus[] {
  return TRANSITIONS[from];
}

export function canMove(from: CaseStatus, to: CaseStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

function listOf(statuses: readonly CaseStatus[]): string {
  const names = statuses.map((s) => STATUS_LABELS[s]);
  return names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
}

/** The message for a refused move, naming where the case may go instead. */
export function transitionRefusal(from: CaseStatus, to: CaseStatus): string {
  if (from === to) return `The case is already ${STATUS_LABELS[from]}. From ${STATUS_LABELS[from]} it can move to ${listOf(TRANSITIONS[from])}.`;
  return `A case cannot move from ${STATUS_LABELS[from]} to ${STATUS_LABELS[to]}. From ${STATUS_LABELS[from]} it can move to ${listOf(TRANSITIONS[from])}.`;
}

export function assertTransition(from: CaseStatus, to: CaseStatus): void {
  if (!canMove(from, to)) throw new ValidationError({ to: transitionRefusal(from, to) }, transitionRefusal(from, to));
}
