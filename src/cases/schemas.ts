// Forms and filters of the cases area: one zod schema per form.
import { z } from "zod";
import { checkbox, optionalDate, optionalEnum, optionalText as optional, optionalUuid, requiredText as required, withoutUnstorable } from "../web/fields.ts";
import { CASE_STATUSES, STATUS_LABELS } from "./status.ts";
import type { Case } from "../generated/prisma/client.ts";

export { CASE_STATUSES };
export const PRIORITIES = ["low", "medium", "high", "critical"] as const;
export const COMPLEXITIES = ["simple", "moderate", "complex"] as const;
export const RISK_LEVELS = ["low", "medium", "high", "critical"] as const;
export const CATEGORIES = ["advisory", "litigation", "transactional", "regulatory", "dispute", "other"] as const;
export const BILLING_METHODS = ["hourly", "fixed_fee", "contingency", "retainer", "pro_bono"] as const;
export const RESOLUTION_TYPES = ["favorable", "settled", "unfavorable", "withdrawn", "referred", "no_action"] as const;
export const TEAM_ROLES = ["lead", "associate", "paralegal", "consultant", "reviewer", "observer"] as const;
export const STAGE_TYPES = ["intake", "analysis", "work", "review", "legal_review", "compliance_review", "approval", "closing"] as const;
export const STAGE_STATUSES = ["pending", "in_progress", "completed", "skipped"] as const;

export const LABELS: Record<string, string> = {
  ...STATUS_LABELS,
  low: "Low",
  medium: "Medium",
  high: "High",
  critical: "Critical",
  simple: "Simple",
  moderate: "Moderate",
  complex: "Complex",
  advisory: "Advisory",
  litigation: "Litigation",
  transactional: "Transactional",
  regulatory: "Regulatory",
  dispute: "Dispute",
  other: "Other",
  hourly: "Hourly",
  fixed_fee: "Fixed fee",
  contingency: "Contingency",
  retainer: "Retainer",
  pro_bono: "Pro bono",
  favorable: "Favorable outcome",
  settled: "Settled",
  unfavorable: "Unfavorable outcome",
  withdrawn: "Withdrawn",
  referred: "Referred elsewhere",
  no_action: "No action needed",
  lead: "Lead",
  associate: "Associate",
  paralegal: "Paralegal",
  consultant: "Consultant",
  reviewer: "Reviewer",
  observer: "Observer",
  intake: "Intake",
  analysis: "Analysis",
  work: "Work",
  review: "Review",
  legal_review: "Legal review",
  compliance_review: "Compliance review",
  approval: "Approval",
  closing: "Closing",
  pending: "Pending",
  completed: "Completed",
  skipped: "Skipped",
};

/** Money as typed (1234.5, 1,234.50): at most two decimals, kept as a number of currency units. */
export const optionalMoney = (label: string) =>
  z
    .string({ error: `${label} must be an amount.` })
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (!v) return null;
      const plain = v.replace(/,/g, "");
      if (!/^\d{1,13}(\.\d{1,2})?$/.test(plain)) {
        ctx.addIssue({ code: "custom", message: `${label} must be an amount like 12500 or 12,500.00 (at most two decimals, not negative).` });
        return z.NEVER;
      }
      return Number(plain);
    });

const satisfaction = z
  .string({ error: "Satisfaction must be a number from 1 to 5." })
  .trim()
  .optional()
  .transform((v, ctx) => {
    if (!v) return null;
    if (!/^[1-5]$/.test(v)) {
      ctx.addIssue({ code: "custom", message: "Satisfaction must be a whole number from 1 to 5." });
      return z.NEVER;
    }
    return Number(v);
  });

/** Cents, so money is compared without floating-point surprises. */
export const cents = (amount: number) => Math.round(amount * 100);

/** Billing rules, shared by the form (messages next to the fields) and the service (for every other caller). */
export function billingProblems(v: { billingMethod: string | null; estimatedValue: number | null; actualCost: number | null }): Record<string, string> {
  const problems: Record<string, string> = {};
  if (v.billingMethod && v.estimatedValue === null) problems.estimatedValue = "A billing method needs an estimated value.";
  if (v.actualCost !== null && v.estimatedValue !== null && cents(v.actualCost) * 2 > cents(v.estimatedValue) * 3) {
    problems.actualCost = `Actual cost may be at most 150% of the estimate (${(cents(v.estimatedValue) * 1.5 / 100).toFixed(2)}).`;
  }
  return problems;
}

export const caseFields = z.object({
  title: required("Title", 200),
  description: required("Description", 20_000),
  summary: optional("Summary", 5000),
  contactId: optionalUuid("contact"),
  managerId: z.uuid({ error: "Choose a case manager." }),
  category: z.enum(CATEGORIES, { error: "Choose a valid category." }).optional().default("other"),
  priority: z.enum(PRIORITIES, { error: "Choose a valid priority." }).optional().default("medium"),
  complexity: z.enum(COMPLEXITIES, { error: "Choose a valid complexity." }).optional().default("moderate"),
  riskLevel: z.enum(RISK_LEVELS, { error: "Choose a valid risk level." }).optional().default("low"),
  nextReviewDate: optionalDate("Next review date"),
  complianceReviewRequired: checkbox,
  legalReviewRequired: checkbox,
  estimatedValue: optionalMoney("Estimated value"),
  actualCost: optionalMoney("Actual cost"),
  billingMethod: optionalEnum(BILLING_METHODS, "billing method"),
  satisfaction,
});

const withBillingRules = <T extends z.ZodType<z.infer<typeof caseFields>>>(schema: T) =>
  schema.superRefine((v, ctx) => {
    for (const [path, message] of Object.entries(billingProblems(v))) ctx.addIssue({ code: "custom", path: [path], message });
  });

/** Opening a case: its client, type and (optionally) a template besides the editable fields. */
export const newCaseForm = withBillingRules(
  caseFields.extend({
    clientId: z.uuid({ error: "Choose a client." }),
    typeId: z.uuid({ error: "Choose a case type." }),
    /** Empty: the type's default template; "none": no workflow. */
    templateId: z.union([z.literal(""), z.literal("none"), z.uuid({ error: "Choose a valid template." })], { error: "Choose a valid template." }).optional().transform((v) => v || null),
  }),
);
export type NewCaseInput = z.infer<typeof newCaseForm>;

export const editCaseForm = withBillingRules(caseFields.extend({ updatedAt: z.string().optional() }));
export type EditCaseInput = z.infer<typeof editCaseForm>;

export const transitionForm = z.object({
  to: z.enum(CASE_STATUSES, { error: "Choose the status to move the case to." }),
  /** The status the user saw: a second click on the same move finds the case already moved. */
  from: z.enum(CASE_STATUSES).optional().catch(undefined),
  resolutionType: optionalEnum(RESOLUTION_TYPES, "resolution type"),
  resolutionSummary: optional("Resolution summary", 5000),
  note: optional("Note", 2000),
});
export type TransitionInput = z.infer<typeof transitionForm>;

export const teamMemberForm = z.object({
  userId: z.uuid({ error: "Choose a person." }),
  role: z.enum(TEAM_ROLES, { error: "Choose a role on the case." }).optional().default("associate"),
});

export const stageUpdateForm = z.object({
  assigneeId: optionalUuid("assignee"),
  deadline: optionalDate("Deadline"),
  notes: optional("Notes", 5000),
});

export const stageNoteForm = z.object({
  note: optional("Note", 2000),
});

export const deleteCaseForm = z.object({
  reason: required("Reason", 500),
});

const sortKeys = ["number", "title", "client", "status", "priority", "review", "updated", "created"] as const;
export const caseFilters = z.object({
  q: z.string().transform((v) => withoutUnstorable(v).trim()).pipe(z.string().max(200)).optional().catch(undefined),
  status: z.enum(CASE_STATUSES).optional().catch(undefined),
  priority: z.enum(PRIORITIES).optional().catch(undefined),
  type: z.uuid().optional().catch(undefined),
  manager: z.uuid().optional().catch(undefined),
  client: z.uuid().optional().catch(undefined),
  overdue: z.enum(["1"]).optional().catch(undefined),
  sort: z.enum(sortKeys).optional().catch(undefined),
  dir: z.enum(["asc", "desc"]).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(10_000).optional().catch(undefined),
  perPage: z.coerce.number().int().min(1).max(100).optional().catch(undefined),
});
export type CaseFilters = z.infer<typeof caseFilters>;

const dateValue = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : "");

/** The edit form's values from the stored case, as a browser would post them. */
export function caseEditValues(kase: Case): Record<string, string> {
  const values: Record<string, string> = {
    title: kase.title,
    description: kase.description,
    summary: kase.summary ?? "",
    contactId: kase.contactId ?? "",
    managerId: kase.managerId,
    category: kase.category,
    priority: kase.priority,
    complexity: kase.complexity,
    riskLevel: kase.riskLevel,
    nextReviewDate: dateValue(kase.nextReviewDate),
    estimatedValue: kase.estimatedValue === null ? "" : kase.estimatedValue.toFixed(2),
    actualCost: kase.actualCost === null ? "" : kase.actualCost.toFixed(2),
    billingMethod: kase.billingMethod ?? "",
    satisfaction: kase.satisfaction === null ? "" : String(kase.satisfaction),
    updatedAt: kase.updatedAt.toISOString(),
  };
  if (kase.complianceReviewRequired) values.complianceReviewRequired = "on";
  if (kase.legalReviewRequired) values.legalReviewRequired = "on";
  return values;
}
