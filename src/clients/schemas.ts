// Forms and filters of the clients area (one zod schema per form, shared by the CSV import).
import { z } from "zod";
import { checkbox, optionalDate, optionalEmail, optionalEnum, optionalPhone, optionalText as optional, optionalUuid, requiredText as required, withoutUnstorable } from "../web/fields.ts";

export const CLIENT_TYPES = ["individual", "organization"] as const;
export const CLIENT_STATUSES = ["active", "inactive", "on_hold", "archived"] as const;
export const CLASSIFICATIONS = ["public", "confidential", "privileged"] as const;
export const CONTACT_METHODS = ["in_person", "phone", "email", "video"] as const;
export const STRENGTHS = ["strong", "good", "needs_attention", "at_risk", "new"] as const;
export const PRIORITIES = ["strategic", "high", "medium", "low", "opportunistic"] as const;
export const RELATIONSHIP_STATUSES = ["active", "warm", "cold", "prospective"] as const;
export const ATTENTION = ["urgent", "warning", "never"] as const;

export const LABELS: Record<string, string> = {
  individual: "Individual",
  organization: "Organization",
  active: "Active",
  inactive: "Inactive",
  on_hold: "On hold",
  archived: "Archived",
  public: "Public",
  confidential: "Confidential",
  privileged: "Privileged",
  in_person: "In person",
  phone: "Phone",
  email: "Email",
  video: "Video",
  strong: "Strong",
  good: "Good",
  needs_attention: "Needs attention",
  at_risk: "At risk",
  new: "New",
  strategic: "Strategic",
  high: "High",
  medium: "Medium",
  low: "Low",
  opportunistic: "Opportunistic",
  warm: "Warm",
  cold: "Cold",
  prospective: "Prospective",
  urgent: "Urgent (over 90 days)",
  warning: "Warning (over 60 days)",
  never: "Never contacted",
};


const website = z
  .string({ error: "Website must be text." })
  .trim()
  .max(300, "Website must be at most 300 characters.")
  .optional()
  .transform((v, ctx) => {
    if (!v) return null;
    const withScheme = /^https?:\/\//i.test(v) ? v : `https://${v}`;
    try {
      const url = new URL(withScheme);
      if (!/^https?:$/.test(url.protocol) || !url.hostname.includes(".") || /\s/.test(v)) throw new Error("bad");
      return url.toString().replace(/\/$/, "");
    } catch {
      ctx.addIssue({ code: "custom", message: "Enter a web address, like example.com or https://example.com." });
      return z.NEVER;
    }
  });

const postalCode = z
  .string({ error: "Postal code must be text." })
  .trim()
  .max(12, "Postal code must be at most 12 characters.")
  .optional()
  .transform((v, ctx) => {
    if (!v) return null;
    if (!/^[A-Za-z0-9][A-Za-z0-9 -]{1,10}[A-Za-z0-9]$/.test(v)) {
      ctx.addIssue({ code: "custom", message: "Enter a postal code of letters and digits (3 to 12 characters), like 10115 or SW1A 1AA." });
      return z.NEVER;
    }
    return v.toUpperCase();
  });

const ssnLast4 = z
  .string({ error: "SSN must be text." })
  .trim()
  .optional()
  .transform((v, ctx) => {
    if (!v) return null;
    if (!/^\d{4}$/.test(v)) {
      ctx.addIssue({ code: "custom", message: "Enter exactly the last 4 digits of the SSN, never more." });
      return z.NEVER;
    }
    return v;
  });

/** A multi-select arrives as a string (one value) or an array (several). */
const uuidList = z
  .union([z.string(), z.array(z.string())], { error: "Choose valid team members." })
  .optional()
  .transform((v, ctx) => {
    const list = (v === undefined ? [] : Array.isArray(v) ? v : [v]).filter((x) => x !== "");
    if (list.length > 50) {
      ctx.addIssue({ code: "custom", message: "A team has at most 50 members." });
      return z.NEVER;
    }
    for (const id of list) {
      if (!z.uuid().safeParse(id).success) {
        ctx.addIssue({ code: "custom", message: "Choose valid team members." });
        return z.NEVER;
      }
    }
    return [...new Set(list)];
  });

export const clientFields = z.object({
  name: required("Name", 200),
  clientType: z.enum(CLIENT_TYPES, { error: "Choose individual or organization." }),
  categoryId: optionalUuid("category"),
  status: z.enum(CLIENT_STATUSES, { error: "Choose a valid status." }).optional().default("active"),
  email: optionalEmail,
  phone: optionalPhone("Phone"),
  website,
  addressLine1: optional("Address line 1"),
  addressLine2: optional("Address line 2"),
  city: optional("City", 100),
  state: optional("State or region", 100),
  postalCode,
  country: optional("Country", 100),
  dateOfBirth: optionalDate("Date of birth", { notFuture: true }),
  ssnLast4,
  taxId: optional("Tax id", 50),
  industry: optional("Industry", 100),
  intakeDate: optionalDate("Intake date", { notFuture: true }),
  clientSince: optionalDate("Client since", { notFuture: true }),
  referralSource: optional("Referral source"),
  notes: optional("Notes", 10_000),
  isConfidential: checkbox,
  dataClassification: z.enum(CLASSIFICATIONS, { error: "Choose a valid classification." }).optional().default("confidential"),
  accountManagerId: optionalUuid("account manager"),
  primaryPocId: optionalUuid("primary point of contact"),
  secondaryPocId: optionalUuid("secondary point of contact"),
  teamUserIds: uuidList,
  nextContactAt: optionalDate("Next planned contact date"),
  nextContactType: optionalEnum(CONTACT_METHODS, "contact type"),
  nextContactAssigneeId: optionalUuid("assignee"),
  relationshipStrength: optionalEnum(STRENGTHS, "relationship strength"),
  relationshipNotes: optional("Relationship notes", 10_000),
  priority: optionalEnum(PRIORITIES, "priority"),
  relationshipStatus: optionalEnum(RELATIONSHIP_STATUSES, "relationship status"),
});

/** Cross-field rules: individual-only and organization-only fields, and the two points of contact. */
export const clientForm = clientFields
  .extend({
    updatedAt: z.string().optional(),
    confirmDuplicates: checkbox,
  })
  .superRefine((v, ctx) => {
    const wrong = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    if (v.clientType === "organization") {
      if (v.dateOfBirth) wrong("dateOfBirth", "Only individual clients have a date of birth.");
      if (v.ssnLast4) wrong("ssnLast4", "Only individual clients have an SSN.");
    } else {
      if (v.taxId) wrong("taxId", "Only organizations have a tax id; individuals use the SSN field.");
      if (v.industry) wrong("industry", "Only organizations have an industry.");
    }
    if (v.primaryPocId && v.primaryPocId === v.secondaryPocId) wrong("secondaryPocId", "The secondary point of contact must be someone other than the primary.");
  });
export type ClientInput = z.infer<typeof clientForm>;

export const ASSESSMENT_FIELDS = ["relationshipStrength", "relationshipNotes", "priority", "relationshipStatus"] as const;

const sortKeys = ["name", "code", "status", "lastContact", "created", "relevance"] as const;
export const clientFilters = z.object({
  q: z.string().transform((v) => withoutUnstorable(v).trim()).pipe(z.string().max(200)).optional().catch(undefined),
  type: z.enum(CLIENT_TYPES).optional().catch(undefined),
  status: z.enum(CLIENT_STATUSES).optional().catch(undefined),
  category: z.uuid().optional().catch(undefined),
  manager: z.uuid().optional().catch(undefined),
  poc: z.uuid().optional().catch(undefined),
  attention: z.enum(ATTENTION).optional().catch(undefined),
  /** "1": only clients the reader is on the team of (the dashboard's "mine" cards). */
  mine: z.enum(["1"]).optional().catch(undefined),
  priority: z.enum(PRIORITIES).optional().catch(undefined),
  relationship: z.enum(RELATIONSHIP_STATUSES).optional().catch(undefined),
  sort: z.enum(sortKeys).optional().catch(undefined),
  dir: z.enum(["asc", "desc"]).optional().catch(undefined),
  after: z.string().max(500).optional().catch(undefined),
  before: z.string().max(500).optional().catch(undefined),
  perPage: z.coerce.number().int().min(1).max(100).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(40).optional().catch(undefined),
});
export type ClientFilters = z.infer<typeof clientFilters>;

export const reasonForm = z.object({
  reason: required("Reason", 500),
});
