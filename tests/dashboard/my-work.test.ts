import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { signedIn } from "../helpers/http.ts";
import { decodeHtml } from "../clients/support.ts";
import { actor, makeCaseType, makeClient, openCase } from "../cases/support.ts";
import { startStage } from "../../src/cases/workflow.ts";
import { stagesAssignedTo } from "../../src/cases/summaries.ts";
import { visibleCasesSql } from "../../src/access/cases.ts";
import { Prisma } from "../../src/generated/prisma/client.ts";

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

/** One "My work" section of the dashboard (by its id), as text. */
function section(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  if (start < 0) throw new Error(`no section ${id} on the dashboard`);
  return html.slice(start, html.indexOf("</section>", start));
}
const text = (html: string) => decodeHtml(html.replace(/<[^>]+>/g, " ")).replace(/\s+/g, " ");

describe("My work on the dashboard", () => {
  it("shows the cases I manage, my stages and the approvals waiting for me, never hidden ones", async () => {
    const admin = await makeUser(t.db, { role: "admin", viewConfidential: true });
    const me = await makeUser(t.db, { role: "manager", department: "Tax", name: "Mia Me" });
    const colleague = await makeUser(t.db, { role: "manager", department: "Tax", name: "Cole League" });
    const stranger = await makeUser(t.db, { role: "manager", department: "Audit", name: "Stan Stranger" });
    const client = await makeClient(t.db, admin.id, { name: "Open Client Ltd" });
    const { type } = await makeCaseType(t.db, {
      stages: [
        { name: "Gather papers" },
        { name: "Partner sign-off", parallel: true, approvalRequired: true, minApprovers: 2 },
        { name: "Legal opinion", stageType: "legal_review", parallel: true, approvalRequired: true },
      ],
    });
    const { type: plain } = await makeCaseType(t.db);
    const title = (s: string) => ({ clientId: client.id, typeId: type.id, title: s });

    // Cases I manage: active ones only, on clients I can see, not deleted.
    const mine = await openCase(t.db, admin, { ...title("Mine and active"), typeId: plain.id, managerId: me.id });
    const closed = await openCase(t.db, admin, { ...title("Mine but closed"), managerId: me.id });
    await t.db.case.update({ where: { id: closed.id }, data: { status: "closed" } });
    const deleted = await openCase(t.db, admin, { ...title("Mine but deleted"), managerId: me.id });
    await t.db.case.update({ where: { id: deleted.id }, data: { deletedAt: new Date(), deletedById: admin.id } });
    const restrictedClient = await makeClient(t.db, admin.id, { name: "Secret Client Ltd" });
    const restricted = await openCase(t.db, admin, { clientId: restrictedClient.id, typeId: type.id, title: "Mine on a restricted client", managerId: me.id });
    await t.db.client.update({ where: { id: restrictedClient.id }, data: { isConfidential: true } });

    // Stages assigned to me: on a colleague's case in my department (visible), on another department's (hidden).
    const colleagues = await openCase(t.db, admin, { ...title("Colleague's matter"), managerId: colleague.id });
    await t.db.caseStage.update({ where: { id: colleagues.stages[0]!.id }, data: { assigneeId: me.id, deadline: new Date("2031-05-06T00:00:00Z") } });
    const strangers = await openCase(t.db, admin, { ...title("Other department's matter"), managerId: stranger.id });
    await t.db.caseStage.update({ where: { id: strangers.stages[0]!.id }, data: { assigneeId: me.id } });
    const resolved = await openCase(t.db, admin, { ...title("Resolved matter"), managerId: colleague.id });
    await t.db.caseStage.update({ where: { id: resolved.stages[0]!.id }, data: { assigneeId: me.id } });
    await t.db.case.update({ where: { id: resolved.id }, data: { status: "resolved" } });
    await t.db.caseStage.update({ where: { id: restricted.stages[0]!.id }, data: { assigneeId: me.id } });

    // Approvals: the sign-off under way on the colleague's case waits for me; the legal opinion is for the legal team.
    for (const kase of [colleagues, strangers, restricted]) {
      await startStage(t.db, actor(admin), kase.id, kase.stages[1]!.id);
      await startStage(t.db, actor(admin), kase.id, kase.stages[2]!.id);
    }

    const html = (await (await signedIn(t.app, me.email)).get("/")).text;

    const managed = section(html, "cases-i-manage");
    expect(text(managed)).toContain("Cases I manage 1");
    expect(managed).toContain(`href="/cases/${mine.id}"`);
    expect(text(managed)).toContain(`${mine.caseNumber} Mine and active`);
    for (const hidden of [closed, deleted, restricted]) expect(managed).not.toContain(hidden.caseNumber);
    expect(text(managed)).not.toContain("restricted");
    expect(managed).toContain(`href="/cases?manager=${me.id}"`);

    const stages = section(html, "stages-assigned-to-me");
    expect(text(stages)).toContain("Stages assigned to me 1");
    expect(stages).toContain(`href="/cases/${colleagues.id}/workflow#stage-${colleagues.stages[0]!.id}"`);
    expect(text(stages)).toContain(`Gather papers Pending ${colleagues.caseNumber} Colleague's matter · due 6 May 2031`);
    for (const hidden of [strangers, resolved, restricted, mine]) expect(stages).not.toContain(hidden.caseNumber);

    const approvals = section(html, "approvals-waiting-for-me");
    expect(text(approvals)).toContain("Approvals waiting for me 1");
    expect(text(approvals)).toContain(`Partner sign-off (0 of 2 approvals) Approve ${colleagues.caseNumber} Colleague's matter`);
    expect(approvals).toContain(`<a class="button small" href="/cases/${colleagues.id}/workflow#stage-${colleagues.stages[1]!.id}" aria-label="Approve Partner sign-off of ${colleagues.caseNumber}">Approve</a>`);
    expect(approvals).not.toContain("Legal opinion");
    for (const hidden of [strangers, restricted]) expect(approvals).not.toContain(hidden.caseNumber);

    // The existing dashboard and the new Cases card.
    expect(html).toContain('href="/clients"');
    for (const link of ['href="/cases"', 'href="/cases/board"', 'href="/cases/new"']) expect(html).toContain(link);

    // Approving takes it off the list.
    await t.db.caseStageApproval.create({ data: { stageId: colleagues.stages[1]!.id, userId: me.id } });
    const after = (await (await signedIn(t.app, me.email)).get("/")).text;
    expect(text(section(after, "approvals-waiting-for-me"))).toContain("Nothing to approve");
  });

  it("shows the legal team its legal reviews, and an empty state for each section when there is nothing", async () => {
    const admin = await makeUser(t.db, { role: "admin" });
    const legal = await makeUser(t.db, { role: "staff", legalTeam: true });
    const client = await makeClient(t.db, admin.id);
    const { type } = await makeCaseType(t.db, { requiresLegalReview: true, stages: [{ name: "Legal opinion", stageType: "legal_review", approvalRequired: true }] });
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId: type.id });
    await startStage(t.db, actor(admin), kase.id, kase.stages[0]!.id);

    const html = (await (await signedIn(t.app, legal.email)).get("/")).text;
    expect(text(section(html, "cases-i-manage"))).toContain("You manage no active cases");
    expect(text(section(html, "stages-assigned-to-me"))).toContain("No stages are waiting for you");
    expect(text(section(html, "approvals-waiting-for-me"))).toContain(`Legal opinion (0 of 1 approvals) Approve ${kase.caseNumber}`);

    const nobody = await makeUser(t.db, { role: "staff" });
    const empty = (await (await signedIn(t.app, nobody.email)).get("/")).text;
    expect(text(section(empty, "cases-i-manage"))).toContain("You manage no active cases");
    expect(text(section(empty, "stages-assigned-to-me"))).toContain("No stages are waiting for you");
    expect(text(section(empty, "approvals-waiting-for-me"))).toContain("Nothing to approve");
    expect(empty).not.toContain(kase.caseNumber);
  });

  it("counts all my active cases and shows at most ten", async () => {
    const admin = await makeUser(t.db, { role: "admin" });
    const me = await makeUser(t.db, { role: "staff" });
    const client = await makeClient(t.db, admin.id);
    const { type } = await makeCaseType(t.db);
    for (let i = 0; i < 12; i++) await openCase(t.db, admin, { clientId: client.id, typeId: type.id, managerId: me.id });
    const managed = section((await (await signedIn(t.app, me.email)).get("/")).text, "cases-i-manage");
    expect(text(managed)).toContain("Cases I manage 12");
    expect(managed.match(/<li>/g)).toHaveLength(10);
    expect(text(managed)).toContain("All 12 cases I manage");
  });

  it("lists my stages nearest deadline first (undated last, then by case number and position), ten of them, and caps the count", async () => {
    const admin = await makeUser(t.db, { role: "admin" });
    const me = await makeUser(t.db, { role: "staff", name: "Stella Stages" });
    const client = await makeClient(t.db, admin.id);
    const { type } = await makeCaseType(t.db, { stages: [{ name: "First step" }, { name: "Second step" }] });
    // Twelve open stages on six cases I manage: deadlines given to some, in no particular order of creation.
    const deadlines = ["2031-03-01", null, "2031-01-15", "2031-01-15", null, "2031-02-01", "2031-01-15", null, "2031-04-01", "2031-01-01", null, "2031-02-01"];
    const made: { id: string; caseNumber: string; position: number; deadline: string | null }[] = [];
    for (let i = 0; i < 6; i++) {
      const kase = await openCase(t.db, admin, { clientId: client.id, typeId: type.id, managerId: me.id });
      for (const [j, stage] of kase.stages.entries()) {
        const deadline = deadlines[i * 2 + j]!;
        await t.db.caseStage.update({ where: { id: stage.id }, data: { assigneeId: me.id, deadline: deadline ? new Date(`${deadline}T00:00:00Z`) : null } });
        made.push({ id: stage.id, caseNumber: kase.caseNumber, position: j + 1, deadline });
      }
    }
    const order = [...made].sort((a, b) =>
      (a.deadline === null ? 1 : 0) - (b.deadline === null ? 1 : 0) || (a.deadline ?? "").localeCompare(b.deadline ?? "") ||
      (a.caseNumber < b.caseNumber ? -1 : a.caseNumber > b.caseNumber ? 1 : 0) || a.position - b.position);
    const user = actor(me);
    const all = await stagesAssignedTo(t.db, user, 10);
    expect(all.count).toBe(12);
    expect(all.stages.map((s) => s.id)).toEqual(order.slice(0, 10).map((s) => s.id));
    const capped = await stagesAssignedTo(t.db, user, 3, 5);
    expect(capped.count).toBe(6);
    expect(capped.stages.map((s) => s.id)).toEqual(order.slice(0, 3).map((s) => s.id));
    const stages = section((await (await signedIn(t.app, me.email)).get("/")).text, "stages-assigned-to-me");
    expect(text(stages)).toContain("Stages assigned to me 12 open");
    expect(text(stages)).toContain("Showing the 10 with the nearest deadlines of 12.");
  });

  it("counts a staff member's stages through the cases they may see (their own cases, read from case_access)", async () => {
    const admin = await makeUser(t.db, { role: "admin", viewConfidential: true });
    const me = await makeUser(t.db, { role: "staff", name: "Sam Staff" });
    const other = await makeUser(t.db, { role: "manager", name: "Olga Other" });
    const open = await makeClient(t.db, admin.id, { name: "Staff Open Client" });
    const secret = await makeClient(t.db, admin.id, { name: "Staff Secret Client", isConfidential: true });
    const { type } = await makeCaseType(t.db, { stages: [{ name: "Draft" }, { name: "Review" }] });
    const make = (clientId: string, managerId: string, title: string) => openCase(t.db, admin, { clientId, typeId: type.id, managerId, title });
    const assign = async (kase: { stages: { id: string }[] }, i = 0) => t.db.caseStage.update({ where: { id: kase.stages[i]!.id }, data: { assigneeId: me.id } });
    // Visible: a case I manage (two stages), a case whose team I am on.
    const managed = await make(open.id, me.id, "Staff managed");
    await assign(managed, 0);
    await assign(managed, 1);
    const onTeam = await make(open.id, other.id, "Staff on team");
    await t.db.caseTeamMember.create({ data: { caseId: onTeam.id, userId: me.id, role: "associate" } });
    await assign(onTeam);
    // Hidden or not counted: taken off the team, a restricted client's case I manage, a resolved case, a deleted one.
    const offTeam = await make(open.id, other.id, "Staff off team");
    await t.db.caseTeamMember.create({ data: { caseId: offTeam.id, userId: me.id, role: "associate" } });
    await assign(offTeam);
    await t.db.caseTeamMember.delete({ where: { caseId_userId: { caseId: offTeam.id, userId: me.id } } });
    const restricted = await make(secret.id, me.id, "Staff restricted");
    await assign(restricted);
    const resolved = await make(open.id, me.id, "Staff resolved");
    await assign(resolved);
    await t.db.case.update({ where: { id: resolved.id }, data: { status: "resolved" } });
    const deleted = await make(open.id, me.id, "Staff deleted");
    await assign(deleted);
    await t.db.case.update({ where: { id: deleted.id }, data: { deletedAt: new Date(), deletedById: admin.id } });

    const stages = await stagesAssignedTo(t.db, me);
    expect(stages.count).toBe(3);
    expect(stages.stages.map((s) => s.case.title).sort()).toEqual(["Staff managed", "Staff managed", "Staff on team"]);
    // Added to the restricted client's team, its case's stages count too (the case's stages all went to its manager).
    await t.db.clientTeamMember.create({ data: { clientId: secret.id, userId: me.id } });
    expect((await stagesAssignedTo(t.db, me)).count).toBe(3 + restricted.stages.length);
    // The same as asking the case rule of each stage's case.
    const [direct] = await t.db.$queryRaw<{ n: number }[]>(Prisma.sql`SELECT count(*)::int AS n FROM case_stages s JOIN cases k ON k.id = s.case_id
      WHERE s.assignee_id = ${me.id}::uuid AND s.status IN ('pending', 'in_progress') AND k.status NOT IN ('resolved', 'closed')
        AND ${visibleCasesSql(me, "k")}`);
    expect(direct!.n).toBe(3 + restricted.stages.length);
  });
});
