// Forms and filters of roundtable meetings: one zod schema per form, the same for the form post and the autosave fetch.
import { z } from "zod";
import { ATTENTION, PRIORITIES } from "../clients/schemas.ts";
import { optionalDate, optionalText, withoutUnstorable } from "../web/fields.ts";

const ENTRY_TEXT_MAX = 10_000;
export const MAX_ACTION_ITEMS = 20;

/** Today as YYYY-MM-DD (UTC, like every date the app shows). */
export const todayIso = () => new Date().toISOString().slice(0, 10);

/** Several values of a repeated field: one arrives as a string, several as an array. */
const list = (label: string, max: number) =>
  z
    .union([z.string(), z.array(z.string())], { error: `Choose valid ${label}.` })
    .optional()
    .transform((v, ctx) => {
      const values = v === undefined ? [] : Array.isArray(v) ? v : [v];
      if (values.length > max) {
        ctx.addIssue({ code: "custom", message: `At most ${max} ${label}.` });
        return z.NEVER;
      }
      return values;
    });

const uuidList = (label: string) =>
  list(label, 50).transform((values, ctx) => {
    const ids = values.filter((x) => x !== "");
    if (ids.some((x) => !z.uuid().safeParse(x).success)) {
      ctx.addIssue({ code: "custom", message: `Choose valid ${label}.` });
      return z.NEVER;
    }
    return [...new Set(ids)];
  });

export const meetingForm = z.object({
  meetingDate: optionalDate("Meeting date").refine((d) => d !== null, "Meeting date is required."),
  attendeeIds: uuidList("attendees"),
  agenda: optionalText("Agenda", 5000),
});
export type MeetingInput = z.infer<typeof meetingForm>;

export interface ActionItemInput {
  description: string;
  assigneeId: string;
  dueDate: Date;
}

const isoDate = /^\d{4}-\d{2}-\d{2}$/;

/**
 * An entry: four texts and its action items as parallel repeated fields (actionDescription, actionAssignee, actionDue),
 * so the form works as a plain post. A row with only some of its fields is reported next to them (`actionItems.N`);
 * an empty row is ignored. `complete` holds the rows that are whole, which an autosave keeps while a row is typed.
 */
export const entryForm = z
  .object({
    nearTermFocus: optionalText("Near-term focus", ENTRY_TEXT_MAX),
    workTargets: optionalText("Firm work targets", ENTRY_TEXT_MAX),
    discussion: optionalText("Discussion", ENTRY_TEXT_MAX),
    nextSteps: optionalText("Next steps", ENTRY_TEXT_MAX),
    actionDescription: list("action items", MAX_ACTION_ITEMS),
    actionAssignee: list("action items", MAX_ACTION_ITEMS),
    actionDue: list("action items", MAX_ACTION_ITEMS),
  })
  .transform((form) => {
    const rows = Math.max(form.actionDescription.length, form.actionAssignee.length, form.actionDue.length);
    const actionItems: ActionItemInput[] = [];
    const actionErrors: Record<string, string> = {};
    for (let i = 0; i < rows; i += 1) {
      const description = withoutUnstorable(form.actionDescription[i] ?? "").trim();
      const assigneeId = (form.actionAssignee[i] ?? "").trim();
      const due = (form.actionDue[i] ?? "").trim();
      if (!description && !assigneeId && !due) continue;
      const dueDate = new Date(`${due}T00:00:00Z`);
      if (!description) actionErrors[`actionItems.${i}`] = "Describe the action item.";
      else if (description.length > 1000) actionErrors[`actionItems.${i}`] = "An action item is at most 1,000 characters.";
      else if (!z.uuid().safeParse(assigneeId).success) actionErrors[`actionItems.${i}`] = "Choose who does it.";
      else if (!isoDate.test(due) || Number.isNaN(dueDate.getTime()) || dueDate.toISOString().slice(0, 10) !== due) actionErrors[`actionItems.${i}`] = "Give its due date, like 2026-03-31.";
      else actionItems.push({ description, assigneeId, dueDate });
    }
    return { nearTermFocus: form.nearTermFocus, workTargets: form.workTargets, discussion: form.discussion, nextSteps: form.nextSteps, actionItems, actionErrors };
  });
export type EntryInput = z.output<typeof entryForm>;

/** Meeting mode's filters: point of contact, priority, attention, and the page. */
export const meetingFilters = z.object({
  poc: z.uuid().optional().catch(undefined),
  priority: z.enum(PRIORITIES).optional().catch(undefined),
  attention: z.enum([...ATTENTION, "ok"]).optional().catch(undefined),
  after: z.string().max(500).optional().catch(undefined),
});
export type MeetingFilters = z.infer<typeof meetingFilters>;

export const ATTENTION_LABELS: Record<string, string> = {
  urgent: "Urgent",
  warning: "Warning",
  never: "Never contacted",
  ok: "Fine",
};
