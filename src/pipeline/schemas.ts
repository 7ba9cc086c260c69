// Forms and filters of the pre-sale pipeline: one zod schema per form (the lead form is shared by the CSV import).
import { z } from "zod";
import { checkbox, optionalDate, optionalEmail, optionalPhone, optionalText as optional, optionalUuid, requiredText as required, withoutUnstorable } from "../web/fields.ts";
import { optionalMoney } from "../cases/schemas.ts";

export const LEAD_STATUSES = ["new", "contacted", "qualified", "converted", "lost"] as const;
/** The statuses a person sets on the lead form; qualified and converted come from qualifying and from a won proposal. */
export const EDITABLE_LEAD_STATUSES = ["new", "contacted", "lost"] as const;
export const STAGES = ["discovery", "proposal", "negotiation", "won", "lost"] as const;
export const PROPOSAL_STATUSES = ["draft", "sent", "accepted", "rejected", "expired"] as const;
export const CAMPAIGN_TYPES = ["email", "webinar", "content", "event"] as const;
export const ENGAGEMENT_STATUSES = ["current", "completed", "renewed"] as const;
export const LEAD_SOURCES = ["website", "referral", "campaign", "event", "outbound", "partner", "other"] as const;

export type Stage = (typeof STAGES)[number];
export type LeadStatus = (typeof LEAD_STATUSES)[number];

export const LABELS: Record<string, string> = {
  new: "New",
  contacted: "Contacted",
  qualified: "Qualified",
  converted: "Converted",
  lost: "Lost",
  discovery: "Discovery",
  proposal: "Proposal",
  negotiation: "Negotiation",
  won: "Won",
  draft: "Draft",
  sent: "Sent",
  accepted: "Accepted",
  rejected: "Rejected",
  expired: "Expired",
  email: "Email",
  webinar: "Webinar",
  content: "Content",
  event: "Event",
  current: "Current",
  completed: "Completed",
  renewed: "Renewed",
  website: "Website",
  referral: "Referral",
  campaign: "Campaign",
  outbound: "Outbound",
  partner: "Partner",
  other: "Other",
};

/**
 * Where a prospect may move on the board: back and forth among the open stages, to lost with a reason, and from lost
 * back to discovery. Won comes only from accepting a proposal, and a won prospect stays won.
 */
export const STAGE_MOVES: Readonly<Record<Stage, readonly Stage[]>> = {
  discovery: ["proposal", "negotiation", "lost"],
  proposal: ["discovery", "negotiation", "lost"],
  negotiation: ["discovery", "proposal", "lost"],
  won: [],
  lost: ["discovery"],
};

export const OPEN_STAGES = ["discovery", "proposal", "negotiation"] as const;

const integerIn = (label: string, min: number, max: number, fallback: number) =>
  z
    .string({ error: `${label} must be a whole number from ${min} to ${max}.` })
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (!v) return fallback;
      if (!/^\d{1,3}$/.test(v) || Number(v) < min || Number(v) > max) {
        ctx.addIssue({ code: "custom", message: `${label} must be a whole number from ${min} to ${max}.` });
        return z.NEVER;
      }
      return Number(v);
    });

const requiredMoney = (label: string) =>
  optionalMoney(label).transform((v, ctx) => {
    if (v === null) {
      ctx.addIssue({ code: "custom", message: `${label} is required.` });
      return z.NEVER;
    }
    return v;
  });

const requiredDate = (label: string, options: { notFuture?: boolean } = {}) =>
  optionalDate(label, options).transform((v, ctx) => {
    if (v === null) {
      ctx.addIssue({ code: "custom", message: `${label} is required.` });
      return z.NEVER;
    }
    return v;
  });

const currency = z
  .string({ error: "Currency must be a three-letter code." })
  .trim()
  .optional()
  .transform((v, ctx) => {
    if (!v) return "USD";
    const code = v.toUpperCase();
    if (!/^[A-Z]{3}$/.test(code)) {
      ctx.addIssue({ code: "custom", message: "Currency must be a three-letter code like USD or EUR." });
      return z.NEVER;
    }
    return code;
  });

export const leadForm = z
  .object({
    companyName: required("Company", 200),
    contactName: optional("Contact name", 200),
    email: optionalEmail,
    phone: optionalPhone("Phone"),
    source: required("Source", 100),
    status: z.enum(EDITABLE_LEAD_STATUSES, { error: "Choose new, contacted or lost." }).optional().default("new"),
    lostReason: optional("Lost reason", 500),
    score: integerIn("Score", 0, 100, 0),
    campaignId: optionalUuid("campaign"),
    ownerId: optionalUuid("owner"),
    capturedDate: optionalDate("Captured date", { notFuture: true }),
    notes: optional("Notes", 10_000),
    updatedAt: z.string().max(40).optional(),
    confirmDuplicates: checkbox,
  })
  .superRefine((v, ctx) => {
    if (v.status === "lost" && !v.lostReason) ctx.addIssue({ code: "custom", path: ["lostReason"], message: "Say why the lead was lost." });
  });
export type LeadInput = z.infer<typeof leadForm>;

export const prospectForm = z
  .object({
    companyName: required("Company", 200),
    contactName: optional("Contact name", 200),
    contactEmail: optionalEmail,
    contactPhone: optionalPhone("Phone"),
    estimatedValue: optionalMoney("Estimated value"),
    probability: integerIn("Probability", 0, 100, 10),
    expectedCloseDate: optionalDate("Expected close date"),
    ownerId: optionalUuid("owner"),
    campaignId: optionalUuid("campaign"),
    updatedAt: z.string().max(40).optional(),
    confirmDuplicates: checkbox,
  });
export type ProspectInput = z.infer<typeof prospectForm>;

export const stageMoveForm = z
  .object({
    to: z.enum(STAGES, { error: "Choose the stage to move the prospect to." }),
    /** The stage the user saw: a second click on the same move finds the prospect already moved. */
    from: z.enum(STAGES).optional().catch(undefined),
    lostReason: optional("Lost reason", 500),
    returnTo: z.string().max(500).optional().catch(undefined),
  });
export type StageMoveInput = z.infer<typeof stageMoveForm>;

export const proposalForm = z.object({
  amount: requiredMoney("Amount"),
  currency,
  validUntil: optionalDate("Valid until"),
  scope: required("Scope", 20_000),
  /** The version the form was opened on: a save over someone else's later version is refused. */
  version: z.string().max(10).optional(),
});
export type ProposalInput = z.infer<typeof proposalForm>;

export const reasonForm = z.object({ reason: required("Reason", 500) });

export const acceptForm = z
  .object({
    startDate: requiredDate("Start date"),
    endDate: requiredDate("End date"),
    engagementTitle: optional("Engagement title", 200),
    restricted: checkbox,
    caseTypeId: optionalUuid("case type"),
    caseTitle: optional("Case title", 200),
    caseManagerId: optionalUuid("case manager"),
  })
  .superRefine((v, ctx) => {
    if (v.endDate < v.startDate) ctx.addIssue({ code: "custom", path: ["endDate"], message: "The end date must be on or after the start date." });
  });
export type AcceptInput = z.infer<typeof acceptForm>;

export const campaignForm = z
  .object({
    name: required("Name", 200),
    campaignType: z.enum(CAMPAIGN_TYPES, { error: "Choose email, webinar, content or event." }),
    startDate: requiredDate("Start date"),
    endDate: optionalDate("End date"),
    budget: optionalMoney("Budget").transform((v) => v ?? 0),
    ownerId: optionalUuid("owner"),
  })
  .superRefine((v, ctx) => {
    if (v.endDate && v.endDate < v.startDate) ctx.addIssue({ code: "custom", path: ["endDate"], message: "The end date must be on or after the start date." });
  });
export type CampaignInput = z.infer<typeof campaignForm>;

const search = z.string().transform((v) => withoutUnstorable(v).trim()).pipe(z.string().max(200)).optional().catch(undefined);

export const leadFilters = z.object({
  q: search,
  status: z.enum(LEAD_STATUSES).optional().catch(undefined),
  owner: z.uuid().optional().catch(undefined),
  campaign: z.uuid().optional().catch(undefined),
  source: z.string().max(100).optional().catch(undefined),
  sort: z.enum(["newest", "company", "score"]).optional().catch(undefined),
  after: z.string().max(500).optional().catch(undefined),
});
export type LeadFilters = z.infer<typeof leadFilters>;

export const prospectFilters = z.object({
  q: search,
  stage: z.enum(STAGES).optional().catch(undefined),
  owner: z.uuid().optional().catch(undefined),
  campaign: z.uuid().optional().catch(undefined),
  sort: z.enum(["updated", "company", "value", "close"]).optional().catch(undefined),
  after: z.string().max(500).optional().catch(undefined),
});
export type ProspectFilters = z.infer<typeof prospectFilters>;
