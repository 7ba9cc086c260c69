// The funnel's weighted values, campaigns' figures (leads, prospects, won value, cost per won client), upcoming renewals
// and requesting a renewal, and the CSV exports of every list.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "csv-parse/sync";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { signedIn, type Agent } from "../helpers/http.ts";
import { fieldBlock } from "../clients/support.ts";
import { ACCEPT, idFrom, makeLead, makeProposal, makeProspect, post } from "./support.ts";

let t: TestApp;
let manager: Awaited<ReturnType<typeof makeUser>>;
let asManager: Agent;

beforeAll(async () => {
  t = await createTestApp();
  manager = await makeUser(t.db, { role: "manager" });
  asManager = await signedIn(t.app, manager.email);
});
afterAll(async () => {
  await t.close();
});

const csvRows = (text: string) => parse(text.replace(/^\uFEFF/, ""), { columns: true }) as Record<string, string>[];

describe("the funnel", () => {
  it("shows per stage the count, the estimated value and the value weighted by probability", async () => {
    await makeProspect(t.db, manager.id, { stage: "negotiation", estimatedValue: 10_000, probability: 50 });
    await makeProspect(t.db, manager.id, { stage: "negotiation", estimatedValue: 4_000, probability: 25 });
    const res = await asManager.get("/pipeline");
    const row = /data-stage="negotiation">[\s\S]*?<\/tr>/.exec(res.text)![0];
    expect(row).toContain("<td data-count>2</td>");
    expect(row).toContain("<td data-value>14,000.00</td>");
    expect(row).toContain("<td data-weighted>6,000.00</td>");
    expect(res.text).toContain("<svg");
    const csv = csvRows((await asManager.get("/pipeline/funnel.csv")).text);
    expect(csv.find((r) => r.stage === "Negotiation")).toMatchObject({ prospects: "2", estimatedValue: "14000.00", weightedValue: "6000.00" });
  });
});

describe("campaigns", () => {
  it("creates a campaign, refuses bad dates and budgets next to the field, and counts leads, prospects, won value and cost per won client", async () => {
    const bad = await post(asManager, "/pipeline/campaigns/new", "/pipeline/campaigns", { name: "Spring webinar", campaignType: "webinar", startDate: "2030-03-10", endDate: "2030-03-01", budget: "-5" });
    expect(bad.status).toBe(422);
    expect(fieldBlock(bad.text, "budget")).toContain("not negative");
    const ok = await post(asManager, "/pipeline/campaigns/new", "/pipeline/campaigns", { name: "Spring webinar", campaignType: "webinar", startDate: "2030-03-01", endDate: "2030-03-10", budget: "3,000" });
    const id = idFrom(ok.headers.location, "/pipeline/campaigns");
    await makeLead(t.db, manager.id, { campaignId: id });
    await makeLead(t.db, manager.id, { campaignId: id });
    const p1 = await makeProspect(t.db, manager.id, { campaignId: id });
    await makeProspect(t.db, manager.id, { campaignId: id });
    const proposal = await makeProposal(t.db, p1.id, manager.id, { status: "sent" }, 9_000);
    await post(asManager, `/pipeline/proposals/${proposal.id}/accept`, `/pipeline/proposals/${proposal.id}/accept`, ACCEPT);
    const page = await asManager.get(`/pipeline/campaigns/${id}`);
    expect(page.text).toContain("<dd data-leads>2</dd>");
    expect(page.text).toContain("<dd data-prospects>2</dd>");
    expect(page.text).toContain("<dd data-won>1</dd>");
    expect(page.text).toContain("<dd data-won-value>9,000.00</dd>");
    expect(page.text).toContain("<dd data-cost-per-won>3,000.00</dd>");
    const csv = csvRows((await asManager.get("/pipeline/campaigns/export.csv")).text);
    expect(csv.find((r) => r.name === "Spring webinar")).toMatchObject({ type: "webinar", leads: "2", prospects: "2", won: "1", wonValue: "9000.00", costPerWonClient: "3000.00" });
  });

  it("lets staff see campaigns but not manage them", async () => {
    const staff = await makeUser(t.db, { role: "staff" });
    const agent = await signedIn(t.app, staff.email);
    expect((await agent.get("/pipeline/campaigns")).status).toBe(200);
    expect((await agent.get("/pipeline/campaigns/new")).status).toBe(403);
  });
});

describe("renewals", () => {
  it("lists engagements ending within 90 days and turns a renewal request into a proposal whose acceptance adds version 2", async () => {
    const p = await makeProspect(t.db, manager.id, { companyName: "Evergreen Renewals" });
    const pr = await makeProposal(t.db, p.id, manager.id, { status: "sent" }, 5_000);
    const soon = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const far = new Date(Date.now() + 400 * 86_400_000).toISOString().slice(0, 10);
    const accepted = await post(asManager, `/pipeline/proposals/${pr.id}/accept`, `/pipeline/proposals/${pr.id}/accept`, { startDate: "2024-01-01", endDate: soon, engagementTitle: "Evergreen retainer" });
    const clientId = idFrom(accepted.headers.location, "/clients");
    const other = await makeProspect(t.db, manager.id, { companyName: "Faraway Ltd" });
    const otherPr = await makeProposal(t.db, other.id, manager.id, { status: "sent" });
    await post(asManager, `/pipeline/proposals/${otherPr.id}/accept`, `/pipeline/proposals/${otherPr.id}/accept`, { startDate: "2024-01-01", endDate: far, engagementTitle: "Faraway retainer" });

    const list = await asManager.get("/pipeline/renewals");
    expect(list.text).toContain("Evergreen retainer");
    expect(list.text).not.toContain("Faraway retainer");
    const csv = csvRows((await asManager.get("/pipeline/renewals/export.csv")).text);
    expect(csv.map((r) => r.engagement)).toContain("Evergreen retainer");
    expect(csv.map((r) => r.engagement)).not.toContain("Faraway retainer");

    const engagement = await t.db.engagement.findFirstOrThrow({ where: { clientId } });
    const requested = await post(asManager, `/clients/${clientId}`, `/pipeline/engagements/${engagement.id}/renewal`);
    const renewalProposalId = idFrom(requested.headers.location, "/pipeline/proposals");
    const again = await post(asManager, `/clients/${clientId}`, `/pipeline/engagements/${engagement.id}/renewal`);
    expect(again.headers.location).toBe(`/pipeline/proposals/${renewalProposalId}`);
    const renewal = await t.db.proposal.findUniqueOrThrow({ where: { id: renewalProposalId }, include: { prospect: true, versions: true } });
    expect(renewal.prospect).toMatchObject({ clientId, renewalOfId: engagement.id, stage: "proposal" });
    expect(Number(renewal.versions[0]!.amount)).toBe(5000);

    await post(asManager, `/pipeline/proposals/${renewalProposalId}`, `/pipeline/proposals/${renewalProposalId}/send`);
    const done = await post(asManager, `/pipeline/proposals/${renewalProposalId}/accept`, `/pipeline/proposals/${renewalProposalId}/accept`, { startDate: soon, endDate: far });
    expect(done.headers.location).toBe(`/clients/${clientId}`);
    const engagements = await t.db.engagement.findMany({ where: { clientId }, orderBy: { version: "asc" } });
    expect(engagements.map((e) => [e.version, e.status, e.parentId])).toEqual([[1, "renewed", null], [2, "current", engagement.id]]);
    expect(await t.db.client.count({ where: { name: "Evergreen Renewals" } })).toBe(1);
    expect((await asManager.get("/pipeline/renewals")).text).not.toContain("Evergreen retainer");
  });
});

describe("exports", () => {
  it("exports the leads and prospects lists with their filters", async () => {
    await makeLead(t.db, manager.id, { companyName: "Exportable Alpha", status: "contacted", score: 77 });
    await makeLead(t.db, manager.id, { companyName: "=HYPERLINK(evil)", status: "new" });
    const res = await asManager.get("/pipeline/leads/export.csv?status=contacted");
    expect(res.headers["content-type"]).toContain("text/csv");
    const rows = csvRows(res.text);
    expect(rows.find((r) => r.companyName === "Exportable Alpha")).toMatchObject({ status: "contacted", score: "77" });
    expect(rows.every((r) => r.status === "contacted")).toBe(true);
    const all = (await asManager.get("/pipeline/leads/export.csv")).text;
    expect(all).toContain("'=HYPERLINK(evil)");
    await makeProspect(t.db, manager.id, { companyName: "Exportable Beta", stage: "negotiation" });
    const prospects = csvRows((await asManager.get("/pipeline/prospects/export.csv?stage=negotiation")).text);
    expect(prospects.map((r) => r.companyName)).toContain("Exportable Beta");
    expect(prospects.every((r) => r.stage === "negotiation")).toBe(true);
    const audited = await t.db.auditEvent.findMany({ where: { action: "pipeline.export", actorId: manager.id } });
    expect(audited.filter((e) => (e.changes as Record<string, { after: unknown }>).list?.after === "leads")).toHaveLength(2);
  });
});
