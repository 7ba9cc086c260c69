import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { postForm, signedIn } from "../helpers/http.ts";
import { decodeHtml } from "./support.ts";
import { makeCaseType, makeClient, openCase } from "../cases/support.ts";

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

/** The hub's Cases section. */
function casesSection(html: string): string {
  const start = html.indexOf('<section class="card" id="cases">');
  if (start < 0) throw new Error("no Cases section on the client page");
  return html.slice(start, html.indexOf("</section>", start));
}
const text = (html: string) => decodeHtml(html.replace(/<[^>]+>/g, " ")).replace(/\s+/g, " ");
const countOf = (section: string, status: string) => Number(new RegExp(`data-status="${status}">(\\d+)<`).exec(section)?.[1] ?? 0);

describe("the client hub's cases", () => {
  it("counts and lists only the cases the reader can see", async () => {
    const admin = await makeUser(t.db, { role: "admin" });
    const viewer = await makeUser(t.db, { role: "staff", name: "Vera Viewer" });
    const boss = await makeUser(t.db, { role: "manager", department: "Audit", name: "Bo Boss" });
    const client = await makeClient(t.db, admin.id);
    const { type } = await makeCaseType(t.db);
    const open = (managerId: string, title: string) => openCase(t.db, admin, { clientId: client.id, typeId: type.id, managerId, title });

    const managed = await open(viewer.id, "Managed by the viewer");
    const onTeam = await open(boss.id, "Viewer on the team");
    await t.db.caseTeamMember.create({ data: { caseId: onTeam.id, userId: viewer.id } });
    await t.db.case.update({ where: { id: onTeam.id }, data: { status: "in_progress" } });
    const hidden = await open(boss.id, "Hidden from the viewer");
    const deleted = await open(viewer.id, "Deleted one");
    await t.db.case.update({ where: { id: deleted.id }, data: { deletedAt: new Date(), deletedById: admin.id } });
    const otherClient = await makeClient(t.db, admin.id);
    const elsewhere = await openCase(t.db, admin, { clientId: otherClient.id, typeId: type.id, managerId: viewer.id });

    const page = await (await signedIn(t.app, viewer.email)).get(`/clients/${client.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<a href="#cases">Cases</a>');
    const section = casesSection(page.text);
    expect(text(section)).toMatch(/^[^<]*Cases 2 /);
    expect(countOf(section, "new")).toBe(1);
    expect(countOf(section, "in_progress")).toBe(1);
    expect(section).not.toContain('data-status="closed"');
    for (const shown of [managed, onTeam]) {
      expect(section).toContain(`href="/cases/${shown.id}"`);
      expect(text(section)).toContain(shown.caseNumber);
    }
    expect(text(section)).toContain(`${onTeam.caseNumber} Viewer on the team In progress Bo Boss`);
    for (const notShown of [hidden, deleted, elsewhere]) expect(section).not.toContain(notShown.caseNumber);
    expect(text(section)).toContain("All 2 cases of this client");
    expect(section).toContain(`href="/cases?client=${client.id}"`);
    expect(section).toContain(`href="/cases/new?clientId=${client.id}"`);

    // The administrator sees the boss's case as well (never the deleted one).
    const all = casesSection((await (await signedIn(t.app, admin.email)).get(`/clients/${client.id}`)).text);
    expect(countOf(all, "new")).toBe(2);
    expect(countOf(all, "in_progress")).toBe(1);
    expect(text(all)).toContain("All 3 cases");
    expect(all).toContain(hidden.caseNumber);
    expect(all).not.toContain(deleted.caseNumber);
  });

  it("shows a restricted client's cases to its team, and an empty state when the reader sees no cases", async () => {
    const admin = await makeUser(t.db, { role: "admin" });
    const reader = await makeUser(t.db, { role: "staff" });
    const client = await makeClient(t.db, admin.id, { isConfidential: true, teamUserIds: [reader.id] });
    const { type } = await makeCaseType(t.db);
    const theirs = await openCase(t.db, reader, { clientId: client.id, typeId: type.id });
    const readerPage = casesSection((await (await signedIn(t.app, reader.email)).get(`/clients/${client.id}`)).text);
    expect(readerPage).toContain(theirs.caseNumber);

    // An administrator without "view confidential" does not see the client, so nor its cases.
    expect((await (await signedIn(t.app, admin.email)).get(`/clients/${client.id}`)).status).toBe(404);

    const empty = await makeClient(t.db, admin.id);
    const emptyPage = casesSection((await (await signedIn(t.app, reader.email)).get(`/clients/${empty.id}`)).text);
    expect(text(emptyPage)).toContain("No cases you can see");
    expect(emptyPage).toContain(`href="/cases/new?clientId=${empty.id}"`);
  });

  it("lists the ten most recently updated cases and counts them all", async () => {
    const admin = await makeUser(t.db, { role: "admin" });
    const client = await makeClient(t.db, admin.id);
    const { type } = await makeCaseType(t.db);
    const cases = [];
    for (let i = 0; i < 12; i++) cases.push(await openCase(t.db, admin, { clientId: client.id, typeId: type.id }));
    await t.db.case.update({ where: { id: cases[0]!.id }, data: { summary: "touched last" } });
    const section = casesSection((await (await signedIn(t.app, admin.email)).get(`/clients/${client.id}`)).text);
    const listed = [...section.matchAll(/<tr><td class="nowrap"><a class="code" href="\/cases\/([0-9a-f-]{36})">/g)].map((m) => m[1]);
    expect(listed).toHaveLength(10);
    expect(listed[0]).toBe(cases[0]!.id);
    expect(listed).not.toContain(cases[1]!.id);
    expect(listed).not.toContain(cases[2]!.id);
    expect(countOf(section, "new")).toBe(12);
    expect(text(section)).toContain("All 12 cases");
  });
});

describe("deleting a client with cases", () => {
  it("is refused while it has cases, deleted ones included, and the delete page lists them", async () => {
    const admin = await makeUser(t.db, { role: "admin" });
    const client = await makeClient(t.db, admin.id, { name: "Casey Holdings" });
    const { type } = await makeCaseType(t.db);
    const first = await openCase(t.db, admin, { clientId: client.id, typeId: type.id });
    const second = await openCase(t.db, admin, { clientId: client.id, typeId: type.id });
    await t.db.case.update({ where: { id: second.id }, data: { deletedAt: new Date(), deletedById: admin.id } });
    const agent = await signedIn(t.app, admin.email);

    const page = text((await agent.get(`/clients/${client.id}/delete`)).text);
    expect(page).toContain("This client cannot be deleted while these records depend on it:");
    expect(page).toContain(`2 cases : ${first.caseNumber}, ${second.caseNumber} (deleted)`);
    expect(page).not.toContain("Delete client");

    const res = await postForm(agent, `/clients/${client.id}`, `/clients/${client.id}/delete`, {});
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`/clients/${client.id}/delete`);
    const after = decodeHtml((await agent.get(`/clients/${client.id}/delete`)).text);
    expect(after).toContain(`This client cannot be deleted while other records depend on it: 2 cases (${first.caseNumber}, ${second.caseNumber} (deleted)).`);
    expect(await t.db.client.count({ where: { id: client.id } })).toBe(1);
    expect(await t.db.auditEvent.count({ where: { action: "client.delete", entityId: client.id } })).toBe(0);

    // With only a deleted case left it is still refused: the case is kept for recovery.
    await t.db.case.update({ where: { id: first.id }, data: { deletedAt: new Date(), deletedById: admin.id } });
    expect(text((await agent.get(`/clients/${client.id}/delete`)).text)).toContain(`2 cases : ${first.caseNumber} (deleted), ${second.caseNumber} (deleted)`);

    const free = await makeClient(t.db, admin.id);
    const deleted = await postForm(agent, `/clients/${free.id}`, `/clients/${free.id}/delete`, {});
    expect(deleted.headers.location).toBe("/clients");
    expect(await t.db.client.count({ where: { id: free.id } })).toBe(0);
  });

  it("lists a single case in the singular", async () => {
    const admin = await makeUser(t.db, { role: "admin" });
    const client = await makeClient(t.db, admin.id);
    const { type } = await makeCaseType(t.db);
    const only = await openCase(t.db, admin, { clientId: client.id, typeId: type.id });
    const page = text((await (await signedIn(t.app, admin.email)).get(`/clients/${client.id}/delete`)).text);
    expect(page).toContain(`1 case : ${only.caseNumber}`);
  });
});
