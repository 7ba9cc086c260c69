import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { postForm, signedIn, type Agent } from "../helpers/http.ts";
import { decodeHtml, mainContent } from "../clients/support.ts";
import { actor, makeCaseType, makeClient, openCase } from "./support.ts";
import { approveStage, completeStage, startStage } from "../../src/cases/workflow.ts";

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

type User = Awaited<ReturnType<typeof makeUser>>;

/** Intake and Research run side by side; Drafting needs two approvals; the legal review runs alongside Drafting. */
const STAGES = [
  { name: "Intake", stageType: "intake" as const },
  { name: "Research", stageType: "analysis" as const, parallel: true },
  { name: "Drafting", stageType: "work" as const, approvalRequired: true, minApprovers: 2 },
  { name: "Legal check", stageType: "legal_review" as const, parallel: true, approvalRequired: true, minApprovers: 1 },
  { name: "Courtesy call", stageType: "closing" as const, required: false },
];

interface World {
  admin: User;
  manager: User;
  otherManager: User;
  assignee: User;
  legal: User;
  outsider: User;
}

async function makeWorld(): Promise<World> {
  return {
    admin: await makeUser(t.db, { role: "admin", name: "Ada Admin" }),
    manager: await makeUser(t.db, { role: "manager", name: "Mona Manager", department: "Tax" }),
    otherManager: await makeUser(t.db, { role: "manager", name: "Otto Manager", department: "Tax" }),
    assignee: await makeUser(t.db, { role: "staff", name: "Sam Staff" }),
    legal: await makeUser(t.db, { role: "staff", name: "Lena Legal", legalTeam: true }),
    outsider: await makeUser(t.db, { role: "staff", name: "Olive Outsider" }),
  };
}

/** A case managed by `w.manager` needing legal review, with `w.assignee` on the team holding "Intake". */
async function openWorkflowCase(w: World) {
  const client = await makeClient(t.db, w.admin.id);
  const { type, template } = await makeCaseType(t.db, { stages: STAGES });
  const kase = await openCase(t.db, w.manager, { clientId: client.id, typeId: type.id, legalReviewRequired: "on" });
  await t.db.caseTeamMember.create({ data: { caseId: kase.id, userId: w.assignee.id, role: "associate" } });
  const stage = Object.fromEntries(kase.stages.map((s) => [s.name, s.id])) as Record<string, string>;
  await t.db.caseStage.update({ where: { id: stage.Intake! }, data: { assigneeId: w.assignee.id } });
  return { kase, stage, template: template!, client };
}

/** Moves the case to Drafting and the legal check both under way (Intake and Research completed). */
async function toDrafting(w: World, caseId: string, stage: Record<string, string>) {
  const by = actor(w.manager);
  for (const name of ["Intake", "Research"]) await startStage(t.db, by, caseId, stage[name]!);
  for (const name of ["Intake", "Research"]) await completeStage(t.db, by, caseId, stage[name]!, null);
  await startStage(t.db, by, caseId, stage.Drafting!);
  await startStage(t.db, by, caseId, stage["Legal check"]!);
}

/** The part of the workflow page that shows one stage. */
function stageBlock(html: string, stageId: string): string {
  const start = html.indexOf(`id="stage-${stageId}"`);
  if (start < 0) throw new Error(`stage ${stageId} is not on the page`);
  const next = html.indexOf('<li class="card stage', start + 1);
  return html.slice(start, next < 0 ? html.indexOf("</ol>", start) : next);
}

const text = (html: string) => decodeHtml(html.replace(/<[^>]+>/g, " ")).replace(/\s+/g, " ");

function buttonsIn(block: string, caseId: string, stageId: string): string[] {
  const base = `/cases/${caseId}/stages/${stageId}`;
  const actions: string[] = ["start", "approve", "complete", "skip"].filter((a) => block.includes(`action="${base}/${a}"`));
  return block.includes(`action="${base}"`) ? [...actions, "edit"] : actions;
}

/** Posts a stage action; expects the redirect back to the stage and returns the flash the next page shows. */
async function act(agent: Agent, caseId: string, stageId: string, action: string, fields: Record<string, string> = {}) {
  const res = await postForm(agent, "/", `/cases/${caseId}/stages/${stageId}${action ? `/${action}` : ""}`, fields);
  expect(res.status).toBe(302);
  expect(res.headers.location).toBe(`/cases/${caseId}/workflow#stage-${stageId}`);
  const page = await agent.get(`/cases/${caseId}/workflow`);
  const m = /<div class="flash flash-(\w+)"[^>]*>\s*<p>([\s\S]*?)<\/p>/.exec(page.text);
  return { kind: m?.[1], message: m ? decodeHtml(m[2]!) : "" };
}

async function stageRow(id: string) {
  return t.db.caseStage.findUniqueOrThrow({ where: { id }, include: { approvals: true } });
}

function caseEvents(caseId: string, action: string) {
  return t.db.auditEvent.findMany({ where: { entityType: "case", entityId: caseId, action }, orderBy: { id: "asc" } });
}

describe("the workflow tab", () => {
  it("lists the stages in order with their details", async () => {
    const w = await makeWorld();
    const { kase, stage } = await openWorkflowCase(w);
    await t.db.caseStage.update({ where: { id: stage.Intake! }, data: { deadline: new Date("2001-02-03T00:00:00Z"), notes: "Call the client first" } });
    const page = await (await signedIn(t.app, w.manager.email)).get(`/cases/${kase.id}/workflow`);
    expect(page.status).toBe(200);
    const html = mainContent(page.text);
    expect(html).toContain('aria-current="page">Workflow');
    expect(text(html)).toContain(kase.caseNumber);
    const positions = STAGES.map((s) => html.indexOf(`> ${s.name}`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);

    const intake = text(stageBlock(html, stage.Intake!));
    expect(intake).toMatch(/1\. Intake Pending Overdue/);
    expect(intake).toContain("Intake · Required");
    expect(intake).toContain(`Assignee ${w.assignee.name}`);
    expect(intake).toContain("3 Feb 2001 (overdue)");
    expect(intake).toContain("Call the client first");
    expect(text(stageBlock(html, stage.Research!))).toContain("Analysis · Required · Runs alongside the stage before");
    const drafting = text(stageBlock(html, stage.Drafting!));
    expect(drafting).toContain("Needs 2 approvals from different people");
    expect(drafting).toContain("Approvals 0 of 2");
    expect(drafting).toContain("Waits for: Intake, Research.");
    expect(text(stageBlock(html, stage["Courtesy call"]!))).toContain("Closing · Optional");
  });

  it("shows approvals with the approvers' names, and who started and completed a stage", async () => {
    const w = await makeWorld();
    const { kase, stage } = await openWorkflowCase(w);
    await toDrafting(w, kase.id, stage);
    await approveStage(t.db, actor(w.otherManager), kase.id, stage.Drafting!, "Looks right");
    const html = (await (await signedIn(t.app, w.manager.email)).get(`/cases/${kase.id}/workflow`)).text;
    const drafting = text(stageBlock(html, stage.Drafting!));
    expect(drafting).toMatch(/In progress/);
    expect(drafting).toContain(`Started`);
    expect(drafting).toContain(`by ${w.manager.name}`);
    expect(drafting).toContain("Approvals 1 of 2");
    expect(drafting).toMatch(new RegExp(`${w.otherManager.name}, \\d+ \\w+ \\d{4}, \\d\\d:\\d\\d UTC: Looks right`));
    expect(drafting).toContain("It can be completed once it has 2 approvals.");
    expect(text(stageBlock(html, stage.Intake!))).toMatch(new RegExp(`Completed \\d+ \\w+ \\d{4}, \\d\\d:\\d\\d UTC by ${w.manager.name}`));
  });

  it("offers each user only the buttons they may use", async () => {
    const w = await makeWorld();
    const { kase, stage } = await openWorkflowCase(w);
    const pageOf = async (user: User) => (await (await signedIn(t.app, user.email)).get(`/cases/${kase.id}/workflow`)).text;
    const buttons = (html: string, name: string) => buttonsIn(stageBlock(html, stage[name]!), kase.id, stage[name]!);

    // Before anything starts: Intake and the parallel Research may start; Drafting waits.
    let html = await pageOf(w.manager);
    expect(buttons(html, "Intake")).toEqual(["start", "edit"]);
    expect(buttons(html, "Research")).toEqual(["start", "edit"]);
    expect(buttons(html, "Drafting")).toEqual(["edit"]);
    expect(buttons(html, "Courtesy call")).toEqual(["skip", "edit"]);

    await toDrafting(w, kase.id, stage);
    html = await pageOf(w.manager);
    expect(buttons(html, "Drafting")).toEqual(["approve", "edit"]);
    expect(buttons(html, "Legal check")).toEqual(["edit"]);
    expect(text(stageBlock(html, stage["Courtesy call"]!))).toContain("Waits for: Drafting, Legal check.");

    // The assignee on the team works on stages but approves nothing.
    html = await pageOf(w.assignee);
    expect(buttons(html, "Drafting")).toEqual(["edit"]);
    expect(buttons(html, "Legal check")).toEqual(["edit"]);
    expect(buttons(html, "Courtesy call")).toEqual(["skip", "edit"]);

    // The legal team reviews: it approves, including the legal check, but does not plan or skip.
    html = await pageOf(w.legal);
    expect(buttons(html, "Drafting")).toEqual(["approve"]);
    expect(buttons(html, "Legal check")).toEqual(["approve"]);
    expect(buttons(html, "Courtesy call")).toEqual([]);

    // Once approved by two people, the manager gets "Complete" and no longer "Approve".
    await approveStage(t.db, actor(w.manager), kase.id, stage.Drafting!, null);
    await approveStage(t.db, actor(w.otherManager), kase.id, stage.Drafting!, null);
    html = await pageOf(w.manager);
    expect(buttons(html, "Drafting")).toEqual(["complete", "edit"]);
    expect(text(stageBlock(html, stage.Drafting!))).toContain("You approved this stage.");

    // Staff off the case do not know it exists.
    const outsider = await signedIn(t.app, w.outsider.email);
    const hidden = await outsider.get(`/cases/${kase.id}/workflow`);
    expect(hidden.status).toBe(404);
    expect(hidden.text).not.toContain(kase.caseNumber);
  });

  it("explains a case opened without a workflow template, and lists the documents a template asks for", async () => {
    const w = await makeWorld();
    const client = await makeClient(t.db, w.admin.id);
    const { type } = await makeCaseType(t.db, { stages: [{ name: "Only stage" }] });
    const bare = await openCase(t.db, w.manager, { clientId: client.id, typeId: type.id, templateId: "none" });
    const agent = await signedIn(t.app, w.manager.email);
    const empty = text(mainContent((await agent.get(`/cases/${bare.id}/workflow`)).text));
    expect(empty).toContain("This case has no workflow stages");
    expect(empty).toContain("opened without a workflow template");

    const { kase, template } = await openWorkflowCase(w);
    await t.db.caseTemplate.update({ where: { id: template.id }, data: { requiredDocumentTypes: ["Engagement letter", "Power of attorney"] } });
    const page = text(mainContent((await agent.get(`/cases/${kase.id}/workflow`)).text));
    expect(page).toContain("Documents this template asks for Engagement letter Power of attorney");
    expect(page).toContain("documents feature");
  });
});

describe("stage actions", () => {
  it("starts stages in order: a blocked stage is refused, a parallel stage starts alongside the one before", async () => {
    const w = await makeWorld();
    const { kase, stage } = await openWorkflowCase(w);
    const agent = await signedIn(t.app, w.assignee.email);

    const refused = await act(agent, kase.id, stage.Drafting!, "start");
    expect(refused).toEqual({ kind: "error", message: 'Finish "Intake", "Research" before starting "Drafting".' });
    expect((await stageRow(stage.Drafting!)).status).toBe("pending");

    expect(await act(agent, kase.id, stage.Intake!, "start")).toEqual({ kind: "success", message: 'Stage "Intake" started.' });
    expect(await act(agent, kase.id, stage.Research!, "start")).toEqual({ kind: "success", message: 'Stage "Research" started.' });
    expect((await stageRow(stage.Intake!)).status).toBe("in_progress");
    expect((await stageRow(stage.Research!)).status).toBe("in_progress");
    expect((await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).currentStageId).toBe(stage.Intake);

    const again = await act(agent, kase.id, stage.Intake!, "start");
    expect(again).toEqual({ kind: "error", message: 'The stage "Intake" has already been started.' });
    const events = await caseEvents(kase.id, "case.stage_start");
    expect(events).toHaveLength(2);
    expect(events.map((e) => e.actorId)).toEqual([w.assignee.id, w.assignee.id]);
    expect(events[0]!.changes).toEqual({ "stage:Intake": { before: "pending", after: "in_progress" } });
  });

  it("takes approvals from distinct allowed users only", async () => {
    const w = await makeWorld();
    const { kase, stage } = await openWorkflowCase(w);
    await toDrafting(w, kase.id, stage);
    const manager = await signedIn(t.app, w.manager.email);

    expect(await act(manager, kase.id, stage.Drafting!, "approve", { note: "Fine by me" })).toEqual({ kind: "success", message: 'Stage "Drafting" approved (1 of 2).' });
    expect(await act(manager, kase.id, stage.Drafting!, "approve")).toEqual({ kind: "error", message: 'You have already approved "Drafting"; approvals must come from different people.' });
    let row = await stageRow(stage.Drafting!);
    expect(row.approvals.map((a) => [a.userId, a.note])).toEqual([[w.manager.id, "Fine by me"]]);

    // Staff without the legal flag may not approve, even on the team.
    const staff = await signedIn(t.app, w.assignee.email);
    const forbidden = await postForm(staff, "/", `/cases/${kase.id}/stages/${stage.Drafting}/approve`, {});
    expect(forbidden.status).toBe(403);
    expect(forbidden.text).toContain("Only managers, administrators and the legal team approve stages.");

    // A legal review stage: the legal team only.
    const managerOnLegal = await postForm(manager, "/", `/cases/${kase.id}/stages/${stage["Legal check"]}/approve`, {});
    expect(managerOnLegal.status).toBe(403);
    expect(managerOnLegal.text).toContain("Only the legal team approves legal and compliance reviews.");
    const legal = await signedIn(t.app, w.legal.email);
    expect(await act(legal, kase.id, stage["Legal check"]!, "approve")).toEqual({
      kind: "success",
      message: 'Stage "Legal check" approved (1 of 1). It has all the approvals it needs and can be completed.',
    });
    expect(await act(legal, kase.id, stage.Drafting!, "approve")).toMatchObject({ kind: "success", message: expect.stringContaining("(2 of 2)") });

    row = await stageRow(stage.Drafting!);
    expect(row.approvals.map((a) => a.userId).sort()).toEqual([w.manager.id, w.legal.id].sort());
    expect((await stageRow(stage["Legal check"]!)).approvals.map((a) => a.userId)).toEqual([w.legal.id]);
    const events = await caseEvents(kase.id, "case.stage_approve");
    expect(events.map((e) => e.actorId)).toEqual([w.manager.id, w.legal.id, w.legal.id]);
    expect(events[0]!.changes).toMatchObject({ "stage:Drafting": { before: "0 of 2 approvals", after: "1 of 2 approvals" }, note: { after: "Fine by me" } });
  });

  it("refuses to complete a stage until it has enough approvals, then completes it with the notes", async () => {
    const w = await makeWorld();
    const { kase, stage } = await openWorkflowCase(w);
    await toDrafting(w, kase.id, stage);
    await approveStage(t.db, actor(w.otherManager), kase.id, stage.Drafting!, null);
    const agent = await signedIn(t.app, w.assignee.email);

    const refused = await act(agent, kase.id, stage.Drafting!, "complete", { note: "Done early" });
    expect(refused).toEqual({ kind: "error", message: '"Drafting" needs 2 approvals from different people before it is complete; it has 1.' });
    expect((await stageRow(stage.Drafting!)).status).toBe("in_progress");

    await approveStage(t.db, actor(w.admin), kase.id, stage.Drafting!, null);
    expect(await act(agent, kase.id, stage.Drafting!, "complete", { note: "Signed off by both" })).toEqual({ kind: "success", message: 'Stage "Drafting" completed.' });
    const row = await stageRow(stage.Drafting!);
    expect(row.status).toBe("completed");
    expect(row.completedById).toBe(w.assignee.id);
    expect(row.notes).toBe("Signed off by both");
    const events = await caseEvents(kase.id, "case.stage_complete");
    expect(events.at(-1)).toMatchObject({ actorId: w.assignee.id, changes: { "stage:Drafting": { before: "in_progress", after: "completed" }, notes: { after: "Signed off by both" } } });
  });

  it("applies two simultaneous approvals or completions of the same stage by the same user once", async () => {
    const w = await makeWorld();
    const { kase, stage } = await openWorkflowCase(w);
    await toDrafting(w, kase.id, stage);
    const manager = await signedIn(t.app, w.manager.email);
    const token = /name="_csrf" value="([^"]+)"/.exec((await manager.get("/")).text)![1]!;
    const post = (action: string) => manager.post(`/cases/${kase.id}/stages/${stage.Drafting}/${action}`).type("form").send({ _csrf: token });

    const approvals = await Promise.all([post("approve"), post("approve")]);
    expect(approvals.map((r) => r.status)).toEqual([302, 302]);
    expect(await t.db.caseStageApproval.count({ where: { stageId: stage.Drafting!, userId: w.manager.id } })).toBe(1);
    expect(await caseEvents(kase.id, "case.stage_approve")).toHaveLength(1);

    await approveStage(t.db, actor(w.otherManager), kase.id, stage.Drafting!, null);
    const completions = await Promise.all([post("complete"), post("complete")]);
    expect(completions.map((r) => r.status)).toEqual([302, 302]);
    expect((await stageRow(stage.Drafting!)).status).toBe("completed");
    expect(await caseEvents(kase.id, "case.stage_complete")).toHaveLength(3); // Intake, Research, and Drafting once
    expect((await caseEvents(kase.id, "case.stage_complete")).filter((e) => "stage:Drafting" in (e.changes as object))).toHaveLength(1);
  });

  it("skips optional stages only", async () => {
    const w = await makeWorld();
    const { kase, stage } = await openWorkflowCase(w);
    const agent = await signedIn(t.app, w.manager.email);
    expect(await act(agent, kase.id, stage.Intake!, "skip")).toEqual({ kind: "error", message: 'The stage "Intake" is required and cannot be skipped.' });
    expect((await stageRow(stage.Intake!)).status).toBe("pending");

    const page = (await agent.get(`/cases/${kase.id}/workflow`)).text;
    expect(decodeHtml(stageBlock(page, stage["Courtesy call"]!))).toContain('data-confirm="Skip the optional stage Courtesy call? It will not be done on this case."');
    expect(await act(agent, kase.id, stage["Courtesy call"]!, "skip")).toEqual({ kind: "success", message: 'Stage "Courtesy call" skipped.' });
    expect((await stageRow(stage["Courtesy call"]!)).status).toBe("skipped");
    const events = await caseEvents(kase.id, "case.stage_skip");
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorId: w.manager.id, changes: { "stage:Courtesy call": { before: "pending", after: "skipped" } } });
    // The legal team reviews but does not skip.
    const legal = await signedIn(t.app, w.legal.email);
    const forbidden = await postForm(legal, "/", `/cases/${kase.id}/stages/${stage.Intake}/skip`, {});
    expect(forbidden.status).toBe(403);
  });

  it("plans a stage: the assignee must be the case manager or on the team", async () => {
    const w = await makeWorld();
    const { kase, stage } = await openWorkflowCase(w);
    const agent = await signedIn(t.app, w.manager.email);
    const page = (await agent.get(`/cases/${kase.id}/workflow`)).text;
    const form = stageBlock(page, stage.Research!);
    expect(form).toContain(`<option value="${w.manager.id}" selected>${w.manager.name} (case manager)</option>`);
    expect(form).toContain(`<option value="${w.assignee.id}" >${w.assignee.name} (Associate)</option>`);
    expect(form).not.toContain(w.outsider.id);

    const refused = await postForm(agent, "/", `/cases/${kase.id}/stages/${stage.Research}`, { assigneeId: w.outsider.id, deadline: "2030-01-31", notes: "New plan" });
    expect(refused.status).toBe(422);
    const block = stageBlock(refused.text, stage.Research!);
    expect(decodeHtml(block)).toContain("Choose the case manager or someone on the case's team (add them to the team first).");
    expect(block).toContain("<details class=\"stage-edit\" open>");
    expect(block).toContain('value="2030-01-31"');
    expect(block).toContain(">New plan</textarea>");
    expect((await stageRow(stage.Research!)).assigneeId).toBe(w.manager.id);

    const badDate = await postForm(agent, "/", `/cases/${kase.id}/stages/${stage.Research}`, { assigneeId: w.assignee.id, deadline: "31/01/2030" });
    expect(badDate.status).toBe(422);
    expect(stageBlock(badDate.text, stage.Research!)).toContain("Deadline must be a date like 2024-03-31.");

    expect(await act(agent, kase.id, stage.Research!, "", { assigneeId: w.assignee.id, deadline: "2030-01-31", notes: "New plan" })).toEqual({ kind: "success", message: 'Stage "Research" saved.' });
    const row = await stageRow(stage.Research!);
    expect(row).toMatchObject({ assigneeId: w.assignee.id, notes: "New plan" });
    expect(row.deadline?.toISOString()).toBe("2030-01-31T00:00:00.000Z");
    const events = await caseEvents(kase.id, "case.stage_update");
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorId: w.manager.id, changes: { "stage:Research:assigneeId": { before: w.manager.id, after: w.assignee.id }, "stage:Research:notes": { before: null, after: "New plan" } } });

    // The legal team reads the plan but does not change it.
    const legal = await signedIn(t.app, w.legal.email);
    expect((await postForm(legal, "/", `/cases/${kase.id}/stages/${stage.Research}`, { assigneeId: w.manager.id })).status).toBe(403);
    expect((await postForm(legal, "/", `/cases/${kase.id}/stages/${stage.Research}`, { deadline: "nonsense" })).status).toBe(403);
  });

  it("answers 404 for a hidden or missing case or stage and 403 for a forbidden action, changing nothing", async () => {
    const w = await makeWorld();
    const { kase, stage } = await openWorkflowCase(w);
    const outsider = await signedIn(t.app, w.outsider.email);
    for (const action of ["start", "approve", "complete", "skip", ""]) {
      const res = await postForm(outsider, "/", `/cases/${kase.id}/stages/${stage.Intake}${action ? `/${action}` : ""}`, { note: "x".repeat(3000), deadline: "bad" });
      expect(res.status, action).toBe(404);
    }
    const manager = await signedIn(t.app, w.manager.email);
    expect((await postForm(manager, "/", `/cases/${kase.id}/stages/${randomUUID()}/start`, {})).status).toBe(404);
    expect((await postForm(manager, "/", `/cases/${randomUUID()}/stages/${stage.Intake}/start`, {})).status).toBe(404);
    expect((await postForm(manager, "/", `/cases/not-a-case/stages/${stage.Intake}/start`, {})).status).toBe(404);
    expect((await manager.get(`/cases/${randomUUID()}/workflow`)).status).toBe(404);
    // A stage of another case through this case's address.
    const other = await openWorkflowCase(w);
    expect((await postForm(manager, "/", `/cases/${kase.id}/stages/${other.stage.Intake}/start`, {})).status).toBe(404);

    const legal = await signedIn(t.app, w.legal.email);
    const forbidden = await postForm(legal, "/", `/cases/${kase.id}/stages/${stage.Intake}/start`, {});
    expect(forbidden.status).toBe(403);
    expect(decodeHtml(forbidden.text)).toContain("Only the case's manager and team, managers, administrators and the stage's assignee work on stages.");
    expect((await stageRow(stage.Intake!)).status).toBe("pending");
    expect((await stageRow(other.stage.Intake!)).status).toBe("pending");
    expect(await t.db.auditEvent.count({ where: { entityType: "case", entityId: kase.id, action: { startsWith: "case.stage_" } } })).toBe(0);
  });

  it("refuses a note that is too long with the field's message", async () => {
    const w = await makeWorld();
    const { kase, stage } = await openWorkflowCase(w);
    await toDrafting(w, kase.id, stage);
    const agent = await signedIn(t.app, w.manager.email);
    expect(await act(agent, kase.id, stage.Drafting!, "approve", { note: "x".repeat(2001) })).toEqual({ kind: "error", message: "Note must be at most 2000 characters." });
    expect((await stageRow(stage.Drafting!)).approvals).toHaveLength(0);
  });
});
