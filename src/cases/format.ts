// How the case pages show stored values and audit entries: amounts, field and action names, history values.
import { isUuid } from "../web/fields.ts";
import { amount } from "../web/format.ts";
import * as schemas from "./schemas.ts";
import type { CASE_FIELDS, CaseDetail } from "./service.ts";

/** Amounts as 12,500.00; Prisma decimals, numbers and audit values alike. */
export function money(value: { toString(): string } | number | string | null | undefined): string {
  return amount(value);
}

/** Field names as the forms and the history call them. */
export const FIELD_LABELS: Record<string, string> = {
  caseNumber: "Case number",
  title: "Title",
  description: "Description",
  summary: "Summary",
  clientId: "Client",
  contactId: "Contact",
  managerId: "Case manager",
  typeId: "Case type",
  templateId: "Template",
  template: "Template",
  stages: "Stages",
  category: "Category",
  priority: "Priority",
  complexity: "Complexity",
  riskLevel: "Risk level",
  nextReviewDate: "Next review date",
  complianceReviewRequired: "Compliance review required",
  legalReviewRequired: "Legal review required",
  estimatedValue: "Estimated value",
  actualCost: "Actual cost",
  billingMethod: "Billing method",
  satisfaction: "Satisfaction",
  status: "Status",
  resolutionDate: "Resolution date",
  resolutionType: "Resolution type",
  resolutionSummary: "Resolution summary",
  note: "Note",
  notes: "Notes",
  reason: "Reason",
  assigneeId: "Assignee",
  deadline: "Deadline",
};

/** Audit actions of a case, in words. */
export const ACTION_LABELS: Record<string, string> = {
  "case.create": "Case opened",
  "case.update": "Case edited",
  "case.status": "Status changed",
  "case.team_add": "Team member added",
  "case.team_role": "Team role changed",
  "case.team_remove": "Team member removed",
  "case.delete": "Case deleted",
  "case.restore": "Case restored",
  "case.stage_start": "Stage started",
  "case.stage_approve": "Stage approved",
  "case.stage_complete": "Stage completed",
  "case.stage_skip": "Stage skipped",
  "case.stage_update": "Stage updated",
  "case.stage_note": "Stage note added",
};

/** A stored value of the case, as the conflict notice shows it. */
export function savedText(kase: CaseDetail, field: (typeof CASE_FIELDS)[number]): string {
  const value = kase[field];
  if (field === "managerId") return kase.manager.name;
  if (field === "contactId") return kase.contact?.name ?? "—";
  if (field === "estimatedValue" || field === "actualCost") return money(kase[field]);
  if (value === null || value === undefined || value === "") return "—";
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === "boolean") return value ? "Yes" : "No";
  return schemas.LABELS[String(value)] ?? String(value);
}

/** The form's order for known fields (the audit log's JSON does not keep it); stage and team entries after them. */
const FIELD_ORDER = Object.keys(FIELD_LABELS);
export function fieldOrder(field: string): number {
  const at = FIELD_ORDER.indexOf(field);
  return at < 0 ? FIELD_ORDER.length : at;
}

/** "stage:Intake:deadline" → "Stage Intake: Deadline"; "team:Ann" → "Team: Ann". */
export function changeLabel(field: string): string {
  const [kind, name, sub] = field.split(":");
  if (kind === "stage" && name !== undefined) return sub ? `Stage ${name}: ${FIELD_LABELS[sub] ?? sub}` : `Stage ${name}`;
  if (kind === "team" && name !== undefined) return `Team: ${name}`;
  return FIELD_LABELS[field] ?? field;
}

const ENUM_FIELDS = new Set(["status", "category", "priority", "complexity", "riskLevel", "billingMethod", "resolutionType"]);

/** A value from the audit log in words: names for ids, labels for enum values, dates and money formatted. */
export function historyValue(field: string, value: unknown, names: Map<string, string>): string {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (Array.isArray(value)) return value.map((v) => historyValue(field, v, names)).join(", ") || "—";
  if (typeof value === "number") return field === "estimatedValue" || field === "actualCost" ? money(value) : String(value);
  if (typeof value !== "string") return JSON.stringify(value);
  if (isUuid(value)) return names.get(value) ?? "(someone no longer known)";
  if (field === "nextReviewDate" || field.endsWith(":deadline")) return /^\d{4}-\d{2}-\d{2}T/.test(value) ? value.slice(0, 10) : value;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return `${value.slice(0, 10)} ${value.slice(11, 16)} UTC`;
  const sub = field.split(":");
  if (ENUM_FIELDS.has(field) || sub[0] === "team" || (sub[0] === "stage" && sub.length === 2)) return schemas.LABELS[value] ?? value;
  return value;
}
