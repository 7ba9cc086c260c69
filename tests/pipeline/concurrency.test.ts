// A second click, a retry, or twenty people at once: accepting a proposal creates exactly one client, one engagement and
// one first case; qualifying a lead makes one prospect; numbers never repeat.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { csrfToken, signedIn } from "../helpers/http.ts";
import { makeCaseType } from "../cases/support.ts";
import { ACCEPT, makeLead, makeProposal, makeProspect } from "./support.ts";

let t: TestApp;
let manager: Awaited<ReturnType<typeof makeUser>>;

beforeAll(async () => {
  t = await createTestApp();
  manager = await makeUser(t.db, { role: "manager" });
});
afterAll(async () => {
  await t.close();
});

describe("at the same moment", () => {
  it("creates exactly one client, engagement and first case when one proposal is accepted 20 times in parallel", async () => {
    const { type } = await makeCaseType(t.db, { stages: [{ name: "Kick-off" }] });
    const prospect = await makeProspect(t.db, manager.id, { companyName: "Parallel Universe Ltd", contactName: "Pat Para" });
    const proposal = await makeProposal(t.db, prospect.id, manager.id, { status: "sent" });
    const agent = await signedIn(t.app, manager.email);
    const token = await csrfToken(agent, `/pipeline/proposals/${proposal.id}/accept`);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => agent.post(`/pipeline/proposals/${proposal.id}/accept`).type("form").send({ _csrf: token, ...ACCEPT, caseTypeId: type.id })),
    );
    const locations = new Set(responses.map((r) => `${r.status} ${r.headers.location}`));
    expect(locations.size).toBe(1);
    const [only] = [...locations];
    expect(only).toMatch(/^302 \/clients\/[0-9a-f-]{36}$/);
    const clients = await t.db.client.findMany({ where: { originProposalId: proposal.id } });
    expect(clients).toHaveLength(1);
    expect(await t.db.client.count({ where: { name: "Parallel Universe Ltd" } })).toBe(1);
    expect(await t.db.engagement.count({ where: { clientId: clients[0]!.id } })).toBe(1);
    expect(await t.db.case.count({ where: { clientId: clients[0]!.id } })).toBe(1);
    expect(await t.db.contact.count({ where: { clientId: clients[0]!.id } })).toBe(1);
    expect(await t.db.auditEvent.count({ where: { entityId: proposal.id, action: "proposal.accept" } })).toBe(1);
    expect(await t.db.auditEvent.count({ where: { entityId: clients[0]!.id, action: "client.create" } })).toBe(1);
    // A retry after the fact lands on the same client and makes nothing.
    const retry = await agent.post(`/pipeline/proposals/${proposal.id}/accept`).type("form").send({ _csrf: token, ...ACCEPT, caseTypeId: type.id });
    expect(retry.headers.location).toBe(`/clients/${clients[0]!.id}`);
    expect(await t.db.case.count({ where: { clientId: clients[0]!.id } })).toBe(1);
  });

  it("makes one prospect when a lead is qualified ten times at once", async () => {
    const lead = await makeLead(t.db, manager.id);
    const agent = await signedIn(t.app, manager.email);
    const token = await csrfToken(agent, `/pipeline/leads/${lead.id}`);
    const responses = await Promise.all(Array.from({ length: 10 }, () => agent.post(`/pipeline/leads/${lead.id}/qualify`).type("form").send({ _csrf: token })));
    expect(new Set(responses.map((r) => r.headers.location)).size).toBe(1);
    expect(await t.db.prospect.count({ where: { leadId: lead.id } })).toBe(1);
  });

  it("gives proposals drafted at once distinct consecutive numbers", async () => {
    const prospect = await makeProspect(t.db, manager.id);
    const agent = await signedIn(t.app, manager.email);
    const token = await csrfToken(agent, `/pipeline/prospects/${prospect.id}`);
    await Promise.all(Array.from({ length: 10 }, () => agent.post(`/pipeline/prospects/${prospect.id}/proposals`).type("form").send({ _csrf: token, amount: "100", scope: "Scope" })));
    const numbers = (await t.db.proposal.findMany({ where: { prospectId: prospect.id } })).map((p) => Number(p.number.slice(-4))).sort((a, b) => a - b);
    expect(numbers).toHaveLength(10);
    expect(numbers).toEqual(Array.from({ length: 10 }, (_, i) => numbers[0]! + i));
  });
});
