// The bell: notices written where the events happen (a case made mine, a stage assigned to me, a follow-up assigned
// to me) and derived (approvals waiting), none for what I do to myself; unread count in the header; marking one and
// all read; someone else's notice is 404; the daily digest e-mails them once to an SMTP server the test starts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSmtp, type ReceivedMail, type TestSmtp } from "../helpers/smtp.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { csrfToken, signedIn } from "../helpers/http.ts";
import { decodeHtml } from "../clients/support.ts";
import { actor, makeCaseType, makeClient, openCase, SETTINGS } from "../cases/support.ts";
import { logAs } from "../communications/support.ts";
import { caseEditValues, editCaseForm } from "../../src/cases/schemas.ts";
import { updateCase } from "../../src/cases/service.ts";
import { startStage, updateStage } from "../../src/cases/workflow.ts";
import { runDailyDigest } from "../../src/communications/digest.ts";

let t: TestApp;
type User = Awaited<ReturnType<typeof makeUser>>;
let admin: User, manager: User, other: User, staff: User;
let clientId: string;
let typeId: string;
let approvalTypeId: string;

const notices = (user: User, kind?: string) => t.db.notification.findMany({ where: { userId: user.id, ...(kind ? { kind } : {}) }, orderBy: { createdAt: "asc" } });
function bellCount(html: string): number {
  const m = /data-unread>(\d+)</.exec(html);
  return m ? Number(m[1]) : 0;
}

beforeAll(async () => {
  t = await createTestApp();
  admin = await makeUser(t.db, { role: "admin", name: "Ada Admin" });
  manager = await makeUser(t.db, { role: "manager", department: "Tax", name: "Max Manager" });
  other = await makeUser(t.db, { role: "manager", department: "Tax", name: "Olga Other" });
  staff = await makeUser(t.db, { role: "staff", department: "Tax", name: "Stu Staff" });
  clientId = (await makeClient(t.db, admin.id, { name: "Notified Client Ltd" })).id;
  typeId = (await makeCaseType(t.db, { stages: [{ name: "Intake" }, { name: "Review" }] })).type.id;
  approvalTypeId = (await makeCaseType(t.db, { stages: [{ name: "Partner sign-off", approvalRequired: true, minApprovers: 1 }] })).type.id;
}, 60_000);
afterAll(async () => {
  await t?.close();
});

describe("notices written where the events happen", () => {
  it("a case opened for someone else tells its manager (with its stages); opening my own case tells nobody", async () => {
    const kase = await openCase(t.db, admin, { clientId, typeId, managerId: manager.id, title: "Assigned by admin" });
    const [notice, ...more] = await notices(manager, "case_assigned");
    expect(more).toHaveLength(0);
    expect(notice).toMatchObject({ title: `Case ${kase.caseNumber} assigned to you: Assigned by admin`, link: `/cases/${kase.id}`, clientId, readAt: null });
    expect(notice!.body).toContain("Its 2 workflow stages are assigned to you.");
    await openCase(t.db, manager, { clientId, typeId, managerId: manager.id, title: "My own" });
    expect(await notices(manager, "case_assigned")).toHaveLength(1);
  });

  it("a case given to another manager tells the new one", async () => {
    const kase = await openCase(t.db, manager, { clientId, typeId, managerId: manager.id, title: "Handed over" });
    const values = { ...caseEditValues(kase), managerId: other.id };
    await updateCase(t.db, actor(manager), kase.id, editCaseForm.parse(values), SETTINGS);
    const got = await notices(other, "case_assigned");
    expect(got.map((n) => n.title)).toEqual([`Case ${kase.caseNumber} assigned to you: Handed over`]);
  });

  it("a stage assigned to me tells me, once per assignment, not when I assign myself", async () => {
    const kase = await openCase(t.db, manager, { clientId, typeId, managerId: manager.id, title: "Stage work" });
    await t.db.caseTeamMember.create({ data: { caseId: kase.id, userId: staff.id, role: "associate" } });
    const deadline = new Date("2031-03-04T00:00:00Z");
    await updateStage(t.db, actor(manager), kase.id, kase.stages[1]!.id, { assigneeId: staff.id, deadline, notes: null });
    const got = await notices(staff, "stage_assigned");
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ title: `Stage "Review" of ${kase.caseNumber} assigned to you`, body: "Due 2031-03-04.", link: `/cases/${kase.id}/workflow` });
    // Saving again without changing the assignee writes nothing; the manager assigning themselves neither.
    await updateStage(t.db, actor(manager), kase.id, kase.stages[1]!.id, { assigneeId: staff.id, deadline, notes: "more" });
    await updateStage(t.db, actor(manager), kase.id, kase.stages[0]!.id, { assigneeId: manager.id, deadline: null, notes: null });
    expect(await notices(staff, "stage_assigned")).toHaveLength(1);
    expect(await notices(manager, "stage_assigned")).toHaveLength(0);
  });

  it("a follow-up assigned to me when a communication is logged tells me", async () => {
    const { id } = await logAs(t.db, admin, clientId, { subject: "Call back about fees", followUpRequired: "on", followUpDue: "2031-01-02", followUpAssigneeId: staff.id });
    const got = await notices(staff, "follow_up_assigned");
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ title: "Follow-up assigned to you: Call back about fees", link: `/communications/${id}`, clientId });
    await logAs(t.db, staff, clientId, { subject: "My own reminder", followUpRequired: "on", followUpDue: "2031-01-02", followUpAssigneeId: staff.id });
    expect(await notices(staff, "follow_up_assigned")).toHaveLength(1);
  });

  it("approvals waiting for me become notices when my dashboard finds them, once", async () => {
    const kase = await openCase(t.db, admin, { clientId, typeId: approvalTypeId, managerId: staff.id, title: "Needs sign-off" });
    await startStage(t.db, actor(admin), kase.id, kase.stages[0]!.id);
    const agent = await signedIn(t.app, other.email);
    await agent.get("/");
    await agent.get("/");
    const got = await notices(other, "approval_waiting");
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ title: `Approval waiting: "Partner sign-off" of ${kase.caseNumber}`, link: `/cases/${kase.id}/workflow#stage-${kase.stages[0]!.id}` });
    // Stamped with the time it was written (stored in UTC, as every time is).
    expect(Math.abs(got[0]!.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
    // Staff may not approve: no notice for them.
    await (await signedIn(t.app, staff.email)).get("/");
    expect(await notices(staff, "approval_waiting")).toHaveLength(0);
  });
});

describe("reading notices", () => {
  it("shows the unread count on the bell, marks one read, then all, and refuses someone else's", async () => {
    const agent = await signedIn(t.app, staff.email);
    const unread = await t.db.notification.count({ where: { userId: staff.id, readAt: null } });
    expect(unread).toBeGreaterThanOrEqual(3);
    const page = (await agent.get("/notifications")).text;
    expect(bellCount(page)).toBe(unread);
    expect(decodeHtml(page)).toContain("Follow-up assigned to you: Call back about fees");

    const [first] = await notices(staff, "stage_assigned");
    const token = await csrfToken(agent, "/notifications");
    const res = await agent.post(`/notifications/${first!.id}/read`).type("form").send({ _csrf: token });
    expect(res.status).toBe(302);
    expect((await t.db.notification.findUniqueOrThrow({ where: { id: first!.id } })).readAt).not.toBeNull();
    expect(bellCount((await agent.get("/")).text)).toBe(unread - 1);
    // The count shows on every page: a list, and a not-found page.
    expect(bellCount((await agent.get("/clients")).text)).toBe(unread - 1);
    const missing = await agent.get("/clients/00000000-0000-4000-8000-000000000000");
    expect(missing.status).toBe(404);
    expect(bellCount(missing.text)).toBe(unread - 1);

    // Someone else's notice: 404, and it stays unread.
    const [managers] = await notices(manager, "case_assigned");
    const refused = await agent.post(`/notifications/${managers!.id}/read`).type("form").send({ _csrf: await csrfToken(agent, "/notifications") });
    expect(refused.status).toBe(404);
    expect((await t.db.notification.findUniqueOrThrow({ where: { id: managers!.id } })).readAt).toBeNull();

    await agent.post("/notifications/read-all").type("form").send({ _csrf: await csrfToken(agent, "/notifications") });
    expect(await t.db.notification.count({ where: { userId: staff.id, readAt: null } })).toBe(0);
    expect(bellCount((await agent.get("/")).text)).toBe(0);
    expect(await t.db.notification.count({ where: { userId: manager.id, readAt: null } })).toBeGreaterThan(0);
  });
});

describe("the daily digest of notices", () => {
  let smtp: TestSmtp;
  let received: ReceivedMail[] = [];
  beforeAll(async () => {
    smtp = await startTestSmtp();
    received = smtp.received;
  });
  afterAll(async () => {
    await smtp.close();
  });

  it("e-mails each user's unread notices once, with links, and marks them e-mailed", async () => {
    const smtpUrl = smtp.url;
    const pending = await t.db.notification.findMany({ where: { userId: manager.id, readAt: null, emailedAt: null } });
    expect(pending.length).toBeGreaterThan(0);
    const result = await runDailyDigest(t.db, { smtpUrl, from: "Clientdesk <digest@clientdesk.test>", baseUrl: "https://desk.example" });
    expect(result.alreadySent).toBe(false);
    const toManager = received.filter((m) => m.to.includes(manager.email));
    expect(toManager).toHaveLength(1);
    const body = toManager[0]!.data.replace(/=\r?\n/g, "");
    expect(body).toContain("new notification");
    for (const n of pending) expect(body).toContain(n.title.slice(0, 30));
    expect(body).toContain("https://desk.example/cases/");
    // Read notices are not sent: staff read everything.
    expect(received.filter((m) => m.to.includes(staff.email))).toHaveLength(0);
    expect(await t.db.notification.count({ where: { userId: manager.id, emailedAt: null, readAt: null } })).toBe(0);
    // The next day's digest does not send them again.
    const count = received.length;
    await runDailyDigest(t.db, { smtpUrl, from: "Clientdesk <digest@clientdesk.test>" }, { now: new Date(Date.now() + 86_400_000) });
    expect(received.filter((m) => m.to.includes(manager.email))).toHaveLength(1);
    expect(received.length).toBeGreaterThanOrEqual(count);
  });
});
