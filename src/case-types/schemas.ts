// Forms of the case types and case templates admin. The template form carries an ordered stage editor in flat field
// names (stage_name_0, stage_type_0 ...): the app parses urlencoded bodies with extended: false.
import { z } from "zod";
import { checkbox, optionalEnum, optionalText, optionalUuid, requiredText } from "../web/fields.ts";
import { fieldErrors, type FormResult } from "../web/forms.ts";
import { BILLING_METHODS, STAGE_TYPES } from "../cases/schemas.ts";
import type { StageType } from "../generated/prisma/enums.ts";

const code = z
  .string({ error: "Code is required." })
  .trim()
  .min(1, "Code is required.")
  .max(30, "Code must be at most 30 characters.")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "Use letters, digits, dots, dashes and underscores, starting with a letter or digit.");

export const caseTypeForm = z.object({
  name: requiredText("Name", 100),
  code,
  description: optionalText("Description", 1000),
  parentId: optionalUuid("parent type"),
  requiresLegalReview: checkbox,
  requiresComplianceReview: checkbox,
  defaultBillingMethod: optionalEnum(BILLING_METHODS, "billing method"),
  defaultTemplateId: optionalUuid("template"),
  active: checkbox,
});
export type CaseTypeInput = z.infer<typeof caseTypeForm>;

export const MAX_DOCUMENT_TYPES = 20;
export const MAX_STAGES = 40;
/** Blank rows offered under the existing stages for new ones. */
export const BLANK_STAGE_ROWS = 3;

/** One document type a line: trimmed, blank lines dropped, duplicates (ignoring case) dropped. */
const documentTypes = z
  .string({ error: "Required document types must be text." })
  .optional()
  .transform((text, ctx) => {
    const seen = new Set<string>();
    const list: string[] = [];
    for (const line of (text ?? "").split(/\r?\n/)) {
      const item = line.trim();
      if (!item || seen.has(item.toLowerCase())) continue;
      if (item.length > 100) {
        ctx.addIssue({ code: "custom", message: `Each document type must be at most 100 characters (“${item.slice(0, 30)}…” is longer).` });
        return z.NEVER;
      }
      seen.add(item.toLowerCase());
      list.push(item);
    }
    if (list.length > MAX_DOCUMENT_TYPES) {
      ctx.addIssue({ code: "custom", message: `List at most ${MAX_DOCUMENT_TYPES} document types (there are ${list.length}).` });
      return z.NEVER;
    }
    return list;
  });

export const caseTemplateFields = z.object({
  name: requiredText("Name", 100),
  code,
  description: optionalText("Description", 1000),
  caseTypeId: z.uuid({ error: "Choose a case type." }),
  active: checkbox,
  requiredDocumentTypes: documentTypes,
});

/** The fields of one stage row, as the form posts them (before the row is read). */
export const STAGE_FIELDS = ["name", "type", "required", "parallel", "approval", "min_approvers", "duration", "position", "remove"] as const;
export type StageField = (typeof STAGE_FIELDS)[number];
export const stageFieldName = (field: StageField, row: number) => `stage_${field}_${row}`;
const STAGE_KEY = new RegExp(`^stage_(${STAGE_FIELDS.join("|")})_(\\d{1,3})$`);

const wholeNumber = (label: string, min: number, max: number) =>
  z
    .string({ error: `${label} must be a whole number.` })
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (!v) return null;
      if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
        ctx.addIssue({ code: "custom", message: `${label} must be a whole number from ${min} to ${max}.` });
        return z.NEVER;
      }
      return Number(v);
    });

/** One stage row; a key of `stageRow`'s issues is the row's field (name, type ...), mapped to stage_<field>_<row>. */
const stageRow = z.object({
  name: requiredText("Stage name", 200),
  type: z.enum(STAGE_TYPES, { error: "Choose a stage type from the list." }),
  required: checkbox,
  parallel: checkbox,
  approval: checkbox,
  min_approvers: wholeNumber("Minimum approvers", 1, 10),
  duration: wholeNumber("Default duration", 0, 3650),
  position: wholeNumber("Position", 1, 999),
});

export interface StageInput {
  name: string;
  stageType: StageType;
  required: boolean;
  parallel: boolean;
  approvalRequired: boolean;
  minApprovers: number;
  defaultDurationDays: number | null;
}

/** A stage row as the form shows it: the typed strings, keyed by the row number in its field names. */
export interface StageRowValues {
  row: number;
  name: string;
  type: string;
  required: boolean;
  parallel: boolean;
  approval: boolean;
  min_approvers: string;
  duration: string;
  position: string;
  remove: boolean;
}

const text = (v: unknown) => (typeof v === "string" ? v : Array.isArray(v) && typeof v[0] === "string" ? v[0] : "");
const ticked = (v: unknown) => ["on", "true", "1", "yes"].includes(text(v));

/** The stage rows of a posted form, in the order of their row numbers, as typed. */
export function postedStageRows(body: unknown): StageRowValues[] {
  const fields = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  const rows = new Map<number, Record<string, unknown>>();
  for (const [key, value] of Object.entries(fields)) {
    const m = STAGE_KEY.exec(key);
    if (!m) continue;
    const row = Number(m[2]);
    rows.set(row, { ...rows.get(row), [m[1]!]: value });
  }
  return [...rows.keys()]
    .sort((a, b) => a - b)
    .map((row) => {
      const r = rows.get(row)!;
      return {
        row,
        name: text(r.name),
        type: text(r.type),
        required: ticked(r.required),
        parallel: ticked(r.parallel),
        approval: ticked(r.approval),
        min_approvers: text(r.min_approvers),
        duration: text(r.duration),
        position: text(r.position),
        remove: ticked(r.remove),
      };
    });
}

/**
 * The stages a template form describes, in the chosen order: rows ticked "remove" or without a name are left out,
 * the rest ordered by their position field (rows without one keep their place after the numbered ones). Issues are
 * keyed by the field names of the row they belong to (stage_name_3), or "stages" for the list as a whole.
 */
export const stageRows = z.unknown().transform((body, ctx): StageInput[] => {
  const rows = postedStageRows(body).filter((r) => !r.remove && r.name.trim() !== "");
  const read: { row: number; position: number | null; stage: StageInput }[] = [];
  let failed = false;
  for (const r of rows) {
    // Minimum approvers only counts with approval; without it, whatever was typed is ignored and 1 is stored.
    const parsed = stageRow.safeParse({ ...r, min_approvers: r.approval ? r.min_approvers : "", required: r.required ? "on" : "", parallel: r.parallel ? "on" : "", approval: r.approval ? "on" : "" });
    if ((r.type === "legal_review" || r.type === "compliance_review") && !r.approval) {
      failed = true;
      ctx.addIssue({ code: "custom", message: "A legal or compliance review stage must require approval.", path: [stageFieldName("approval", r.row)] });
    }
    if (!parsed.success) {
      failed = true;
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0] ?? "name") as StageField;
        ctx.addIssue({ code: "custom", message: issue.message, path: [stageFieldName(field, r.row)] });
      }
      continue;
    }
    const s = parsed.data;
    read.push({
      row: r.row,
      position: s.position,
      stage: {
        name: s.name,
        stageType: s.type,
        required: s.required,
        parallel: s.parallel,
        approvalRequired: s.approval,
        minApprovers: s.approval ? (s.min_approvers ?? 1) : 1,
        defaultDurationDays: s.duration,
      },
    });
  }
  if (rows.length === 0) {
    ctx.addIssue({ code: "custom", message: "Add at least one stage: give it a name in one of the blank rows.", path: ["stages"] });
    return z.NEVER;
  }
  if (rows.length > MAX_STAGES) {
    ctx.addIssue({ code: "custom", message: `A template can have at most ${MAX_STAGES} stages (there are ${rows.length}).`, path: ["stages"] });
    return z.NEVER;
  }
  // The order the rows will take: by position, rows without a (valid) one after the numbered ones in their row order.
  const positionOf = (r: StageRowValues) => (/^\d{1,3}$/.test(r.position.trim()) && Number(r.position) >= 1 ? Number(r.position) : Infinity);
  const first = [...rows].sort((a, b) => positionOf(a) - positionOf(b) || a.row - b.row)[0]!;
  if (first.parallel) {
    ctx.addIssue({ code: "custom", message: "The first stage cannot run in parallel: there is no stage before it.", path: [stageFieldName("parallel", first.row)] });
    return z.NEVER;
  }
  if (failed) return z.NEVER;
  read.sort((a, b) => (a.position ?? Infinity) - (b.position ?? Infinity) || a.row - b.row);
  return read.map((r) => r.stage);
});

export type CaseTemplateInput = z.infer<typeof caseTemplateFields> & { stages: StageInput[] };

/** The template form: its fields and its stage rows, every message keyed by the field it belongs to. */
export function parseTemplateForm(body: unknown): FormResult<CaseTemplateInput> {
  const fields = caseTemplateFields.safeParse(body ?? {});
  const stages = stageRows.safeParse(body ?? {});
  if (fields.success && stages.success) return { ok: true, data: { ...fields.data, stages: stages.data } };
  return { ok: false, errors: { ...(fields.success ? {} : fieldErrors(fields.error)), ...(stages.success ? {} : fieldErrors(stages.error)) } };
}

/** "up:3" / "down:3": a move button of row 3 was pressed (the form is shown again in the new order, not saved). */
export const moveButton = z
  .string()
  .regex(/^(up|down):\d{1,3}$/)
  .transform((v) => {
    const [direction, row] = v.split(":");
    return { direction: direction as "up" | "down", row: Number(row) };
  });

/** The rows moved as asked, renumbered 1..n in the order shown (blank rows stay at the end). */
export function movedRows(rows: StageRowValues[], move: { direction: "up" | "down"; row: number }): StageRowValues[] {
  const order = [...rows];
  const at = order.findIndex((r) => r.row === move.row);
  const to = move.direction === "up" ? at - 1 : at + 1;
  if (at >= 0 && to >= 0 && to < order.length) [order[at], order[to]] = [order[to]!, order[at]!];
  return order.map((r, i) => ({ ...r, row: i, position: String(i + 1) }));
}
