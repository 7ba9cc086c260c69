// Who sees which pipeline records: the owner, managers and administrators; nobody else, whatever their flags. Someone
// else's lead, prospect or proposal is a 404 on every URL (read or write) and absent from lists, the board, the funnel,
// campaign figures and exports. The oracle is DOMAIN.md's rule stated in plain TypeScript.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { csrfToken, signedIn, type Agent } from "../helpers/http.ts";
import { makeLead, makeProposal, makeProspect } from "./support.ts";

let t: TestApp;
type User = Awaited<ReturnType<typeof makeUser>>;
let owner: User;
const readers: { label: string; user: User; agent?: Agent }[] = [];
let lead: { id: string };
let prospect: { id: string };
let proposal: { id: string };
let campaignId: string;

/** DOMAIN.md: pipeline records are visible to their owner, managers and administrators. */
const oracle = (user: User) => user.id === owner.id || user.role === "admin" || user.role === "manager";

beforeAll(async () => {
  t = await createTestApp();
  owner = await makeUser(t.db, { role: "staff", name: "Owner Olga" });
  const specs: [string, Parameters<typeof makeUser>[1]][] = [
    ["admin", { role: "admin" }],
    ["manager", { role: "manager" }],
    ["staff (another)", { role: "staff" }],
    ["staff with view confidential", { role: "staff", viewConfidential: true }],
    ["staff on the legal team", { role: "staff", legalTeam: true }],
    ["staff on the relationship team", { role: "staff", relationshipTeam: true }],
  ];
  readers.push({ label: "owner", user: owner });
  for (const [label, spec] of specs) readers.push({ label, user: await makeUser(t.db, spec) });
  for (const r of readers) r.agent = await signedIn(t.app, r.user.email);
  campaignId = (await t.db.campaign.create({ data: { name: "Matrix webinar", campaignType: "webinar", startDate: new Date(), budget: 1000, ownerId: owner.id } })).id;
  lead = await makeLead(t.db, owner.id, { companyName: "Zanzibar Secretworks", campaignId });
  prospect = await makeProspect(t.db, owner.id, { companyName: "Zanzibar Secretworks", campaignId, stage: "proposal" });
  proposal = await makeProposal(t.db, prospect.id, owner.id, { status: "sent" });
});
afterAll(async () => {
  await t.close();
});

const reads = () => [
  `/pipeline/leads/${lead.id}`,
  `/pipeline/leads/${lead.id}/edit`,
  `/pipeline/prospects/${prospect.id}`,
  `/pipeline/prospects/${prospect.id}/edit`,
  `/pipeline/prospects/${prospect.id}/proposals/new`,
  `/pipeline/proposals/${proposal.id}`,
  `/pipeline/proposals/${proposal.id}?version=1`,
  `/pipeline/proposals/${proposal.id}/print`,
  `/pipeline/proposals/${proposal.id}/edit`,
  `/pipeline/leads/${lead.id}/delete`,
  `/pipeline/prospects/${prospect.id}/delete`,
  `/pipeline/proposals/${proposal.id}/delete`,
];
const writes = () => [
  [`/pipeline/leads/${lead.id}`, { companyName: "Taken over", source: "website" }],
  [`/pipeline/leads/${lead.id}/qualify`, {}],
  [`/pipeline/prospects/${prospect.id}`, { companyName: "Taken over" }],
  [`/pipeline/prospects/${prospect.id}/stage`, { to: "negotiation" }],
  [`/pipeline/prospects/${prospect.id}/proposals`, { amount: "1", scope: "x" }],
  [`/pipeline/proposals/${proposal.id}`, { amount: "1", scope: "x" }],
  [`/pipeline/proposals/${proposal.id}/send`, {}],
  [`/pipeline/proposals/${proposal.id}/reject`, { reason: "no" }],
  [`/pipeline/proposals/${proposal.id}/expire`, {}],
  [`/pipeline/proposals/${proposal.id}/accept`, { startDate: "2030-01-01", endDate: "2030-12-31" }],
  [`/pipeline/proposals/${proposal.id}/delete`, {}],
  [`/pipeline/prospects/${prospect.id}/delete`, {}],
  [`/pipeline/leads/${lead.id}/delete`, {}],
] as const;

describe("the visibility matrix", () => {
  it("answers someone else's records with 404 on every page, and shows them to their owner, managers and administrators", async () => {
    for (const r of readers) {
      for (const url of reads()) {
        const res = await r.agent!.get(url);
        const expected = oracle(r.user) ? (url.endsWith("/edit") || url.endsWith("/proposals/new") ? [200, 403] : [200]) : [404];
        expect(expected, `${r.label} GET ${url} → ${res.status}`).toContain(res.status);
        if (!oracle(r.user)) expect(res.text).not.toContain("Zanzibar");
      }
    }
  });

  it("answers someone else's records with 404 on every change, before any other check, and changes nothing", async () => {
    const before = JSON.stringify(await Promise.all([t.db.lead.findUnique({ where: { id: lead.id } }), t.db.prospect.findUnique({ where: { id: prospect.id } }), t.db.proposal.findUnique({ where: { id: proposal.id } })]));
    for (const r of readers.filter((x) => !oracle(x.user))) {
      const token = await csrfToken(r.agent!, "/pipeline/leads");
      for (const [url, fields] of writes()) {
        const res = await r.agent!.post(url).type("form").send({ _csrf: token, ...fields });
        expect(res.status, `${r.label} POST ${url}`).toBe(404);
      }
    }
    const after = JSON.stringify(await Promise.all([t.db.lead.findUnique({ where: { id: lead.id } }), t.db.prospect.findUnique({ where: { id: prospect.id } }), t.db.proposal.findUnique({ where: { id: proposal.id } })]));
    expect(after).toBe(before);
  });

  it("lists, searches, counts and exports only the records the reader may see", async () => {
    for (const r of readers) {
      const sees = oracle(r.user);
      const pages = [
        "/pipeline/leads",
        "/pipeline/leads?q=zanzibar",
        "/pipeline/prospects",
        "/pipeline/prospects?q=zanzib",
        "/pipeline/prospects/board",
        "/pipeline/proposals",
        "/pipeline/leads/export.csv",
        "/pipeline/prospects/export.csv",
        "/pipeline/proposals/export.csv",
      ];
      for (const url of pages) {
        const res = await r.agent!.get(url);
        expect(res.status).toBe(200);
        expect(res.text.includes("Zanzibar"), `${r.label} ${url}`).toBe(sees);
      }
      const funnel = await r.agent!.get("/pipeline");
      const proposalRow = /data-stage="proposal"><td>[\s\S]*?<td data-count>(\d+)<\/td>/.exec(funnel.text)!;
      expect(Number(proposalRow[1]), `${r.label} funnel`).toBe(sees ? 1 : 0);
      const campaigns = await r.agent!.get("/pipeline/campaigns");
      const row = campaigns.text.slice(campaigns.text.indexOf(`data-campaign="${campaignId}"`));
      expect(/data-leads>(\d+)</.exec(row)![1], `${r.label} campaign leads`).toBe(sees ? "1" : "0");
      expect(/data-prospects>(\d+)</.exec(row)![1]).toBe(sees ? "1" : "0");
    }
  });

  it("lets staff work their own records only, and managers and administrators accept", async () => {
    const staffReader = readers.find((r) => r.label === "owner")!;
    const res = await staffReader.agent!.get(`/pipeline/proposals/${proposal.id}/accept`);
    expect(res.status).toBe(403);
    const token = await csrfToken(staffReader.agent!, "/pipeline/leads");
    const post = await staffReader.agent!.post(`/pipeline/proposals/${proposal.id}/accept`).type("form").send({ _csrf: token, startDate: "2030-01-01", endDate: "2030-12-31" });
    expect(post.status).toBe(403);
    expect(await t.db.client.count({ where: { originProposalId: proposal.id } })).toBe(0);
  });

  it("does not let staff give a lead to someone else", async () => {
    const staffReader = readers.find((r) => r.label === "owner")!;
    const other = readers.find((r) => r.label === "staff (another)")!;
    const token = await csrfToken(staffReader.agent!, "/pipeline/leads");
    const res = await staffReader.agent!.post("/pipeline/leads").type("form").send({ _csrf: token, companyName: "Gift Co", source: "website", ownerId: other.user.id, confirmDuplicates: "on" });
    expect(res.status).toBe(422);
    expect(res.text).toContain("Only managers and administrators give a record to someone else.");
    expect(await t.db.lead.count({ where: { companyName: "Gift Co" } })).toBe(0);
  });

  it("hides a renewal prospect of a restricted client from a manager outside the client's team", async () => {
    const manager = readers.find((r) => r.label === "manager")!;
    const admin = readers.find((r) => r.label === "admin")!;
    const client = await t.db.client.create({ data: { clientCode: "CLT-1998-0001", name: "Vault Restricted", isConfidential: true, accountManagerId: owner.id, createdById: owner.id } });
    const renewal = await makeProspect(t.db, owner.id, { companyName: "Vault Restricted", clientId: client.id });
    expect((await readers[0]!.agent!.get(`/pipeline/prospects/${renewal.id}`)).status).toBe(200);
    expect((await manager.agent!.get(`/pipeline/prospects/${renewal.id}`)).status).toBe(404);
    expect((await admin.agent!.get(`/pipeline/prospects/${renewal.id}`)).status).toBe(404);
    expect((await manager.agent!.get("/pipeline/prospects?q=vault")).text).not.toContain("Vault Restricted");
  });
});
