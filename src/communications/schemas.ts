// Forms and filters of communications: one zod schema per form, reused by the JSON answer of the quick form.
import { z } from "zod";
import { checkbox, optionalDate, optionalText, optionalUuid, requiredText, withoutUnstorable } from "../web/fields.ts";

export const COMMUNICATION_TYPES = ["email", "phone", "meeting", "video", "in_person", "note"] as const;
export const DIRECTIONS = ["inbound", "outbound"] as const;
export type CommunicationType = (typeof COMMUNICATION_TYPES)[number];

export const LABELS: Record<string, string> = {
  email: "Email",
  phone: "Phone call",
  meeting: "Meeting",
  video: "Video call",
  in_person: "In person",
  note: "Note",
  inbound: "Incoming",
  outbound: "Outgoing",
};

/** A day of slack for time zones and clocks: later than that is a typing mistake. */
const FUTURE_SLACK_MS = 86_400_000;
const localDateTime = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?$/;

/** The moment of a contact, as typed in a datetime-local field (read as UTC, like every time the app shows). */
const occurredAt = z
  .string({ error: "Enter the date and time." })
  .trim()
  .transform((v, ctx) => {
    const match = localDateTime.exec(v);
    const date = match ? new Date(`${match[1]}T${match[2]}${match[3] ?? ":00"}Z`) : new Date(Number.NaN);
    if (!match || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== match[1]) {
      ctx.addIssue({ code: "custom", message: "Enter the date and time like 2026-03-31 14:30." });
      return z.NEVER;
    }
    if (date.getUTCFullYear() < 1900) {
      ctx.addIssue({ code: "custom", message: "The date is out of range." });
      return z.NEVER;
    }
    if (date.getTime() > Date.now() + FUTURE_SLACK_MS) {
      ctx.addIssue({ code: "custom", message: "A communication cannot be more than a day in the future." });
      return z.NEVER;
    }
    return date;
  });

/** Several ids from checkboxes or a multiple select: one value arrives as a string, several as an array. */
const idList = (label: string) =>
  z
    .union([z.string(), z.array(z.string())], { error: `Choose valid ${label}.` })
    .optional()
    .transform((v, ctx) => {
      const list = (v === undefined ? [] : Array.isArray(v) ? v : [v]).filter((x) => x !== "");
      if (list.length > 50 || list.some((x) => !z.uuid().safeParse(x).success)) {
        ctx.addIssue({ code: "custom", message: `Choose valid ${label}.` });
        return z.NEVER;
      }
      return [...new Set(list)];
    });

/** The follow-up checkbox as parsed (boolean) or as sent (before parsing, when another field failed). */
const ticked = (value: unknown) => value === true || value === "on" || value === "true" || value === "1" || value === "yes";

export const communicationForm = z
  .object({
    type: z.enum(COMMUNICATION_TYPES, { error: "Choose the kind of communication." }),
    direction: z.enum(DIRECTIONS, { error: "Choose incoming or outgoing." }),
    occurredAt,
    subject: requiredText("Subject", 300),
    notes: optionalText("Notes", 20_000),
    caseId: optionalUuid("case"),
    contactIds: idList("contacts"),
    userIds: idList("colleagues"),
    important: checkbox,
    privileged: checkbox,
    followUpRequired: checkbox,
    followUpDue: optionalDate("Follow-up date"),
    followUpAssigneeId: optionalUuid("assignee"),
    /** Existing documents of the client to attach (the picker: those the reader may see, not yet attached). */
    existingDocumentIds: idList("documents"),
    /** On the edit form: attachments to unlink (the documents stay with the client). */
    removeAttachmentIds: idList("attachments to remove"),
    updatedAt: z.string().optional(),
  })
  // Checked even when other fields are wrong (when: always), so every message shows at once.
  .refine((form) => !ticked(form.followUpRequired) || Boolean(form.followUpDue), { path: ["followUpDue"], message: "A follow-up needs a date.", when: () => true })
  .refine((form) => !ticked(form.followUpRequired) || Boolean(form.followUpAssigneeId), { path: ["followUpAssigneeId"], message: "A follow-up needs someone to do it.", when: () => true })
  .transform((form) =>
    form.followUpRequired ? form : { ...form, followUpDue: null, followUpAssigneeId: null },
  );

export type CommunicationInput = z.infer<typeof communicationForm>;

const optionalQueryText = z
  .string()
  .optional()
  .catch(undefined)
  .transform((v) => (v ? withoutUnstorable(v).trim().slice(0, 200) || undefined : undefined));
const queryDate = z
  .string()
  .optional()
  .catch(undefined)
  .transform((v) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(new Date(`${v}T00:00:00Z`).getTime()) ? v : undefined));
const queryUuid = z
  .string()
  .optional()
  .catch(undefined)
  .transform((v) => (v && z.uuid().safeParse(v).success ? v : undefined));

/** Filters of the timelines and the firm-wide list; anything unreadable is dropped, never an error page. */
export const communicationFilters = z.object({
  q: optionalQueryText,
  type: z.enum(COMMUNICATION_TYPES).optional().catch(undefined),
  from: queryDate,
  to: queryDate,
  important: z
    .string()
    .optional()
    .catch(undefined)
    .transform((v) => v === "on" || v === "1" || v === "true"),
  /** Only communications with at least one attachment the reader may see. */
  attachments: z
    .string()
    .optional()
    .catch(undefined)
    .transform((v) => v === "on" || v === "1" || v === "true"),
  /** On a timeline: one kind of event only. */
  show: z.enum(["communications", "documents", "cases", "changes"]).optional().catch(undefined),
  client: queryUuid,
  loggedBy: queryUuid,
  after: z.string().max(200).optional().catch(undefined),
});

export type CommunicationFilters = z.infer<typeof communicationFilters>;
