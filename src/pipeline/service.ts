// The pre-sale pipeline's rules, in the firm's words: leads are captured and qualified into prospects, prospects move
// through their stages and receive proposals, and accepting a proposal converts the prospect, once, into a client with
// an engagement and optionally a first case. Visibility comes from access/pipeline.ts, permissions from access/permissions.ts; each change locks
// its row through the rule first, then checks, writes and audits in one transaction.
import { assertCan, can } from "../access/permissions.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { Db, Tx } from "../db/client.ts";
import { nextInYear } from "../db/counters.ts";
import type { Actor } from "../access/roles.ts";
import { visibleClientsSql } from "../access/clients.ts";
import { visibleLeadsSql, visibleProposalsSql, visibleProspectsSql } from "../access/pipeline.ts";
import { changedFields, eventFacts, recordAudit } from "../audit/service.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../errors.ts";
import { isUuid } from "../web/fields.ts";
import { clientForm } from "../clients/schemas.ts";
import { createClient } from "../clients/service.ts";
import { contactForm } from "../contacts/schemas.ts";
import { createContact } from "../contacts/service.ts";
import { newCaseForm } from "../cases/schemas.ts";
import { createCase, type CaseSettings } from "../cases/service.ts";
import { LABELS, OPEN_STAGES, STAGE_MOVES, type AcceptInput, type CampaignInput, type LeadInput, type ProposalInput, type ProspectInput, type Stage, type StageMoveInput } from "./schemas.ts";

/** Interactive transactions that may wait for a row lock behind others (a double click, parallel accepts). */
const WAITING = { maxWait: 30_000, timeout: 60_000 };

const LEAD_FIELDS = ["companyName", "contactName", "email", "phone", "source", "status", "lostReason", "score", "campaignId", "ownerId", "capturedDate", "notes"] as const;
const PROSPECT_FIELDS = ["companyName", "contactName", "contactEmail", "contactPhone", "estimatedValue", "probability", "expectedCloseDate", "ownerId", "campaignId", "stage", "lostReason"] as const;
const CAMPAIGN_FIELDS = ["name", "campaignType", "startDate", "endDate", "budget", "ownerId"] as const;

/** Decimals as numbers, so the audit log compares 1500 and 1500.00 as the same amount. */
function auditView(row: object): Record<string, unknown> {
  const view: Record<string, unknown> = { ...(row as Record<string, unknown>) };
  for (const [key, value] of Object.entries(view)) if (Prisma.Decimal.isDecimal(value)) view[key] = Number(value);
  return view;
}

function today(): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

type Locked = "leads" | "prospects" | "proposals";

/** Locks a row for a change, through the reader's rule (hidden and missing are both 404). */
async function lockVisible(tx: Tx, table: Locked, id: string, rule: Prisma.Sql): Promise<void> {
  if (!isUuid(id)) throw new NotFoundError();
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT t.id FROM ${Prisma.raw(table)} t WHERE t.id = ${id}::uuid AND ${rule} FOR UPDATE OF t`;
  if (!rows.length) throw new NotFoundError();
}

async function lockLead(tx: Tx, actor: Actor, id: string) {
  await lockVisible(tx, "leads", id, visibleLeadsSql(actor, "t"));
  return tx.lead.findUniqueOrThrow({ where: { id } });
}

async function lockProspect(tx: Tx, actor: Actor, id: string) {
  await lockVisible(tx, "prospects", id, visibleProspectsSql(actor, "t"));
  return tx.prospect.findUniqueOrThrow({ where: { id } });
}

async function lockProposal(tx: Tx, actor: Actor, id: string) {
  await lockVisible(tx, "proposals", id, visibleProposalsSql(actor, "t"));
  const proposal = await tx.proposal.findUniqueOrThrow({ where: { id } });
  const version = await tx.proposalVersion.findUniqueOrThrow({ where: { proposalId_version: { proposalId: id, version: proposal.currentVersion } } });
  return { proposal, version };
}

function assertWorks(actor: Actor, record: { ownerId: string }, what: string) {
  if (!can(actor, "pipeline.work", record)) throw new ForbiddenError(`Only the ${what}'s owner, managers and administrators change it.`);
}

/**
 * The owner a form asks for: staff own what they create and cannot give it away; managers and administrators pick an
 * active user (or themselves by default). `current` keeps an owner who has since been deactivated.
 */
async function ownerFor(tx: Tx, actor: Actor, requested: string | null, current?: string): Promise<string> {
  if (!can(actor, "pipeline.assignOwner")) {
    if (requested && requested !== (current ?? actor.id)) throw new ValidationError({ ownerId: "Only managers and administrators give a record to someone else." });
    return current ?? actor.id;
  }
  const id = requested ?? current ?? actor.id;
  if (id === current) return id;
  const user = await tx.user.findUnique({ where: { id }, select: { active: true } });
  if (!user?.active) throw new ValidationError({ ownerId: "Choose an active user as owner." });
  return id;
}

async function checkCampaign(tx: Tx, campaignId: string | null): Promise<void> {
  if (campaignId && !(await tx.campaign.findUnique({ where: { id: campaignId }, select: { id: true } }))) throw new ValidationError({ campaignId: "Choose a campaign from the list." });
}

// ---------------------------------------------------------------------------------------------------------- leads

/** The columns the lead form writes; a lost reason is kept only on a lost lead. */
function leadData(input: LeadInput, status: LeadInput["status"] | "qualified" | "converted", ownerId: string) {
  const { companyName, contactName, email, phone, source, score, campaignId, notes } = input;
  return { companyName, contactName, email, phone, source, status, lostReason: status === "lost" ? input.lostReason : null, score, campaignId, ownerId, notes };
}

export async function createLead(db: Db, actor: Actor, input: LeadInput, options: { tx?: Tx; source?: string } = {}): Promise<{ id: string }> {
  const run = async (tx: Tx) => {
    const ownerId = await ownerFor(tx, actor, input.ownerId);
    await checkCampaign(tx, input.campaignId);
    const created = await tx.lead.create({
      data: { ...leadData(input, input.status, ownerId), capturedDate: input.capturedDate ?? today(), createdById: actor.id },
    });
    await recordAudit(tx, {
      actorId: actor.id,
      action: options.source === "import" ? "lead.import" : "lead.create",
      entityType: "lead",
      entityId: created.id,
      changes: changedFields(null, created, LEAD_FIELDS) ?? null,
      context: actor.context,
    });
    return { id: created.id };
  };
  return options.tx ? run(options.tx) : db.$transaction(run);
}

export async function updateLead(db: Db, actor: Actor, id: string, input: LeadInput): Promise<void> {
  await db.$transaction(async (tx) => {
    const before = await lockLead(tx, actor, id);
    assertWorks(actor, before, "lead");
    if (input.updatedAt && before.updatedAt.toISOString() !== input.updatedAt) {
      throw new ConflictError("Someone else saved this lead while you were editing. Your changes are below, not yet saved: check the current values and save again.");
    }
    // Qualified and converted leads keep their status: it records what became of them.
    const fixed = before.status === "qualified" || before.status === "converted";
    if (fixed && input.status !== "new" && input.status !== before.status) {
      throw new ValidationError({ status: `This lead is ${LABELS[before.status]!.toLowerCase()}: its status follows its prospect.` });
    }
    const status = fixed ? before.status : input.status;
    const ownerId = await ownerFor(tx, actor, input.ownerId, before.ownerId);
    if (input.campaignId !== before.campaignId) await checkCampaign(tx, input.campaignId);
    const after = await tx.lead.update({
      where: { id },
      data: { ...leadData(input, status, ownerId), capturedDate: input.capturedDate ?? before.capturedDate },
    });
    const changes = changedFields(before, after, LEAD_FIELDS);
    if (changes) await recordAudit(tx, { actorId: actor.id, action: "lead.update", entityType: "lead", entityId: id, changes, context: actor.context });
  });
}

/**
 * Qualifying a lead makes a prospect linked to it, from its company, contact, campaign and owner. Once only: the
 * lead's row lock orders two clicks, and prospects.lead_id is unique; a second click finds the prospect made.
 */
export async function qualifyLead(db: Db, actor: Actor, id: string): Promise<{ prospectId: string; created: boolean }> {
  return db.$transaction(async (tx) => {
    const lead = await lockLead(tx, actor, id);
    assertWorks(actor, lead, "lead");
    const existing = await tx.prospect.findUnique({ where: { leadId: id }, select: { id: true } });
    if (existing) return { prospectId: existing.id, created: false };
    if (lead.status === "lost") throw new ConflictError("This lead is lost: set it back to new or contacted before qualifying it.");
    const prospect = await tx.prospect.create({
      data: {
        leadId: id,
        companyName: lead.companyName,
        contactName: lead.contactName,
        contactEmail: lead.email,
        contactPhone: lead.phone,
        campaignId: lead.campaignId,
        ownerId: lead.ownerId,
        stage: "discovery",
        probability: 10,
        createdById: actor.id,
      },
    });
    await tx.lead.update({ where: { id }, data: { status: "qualified" } });
    await recordAudit(tx, { actorId: actor.id, action: "lead.qualify", entityType: "lead", entityId: id, changes: { status: { before: lead.status, after: "qualified" }, ...eventFacts({ prospectId: prospect.id }) }, context: actor.context });
    await recordAudit(tx, { actorId: actor.id, action: "prospect.create", entityType: "prospect", entityId: prospect.id, changes: { ...changedFields(null, auditView(prospect), PROSPECT_FIELDS), ...eventFacts({ leadId: id }) }, context: actor.context });
    return { prospectId: prospect.id, created: true };
  }, WAITING);
}

/** Every field of a deleted record as the audit log keeps it: { field: { before: value, after: null } }. */
function removedFields(row: object, fields: readonly string[]) {
  return changedFields(auditView(row), Object.fromEntries(fields.map((f) => [f, null])), fields);
}

/**
 * Deletes a lead that was never qualified (a qualified one is where its prospect came from, so it stays). The audit
 * event keeps every field it had.
 */
export async function deleteLead(db: Db, actor: Actor, id: string): Promise<{ companyName: string }> {
  return db.$transaction(async (tx) => {
    const lead = await lockLead(tx, actor, id);
    assertCan(actor, "pipeline.delete", lead);
    const prospect = await tx.prospect.findUnique({ where: { leadId: id }, select: { id: true } });
    if (prospect) throw new ConflictError("This lead was qualified: its prospect records where it came from, so the lead is kept. Mark it lost instead.");
    await tx.lead.delete({ where: { id } });
    await recordAudit(tx, { actorId: actor.id, action: "lead.delete", entityType: "lead", entityId: id, changes: removedFields(lead, LEAD_FIELDS) ?? null, context: actor.context });
    return { companyName: lead.companyName };
  }, WAITING);
}

// ------------------------------------------------------------------------------------------------------ prospects

/** The columns the prospect form writes. */
function prospectData(input: ProspectInput, ownerId: string) {
  const { companyName, contactName, contactEmail, contactPhone, estimatedValue, probability, expectedCloseDate, campaignId } = input;
  return { companyName, contactName, contactEmail, contactPhone, estimatedValue, probability, expectedCloseDate, campaignId, ownerId };
}

export async function createProspect(db: Db, actor: Actor, input: ProspectInput): Promise<{ id: string }> {
  return db.$transaction(async (tx) => {
    const ownerId = await ownerFor(tx, actor, input.ownerId);
    await checkCampaign(tx, input.campaignId);
    const created = await tx.prospect.create({
      data: { ...prospectData(input, ownerId), createdById: actor.id },
    });
    await recordAudit(tx, { actorId: actor.id, action: "prospect.create", entityType: "prospect", entityId: created.id, changes: changedFields(null, auditView(created), PROSPECT_FIELDS) ?? null, context: actor.context });
    return { id: created.id };
  });
}

export async function updateProspect(db: Db, actor: Actor, id: string, input: ProspectInput): Promise<void> {
  await db.$transaction(async (tx) => {
    const before = await lockProspect(tx, actor, id);
    assertWorks(actor, before, "prospect");
    if (input.updatedAt && before.updatedAt.toISOString() !== input.updatedAt) {
      throw new ConflictError("Someone else saved this prospect while you were editing. Your changes are below, not yet saved: check the current values and save again.");
    }
    if (before.stage === "won") throw new ConflictError("This prospect is won: it became a client, whose record is kept from now on.");
    const ownerId = await ownerFor(tx, actor, input.ownerId, before.ownerId);
    if (input.campaignId !== before.campaignId) await checkCampaign(tx, input.campaignId);
    const after = await tx.prospect.update({
      where: { id },
      data: prospectData(input, ownerId),
    });
    const changes = changedFields(auditView(before), auditView(after), PROSPECT_FIELDS);
    if (changes) await recordAudit(tx, { actorId: actor.id, action: "prospect.update", entityType: "prospect", entityId: id, changes, context: actor.context });
  });
}

export function canMoveStage(from: Stage, to: Stage): boolean {
  return STAGE_MOVES[from].includes(to);
}

function stageRefusal(from: Stage, to: Stage): string {
  if (to === "won") return "A prospect is won by accepting one of its proposals.";
  const allowed = STAGE_MOVES[from].map((s) => LABELS[s]);
  if (!allowed.length) return `A ${LABELS[from]!.toLowerCase()} prospect stays ${LABELS[from]!.toLowerCase()}.`;
  return `A prospect cannot move from ${LABELS[from]} to ${LABELS[to]}. From ${LABELS[from]} it can move to ${allowed.join(", ")}.`;
}

/** Moves a prospect along its stages. `from` is what the user saw: a repeated click finds it moved and changes nothing. */
export async function moveProspect(db: Db, actor: Actor, id: string, input: StageMoveInput): Promise<{ stage: Stage }> {
  return db.$transaction(async (tx) => {
    const before = await lockProspect(tx, actor, id);
    assertWorks(actor, before, "prospect");
    if (input.from && input.from !== before.stage) {
      throw new ConflictError(`This prospect is at ${LABELS[before.stage]} now: it was moved while you were looking. Nothing was changed.`);
    }
    if (!canMoveStage(before.stage, input.to)) throw new ValidationError({ to: stageRefusal(before.stage, input.to) }, stageRefusal(before.stage, input.to));
    if (input.to === "lost" && !input.lostReason) throw new ValidationError({ lostReason: "Say why the prospect was lost." }, "Say why the prospect was lost.");
    const after = await tx.prospect.update({ where: { id }, data: { stage: input.to, lostReason: input.to === "lost" ? input.lostReason : null } });
    await recordAudit(tx, { actorId: actor.id, action: "prospect.stage", entityType: "prospect", entityId: id, changes: changedFields(auditView(before), auditView(after), PROSPECT_FIELDS) ?? null, context: actor.context });
    return { stage: after.stage };
  }, WAITING);
}

// ------------------------------------------------------------------------------------------------------ proposals

/** PRP-YYYY-NNNN from a per-year counter, so concurrent creates never share a number. */
export async function nextProposalNumber(tx: Tx, now = new Date()): Promise<string> {
  return `PRP-${now.getUTCFullYear()}-${String(await nextInYear(tx, "proposal_number_counters", now)).padStart(4, "0")}`;
}

function versionData(input: ProposalInput) {
  return { amount: input.amount, currency: input.currency, validUntil: input.validUntil, scope: input.scope };
}

export async function createProposal(db: Db, actor: Actor, prospectId: string, input: ProposalInput): Promise<{ id: string; number: string }> {
  return db.$transaction(async (tx) => {
    const prospect = await lockProspect(tx, actor, prospectId);
    assertWorks(actor, prospect, "prospect");
    if (!(OPEN_STAGES as readonly string[]).includes(prospect.stage)) {
      throw new ConflictError(`This prospect is ${LABELS[prospect.stage]!.toLowerCase()}: proposals are made to open prospects.`);
    }
    const number = await nextProposalNumber(tx);
    const created = await tx.proposal.create({ data: { number, prospectId, createdById: actor.id, versions: { create: { version: 1, ...versionData(input), createdById: actor.id } } } });
    await recordAudit(tx, { actorId: actor.id, action: "proposal.create", entityType: "proposal", entityId: created.id, changes: eventFacts({ number, prospectId, amount: input.amount, currency: input.currency }), context: actor.context });
    return { id: created.id, number };
  });
}

/**
 * Saves a proposal's terms. A draft is changed in place; a proposal that was sent (or rejected, or expired) keeps what
 * was sent as its version and gets a new draft version. An accepted proposal is final.
 */
export async function reviseProposal(db: Db, actor: Actor, id: string, input: ProposalInput): Promise<{ version: number; newVersion: boolean }> {
  return db.$transaction(async (tx) => {
    const { proposal, version } = await lockProposal(tx, actor, id);
    const prospect = await tx.prospect.findUniqueOrThrow({ where: { id: proposal.prospectId } });
    assertWorks(actor, prospect, "prospect");
    if (proposal.status === "accepted") throw new ConflictError("This proposal was accepted: it cannot change. Request a renewal to propose new terms.");
    if (input.version && input.version !== String(proposal.currentVersion)) {
      throw new ConflictError(`Someone saved version ${proposal.currentVersion} of this proposal while you were editing. Your changes are below, not yet saved: check the current terms and save again.`);
    }
    const before = auditView(version);
    if (proposal.status === "draft") {
      const after = await tx.proposalVersion.update({ where: { id: version.id }, data: versionData(input) });
      await tx.proposal.update({ where: { id }, data: { updatedAt: new Date() } });
      const changes = changedFields(before, auditView(after), ["amount", "currency", "validUntil", "scope"]);
      if (changes) await recordAudit(tx, { actorId: actor.id, action: "proposal.update", entityType: "proposal", entityId: id, changes, context: actor.context });
      return { version: proposal.currentVersion, newVersion: false };
    }
    const next = proposal.currentVersion + 1;
    const created = await tx.proposalVersion.create({ data: { proposalId: id, version: next, ...versionData(input), createdById: actor.id } });
    await tx.proposal.update({ where: { id }, data: { currentVersion: next, status: "draft", sentAt: null, decidedAt: null, decidedById: null, rejectionReason: null } });
    await recordAudit(tx, {
      actorId: actor.id,
      action: "proposal.new_version",
      entityType: "proposal",
      entityId: id,
      changes: { version: { before: proposal.currentVersion, after: next }, status: { before: proposal.status, after: "draft" }, ...changedFields(before, auditView(created), ["amount", "currency", "validUntil", "scope"]) },
      context: actor.context,
    });
    return { version: next, newVersion: true };
  }, WAITING);
}

/**
 * Deletes a prospect that never got further than drafts: refused once it is won, made a client, or has a proposal
 * that was sent (those are the firm's record of what it offered). Its draft proposals go with it.
 */
export async function deleteProspect(db: Db, actor: Actor, id: string): Promise<{ companyName: string }> {
  return db.$transaction(async (tx) => {
    const prospect = await lockProspect(tx, actor, id);
    assertCan(actor, "pipeline.delete", prospect);
    if (prospect.stage === "won") throw new ConflictError("This prospect is won: it is the record of how its client came to the firm, so it is kept.");
    const proposals = await tx.proposal.findMany({ where: { prospectId: id }, select: { id: true, number: true, status: true } });
    const kept = proposals.filter((p) => p.status !== "draft");
    if (kept.length) throw new ConflictError(`This prospect has proposals that were sent (${kept.map((p) => p.number).join(", ")}): they are kept, so the prospect is too. Mark it lost instead.`);
    if (await tx.client.findUnique({ where: { originProspectId: id }, select: { id: true } })) throw new ConflictError("A client was made from this prospect: it is kept.");
    for (const draft of proposals) {
      await tx.proposal.delete({ where: { id: draft.id } });
      await recordAudit(tx, { actorId: actor.id, action: "proposal.delete", entityType: "proposal", entityId: draft.id, changes: eventFacts({ number: draft.number, prospectId: id }), context: actor.context });
    }
    await tx.prospect.delete({ where: { id } });
    await recordAudit(tx, { actorId: actor.id, action: "prospect.delete", entityType: "prospect", entityId: id, changes: { ...removedFields(prospect, PROSPECT_FIELDS), ...(prospect.leadId ? eventFacts({ leadId: prospect.leadId }) : {}) }, context: actor.context });
    return { companyName: prospect.companyName };
  }, WAITING);
}

/** Deletes a draft proposal with its versions (a sent one is the record of an offer, and is kept). */
export async function deleteProposal(db: Db, actor: Actor, id: string): Promise<{ prospectId: string; number: string }> {
  return db.$transaction(async (tx) => {
    const { proposal, version } = await lockProposal(tx, actor, id);
    const prospect = await tx.prospect.findUniqueOrThrow({ where: { id: proposal.prospectId } });
    assertCan(actor, "pipeline.delete", prospect);
    if (proposal.status !== "draft") throw new ConflictError(`This proposal is ${LABELS[proposal.status]!.toLowerCase()}: only a draft is deleted; a sent proposal is the record of an offer.`);
    await tx.proposal.delete({ where: { id } });
    await recordAudit(tx, {
      actorId: actor.id, action: "proposal.delete", entityType: "proposal", entityId: id,
      changes: eventFacts({ number: proposal.number, prospectId: proposal.prospectId, versions: proposal.currentVersion, amount: Number(version.amount), currency: version.currency, scope: version.scope }),
      context: actor.context,
    });
    return { prospectId: proposal.prospectId, number: proposal.number };
  }, WAITING);
}

/** Sends a draft: its version is marked sent, and a prospect still in discovery moves to the proposal stage. */
export async function sendProposal(db: Db, actor: Actor, id: string): Promise<void> {
  await db.$transaction(async (tx) => {
    const { proposal, version } = await lockProposal(tx, actor, id);
    const prospect = await tx.prospect.findUniqueOrThrow({ where: { id: proposal.prospectId } });
    assertWorks(actor, prospect, "prospect");
    if (proposal.status !== "draft") throw new ConflictError(`This proposal is ${LABELS[proposal.status]!.toLowerCase()}: only a draft is sent.`);
    if (!(OPEN_STAGES as readonly string[]).includes(prospect.stage)) throw new ConflictError(`This prospect is ${LABELS[prospect.stage]!.toLowerCase()}: reopen it before sending a proposal.`);
    if (version.validUntil && version.validUntil < today()) throw new ValidationError({ validUntil: "This proposal's validity has passed: edit it and give a later date before sending." }, "This proposal's validity has passed: edit it and give a later date before sending.");
    const now = new Date();
    await tx.proposalVersion.update({ where: { id: version.id }, data: { sentAt: now } });
    await tx.proposal.update({ where: { id }, data: { status: "sent", sentAt: now } });
    if (prospect.stage === "discovery") await tx.prospect.update({ where: { id: prospect.id }, data: { stage: "proposal" } });
    await recordAudit(tx, { actorId: actor.id, action: "proposal.send", entityType: "proposal", entityId: id, changes: { status: { before: "draft", after: "sent" }, ...eventFacts({ version: proposal.currentVersion }) }, context: actor.context });
  }, WAITING);
}

/** Records the prospect's answer "no" (with a reason), or that the offer lapsed. */
export async function closeProposal(db: Db, actor: Actor, id: string, outcome: "rejected" | "expired", reason: string | null): Promise<void> {
  await db.$transaction(async (tx) => {
    const { proposal } = await lockProposal(tx, actor, id);
    const prospect = await tx.prospect.findUniqueOrThrow({ where: { id: proposal.prospectId } });
    assertWorks(actor, prospect, "prospect");
    if (proposal.status !== "sent") throw new ConflictError(`This proposal is ${LABELS[proposal.status]!.toLowerCase()}: only a sent proposal is ${outcome}.`);
    await tx.proposal.update({ where: { id }, data: { status: outcome, decidedAt: new Date(), decidedById: actor.id, rejectionReason: outcome === "rejected" ? reason : null } });
    await recordAudit(tx, { actorId: actor.id, action: `proposal.${outcome === "rejected" ? "reject" : "expire"}`, entityType: "proposal", entityId: id, changes: { status: { before: "sent", after: outcome }, ...(reason ? eventFacts({ reason }) : {}) }, context: actor.context });
  }, WAITING);
}

export interface Conversion {
  clientId: string;
  engagementId: string;
  caseId: string | null;
  /** False when the proposal had been accepted already (a second click, a retry): nothing new was made. */
  created: boolean;
}

/** What an accepted proposal made: its engagement and client, and the first case if one was opened with it. */
async function conversionOf(tx: Tx, proposalId: string): Promise<Conversion> {
  const engagement = await tx.engagement.findUniqueOrThrow({ where: { proposalId }, select: { id: true, clientId: true, firstCaseId: true } });
  return { clientId: engagement.clientId, engagementId: engagement.id, caseId: engagement.firstCaseId, created: false };
}

/**
 * Accepting a proposal converts its prospect, in one transaction and only once: the client (from the prospect's company
 * and contact, with its origin, through the clients' own service), the engagement and, if asked, a first case (through
 * the cases' service), the prospect won, its lead converted. A renewal proposal (of an existing client) adds the next
 * engagement instead of a client. The proposal's row lock orders concurrent accepts; whoever comes second finds it
 * accepted and gets what the first made. Unique keys (engagements.proposal_id, clients.origin_proposal_id) hold it too.
 */
export async function acceptProposal(db: Db, actor: Actor, id: string, input: AcceptInput, settings: CaseSettings): Promise<Conversion> {
  return db.$transaction(async (tx) => {
    const { proposal, version } = await lockProposal(tx, actor, id);
    assertCan(actor, "pipeline.accept");
    if (proposal.status === "accepted") return conversionOf(tx, id);
    if (proposal.status !== "sent") throw new ConflictError(`This proposal is ${LABELS[proposal.status]!.toLowerCase()}: only a sent proposal is accepted.`);
    if (version.validUntil && version.validUntil < today()) throw new ConflictError("This proposal's validity has passed: mark it expired, or edit it into a new version and send that.");
    await lockVisible(tx, "prospects", proposal.prospectId, visibleProspectsSql(actor, "t"));
    const prospect = await tx.prospect.findUniqueOrThrow({ where: { id: proposal.prospectId } });
    if (prospect.stage === "won") throw new ConflictError("This prospect was won with another proposal already.");
    if (prospect.stage === "lost") throw new ConflictError("This prospect is lost: move it back to discovery before accepting a proposal.");

    let clientId: string;
    let parent: { id: string; version: number } | null = null;
    if (prospect.clientId) {
      // A renewal: the client exists (and must still be visible to the one accepting); its engagement is renewed.
      const visible = await tx.$queryRaw<{ id: string }[]>`SELECT c.id FROM clients c WHERE c.id = ${prospect.clientId}::uuid AND ${visibleClientsSql(actor, "c")}`;
      if (!visible.length) throw new NotFoundError();
      clientId = prospect.clientId;
      if (prospect.renewalOfId) {
        const [row] = await tx.$queryRaw<{ id: string; version: number; status: string }[]>`SELECT id, version, status::text AS status FROM engagements WHERE id = ${prospect.renewalOfId}::uuid FOR UPDATE`;
        if (!row || row.status !== "current") throw new ConflictError("The engagement this proposal renews is no longer current: it was renewed or completed already.");
        parent = { id: row.id, version: row.version };
        await tx.engagement.update({ where: { id: row.id }, data: { status: "renewed" } });
      }
    } else {
      clientId = await convertToClient(db, tx, actor, prospect, id, input);
    }

    const caseId = input.caseTypeId ? await openFirstCase(db, tx, actor, clientId, prospect.ownerId, version.scope, input, settings) : null;
    const engagement = await tx.engagement.create({
      data: {
        firstCaseId: caseId,
        clientId,
        proposalId: id,
        parentId: parent?.id ?? null,
        version: parent ? parent.version + 1 : 1,
        title: input.engagementTitle ?? `${proposal.number}: ${firstLine(version.scope)}`,
        startDate: input.startDate,
        endDate: input.endDate,
        value: version.amount,
        currency: version.currency,
        createdById: actor.id,
      },
    });
    const now = new Date();
    await tx.proposal.update({ where: { id }, data: { status: "accepted", decidedAt: now, decidedById: actor.id } });
    // The won prospect's value is what was accepted, so the funnel's won stage adds up real business.
    await tx.prospect.update({ where: { id: prospect.id }, data: { stage: "won", wonAt: now, probability: 100, lostReason: null, estimatedValue: version.amount } });
    if (prospect.leadId) await tx.lead.update({ where: { id: prospect.leadId }, data: { status: "converted" } });
    await recordAudit(tx, {
      actorId: actor.id,
      action: "proposal.accept",
      entityType: "proposal",
      entityId: id,
      changes: { status: { before: "sent", after: "accepted" }, ...eventFacts({ version: proposal.currentVersion, clientId, engagementId: engagement.id, caseId }) },
      context: actor.context,
    });
    await recordAudit(tx, { actorId: actor.id, action: "prospect.won", entityType: "prospect", entityId: prospect.id, changes: { stage: { before: prospect.stage, after: "won" }, ...eventFacts({ proposalId: id, clientId }) }, context: actor.context });
    await recordAudit(tx, { actorId: actor.id, action: "engagement.create", entityType: "engagement", entityId: engagement.id, changes: eventFacts({ clientId, proposalId: id, parentId: parent?.id ?? null, version: engagement.version, value: Number(engagement.value), currency: engagement.currency }), context: actor.context });
    return { clientId, engagementId: engagement.id, caseId, created: true };
  }, WAITING);
}

function firstLine(text: string): string {
  const line = text.split(/\r?\n/).find((l) => l.trim()) ?? "";
  return line.trim().slice(0, 120) || "Engagement";
}

/** Rule errors of the client, contact and case services, shown next to the accept form's fields. */
function onAcceptForm(error: unknown, fields: Record<string, string>): never {
  if (error instanceof ValidationError) {
    const mapped: Record<string, string> = {};
    for (const [field, message] of Object.entries(error.fields)) mapped[fields[field] ?? "_form"] = message;
    throw new ValidationError(mapped);
  }
  throw error;
}

/** The client, through the clients' service (CLT code, rules, audit), with its origin and the prospect's contact. */
async function convertToClient(db: Db, tx: Tx, actor: Actor, prospect: { id: string; companyName: string; contactName: string | null; contactEmail: string | null; contactPhone: string | null; ownerId: string; campaignId: string | null; leadId: string | null }, proposalId: string, input: AcceptInput): Promise<string> {
  const owner = await tx.user.findUnique({ where: { id: prospect.ownerId }, select: { active: true } });
  const manager = owner?.active ? prospect.ownerId : actor.id;
  const lead = prospect.leadId ? await tx.lead.findUnique({ where: { id: prospect.leadId }, select: { source: true } }) : null;
  const day = today().toISOString().slice(0, 10);
  const form = clientForm.safeParse({
    name: prospect.companyName,
    clientType: "organization",
    email: prospect.contactEmail ?? "",
    phone: prospect.contactPhone ?? "",
    accountManagerId: manager,
    // A restricted client is visible only to its team: the one accepting joins it as a point of contact.
    primaryPocId: input.restricted && actor.id !== manager ? actor.id : "",
    isConfidential: input.restricted ? "on" : "",
    intakeDate: day,
    clientSince: day,
    referralSource: lead ? `Lead (${lead.source})` : "Pre-sale pipeline",
  });
  if (!form.success) throw new ValidationError({ _form: `The prospect's details do not make a valid client (${form.error.issues[0]?.message ?? "check its company and contact"}). Edit the prospect, then accept again.` });
  let clientId: string;
  try {
    clientId = (await createClient(db, actor, form.data, { tx, source: "conversion" })).id;
  } catch (error) {
    onAcceptForm(error, {});
  }
  await tx.client.update({ where: { id: clientId }, data: { originProspectId: prospect.id, originProposalId: proposalId } });
  if (prospect.contactName) {
    const contact = contactForm.parse({ name: prospect.contactName, email: prospect.contactEmail ?? "", phone: prospect.contactPhone ?? "", active: "on", isPrimary: "on" });
    await createContact(db, actor, clientId, contact, { tx });
  }
  return clientId;
}

/** The first case, through the cases' service (number, type's template, manager capacity, audit). */
async function openFirstCase(db: Db, tx: Tx, actor: Actor, clientId: string, ownerId: string, scope: string, input: AcceptInput, settings: CaseSettings): Promise<string> {
  const form = newCaseForm.safeParse({
    title: input.caseTitle ?? firstLine(scope),
    description: scope,
    clientId,
    typeId: input.caseTypeId!,
    managerId: input.caseManagerId ?? ownerId,
  });
  if (!form.success) throw new ValidationError({ caseTitle: form.error.issues[0]?.message ?? "Check the first case's details." });
  try {
    return (await createCase(db, actor, form.data, settings, { tx })).id;
  } catch (error) {
    onAcceptForm(error, { typeId: "caseTypeId", managerId: "caseManagerId", templateId: "caseTypeId", clientId: "_form" });
  }
}

// ------------------------------------------------------------------------------------------------------- renewals

/**
 * Requesting a renewal of a current engagement opens a renewal prospect of its client (owned by the one asking, at the
 * proposal stage) with a draft proposal of the same terms, to edit and send. Once per engagement while one is open.
 */
export async function requestRenewal(db: Db, actor: Actor, engagementId: string): Promise<{ prospectId: string; proposalId: string | null; created: boolean }> {
  if (!isUuid(engagementId)) throw new NotFoundError();
  return db.$transaction(async (tx) => {
    const [engagement] = await tx.$queryRaw<{ id: string; client_id: string; client_name: string; client_email: string | null; client_phone: string | null; title: string; value: Prisma.Decimal; currency: string; end_date: Date; status: string }[]>`
      SELECT e.id, e.client_id, c.name AS client_name, c.email AS client_email, c.phone AS client_phone, e.title, e.value, e.currency, e.end_date, e.status::text AS status
      FROM engagements e JOIN clients c ON c.id = e.client_id
      WHERE e.id = ${engagementId}::uuid AND ${visibleClientsSql(actor, "c")}
      FOR UPDATE OF e`;
    if (!engagement) throw new NotFoundError();
    const open = await tx.prospect.findFirst({ where: { renewalOfId: engagementId, stage: { in: [...OPEN_STAGES] } }, select: { id: true, proposals: { select: { id: true }, orderBy: { createdAt: "desc" }, take: 1 } } });
    if (open) return { prospectId: open.id, proposalId: open.proposals[0]?.id ?? null, created: false };
    if (engagement.status !== "current") throw new ConflictError("Only a current engagement is renewed.");
    const prospect = await tx.prospect.create({
      data: {
        companyName: engagement.client_name,
        contactEmail: engagement.client_email,
        contactPhone: engagement.client_phone,
        stage: "proposal",
        estimatedValue: engagement.value,
        probability: 50,
        expectedCloseDate: engagement.end_date,
        ownerId: actor.id,
        clientId: engagement.client_id,
        renewalOfId: engagementId,
        createdById: actor.id,
      },
    });
    const number = await nextProposalNumber(tx);
    const proposal = await tx.proposal.create({
      data: { number, prospectId: prospect.id, createdById: actor.id, versions: { create: { version: 1, amount: engagement.value, currency: engagement.currency, scope: `Renewal of ${engagement.title}`, createdById: actor.id } } },
    });
    await recordAudit(tx, { actorId: actor.id, action: "engagement.renewal_requested", entityType: "engagement", entityId: engagementId, changes: eventFacts({ prospectId: prospect.id, proposalId: proposal.id, number }), context: actor.context });
    return { prospectId: prospect.id, proposalId: proposal.id, created: true };
  });
}

// ------------------------------------------------------------------------------------------------------ campaigns

export async function saveCampaign(db: Db, actor: Actor, id: string | null, input: CampaignInput): Promise<{ id: string }> {
  assertCan(actor, "pipeline.manageCampaigns");
  return db.$transaction(async (tx) => {
    const before = id ? await tx.campaign.findUnique({ where: { id } }) : null;
    if (id && !before) throw new NotFoundError();
    const ownerId = await ownerFor(tx, actor, input.ownerId, before?.ownerId);
    const data = { name: input.name, campaignType: input.campaignType, startDate: input.startDate, endDate: input.endDate, budget: input.budget, ownerId };
    const after = id ? await tx.campaign.update({ where: { id }, data }) : await tx.campaign.create({ data });
    const changes = changedFields(before ? auditView(before) : null, auditView(after), CAMPAIGN_FIELDS);
    if (changes) await recordAudit(tx, { actorId: actor.id, action: id ? "campaign.update" : "campaign.create", entityType: "campaign", entityId: after.id, changes, context: actor.context });
    return { id: after.id };
  });
}
