// Moving a case along the status machine from its overview: every allowed move, refusals naming the allowed next
// statuses, a repeated click applied once, returnTo limited to /cases paths, resolution and compliance rules.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { postForm, signedIn, type Agent } from "../helpers/http.ts";
import { decodeHtml, mainContent } from "../clients/support.ts";
import { actor, makeCaseType, makeClient, openCase } from "./support.ts";
import { flashesOf, follow, optionValues } from "./record-support.ts";
import { TRANSITIONS, STATUS_LABELS, CASE_STATUSES } from "../../src/cases/status.ts";
import type { CaseStatus } from "../../src/generated/prisma/enums.ts";
import { approveStage, startStage } from "../../src/cases/workflow.ts";
import { fileComplianceDocument } from "../documents/support.ts";

let t: TestApp;
let mona: Awaited<ReturnType<typeof makeUser>>;
let sam: Awaited<ReturnType<typeof makeUser>>;
let asMona: Agent;
let asSam: Agent;
let asLena: Agent;
let clientId: string;
let typeId: string;

beforeAll(async () => {
  t = await createTestApp();
  mona = await makeUser(t.db, { role: "manager", name: "Mona Manager" });
  sam = await makeUser(t.db, { role: "staff", name: "Sam Staff" });
  const lena = await makeUser(t.db, { role: "staff", name: "Lena Legal", legalTeam: true });
  [asMona, asSam, asLena] = await Promise.all([signedIn(t.app, mona.email), signedIn(t.app, sam.email), signedIn(t.app, lena.email)]);
  clientId = (await makeClient(t.db, mona.id, { name: "Status Client" })).id;
  typeId = (await makeCaseType(t.db, { name: "Plain type" })).type.id;
});
afterAll(async () => t.close());

/** A case already in `status` (written directly: reaching some states takes several moves). */
async function caseIn(status: CaseStatus, fields: Record<string, string> = {}) {
  const kase = await openCase(t.db, mona, { clientId, typeId, ...fields });
  const resolved = status === "resolved" || status === "closed";
  return t.db.case.update({ where: { id: kase.id }, data: { status, ...(resolved ? { resolutionDate: new Date(), resolutionType: "settled" as const } : {}) } });
}

const move = (agent: Agent, id: string, fields: Record<string, string>) => postForm(agent, `/cases/${id}`, `/cases/${id}/status`, fields);

describe("the status form", () => {
  for (const from of CASE_STATUSES) {
    it(`offers exactly the allowed moves from ${from}`, async () => {
      const kase = await caseIn(from);
      const page = await asMona.get(`/cases/${kase.id}`);
      expect(optionValues(page.text, "to")).toEqual([...TRANSITIONS[from]]);
      expect(page.text).toContain(`<input type="hidden" name="from" value="${from}">`);
    });
  }

  for (const [from, targets] of Object.entries(TRANSITIONS) as [CaseStatus, readonly CaseStatus[]][]) {
    for (const to of targets) {
      it(`moves a case from ${from} to ${to}, flashes it and audits it`, async () => {
        const kase = await caseIn(from);
        const res = await move(asMona, kase.id, { from, to, resolutionType: "favorable", resolutionSummary: "Done well", note: "Moving on" });
        expect(res.status).toBe(302);
        expect(res.headers.location).toBe(`/cases/${kase.id}`);
        const page = await follow(asMona, res);
        expect(flashesOf(page.text)).toContainEqual(["success", `Case moved to ${STATUS_LABELS[to]}.`]);
        expect(mainContent(page.text)).toContain(`case-status-${to}">${STATUS_LABELS[to]}</span>`);
        const stored = await t.db.case.findUniqueOrThrow({ where: { id: kase.id } });
        expect(stored.status).toBe(to);
        expect(stored.updatedById).toBe(mona.id);
        const audit = await t.db.auditEvent.findFirstOrThrow({ where: { entityId: kase.id, action: "case.status" } });
        expect(audit.actorId).toBe(mona.id);
        expect(audit.changes).toMatchObject({ status: { before: from, after: to }, note: { after: "Moving on" } });
      });
    }
  }
});

describe("refusals", () => {
  it("refuses a move the machine does not allow, naming the allowed next statuses, and changes nothing", async () => {
    const kase = await caseIn("new");
    const res = await move(asMona, kase.id, { from: "new", to: "resolved", resolutionType: "settled" });
    expect(res.status).toBe(302);
    const page = await follow(asMona, res);
    expect(flashesOf(page.text)).toContainEqual(["error", "A case cannot move from New to Resolved. From New it can move to Assigned, In progress, On hold or Closed."]);
    expect((await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).status).toBe("new");
    expect(await t.db.auditEvent.count({ where: { entityId: kase.id, action: "case.status" } })).toBe(0);
  });

  it("applies a repeated click once: the second post with the same `from` says the case was already moved", async () => {
    const kase = await caseIn("new");
    const first = await move(asMona, kase.id, { from: "new", to: "assigned" });
    expect(flashesOf((await follow(asMona, first)).text)).toContainEqual(["success", "Case moved to Assigned."]);
    const second = await move(asMona, kase.id, { from: "new", to: "assigned" });
    const page = await follow(asMona, second);
    const [kind, text] = flashesOf(page.text)[0] ?? [];
    expect(kind).toBe("error");
    expect(text).toMatch(/^This case is Assigned now: it was moved while you were looking\./);
    expect(text).toContain("From Assigned it can move to In progress, On hold or Closed.");
    expect(await t.db.auditEvent.count({ where: { entityId: kase.id, action: "case.status" } })).toBe(1);
    expect((await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).status).toBe("assigned");
  });

  it("applies two simultaneous identical posts once", async () => {
    const kase = await caseIn("new");
    const results = await Promise.all([move(asMona, kase.id, { from: "new", to: "in_progress" }), move(asMona, kase.id, { from: "new", to: "in_progress" })]);
    expect(results.map((r) => r.status)).toEqual([302, 302]);
    expect(await t.db.auditEvent.count({ where: { entityId: kase.id, action: "case.status" } })).toBe(1);
  });

  it("asks how the case ended before resolving it, and records the resolution when given", async () => {
    const kase = await caseIn("in_progress");
    const refused = await move(asMona, kase.id, { from: "in_progress", to: "resolved", resolutionType: "" });
    expect(flashesOf((await follow(asMona, refused)).text)).toContainEqual(["error", "Say how the case ended before it is resolved."]);
    expect((await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).status).toBe("in_progress");

    const res = await move(asMona, kase.id, { from: "in_progress", to: "resolved", resolutionType: "withdrawn", resolutionSummary: "The client withdrew the claim." });
    const page = decodeHtml((await follow(asMona, res)).text);
    expect(page).toContain("Withdrawn");
    expect(page).toContain("The client withdrew the claim.");
    const stored = await t.db.case.findUniqueOrThrow({ where: { id: kase.id } });
    expect(stored).toMatchObject({ status: "resolved", resolutionType: "withdrawn", resolutionSummary: "The client withdrew the claim." });
    expect(stored.resolutionDate).not.toBeNull();
  });

  it("flashes bad input (an unknown status) without changing the case", async () => {
    const kase = await caseIn("new");
    const res = await move(asMona, kase.id, { from: "new", to: "archived" });
    expect(flashesOf((await follow(asMona, res)).text)).toContainEqual(["error", "Choose the status to move the case to."]);
    expect((await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).status).toBe("new");
  });

  it("keeps a compliance-review case open until an approval stage is completed and a compliance document is filed", async () => {
    const { type } = await makeCaseType(t.db, { name: "Regulated", requiresComplianceReview: true, stages: [{ name: "Compliance sign-off", stageType: "approval", approvalRequired: true, minApprovers: 1 }] });
    const kase = await openCase(t.db, mona, { clientId, typeId: type.id });
    expect(kase.complianceReviewRequired).toBe(true);
    const refused = await move(asMona, kase.id, { from: "new", to: "closed", resolutionType: "favorable" });
    expect(flashesOf((await follow(asMona, refused)).text)).toContainEqual(["error", "This case requires compliance review: it cannot close without a completed approval stage and a compliance document."]);
    expect((await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).status).toBe("new");

    const stage = kase.stages[0]!;
    await startStage(t.db, actor(mona), kase.id, stage.id);
    await approveStage(t.db, actor(mona), kase.id, stage.id, null);
    const notYet = await move(asMona, kase.id, { from: "new", to: "closed", resolutionType: "favorable" });
    expect(flashesOf((await follow(asMona, notYet)).text)[0]?.[1]).toContain("cannot close without a completed approval stage");
    await t.db.caseStage.update({ where: { id: stage.id }, data: { status: "completed", completedAt: new Date() } });
    const noDocument = await move(asMona, kase.id, { from: "new", to: "closed", resolutionType: "favorable" });
    expect(flashesOf((await follow(asMona, noDocument)).text)).toContainEqual(["error", "This case requires compliance review: it cannot close without a compliance document."]);
    await fileComplianceDocument(t.db, kase.id, mona.id);
    const closed = await move(asMona, kase.id, { from: "new", to: "closed", resolutionType: "favorable" });
    expect(flashesOf((await follow(asMona, closed)).text)).toContainEqual(["success", "Case moved to Closed."]);
    expect((await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).status).toBe("closed");
  });
});

describe("returnTo", () => {
  it("goes back to a /cases path the form names (the board)", async () => {
    const kase = await caseIn("new");
    const res = await move(asMona, kase.id, { from: "new", to: "assigned", returnTo: "/cases/board?priority=high" });
    expect(res.headers.location).toBe("/cases/board?priority=high");
    expect((await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).status).toBe("assigned");
    const refused = await move(asMona, kase.id, { from: "assigned", to: "reopened", returnTo: "/cases" });
    expect(refused.headers.location).toBe("/cases");
  });

  for (const returnTo of ["https://evil.example/cases", "//evil.example/cases", "/clients", "/casesx", "/cases/\\evil", "javascript:alert(1)", "/cases//evil.example"]) {
    it(`ignores returnTo ${JSON.stringify(returnTo)} and goes to the case`, async () => {
      const kase = await caseIn("new");
      const res = await move(asMona, kase.id, { from: "new", to: "on_hold", returnTo });
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe(`/cases/${kase.id}`);
    });
  }
});

describe("who may move a case", () => {
  it("lets a staff member on the team move it", async () => {
    const kase = await caseIn("new");
    await t.db.caseTeamMember.create({ data: { caseId: kase.id, userId: sam.id, role: "associate" } });
    const res = await move(asSam, kase.id, { from: "new", to: "in_progress" });
    expect(flashesOf((await follow(asSam, res)).text)).toContainEqual(["success", "Case moved to In progress."]);
    expect((await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).status).toBe("in_progress");
  });

  it("answers 404 to someone who cannot see the case, even with bad input, and 403 to a legal-team viewer", async () => {
    const kase = await caseIn("new", { legalReviewRequired: "on" });
    expect((await postForm(asSam, "/cases/new", `/cases/${kase.id}/status`, { from: "new", to: "assigned" })).status).toBe(404);
    expect((await postForm(asSam, "/cases/new", `/cases/${kase.id}/status`, { to: "nonsense" })).status).toBe(404);
    expect((await postForm(asSam, "/cases/new", "/cases/00000000-0000-4000-8000-000000000000/status", { to: "assigned" })).status).toBe(404);
    expect((await postForm(asLena, `/cases/${kase.id}`, `/cases/${kase.id}/status`, { from: "new", to: "assigned" })).status).toBe(403);
    expect((await postForm(asLena, `/cases/${kase.id}`, `/cases/${kase.id}/status`, { to: "nonsense" })).status).toBe(403);
    expect((await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).status).toBe("new");
  });
});
