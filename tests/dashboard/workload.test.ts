// The managers' workload view: managers see their department's case managers, administrators every department (or
// one they pick), staff get 404; open cases and overdue stages per manager against a direct count, hidden cases not
// counted, and the capacity limit shown.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { signedIn } from "../helpers/http.ts";
import { daysAgo, decodeHtml } from "../clients/support.ts";
import { makeCaseType, makeClient, openCase } from "../cases/support.ts";

let t: TestApp;
type User = Awaited<ReturnType<typeof makeUser>>;
let admin: User, adminVc: User, taxManager: User, taxStaff: User, taxOther: User, auditManager: User, staff: User;

function row(html: string, user: User): { open: number; overdue: number } | null {
  const at = html.indexOf(`<tr data-user="${user.id}">`);
  if (at < 0) return null;
  const tr = html.slice(at, html.indexOf("</tr>", at));
  const open = /data-open>([\d,]+)</.exec(tr)![1]!;
  const overdue = /<td data-overdue>([\d,]+)/.exec(tr)![1]!;
  return { open: Number(open.replace(/,/g, "")), overdue: Number(overdue.replace(/,/g, "")) };
}

beforeAll(async () => {
  t = await createTestApp({ CASE_MANAGER_MAX_ACTIVE_CASES: "4" });
  admin = await makeUser(t.db, { role: "admin", name: "Ann Admin" });
  adminVc = await makeUser(t.db, { role: "admin", viewConfidential: true, name: "Val Admin" });
  taxManager = await makeUser(t.db, { role: "manager", department: "Tax", name: "Tina Taxmanager" });
  taxStaff = await makeUser(t.db, { role: "staff", department: "Tax", name: "Tom Taxstaff" });
  taxOther = await makeUser(t.db, { role: "staff", department: "Tax", name: "Tess Idle" });
  auditManager = await makeUser(t.db, { role: "manager", department: "Audit", name: "Aldo Auditor" });
  staff = await makeUser(t.db, { role: "staff", department: "Tax", name: "Sid Staff" });

  const open = await makeClient(t.db, admin.id, { name: "Workload Open Client" });
  const restricted = await makeClient(t.db, admin.id, { name: "Workload Restricted Client", isConfidential: true, accountManagerId: taxStaff.id });
  const { type } = await makeCaseType(t.db, { stages: [{ name: "First" }, { name: "Second" }] });
  const settings = { maxActiveCasesPerManager: 10 };
  const make = async (manager: User, clientId: string, title: string) => openCase(t.db, adminVc, { clientId, typeId: type.id, managerId: manager.id, title }, settings);

  // Tom: three open cases (one on a restricted client the Tax manager may not see), one closed; overdue stages.
  const a = await make(taxStaff, open.id, "Tom one");
  await make(taxStaff, open.id, "Tom two");
  const hidden = await make(taxStaff, restricted.id, "Tom restricted");
  const closed = await make(taxStaff, open.id, "Tom closed");
  await t.db.case.update({ where: { id: closed.id }, data: { status: "closed" } });
  await t.db.caseStage.update({ where: { id: a.stages[0]!.id }, data: { deadline: daysAgo(3), status: "in_progress" } });
  await t.db.caseStage.update({ where: { id: a.stages[1]!.id }, data: { deadline: daysAgo(-3) } });
  await t.db.caseStage.update({ where: { id: hidden.stages[0]!.id }, data: { deadline: daysAgo(2) } });
  await t.db.caseStage.updateMany({ where: { caseId: closed.id }, data: { deadline: daysAgo(9) } });
  // Tina: four open cases (at capacity 4); a completed stage past its deadline is not overdue.
  for (let i = 0; i < 4; i++) {
    const k = await make(taxManager, open.id, `Tina ${i}`);
    if (i === 0) await t.db.caseStage.update({ where: { id: k.stages[0]!.id }, data: { deadline: daysAgo(5), status: "completed", completedAt: new Date() } });
  }
  // Aldo, another department: one case with an overdue stage.
  const aldo = await make(auditManager, open.id, "Aldo one");
  await t.db.caseStage.update({ where: { id: aldo.stages[0]!.id }, data: { deadline: daysAgo(1) } });
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe("the workload view", () => {
  it("is 404 for staff, whatever their flags, and offered to managers and admins", async () => {
    const relStaff = await makeUser(t.db, { role: "staff", relationshipTeam: true, legalTeam: true, viewConfidential: true });
    for (const user of [staff, relStaff]) {
      const agent = await signedIn(t.app, user.email);
      expect((await agent.get("/dashboard/workload")).status).toBe(404);
      expect((await agent.get("/")).text).not.toContain('href="/dashboard/workload"');
    }
    for (const user of [taxManager, admin]) {
      const agent = await signedIn(t.app, user.email);
      expect((await agent.get("/dashboard/workload")).status).toBe(200);
      expect((await agent.get("/")).text).toContain('href="/dashboard/workload"');
    }
  });

  it("shows a manager their department only, counting the cases they may see", async () => {
    const html = (await (await signedIn(t.app, taxManager.email)).get("/dashboard/workload")).text;
    expect(row(html, taxStaff)).toEqual({ open: 2, overdue: 1 });
    expect(row(html, taxManager)).toEqual({ open: 4, overdue: 0 });
    expect(row(html, taxOther)).toEqual({ open: 0, overdue: 0 });
    expect(row(html, auditManager)).toBeNull();
    expect(row(html, admin)).toBeNull();
    const text = decodeHtml(html.replace(/<[^>]+>/g, " ")).replace(/\s+/g, " ");
    expect(text).toContain("at most 4 active cases per manager");
    expect(text).toMatch(/Tina Taxmanager Tax 4 100% At capacity/);
    expect(html).not.toContain("Workload Restricted Client");
    // Busiest first.
    expect(html.indexOf(taxManager.id)).toBeLessThan(html.indexOf(taxStaff.id));
    expect(html.indexOf(taxStaff.id)).toBeLessThan(html.indexOf(taxOther.id));
  });

  it("shows administrators every department, or the one they pick; restricted cases only with view-confidential", async () => {
    const all = (await (await signedIn(t.app, admin.email)).get("/dashboard/workload")).text;
    expect(row(all, auditManager)).toEqual({ open: 1, overdue: 1 });
    expect(row(all, taxStaff)).toEqual({ open: 2, overdue: 1 });
    const vc = (await (await signedIn(t.app, adminVc.email)).get("/dashboard/workload")).text;
    expect(row(vc, taxStaff)).toEqual({ open: 3, overdue: 2 });
    const audit = (await (await signedIn(t.app, admin.email)).get("/dashboard/workload?department=Audit")).text;
    expect(row(audit, auditManager)).not.toBeNull();
    expect(row(audit, taxStaff)).toBeNull();
    expect(audit).toMatch(/<option value="Audit" selected>/);
    // A manager cannot widen their scope through the query.
    const tax = (await (await signedIn(t.app, taxManager.email)).get("/dashboard/workload?department=Audit")).text;
    expect(row(tax, auditManager)).toBeNull();
    expect(row(tax, taxStaff)).not.toBeNull();
  });

  it("matches a direct count for the view-confidential admin", async () => {
    const html = (await (await signedIn(t.app, adminVc.email)).get("/dashboard/workload")).text;
    for (const user of [taxStaff, taxManager, auditManager, taxOther]) {
      const open = await t.db.case.count({ where: { managerId: user.id, deletedAt: null, status: { in: ["new", "assigned", "in_progress", "on_hold", "reopened"] } } });
      const overdue = await t.db.caseStage.count({
        where: { status: { in: ["pending", "in_progress"] }, deadline: { lt: daysAgo(0) }, case: { managerId: user.id, deletedAt: null, status: { in: ["new", "assigned", "in_progress", "on_hold", "reopened"] } } },
      });
      expect(row(html, user), user.name).toEqual({ open, overdue });
    }
  });
});
