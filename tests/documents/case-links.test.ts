// "Add an existing document to another case of the same client": the case's Documents tab offers the client's
// documents the reader may see, links one (document_cases), lists it with "Linked" and unlinks it (the document
// stays). A case-only document is then visible through any case it is linked to; the compliance rule counts it.
import os from "node:os";
import path from "node:path";
import { mkdtemp, rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { postForm, signedIn, type Agent } from "../helpers/http.ts";
import { makeClient } from "../clients/support.ts";
import { makeCaseType, openCase } from "../cases/support.ts";
import { pdfWithText, typeId, upload } from "./support.ts";

let t: TestApp;
let dataDir: string;
let admin: Awaited<ReturnType<typeof makeUser>>;
let managerA: Awaited<ReturnType<typeof makeUser>>;
let managerB: Awaited<ReturnType<typeof makeUser>>;
let outsider: Awaited<ReturnType<typeof makeUser>>;
let teamMember: Awaited<ReturnType<typeof makeUser>>;
const agents = {} as Record<"admin" | "a" | "b" | "outsider" | "team", Agent>;
let caseTypeId: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "clientdesk-doc-links-"));
  t = await createTestApp({ DATA_DIR: dataDir });
  admin = await makeUser(t.db, { role: "admin", viewConfidential: true });
  managerA = await makeUser(t.db, { role: "staff" });
  managerB = await makeUser(t.db, { role: "staff" });
  outsider = await makeUser(t.db, { role: "staff" });
  teamMember = await makeUser(t.db, { role: "staff" });
  agents.admin = await signedIn(t.app, admin.email);
  agents.a = await signedIn(t.app, managerA.email);
  agents.b = await signedIn(t.app, managerB.email);
  agents.outsider = await signedIn(t.app, outsider.email);
  agents.team = await signedIn(t.app, teamMember.email);
  caseTypeId = (await makeCaseType(t.db)).type.id;
});
afterAll(async () => {
  await t.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function caseFor(clientId: string, managerId: string, typeIdOverride = caseTypeId) {
  return openCase(t.db, admin, { clientId, typeId: typeIdOverride, managerId });
}

async function uploaded(agent: Agent, fields: Record<string, string>, name: string) {
  const title = `${name}-${Math.random().toString(36).slice(2, 8)}`;
  const res = await upload(agent, "/documents", { typeId: await typeId(t.db, "other"), title, ...fields }, [{ bytes: pdfWithText(`text of ${name}`), name: `${name}.pdf` }]);
  expect(res.status).toBe(303);
  return t.db.document.findFirstOrThrow({ where: { title } });
}

const link = (agent: Agent, caseId: string, documentId: string) => postForm(agent, `/cases/${caseId}/documents`, `/cases/${caseId}/documents/links`, { documentId });
const unlink = (agent: Agent, caseId: string, documentId: string) => postForm(agent, `/cases/${caseId}/documents`, `/cases/${caseId}/documents/links/${documentId}/delete`, {});

describe("adding an existing document to another case", () => {
  it("offers the client's visible documents, links one, lists it as linked, and unlinks it keeping the document", async () => {
    const client = await makeClient(t.db, admin.id, { name: "Linden Mills" });
    const otherClient = await makeClient(t.db, admin.id, { name: "Elsewhere Ltd" });
    const caseA = await caseFor(client.id, managerA.id);
    const caseB = await caseFor(client.id, managerA.id);
    const onClient = await uploaded(agents.a, { clientId: client.id }, "engagement");
    const onCaseA = await uploaded(agents.a, { caseId: caseA.id }, "memo");
    const foreign = await uploaded(agents.a, { clientId: otherClient.id }, "foreign");

    const tab = await agents.a.get(`/cases/${caseB.id}/documents`);
    expect(tab.status).toBe(200);
    expect(tab.text).toContain("Add an existing document");
    expect(tab.text).toContain(`value="${onClient.id}"`);
    expect(tab.text).toContain(`value="${onCaseA.id}"`);
    expect(tab.text).not.toContain(`value="${foreign.id}"`);
    // case A's tab does not offer its own document again
    expect((await agents.a.get(`/cases/${caseA.id}/documents`)).text).not.toContain(`value="${onCaseA.id}"`);

    expect((await link(agents.a, caseB.id, onCaseA.id)).status).toBe(303);
    expect((await link(agents.a, caseB.id, onClient.id)).status).toBe(303);
    const links = await t.db.documentCase.findMany({ where: { caseId: caseB.id }, orderBy: { linkedAt: "asc" } });
    expect(links.map((l) => [l.documentId, l.linkedById])).toEqual([[onCaseA.id, managerA.id], [onClient.id, managerA.id]]);
    const after = await agents.a.get(`/cases/${caseB.id}/documents`);
    expect(after.text).toContain(onCaseA.title);
    expect(after.text).toContain(onClient.title);
    expect(after.text).toContain(`/cases/${caseB.id}/documents/links/${onCaseA.id}/delete`);
    expect(after.text).not.toContain(`value="${onCaseA.id}"`); // no longer offered
    // the document page names the further case; the firm-wide list filtered on the case finds it
    expect((await agents.a.get(`/documents/${onCaseA.id}`)).text).toContain(caseB.caseNumber);
    expect((await agents.a.get(`/documents?case=${caseB.id}`)).text).toContain(onCaseA.title);
    const audit = await t.db.auditEvent.findFirstOrThrow({ where: { action: "document.case_link", entityId: onCaseA.id } });
    expect(audit.actorId).toBe(managerA.id);
    expect(JSON.stringify(audit.changes)).toContain(caseB.id);

    // linking again, a document of another client, or a made-up id: a message next to the picker, nothing stored
    const again = await link(agents.a, caseB.id, onCaseA.id);
    expect(again.status).toBe(422);
    expect(again.text).toContain("is already on this case");
    const cross = await link(agents.a, caseB.id, foreign.id);
    expect(cross.status).toBe(422);
    expect(cross.text).toContain("Choose one of this client&#39;s documents.");
    expect((await link(agents.a, caseB.id, "not-an-id")).status).toBe(422);
    const none = await link(agents.a, caseB.id, "");
    expect(none.status).toBe(422);
    expect(none.text).toContain("Choose a document to add.");
    expect(await t.db.documentCase.count({ where: { caseId: caseB.id } })).toBe(2);

    expect((await unlink(agents.a, caseB.id, onCaseA.id)).status).toBe(303);
    expect(await t.db.documentCase.count({ where: { caseId: caseB.id, documentId: onCaseA.id } })).toBe(0);
    const kept = await t.db.document.findUniqueOrThrow({ where: { id: onCaseA.id } });
    expect(kept.deletedAt).toBeNull();
    expect(kept.caseId).toBe(caseA.id);
    expect((await agents.a.get(`/cases/${caseB.id}/documents`)).text).not.toContain(`links/${onCaseA.id}/delete`);
    expect(await t.db.auditEvent.count({ where: { action: "document.case_unlink", entityId: onCaseA.id } })).toBe(1);
    // the case it was filed on cannot be unlinked: there is no link row
    expect((await unlink(agents.a, caseA.id, onCaseA.id)).status).toBe(404);
  });

  it("a case-only document is visible through any case it is linked to, and only while linked; privileged ones stay with the client's team", async () => {
    const client = await makeClient(t.db, admin.id, { name: "Harrow Partners", teamUserIds: [teamMember.id] });
    const caseA = await caseFor(client.id, managerA.id);
    const caseB = await caseFor(client.id, managerB.id);
    const memo = await uploaded(agents.a, { caseId: caseA.id }, "casememo");
    const secret = await uploaded(agents.a, { caseId: caseA.id, privileged: "on" }, "privmemo");
    const routes = (id: string) => [`/documents/${id}`, `/documents/${id}/download`, `/documents/${id}/versions/1/download`, `/documents/${id}/preview`];
    const statuses = async (agent: Agent, id: string) => Promise.all(routes(id).map(async (r) => (await agent.get(r)).status));

    // before linking, B's manager sees neither, and the picker on B offers nothing it may not see
    expect(await statuses(agents.b, memo.id)).toEqual([404, 404, 404, 404]);
    // B's manager cannot link a document they cannot see (refused like a missing one)
    expect((await link(agents.b, caseB.id, memo.id)).status).toBe(422);
    expect(await t.db.documentCase.count({ where: { documentId: memo.id } })).toBe(0);

    expect((await link(agents.a, caseB.id, memo.id)).status).toBe(404); // A is not on case B: B's URLs are not found
    expect((await link(agents.admin, caseB.id, memo.id)).status).toBe(303);
    // the administrator is not on the client's team: the privileged one is not theirs to pick, written straight here
    expect((await link(agents.admin, caseB.id, secret.id)).status).toBe(422);
    await t.db.documentCase.create({ data: { documentId: secret.id, caseId: caseB.id, linkedById: managerA.id } });

    expect(await statuses(agents.b, memo.id)).toEqual([200, 200, 200, 200]);
    const tabB = await agents.b.get(`/cases/${caseB.id}/documents`);
    expect(tabB.text).toContain(memo.title);
    // privileged: for the client's team only, linked or not
    expect(await statuses(agents.b, secret.id)).toEqual([404, 404, 404, 404]);
    expect(tabB.text).not.toContain(secret.title);
    expect((await agents.b.get(`/documents?q=privmemo`)).text).not.toContain(secret.title);
    // someone on neither case sees neither; guessed unlink URLs are not found
    expect(await statuses(agents.outsider, memo.id)).toEqual([404, 404, 404, 404]);
    expect((await agents.outsider.get(`/cases/${caseB.id}/documents`)).status).toBe(404);
    expect((await unlink(agents.outsider, caseB.id, memo.id)).status).toBe(404);
    expect((await unlink(agents.b, caseB.id, secret.id)).status).toBe(404);
    expect(await t.db.documentCase.count({ where: { caseId: caseB.id } })).toBe(2);

    expect((await unlink(agents.b, caseB.id, memo.id)).status).toBe(303);
    expect(await statuses(agents.b, memo.id)).toEqual([404, 404, 404, 404]);
    expect(await statuses(agents.a, memo.id)).toEqual([200, 200, 200, 200]);
  });

  it("the database refuses a link to another client's case", async () => {
    const client = await makeClient(t.db, admin.id);
    const otherClient = await makeClient(t.db, admin.id);
    const kase = await caseFor(otherClient.id, managerA.id);
    const doc = await uploaded(agents.a, { clientId: client.id }, "stray");
    await expect(t.db.documentCase.create({ data: { documentId: doc.id, caseId: kase.id, linkedById: admin.id } })).rejects.toThrow(/own client/);
  });
});

describe("the compliance rule with linked documents", () => {
  it("a compliance document filed on another case of the client and linked to this one lets it close; unlinked, it does not", async () => {
    const client = await makeClient(t.db, admin.id);
    const manager = await makeUser(t.db, { role: "manager", department: "Compliance" });
    const managerAgent = await signedIn(t.app, manager.email);
    const { type } = await makeCaseType(t.db, { requiresComplianceReview: true, stages: [{ name: "Sign-off", stageType: "approval", approvalRequired: true, minApprovers: 1 }] });
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId: type.id, managerId: manager.id });
    const sibling = await openCase(t.db, admin, { clientId: client.id, typeId: caseTypeId, managerId: manager.id });
    const signOff = kase.stages[0]!;
    const go = (to: string, from: string) => postForm(managerAgent, `/cases/${kase.id}`, `/cases/${kase.id}/status`, { to, from, resolutionType: "favorable", resolutionSummary: "Done" });
    const statusOf = async () => (await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).status;
    await go("in_progress", "new");
    await postForm(managerAgent, `/cases/${kase.id}/workflow`, `/cases/${kase.id}/stages/${signOff.id}/start`, {});
    await postForm(managerAgent, `/cases/${kase.id}/workflow`, `/cases/${kase.id}/stages/${signOff.id}/approve`, { note: "ok" });
    await postForm(managerAgent, `/cases/${kase.id}/workflow`, `/cases/${kase.id}/stages/${signOff.id}/complete`, {});

    const res = await upload(managerAgent, `/cases/${sibling.id}/documents`, { typeId: await typeId(t.db, "compliance"), caseId: sibling.id, title: "KYC check" }, [{ bytes: pdfWithText("kyc"), name: "kyc.pdf" }]);
    expect(res.status).toBe(303);
    const kyc = await t.db.document.findFirstOrThrow({ where: { caseId: sibling.id, title: "KYC check" } });
    await go("closed", "in_progress");
    expect(await statusOf()).toBe("in_progress");

    expect((await link(managerAgent, kase.id, kyc.id)).status).toBe(303);
    expect((await unlink(managerAgent, kase.id, kyc.id)).status).toBe(303);
    await go("closed", "in_progress");
    expect(await statusOf()).toBe("in_progress");

    expect((await link(managerAgent, kase.id, kyc.id)).status).toBe(303);
    await go("closed", "in_progress");
    expect(await statusOf()).toBe("closed");
  });
});
