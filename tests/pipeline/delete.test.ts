// Deleting pipeline records: a lead never qualified, a prospect that never got past drafts (its drafts go with it), a
// draft proposal. What records an offer or a conversion is kept; every deletion is audited with what the record held.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { csrfToken, signedIn, type Agent } from "../helpers/http.ts";
import { makeLead, makeProposal, makeProspect } from "./support.ts";

let t: TestApp;
let owner: Awaited<ReturnType<typeof makeUser>>;
let ownerAgent: Agent;
let managerAgent: Agent;

beforeAll(async () => {
  t = await createTestApp();
  owner = await makeUser(t.db, { role: "staff", name: "Owner Olive" });
  const manager = await makeUser(t.db, { role: "manager" });
  ownerAgent = await signedIn(t.app, owner.email);
  managerAgent = await signedIn(t.app, manager.email);
});
afterAll(async () => t.close());

async function remove(agent: Agent, url: string) {
  const page = await agent.get(url);
  expect(page.status).toBe(200);
  expect(page.text).toContain("the audit log keeps a record of what it held");
  return agent.post(url).type("form").send({ _csrf: await csrfToken(agent, url) });
}

const flashOf = async (agent: Agent, url: string) => (await agent.get(url)).text;

describe("deleting pipeline records", () => {
  it("deletes an unqualified lead for its owner, after a confirmation page, and audits every field it held", async () => {
    const lead = await makeLead(t.db, owner.id, { companyName: "Ephemeral Leads Ltd", email: "hello@ephemeral.example" });
    const shown = await ownerAgent.get(`/pipeline/leads/${lead.id}`);
    expect(shown.text).toContain(`href="/pipeline/leads/${lead.id}/delete"`);
    const res = await remove(ownerAgent, `/pipeline/leads/${lead.id}/delete`);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe("/pipeline/leads");
    expect(await flashOf(ownerAgent, "/pipeline/leads")).toContain("Lead Ephemeral Leads Ltd deleted.");
    expect(await t.db.lead.findUnique({ where: { id: lead.id } })).toBeNull();
    const event = await t.db.auditEvent.findFirstOrThrow({ where: { action: "lead.delete", entityId: lead.id } });
    expect(event.actorId).toBe(owner.id);
    expect(event.changes).toMatchObject({ companyName: { before: "Ephemeral Leads Ltd", after: null }, email: { before: "hello@ephemeral.example", after: null } });
  });

  it("keeps a qualified lead, saying why, and offers no delete button", async () => {
    const lead = await makeLead(t.db, owner.id, { companyName: "Qualified Keepers", status: "qualified" });
    await makeProspect(t.db, owner.id, { companyName: "Qualified Keepers", leadId: lead.id });
    expect((await ownerAgent.get(`/pipeline/leads/${lead.id}`)).text).not.toContain(`/pipeline/leads/${lead.id}/delete"`);
    const res = await remove(ownerAgent, `/pipeline/leads/${lead.id}/delete`);
    expect(res.headers.location).toBe(`/pipeline/leads/${lead.id}`);
    expect(await flashOf(ownerAgent, `/pipeline/leads/${lead.id}`)).toContain("This lead was qualified");
    expect(await t.db.lead.count({ where: { id: lead.id } })).toBe(1);
  });

  it("deletes a prospect with its draft proposals in one transaction, and keeps one with a sent proposal or won", async () => {
    const prospect = await makeProspect(t.db, owner.id, { companyName: "Drafty Prospects" });
    const draft = await makeProposal(t.db, prospect.id, owner.id);
    const res = await remove(managerAgent, `/pipeline/prospects/${prospect.id}/delete`);
    expect(res.headers.location).toBe("/pipeline/prospects");
    expect(await t.db.prospect.count({ where: { id: prospect.id } })).toBe(0);
    expect(await t.db.proposal.count({ where: { id: draft.id } })).toBe(0);
    expect(await t.db.proposalVersion.count({ where: { proposalId: draft.id } })).toBe(0);
    expect(await t.db.auditEvent.count({ where: { OR: [{ action: "prospect.delete", entityId: prospect.id }, { action: "proposal.delete", entityId: draft.id }] } })).toBe(2);

    const offered = await makeProspect(t.db, owner.id, { companyName: "Offered Prospects", stage: "proposal" });
    const sent = await makeProposal(t.db, offered.id, owner.id, { status: "sent" });
    const refused = await remove(ownerAgent, `/pipeline/prospects/${offered.id}/delete`);
    expect(refused.headers.location).toBe(`/pipeline/prospects/${offered.id}`);
    expect(await flashOf(ownerAgent, `/pipeline/prospects/${offered.id}`)).toContain(`proposals that were sent (${(await t.db.proposal.findUniqueOrThrow({ where: { id: sent.id } })).number})`);
    expect(await t.db.prospect.count({ where: { id: offered.id } })).toBe(1);

    const won = await makeProspect(t.db, owner.id, { companyName: "Won Prospects", stage: "won", wonAt: new Date() });
    await remove(ownerAgent, `/pipeline/prospects/${won.id}/delete`);
    expect(await t.db.prospect.count({ where: { id: won.id } })).toBe(1);
  });

  it("deletes a draft proposal only, and returns to its prospect", async () => {
    const prospect = await makeProspect(t.db, owner.id, { companyName: "Proposal Pruners" });
    const draft = await makeProposal(t.db, prospect.id, owner.id);
    const sent = await makeProposal(t.db, prospect.id, owner.id, { status: "sent" });
    expect((await ownerAgent.get(`/pipeline/proposals/${sent.id}`)).text).not.toContain("Delete draft");
    const res = await remove(ownerAgent, `/pipeline/proposals/${draft.id}/delete`);
    expect(res.headers.location).toBe(`/pipeline/prospects/${prospect.id}`);
    expect(await t.db.proposal.count({ where: { id: draft.id } })).toBe(0);
    const event = await t.db.auditEvent.findFirstOrThrow({ where: { action: "proposal.delete", entityId: draft.id } });
    expect(event.changes).toMatchObject({ number: { after: draft.number }, amount: { after: 12000 } });
    await remove(ownerAgent, `/pipeline/proposals/${sent.id}/delete`);
    expect(await t.db.proposal.count({ where: { id: sent.id } })).toBe(1);
  });
});
