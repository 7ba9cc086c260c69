// The pipeline from lead to client through the pages: capture, qualify, propose, version, send, accept; the client page
// shows its origin and engagement; every transition and its refusals.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { signedIn, type Agent } from "../helpers/http.ts";
import { makeCaseType } from "../cases/support.ts";
import { fieldBlock } from "../clients/support.ts";
import { ACCEPT, idFrom, makeLead, makeProposal, makeProspect, post } from "./support.ts";

let t: TestApp;
let manager: Awaited<ReturnType<typeof makeUser>>;
let staff: Awaited<ReturnType<typeof makeUser>>;
let asManager: Agent;
let asStaff: Agent;

beforeAll(async () => {
  t = await createTestApp();
  manager = await makeUser(t.db, { role: "manager", name: "Mona Manager" });
  staff = await makeUser(t.db, { role: "staff", name: "Sam Staff" });
  asManager = await signedIn(t.app, manager.email);
  asStaff = await signedIn(t.app, staff.email);
});
afterAll(async () => {
  await t.close();
});

describe("from lead to client", () => {
  it("captures a lead, qualifies it into a prospect, drafts, versions, sends and accepts a proposal, and lands on the client", async () => {
    const { type } = await makeCaseType(t.db, { name: "Advisory", stages: [{ name: "Kick-off" }] });
    const created = await post(asStaff, "/pipeline/leads/new", "/pipeline/leads", { companyName: "Quintessa Analytics", contactName: "Ada Byte", email: "ada@quintessa.example", source: "website", status: "new", score: "55" });
    expect(created.status).toBe(302);
    const leadId = idFrom(created.headers.location, "/pipeline/leads");
    const lead = await t.db.lead.findUniqueOrThrow({ where: { id: leadId } });
    expect(lead).toMatchObject({ companyName: "Quintessa Analytics", ownerId: staff.id, score: 55, status: "new" });

    const qualified = await post(asStaff, `/pipeline/leads/${leadId}`, `/pipeline/leads/${leadId}/qualify`);
    const prospectId = idFrom(qualified.headers.location, "/pipeline/prospects");
    expect((await t.db.lead.findUniqueOrThrow({ where: { id: leadId } })).status).toBe("qualified");
    // A second click finds the prospect made: no second one.
    const again = await post(asStaff, `/pipeline/leads/${leadId}`, `/pipeline/leads/${leadId}/qualify`);
    expect(idFrom(again.headers.location, "/pipeline/prospects")).toBe(prospectId);
    expect(await t.db.prospect.count({ where: { leadId } })).toBe(1);
    const prospect = await t.db.prospect.findUniqueOrThrow({ where: { id: prospectId } });
    expect(prospect).toMatchObject({ companyName: "Quintessa Analytics", contactName: "Ada Byte", contactEmail: "ada@quintessa.example", ownerId: staff.id, stage: "discovery" });

    const drafted = await post(asStaff, `/pipeline/prospects/${prospectId}/proposals/new`, `/pipeline/prospects/${prospectId}/proposals`, { amount: "18,000.00", currency: "usd", validUntil: "2099-01-31", scope: "Data strategy review\nTwo workshops." });
    const proposalId = idFrom(drafted.headers.location, "/pipeline/proposals");
    const proposal = await t.db.proposal.findUniqueOrThrow({ where: { id: proposalId } });
    expect(proposal.number).toMatch(new RegExp(`^PRP-${new Date().getUTCFullYear()}-\\d{4}$`));
    expect(proposal.status).toBe("draft");

    // Editing a draft changes it in place.
    await post(asStaff, `/pipeline/proposals/${proposalId}/edit`, `/pipeline/proposals/${proposalId}`, { amount: "19000", currency: "USD", validUntil: "2099-01-31", scope: "Data strategy review\nThree workshops.", version: "1" });
    expect(await t.db.proposalVersion.count({ where: { proposalId } })).toBe(1);
    await post(asStaff, `/pipeline/proposals/${proposalId}`, `/pipeline/proposals/${proposalId}/send`);
    expect((await t.db.proposal.findUniqueOrThrow({ where: { id: proposalId } })).status).toBe("sent");
    expect((await t.db.prospect.findUniqueOrThrow({ where: { id: prospectId } })).stage).toBe("proposal");

    // Editing a sent proposal makes version 2, a draft; version 1 is kept as sent and viewable.
    const revised = await post(asStaff, `/pipeline/proposals/${proposalId}/edit`, `/pipeline/proposals/${proposalId}`, { amount: "21000", currency: "USD", validUntil: "2099-02-28", scope: "Data strategy review\nFour workshops.", version: "1" });
    expect(revised.status).toBe(302);
    const versions = await t.db.proposalVersion.findMany({ where: { proposalId }, orderBy: { version: "asc" } });
    expect(versions.map((v) => [v.version, Number(v.amount), v.sentAt !== null])).toEqual([[1, 19000, true], [2, 21000, false]]);
    const current = await t.db.proposal.findUniqueOrThrow({ where: { id: proposalId } });
    expect([current.status, current.currentVersion]).toEqual(["draft", 2]);
    const old = await asStaff.get(`/pipeline/proposals/${proposalId}?version=1`);
    expect(old.text).toContain("Three workshops.");
    expect(old.text).toContain("an older version");
    const print = await asStaff.get(`/pipeline/proposals/${proposalId}/print`);
    expect(print.status).toBe(200);
    expect(print.text).toContain("Four workshops.");
    expect(print.text).toContain("21,000.00 USD");
    await post(asStaff, `/pipeline/proposals/${proposalId}`, `/pipeline/proposals/${proposalId}/send`);

    // Staff do not accept; a manager does, with a first case.
    expect((await asStaff.get(`/pipeline/proposals/${proposalId}/accept`)).status).toBe(403);
    const accepted = await post(asManager, `/pipeline/proposals/${proposalId}/accept`, `/pipeline/proposals/${proposalId}/accept`, { ...ACCEPT, caseTypeId: type.id, caseTitle: "Data strategy" });
    expect(accepted.status).toBe(302);
    const clientId = idFrom(accepted.headers.location, "/clients");
    const client = await t.db.client.findUniqueOrThrow({ where: { id: clientId }, include: { contacts: true, engagements: true, cases: true } });
    expect(client).toMatchObject({ name: "Quintessa Analytics", email: "ada@quintessa.example", originProspectId: prospectId, originProposalId: proposalId, accountManagerId: staff.id, isConfidential: false });
    expect(client.clientCode).toMatch(/^CLT-\d{4}-\d{4}$/);
    expect(client.contacts.map((c) => [c.name, c.isPrimary])).toEqual([["Ada Byte", true]]);
    expect(client.engagements).toHaveLength(1);
    expect(client.engagements[0]).toMatchObject({ version: 1, status: "current", currency: "USD", parentId: null, firstCaseId: client.cases[0]!.id });
    expect(Number(client.engagements[0]!.value)).toBe(21000);
    expect(client.cases.map((c) => [c.title, c.typeId, c.managerId])).toEqual([["Data strategy", type.id, staff.id]]);
    expect((await t.db.prospect.findUniqueOrThrow({ where: { id: prospectId } })).stage).toBe("won");
    expect((await t.db.lead.findUniqueOrThrow({ where: { id: leadId } })).status).toBe("converted");

    const page = await asManager.get(`/clients/${clientId}`);
    expect(page.text).toContain("Converted from prospect");
    expect(page.text).toContain(proposal.number);
    expect(page.text).toMatch(/data-engagements[\s\S]*Data strategy review/);
    // The owner (account manager) sees it too.
    expect((await asStaff.get(`/clients/${clientId}`)).status).toBe(200);
  });
});

describe("prospect stages", () => {
  it("moves only along the allowed stages, asks a reason for lost, and ignores a repeated click", async () => {
    const p = await makeProspect(t.db, staff.id);
    const move = (to: string, extra: Record<string, string> = {}) => post(asStaff, `/pipeline/prospects/${p.id}`, `/pipeline/prospects/${p.id}/stage`, { to, ...extra });
    await move("negotiation", { from: "discovery" });
    expect((await t.db.prospect.findUniqueOrThrow({ where: { id: p.id } })).stage).toBe("negotiation");
    // The same click again (from discovery) changes nothing.
    await move("proposal", { from: "discovery" });
    expect((await t.db.prospect.findUniqueOrThrow({ where: { id: p.id } })).stage).toBe("negotiation");
    const won = await move("won");
    expect(won.status).toBe(302);
    expect((await t.db.prospect.findUniqueOrThrow({ where: { id: p.id } })).stage).toBe("negotiation");
    const noReason = await move("lost");
    expect(noReason.headers.location).toBe(`/pipeline/prospects/${p.id}#stage`);
    const shown = await asStaff.get(`/pipeline/prospects/${p.id}`);
    expect(shown.text).toContain("Say why the prospect was lost.");
    await move("lost", { lostReason: "Chose a competitor" });
    expect(await t.db.prospect.findUniqueOrThrow({ where: { id: p.id } })).toMatchObject({ stage: "lost", lostReason: "Chose a competitor" });
    await move("negotiation");
    expect((await t.db.prospect.findUniqueOrThrow({ where: { id: p.id } })).stage).toBe("lost");
    await move("discovery");
    expect(await t.db.prospect.findUniqueOrThrow({ where: { id: p.id } })).toMatchObject({ stage: "discovery", lostReason: null });
    expect(await t.db.auditEvent.count({ where: { entityId: p.id, action: "prospect.stage" } })).toBe(3);
  });

  it("shows the board by stage with only the allowed moves as buttons", async () => {
    const p = await makeProspect(t.db, staff.id, { companyName: "Boardwalk Partners", stage: "proposal" });
    const board = await asStaff.get("/pipeline/prospects/board");
    expect(board.status).toBe(200);
    const card = board.text.slice(board.text.indexOf(`data-case-card="${p.id}"`), board.text.indexOf("</li>", board.text.indexOf(`data-case-card="${p.id}"`)));
    const buttons = [...card.matchAll(/name="to" value="(\w+)"/g)].map((m) => m[1]);
    expect(buttons).toEqual(["discovery", "negotiation", "lost"]);
    const section = board.text.slice(board.text.indexOf('data-status="proposal"'), board.text.indexOf('data-status="negotiation"'));
    expect(section).toContain("Boardwalk Partners");
  });
});

describe("proposals", () => {
  it("refuses to accept a draft, a rejected or an expired proposal, and a second proposal of a won prospect", async () => {
    const p = await makeProspect(t.db, staff.id);
    const draft = await makeProposal(t.db, p.id, staff.id);
    const r1 = await post(asManager, `/pipeline/proposals/${draft.id}/accept`, `/pipeline/proposals/${draft.id}/accept`, ACCEPT);
    expect(r1.status).toBe(409);
    expect(r1.text).toContain("only a sent proposal is accepted");
    const sent = await makeProposal(t.db, p.id, staff.id, { status: "sent" });
    const noReason = await post(asStaff, `/pipeline/proposals/${sent.id}`, `/pipeline/proposals/${sent.id}/reject`, { reason: "" });
    expect(noReason.headers.location).toContain("#decide");
    await post(asStaff, `/pipeline/proposals/${sent.id}`, `/pipeline/proposals/${sent.id}/reject`, { reason: "Too expensive" });
    expect(await t.db.proposal.findUniqueOrThrow({ where: { id: sent.id } })).toMatchObject({ status: "rejected", rejectionReason: "Too expensive" });
    const other = await makeProposal(t.db, p.id, staff.id, { status: "sent" });
    await post(asStaff, `/pipeline/proposals/${other.id}`, `/pipeline/proposals/${other.id}/expire`);
    expect((await t.db.proposal.findUniqueOrThrow({ where: { id: other.id } })).status).toBe("expired");
    const third = await makeProposal(t.db, p.id, staff.id, { status: "sent" });
    const fourth = await makeProposal(t.db, p.id, staff.id, { status: "sent" });
    expect((await post(asManager, `/pipeline/proposals/${third.id}/accept`, `/pipeline/proposals/${third.id}/accept`, ACCEPT)).status).toBe(302);
    const second = await post(asManager, `/pipeline/proposals/${fourth.id}/accept`, `/pipeline/proposals/${fourth.id}/accept`, ACCEPT);
    expect(second.status).toBe(409);
    expect(second.text).toContain("won with another proposal");
    expect(await t.db.client.count({ where: { originProspectId: p.id } })).toBe(1);
  });

  it("keeps the accept form's values and says what is wrong next to the field", async () => {
    const p = await makeProspect(t.db, staff.id);
    const pr = await makeProposal(t.db, p.id, staff.id, { status: "sent" });
    const res = await post(asManager, `/pipeline/proposals/${pr.id}/accept`, `/pipeline/proposals/${pr.id}/accept`, { startDate: "2030-05-01", endDate: "2030-04-01", engagementTitle: "Kept title" });
    expect(res.status).toBe(422);
    expect(fieldBlock(res.text, "endDate")).toContain("on or after the start date");
    expect(res.text).toContain('value="Kept title"');
    expect(await t.db.client.count({ where: { originProposalId: pr.id } })).toBe(0);
  });

  it("makes a restricted client visible to its team only, from then on by the client rules", async () => {
    const outsider = await makeUser(t.db, { role: "manager" });
    const p = await makeProspect(t.db, staff.id, { companyName: "Hushhush Holdings" });
    const pr = await makeProposal(t.db, p.id, staff.id, { status: "sent" });
    const res = await post(asManager, `/pipeline/proposals/${pr.id}/accept`, `/pipeline/proposals/${pr.id}/accept`, { ...ACCEPT, restricted: "on" });
    const clientId = idFrom(res.headers.location, "/clients");
    expect(await t.db.client.findUniqueOrThrow({ where: { id: clientId } })).toMatchObject({ isConfidential: true, accountManagerId: staff.id, primaryPocId: manager.id });
    expect((await asManager.get(`/clients/${clientId}`)).status).toBe(200);
    expect((await asStaff.get(`/clients/${clientId}`)).status).toBe(200);
    const asOutsider = await signedIn(t.app, outsider.email);
    expect((await asOutsider.get(`/clients/${clientId}`)).status).toBe(404);
  });
});

describe("bad input", () => {
  it("keeps what was typed and puts the message next to the field, for leads and prospects", async () => {
    const res = await post(asStaff, "/pipeline/leads/new", "/pipeline/leads", { companyName: "Typed Co", source: "website", score: "150", email: "nope" });
    expect(res.status).toBe(422);
    expect(fieldBlock(res.text, "score")).toContain("0 to 100");
    expect(fieldBlock(res.text, "email")).toContain("valid email");
    expect(res.text).toContain('value="Typed Co"');
    const lost = await post(asStaff, "/pipeline/leads/new", "/pipeline/leads", { companyName: "Typed Co", source: "website", status: "lost" });
    expect(lost.status).toBe(422);
    expect(fieldBlock(lost.text, "lostReason")).toContain("Say why the lead was lost");
    const p = await post(asStaff, "/pipeline/prospects/new", "/pipeline/prospects", { companyName: "Typed Prospect", probability: "101", estimatedValue: "-5" });
    expect(p.status).toBe(422);
    expect(fieldBlock(p.text, "probability")).toContain("0 to 100");
    expect(fieldBlock(p.text, "estimatedValue")).toContain("not negative");
  });

  it("holds money, score and probability bounds in the database too", async () => {
    await expect(makeLead(t.db, staff.id, { score: 101 })).rejects.toThrow();
    await expect(makeProspect(t.db, staff.id, { probability: -1 })).rejects.toThrow();
    await expect(makeProspect(t.db, staff.id, { estimatedValue: -1 })).rejects.toThrow();
    const p = await makeProspect(t.db, staff.id);
    await expect(makeProposal(t.db, p.id, staff.id, {}, -10)).rejects.toThrow();
    await expect(t.db.campaign.create({ data: { name: "Negative", campaignType: "email", startDate: new Date(), budget: -1, ownerId: staff.id } })).rejects.toThrow();
    await expect(makeLead(t.db, staff.id, { status: "lost" })).rejects.toThrow();
  });

  it("warns about a lead resembling a visible client or lead, with links, and saves when confirmed", async () => {
    await makeLead(t.db, staff.id, { companyName: "Meridian Shipping" });
    const res = await post(asStaff, "/pipeline/leads/new", "/pipeline/leads", { companyName: "Meridian Shiping", source: "referral" });
    expect(res.status).toBe(200);
    expect(res.text).toContain("This company may already be known");
    expect(res.text).toMatch(/Lead <a href="\/pipeline\/leads\/[0-9a-f-]{36}"[^>]*>Meridian Shipping<\/a>/);
    const saved = await post(asStaff, "/pipeline/leads/new", "/pipeline/leads", { companyName: "Meridian Shiping", source: "referral", confirmDuplicates: "on" });
    expect(saved.status).toBe(302);
  });
});
