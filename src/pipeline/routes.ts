// Pipeline pages: the funnel, leads, prospects (list and board), proposals (versions, print, accept), campaigns and
// upcoming renewals. Routes parse and render; reads come from queries.ts, writes from service.ts.
import { can } from "../access/permissions.ts";
import { Router, type Request, type Response } from "express";
import type { Db } from "../db/client.ts";
import type { CaseSettings } from "../cases/service.ts";
import { seesAllPipeline } from "../access/pipeline.ts";
import { actorOf } from "../web/context.ts";
import { errorsOf, formValues, parseForm } from "../web/forms.ts";
import { flash } from "../web/flash.ts";
import { isUuid } from "../web/fields.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../errors.ts";
import * as schemas from "./schemas.ts";
import * as queries from "./queries.ts";
import * as service from "./service.ts";
import { pipelineTransferRoutes } from "./transfer-routes.ts";
import { sqlRead, sqlReads } from "../db/sql.ts";

const day = (d: Date | null | undefined) => (d ? d.toISOString().slice(0, 10) : "");
const money = (v: unknown) => (v === null || v === undefined ? "" : Number(v).toFixed(2));

/** Where a board or list button sends the user back to: only pipeline pages. */
function safeReturn(value: string | undefined, fallback: string): string {
  return value && /^\/pipeline\/[\w\-/?=&%.]*$/.test(value) && !value.startsWith("//") ? value : fallback;
}

export function pipelineRoutes(db: Db, settings: CaseSettings) {
  const router = Router();
  router.use(pipelineTransferRoutes(db));

  // Both pickers in one statement.
  const pickers = async () => {
    const [owners, campaigns] = await sqlReads(db, [queries.ownerChoicesRead(), queries.campaignChoicesRead()]);
    return { owners, campaigns };
  };
  const common = { labels: schemas.LABELS, schemas };

  // --------------------------------------------------------------------------------------------------- overview

  router.get("/", async (req, res) => {
    const actor = actorOf(req);
    const stages = await queries.funnel(db, actor);
    const open = stages.filter((s) => (schemas.OPEN_STAGES as readonly string[]).includes(s.stage));
    res.render("pipeline/index", {
      title: "Pipeline",
      ...common,
      stages,
      openValue: open.reduce((n, s) => n + s.value, 0),
      openWeighted: open.reduce((n, s) => n + s.weighted, 0),
      maxValue: Math.max(1, ...stages.map((s) => s.value)),
      renewals: (await queries.upcomingRenewals(db, actor)).slice(0, 10),
      seesAll: seesAllPipeline(actor),
    });
  });

  router.get("/renewals", async (req, res) => {
    res.render("pipeline/renewals", { title: "Upcoming renewals", ...common, renewals: await queries.upcomingRenewals(db, actorOf(req)) });
  });

  router.post("/engagements/:id/renewal", async (req, res) => {
    const result = await service.requestRenewal(db, actorOf(req), String(req.params.id));
    flash(req, result.created ? "success" : "info", result.created ? "Renewal requested: a renewal prospect and a draft proposal were opened. Edit the terms, then send it." : "A renewal of this engagement is already open.");
    res.redirect(result.proposalId ? `/pipeline/proposals/${result.proposalId}` : `/pipeline/prospects/${result.prospectId}`);
  });

  // ------------------------------------------------------------------------------------------------------ leads

  router.get("/leads", async (req, res) => {
    const actor = actorOf(req);
    const filters = schemas.leadFilters.parse(req.query);
    const page = await queries.leadPage(db, actor, filters);
    res.render("pipeline/leads/index", {
      title: "Leads",
      ...common,
      ...(await pickers()),
      page,
      filters,
      query: req.query,
      filtered: Boolean(filters.q || filters.status || filters.owner || filters.campaign || filters.source),
      canImport: can(actor, "pipeline.import"),
      seesAll: seesAllPipeline(actor),
    });
  });

  const leadFormPage = async (req: Request, res: Response, status: number, locals: Record<string, unknown>) =>
    res.status(status).render("pipeline/leads/form", { ...common, ...(await pickers()), errors: {}, duplicates: [], canAssign: can(req.user!, "pipeline.assignOwner"), ...locals });

  router.get("/leads/new", async (req, res) => {
    await leadFormPage(req, res, 200, { title: "New lead", lead: null, values: { source: "website", status: "new", score: "0", capturedDate: day(new Date()), ownerId: req.user!.id } });
  });

  router.post("/leads", async (req, res) => {
    const actor = actorOf(req);
    const values = formValues(req.body);
    const again = (status: number, extra: Record<string, unknown>) => leadFormPage(req, res, status, { title: "New lead", lead: null, values, ...extra });
    const form = parseForm(schemas.leadForm, req.body);
    if (!form.ok) return again(422, { errors: form.errors });
    if (!form.data.confirmDuplicates) {
      const duplicates = await queries.pipelineDuplicates(db, actor, { name: form.data.companyName, email: form.data.email });
      if (duplicates.length) return again(200, { duplicates });
    }
    try {
      const { id } = await service.createLead(db, actor, form.data);
      flash(req, "success", `Lead ${form.data.companyName} captured.`);
      res.redirect(`/pipeline/leads/${id}`);
    } catch (error) {
      const errors = errorsOf(error);
      if (errors) return again(422, { errors });
      throw error;
    }
  });

  async function visibleLead(req: Request) {
    const lead = await queries.leadRow(db, actorOf(req), String(req.params.id));
    if (!lead) throw new NotFoundError();
    return lead;
  }

  router.get("/leads/:id", async (req, res) => {
    const actor = actorOf(req);
    const lead = await visibleLead(req);
    const duplicates = await queries.pipelineDuplicates(db, actor, { name: lead.company_name, email: lead.email }, { leadId: lead.id });
    res.render("pipeline/leads/show", { title: lead.company_name, ...common, lead, duplicates, canWork: can(actor, "pipeline.work", { ownerId: lead.owner_id }) });
  });

  router.get("/leads/:id/edit", async (req, res) => {
    const lead = await visibleLead(req);
    if (!can(req.user!, "pipeline.work", { ownerId: lead.owner_id })) throw new ForbiddenError("Only the lead's owner, managers and administrators change it.");
    await leadFormPage(req, res, 200, { title: `Edit ${lead.company_name}`, lead, values: leadValues(lead) });
  });

  router.post("/leads/:id", async (req, res) => {
    const actor = actorOf(req);
    const lead = await visibleLead(req);
    const values = formValues(req.body);
    const again = (status: number, extra: Record<string, unknown>) => leadFormPage(req, res, status, { title: `Edit ${lead.company_name}`, lead, values, ...extra });
    const form = parseForm(schemas.leadForm, req.body);
    if (!form.ok) return again(422, { errors: form.errors });
    if (!form.data.confirmDuplicates && form.data.companyName !== lead.company_name) {
      const duplicates = await queries.pipelineDuplicates(db, actor, { name: form.data.companyName, email: form.data.email }, { leadId: lead.id });
      if (duplicates.length) return again(200, { duplicates });
    }
    try {
      await service.updateLead(db, actor, lead.id, form.data);
    } catch (error) {
      const errors = errorsOf(error);
      if (errors) return again(422, { errors });
      if (error instanceof ConflictError) {
        const latest = await visibleLead(req);
        return again(409, { conflict: error.message, values: { ...values, updatedAt: latest.updated_at.toISOString() } });
      }
      throw error;
    }
    flash(req, "success", "Lead saved.");
    res.redirect(`/pipeline/leads/${lead.id}`);
  });

  router.post("/leads/:id/qualify", async (req, res) => {
    try {
      const { prospectId, created } = await service.qualifyLead(db, actorOf(req), String(req.params.id));
      flash(req, created ? "success" : "info", created ? "Lead qualified: this prospect was made from it." : "This lead was qualified already: here is its prospect.");
      res.redirect(`/pipeline/prospects/${prospectId}`);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      flash(req, "error", error.message);
      res.redirect(`/pipeline/leads/${req.params.id}`);
    }
  });

  // Deleting a lead, a prospect or a draft proposal: a confirmation page, then the service's checks (a refusal comes
  // back as a flash on the record's page).
  const deletion = (what: "lead" | "prospect" | "proposal", listUrl: string, listLabel: string, rule: string, load: (req: Request) => Promise<{ id: string; name: string; ownerId: string }>, remove: (req: Request, id: string) => Promise<{ message: string; to: string }>) => {
    const backUrl = (id: string) => `/pipeline/${what}s/${id}`;
    router.get(`/${what}s/:id/delete`, async (req, res) => {
      const record = await load(req);
      if (!can(req.user!, "pipeline.delete", record)) throw new ForbiddenError("Only the record's owner, managers and administrators delete it.");
      res.render("pipeline/delete", { title: `Delete ${record.name}`, what, name: record.name, listUrl, listLabel, backUrl: backUrl(record.id), rule });
    });
    router.post(`/${what}s/:id/delete`, async (req, res) => {
      const record = await load(req);
      try {
        const { message, to } = await remove(req, record.id);
        flash(req, "success", message);
        res.redirect(to);
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        flash(req, "error", error.message);
        res.redirect(backUrl(record.id));
      }
    });
  };

  // -------------------------------------------------------------------------------------------------- prospects

  router.get("/prospects", async (req, res) => {
    const actor = actorOf(req);
    const filters = schemas.prospectFilters.parse(req.query);
    res.render("pipeline/prospects/index", {
      title: "Prospects",
      ...common,
      ...(await pickers()),
      page: await queries.prospectPage(db, actor, filters),
      filters,
      query: req.query,
      filtered: Boolean(filters.q || filters.stage || filters.owner || filters.campaign),
    });
  });

  router.get("/prospects/board", async (req, res) => {
    const actor = actorOf(req);
    const filters = schemas.prospectFilters.parse(req.query);
    const columns = await queries.prospectBoard(db, actor, filters);
    const moves = (card: queries.ProspectRow) => (can(actor, "pipeline.work", { ownerId: card.owner_id }) ? schemas.STAGE_MOVES[card.stage] : []);
    res.render("pipeline/prospects/board", {
      title: "Prospect board",
      ...common,
      ...(await pickers()),
      columns,
      moves,
      filters,
      query: req.query,
      boardCards: queries.BOARD_CARDS,
      boardHref: `/pipeline/prospects/board${req.url.includes("?") ? req.url.slice(req.url.indexOf("?")) : ""}`,
    });
  });

  const prospectFormPage = async (req: Request, res: Response, status: number, locals: Record<string, unknown>) =>
    res.status(status).render("pipeline/prospects/form", { ...common, ...(await pickers()), errors: {}, duplicates: [], canAssign: can(req.user!, "pipeline.assignOwner"), ...locals });

  router.get("/prospects/new", async (req, res) => {
    await prospectFormPage(req, res, 200, { title: "New prospect", prospect: null, values: { probability: "10", ownerId: req.user!.id } });
  });

  router.post("/prospects", async (req, res) => {
    const actor = actorOf(req);
    const values = formValues(req.body);
    const again = (status: number, extra: Record<string, unknown>) => prospectFormPage(req, res, status, { title: "New prospect", prospect: null, values, ...extra });
    const form = parseForm(schemas.prospectForm, req.body);
    if (!form.ok) return again(422, { errors: form.errors });
    if (!form.data.confirmDuplicates) {
      const duplicates = await queries.pipelineDuplicates(db, actor, { name: form.data.companyName, email: form.data.contactEmail });
      if (duplicates.length) return again(200, { duplicates });
    }
    try {
      const { id } = await service.createProspect(db, actor, form.data);
      flash(req, "success", `Prospect ${form.data.companyName} opened.`);
      res.redirect(`/pipeline/prospects/${id}`);
    } catch (error) {
      const errors = errorsOf(error);
      if (errors) return again(422, { errors });
      throw error;
    }
  });

  async function visibleProspect(req: Request, id = String(req.params.id)) {
    const prospect = await queries.prospectRow(db, actorOf(req), id);
    if (!prospect) throw new NotFoundError();
    return prospect;
  }

  router.get("/prospects/:id", async (req, res) => {
    const actor = actorOf(req);
    const prospect = await visibleProspect(req);
    res.render("pipeline/prospects/show", {
      title: prospect.company_name,
      ...common,
      prospect,
      proposals: await queries.proposalsOfProspect(db, actor, prospect.id),
      duplicates: prospect.client_id || prospect.stage === "won" ? [] : await queries.pipelineDuplicates(db, actor, { name: prospect.company_name, email: prospect.contact_email }, { prospectId: prospect.id, leadId: prospect.lead_id ?? undefined }),
      converted: await queries.convertedClientOf(db, prospect.id),
      canWork: can(actor, "pipeline.work", { ownerId: prospect.owner_id }),
      moves: schemas.STAGE_MOVES[prospect.stage],
    });
  });

  router.get("/prospects/:id/edit", async (req, res) => {
    const prospect = await visibleProspect(req);
    if (!can(req.user!, "pipeline.work", { ownerId: prospect.owner_id })) throw new ForbiddenError("Only the prospect's owner, managers and administrators change it.");
    await prospectFormPage(req, res, 200, { title: `Edit ${prospect.company_name}`, prospect, values: prospectValues(prospect) });
  });

  router.post("/prospects/:id", async (req, res) => {
    const actor = actorOf(req);
    const prospect = await visibleProspect(req);
    const values = formValues(req.body);
    const again = (status: number, extra: Record<string, unknown>) => prospectFormPage(req, res, status, { title: `Edit ${prospect.company_name}`, prospect, values, ...extra });
    const form = parseForm(schemas.prospectForm, req.body);
    if (!form.ok) return again(422, { errors: form.errors });
    try {
      await service.updateProspect(db, actor, prospect.id, form.data);
    } catch (error) {
      const errors = errorsOf(error);
      if (errors) return again(422, { errors });
      if (error instanceof ConflictError) {
        const latest = await visibleProspect(req);
        return again(409, { conflict: error.message, values: { ...values, updatedAt: latest.updated_at.toISOString() } });
      }
      throw error;
    }
    flash(req, "success", "Prospect saved.");
    res.redirect(`/pipeline/prospects/${prospect.id}`);
  });

  router.post("/prospects/:id/stage", async (req, res) => {
    const id = String(req.params.id);
    const form = schemas.stageMoveForm.safeParse(req.body ?? {});
    const back = safeReturn(form.success ? form.data.returnTo : undefined, `/pipeline/prospects/${id}`);
    if (!form.success) {
      await visibleProspect(req); // hidden or missing: 404 before any message
      flash(req, "error", form.error.issues[0]?.message ?? "Choose a stage.");
      return res.redirect(back);
    }
    try {
      const { stage } = await service.moveProspect(db, actorOf(req), id, form.data);
      flash(req, "success", `Moved to ${schemas.LABELS[stage]}.`);
      res.redirect(back);
    } catch (error) {
      if (!(error instanceof ConflictError || error instanceof ValidationError)) throw error;
      flash(req, "error", error.message);
      // A move to lost needs a reason: the prospect's page asks for it.
      res.redirect(error instanceof ValidationError && error.fields.lostReason ? `/pipeline/prospects/${id}#stage` : back);
    }
  });

  // -------------------------------------------------------------------------------------------------- proposals

  const proposalFormPage = (res: Response, status: number, locals: Record<string, unknown>) =>
    res.status(status).render("pipeline/proposals/form", { ...common, errors: {}, ...locals });

  router.get("/prospects/:id/proposals/new", async (req, res) => {
    const prospect = await visibleProspect(req);
    if (!can(req.user!, "pipeline.work", { ownerId: prospect.owner_id })) throw new ForbiddenError("Only the prospect's owner, managers and administrators make proposals.");
    proposalFormPage(res, 200, { title: `New proposal to ${prospect.company_name}`, prospect, proposal: null, values: { currency: "USD", amount: money(prospect.estimated_value), validUntil: day(new Date(Date.now() + 30 * 86_400_000)) } });
  });

  router.post("/prospects/:id/proposals", async (req, res) => {
    const actor = actorOf(req);
    const prospect = await visibleProspect(req);
    const values = formValues(req.body);
    const form = parseForm(schemas.proposalForm, req.body);
    const again = (status: number, extra: Record<string, unknown>) => proposalFormPage(res, status, { title: `New proposal to ${prospect.company_name}`, prospect, proposal: null, values, ...extra });
    if (!form.ok) return again(422, { errors: form.errors });
    try {
      const { id, number } = await service.createProposal(db, actor, prospect.id, form.data);
      flash(req, "success", `Proposal ${number} drafted.`);
      res.redirect(`/pipeline/proposals/${id}`);
    } catch (error) {
      if (error instanceof ConflictError) return again(409, { conflict: error.message });
      throw error;
    }
  });

  router.get("/proposals", async (req, res) => {
    const status = (schemas.PROPOSAL_STATUSES as readonly string[]).includes(String(req.query.status)) ? String(req.query.status) : undefined;
    const after = typeof req.query.after === "string" && req.query.after.length <= 500 ? req.query.after : undefined;
    const page = await queries.proposalPage(db, actorOf(req), { status, after });
    res.render("pipeline/proposals/index", { title: "Proposals", ...common, page, status, after, query: req.query });
  });

  async function visibleProposal(req: Request) {
    const proposal = await queries.proposalRow(db, actorOf(req), String(req.params.id));
    if (!proposal) throw new NotFoundError();
    return proposal;
  }

  deletion("lead", "/pipeline/leads", "Leads", "A lead that was qualified is kept: its prospect records where it came from.",
    async (req) => { const l = await visibleLead(req); return { id: l.id, name: l.company_name, ownerId: l.owner_id }; },
    async (req, id) => ({ message: `Lead ${(await service.deleteLead(db, actorOf(req), id)).companyName} deleted.`, to: "/pipeline/leads" }));
  deletion("prospect", "/pipeline/prospects", "Prospects", "Its draft proposals are deleted with it. A won prospect, or one with a proposal that was sent, is kept.",
    async (req) => { const p = await visibleProspect(req); return { id: p.id, name: p.company_name, ownerId: p.owner_id }; },
    async (req, id) => ({ message: `Prospect ${(await service.deleteProspect(db, actorOf(req), id)).companyName} deleted.`, to: "/pipeline/prospects" }));
  deletion("proposal", "/pipeline/proposals", "Proposals", "Only a draft is deleted, with all its versions; a sent proposal is the record of an offer and is kept.",
    async (req) => {
      const pr = await visibleProposal(req);
      const prospect = await visibleProspect(req, pr.prospect_id);
      return { id: pr.id, name: pr.number, ownerId: prospect.owner_id };
    },
    async (req, id) => {
      const { prospectId, number } = await service.deleteProposal(db, actorOf(req), id);
      return { message: `Draft proposal ${number} deleted.`, to: `/pipeline/prospects/${prospectId}` };
    });

  router.get("/proposals/:id", async (req, res) => {
    const actor = actorOf(req);
    const proposal = await visibleProposal(req);
    const prospect = await visibleProspect(req, proposal.prospect_id);
    const versions = await queries.proposalVersions(db, proposal.id);
    const shown = versions.find((v) => String(v.version) === req.query.version) ?? versions[0]!;
    const engagement = proposal.status === "accepted" ? await queries.engagementOfProposal(db, proposal.id) : null;
    res.render("pipeline/proposals/show", {
      title: `Proposal ${proposal.number}`,
      ...common,
      proposal,
      prospect,
      versions,
      shown,
      engagement,
      canWork: can(actor, "pipeline.work", { ownerId: prospect.owner_id }),
      canAccept: can(actor, "pipeline.accept"),
    });
  });

  router.get("/proposals/:id/print", async (req, res) => {
    const proposal = await visibleProposal(req);
    const prospect = await visibleProspect(req, proposal.prospect_id);
    const versions = await queries.proposalVersions(db, proposal.id);
    const shown = versions.find((v) => String(v.version) === req.query.version) ?? versions[0]!;
    res.render("pipeline/proposals/print", { title: `Proposal ${proposal.number}`, ...common, proposal, prospect, shown, layout: false });
  });

  router.get("/proposals/:id/edit", async (req, res) => {
    const proposal = await visibleProposal(req);
    const prospect = await visibleProspect(req, proposal.prospect_id);
    if (!can(req.user!, "pipeline.work", { ownerId: prospect.owner_id })) throw new ForbiddenError("Only the prospect's owner, managers and administrators change its proposals.");
    if (proposal.status === "accepted") throw new ConflictError("This proposal was accepted: it cannot change.");
    proposalFormPage(res, 200, { title: `Edit ${proposal.number}`, prospect, proposal, values: { amount: money(proposal.amount), currency: proposal.currency, validUntil: day(proposal.valid_until), scope: proposal.scope, version: String(proposal.current_version) } });
  });

  router.post("/proposals/:id", async (req, res) => {
    const actor = actorOf(req);
    const proposal = await visibleProposal(req);
    const prospect = await visibleProspect(req, proposal.prospect_id);
    const values = formValues(req.body);
    const again = (status: number, extra: Record<string, unknown>) => proposalFormPage(res, status, { title: `Edit ${proposal.number}`, prospect, proposal, values, ...extra });
    const form = parseForm(schemas.proposalForm, req.body);
    if (!form.ok) return again(422, { errors: form.errors });
    try {
      const { version, newVersion } = await service.reviseProposal(db, actor, proposal.id, form.data);
      flash(req, "success", newVersion ? `Saved as version ${version}, a draft; version ${version - 1} is kept as it was sent.` : "Proposal saved.");
      res.redirect(`/pipeline/proposals/${proposal.id}`);
    } catch (error) {
      if (error instanceof ConflictError) {
        const latest = await visibleProposal(req);
        return again(409, { conflict: error.message, values: { ...values, version: String(latest.current_version) } });
      }
      throw error;
    }
  });

  /** Send, reject and expire: a flash and back to the proposal, whatever the outcome. */
  async function proposalAction(req: Request, res: Response, work: () => Promise<void>, done: string) {
    try {
      await work();
      flash(req, "success", done);
    } catch (error) {
      if (!(error instanceof ConflictError || error instanceof ValidationError)) throw error;
      flash(req, "error", error.message);
    }
    res.redirect(`/pipeline/proposals/${req.params.id}`);
  }

  router.post("/proposals/:id/send", (req, res) => proposalAction(req, res, () => service.sendProposal(db, actorOf(req), String(req.params.id)), "Proposal marked as sent."));
  router.post("/proposals/:id/expire", (req, res) => proposalAction(req, res, () => service.closeProposal(db, actorOf(req), String(req.params.id), "expired", null), "Proposal marked as expired."));
  router.post("/proposals/:id/reject", async (req, res) => {
    const form = parseForm(schemas.reasonForm, req.body);
    if (!form.ok) {
      await visibleProposal(req);
      flash(req, "error", "To record a rejection, give the reason.");
      return res.redirect(`/pipeline/proposals/${req.params.id}#decide`);
    }
    await proposalAction(req, res, () => service.closeProposal(db, actorOf(req), String(req.params.id), "rejected", form.data.reason), "Proposal marked as rejected.");
  });

  const acceptPage = async (req: Request, res: Response, status: number, locals: Record<string, unknown>) => {
    const proposal = await visibleProposal(req);
    const prospect = await visibleProspect(req, proposal.prospect_id);
    const caseTypes = await queries.caseTypeChoices(db);
    res.status(status).render("pipeline/proposals/accept", { title: `Accept ${proposal.number}`, ...common, proposal, prospect, caseTypes, owners: await sqlRead(db, queries.ownerChoicesRead()), errors: {}, ...locals });
  };

  router.get("/proposals/:id/accept", async (req, res) => {
    if (!can(req.user!, "pipeline.accept")) {
      await visibleProposal(req);
      throw new ForbiddenError("Only managers and administrators accept proposals.");
    }
    const start = new Date();
    const end = new Date(Date.UTC(start.getUTCFullYear() + 1, start.getUTCMonth(), start.getUTCDate() - 1));
    await acceptPage(req, res, 200, { values: { startDate: day(start), endDate: day(end) } });
  });

  router.post("/proposals/:id/accept", async (req, res) => {
    const actor = actorOf(req);
    const values = formValues(req.body);
    const form = parseForm(schemas.acceptForm, req.body);
    if (!form.ok) {
      if (!can(actor, "pipeline.accept")) {
        await visibleProposal(req);
        throw new ForbiddenError("Only managers and administrators accept proposals.");
      }
      return acceptPage(req, res, 422, { values, errors: form.errors });
    }
    try {
      const result = await service.acceptProposal(db, actor, String(req.params.id), form.data, settings);
      flash(req, result.created ? "success" : "info", result.created ? "Proposal accepted: the client, its engagement" + (result.caseId ? " and its first case were" : " were") + " created." : "This proposal was accepted already: here is its client.");
      res.redirect(`/clients/${result.clientId}`);
    } catch (error) {
      const errors = errorsOf(error);
      if (errors) return acceptPage(req, res, 422, { values, errors });
      if (error instanceof ConflictError) return acceptPage(req, res, 409, { values, conflict: error.message });
      throw error;
    }
  });

  // -------------------------------------------------------------------------------------------------- campaigns

  router.get("/campaigns", async (req, res) => {
    res.render("pipeline/campaigns/index", { title: "Campaigns", ...common, campaigns: await queries.campaignList(db, actorOf(req)), canManage: can(req.user!, "pipeline.manageCampaigns") });
  });

  const campaignFormPage = async (req: Request, res: Response, status: number, locals: Record<string, unknown>) => {
    if (!can(req.user!, "pipeline.manageCampaigns")) throw new ForbiddenError("Only managers and administrators manage campaigns.");
    res.status(status).render("pipeline/campaigns/form", { ...common, owners: await sqlRead(db, queries.ownerChoicesRead()), errors: {}, ...locals });
  };

  router.get("/campaigns/new", async (req, res) => {
    await campaignFormPage(req, res, 200, { title: "New campaign", campaign: null, values: { campaignType: "email", startDate: day(new Date()), budget: "0.00", ownerId: req.user!.id } });
  });

  async function saveCampaign(req: Request, res: Response, campaign: { id: string; name: string } | null) {
    const values = formValues(req.body);
    const form = parseForm(schemas.campaignForm, req.body);
    const title = campaign ? `Edit ${campaign.name}` : "New campaign";
    if (!form.ok) return campaignFormPage(req, res, 422, { title, campaign, values, errors: form.errors });
    try {
      const { id } = await service.saveCampaign(db, actorOf(req), campaign?.id ?? null, form.data);
      flash(req, "success", "Campaign saved.");
      res.redirect(`/pipeline/campaigns/${id}`);
    } catch (error) {
      const errors = errorsOf(error);
      if (errors) return campaignFormPage(req, res, 422, { title, campaign, values, errors });
      throw error;
    }
  }

  router.post("/campaigns", (req, res) => saveCampaign(req, res, null));

  async function campaignOf(req: Request) {
    const id = String(req.params.id);
    const [campaign] = isUuid(id) ? await queries.campaignList(db, actorOf(req), id) : [];
    if (!campaign) throw new NotFoundError();
    return campaign;
  }

  router.get("/campaigns/:id", async (req, res) => {
    const campaign = await campaignOf(req);
    const leads = await queries.leadPage(db, actorOf(req), { campaign: campaign.id }, 20);
    res.render("pipeline/campaigns/show", { title: campaign.name, ...common, campaign, leads, canManage: can(req.user!, "pipeline.manageCampaigns") });
  });

  router.get("/campaigns/:id/edit", async (req, res) => {
    const c = await campaignOf(req);
    await campaignFormPage(req, res, 200, { title: `Edit ${c.name}`, campaign: c, values: { name: c.name, campaignType: c.campaign_type, startDate: day(c.start_date), endDate: day(c.end_date), budget: money(c.budget), ownerId: c.owner_id } });
  });

  router.post("/campaigns/:id", async (req, res) => saveCampaign(req, res, await campaignOf(req)));

  return router;
}

function leadValues(lead: NonNullable<Awaited<ReturnType<typeof queries.leadRow>>>): Record<string, string> {
  return {
    companyName: lead.company_name,
    contactName: lead.contact_name ?? "",
    email: lead.email ?? "",
    phone: lead.phone ?? "",
    source: lead.source,
    status: lead.status,
    lostReason: lead.lost_reason ?? "",
    score: String(lead.score),
    campaignId: lead.campaign_id ?? "",
    ownerId: lead.owner_id,
    capturedDate: day(lead.captured_date),
    notes: lead.notes ?? "",
    updatedAt: lead.updated_at.toISOString(),
  };
}

function prospectValues(p: queries.ProspectRow): Record<string, string> {
  return {
    companyName: p.company_name,
    contactName: p.contact_name ?? "",
    contactEmail: p.contact_email ?? "",
    contactPhone: p.contact_phone ?? "",
    estimatedValue: money(p.estimated_value),
    probability: String(p.probability),
    expectedCloseDate: day(p.expected_close_date),
    ownerId: p.owner_id,
    campaignId: p.campaign_id ?? "",
    updatedAt: p.updated_at.toISOString(),
  };
}
