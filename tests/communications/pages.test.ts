// The timeline, a case's communications, the firm-wide list, editing, deleting and completing follow-ups.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { postForm, signedIn, type Agent } from "../helpers/http.ts";
import { decodeHtml } from "../clients/support.ts";
import { changeCaseStatus } from "../../src/cases/service.ts";
import { transitionForm } from "../../src/cases/schemas.ts";
import { actor, localTime, logAs, makeCaseType, makeClient, openCase } from "./support.ts";

let t: TestApp;
type User = Awaited<ReturnType<typeof makeUser>>;
let author: User, colleague: User, manager: User;
let authorAgent: Agent, colleagueAgent: Agent, managerAgent: Agent;
let typeId: string;

beforeAll(async () => {
  t = await createTestApp();
  author = await makeUser(t.db, { name: "Ann Author" });
  colleague = await makeUser(t.db, { name: "Carl Colleague" });
  manager = await makeUser(t.db, { name: "Mia Manager", role: "manager" });
  [authorAgent, colleagueAgent, managerAgent] = await Promise.all([signedIn(t.app, author.email), signedIn(t.app, colleague.email), signedIn(t.app, manager.email)]);
  typeId = (await makeCaseType(t.db)).type.id;
});
afterAll(async () => t.close());

/** The ids of the communications on a page, in order. */
const shownIds = (html: string) => [...html.matchAll(/data-communication="([0-9a-f-]{36})"/g)].map((m) => m[1]!);
const nextLink = (html: string) => {
  const m = /<a rel="next" href="([^"]*)"/.exec(html);
  return m ? decodeHtml(m[1]!) : undefined;
};

describe("the client timeline", () => {
  it("shows communications, the case opening and its status changes newest first, with filters", async () => {
    const client = await makeClient(t.db, author.id);
    const old = await logAs(t.db, author, client.id, { type: "email", occurredAt: localTime(3), subject: "Old important e-mail", important: "on" });
    const recent = await logAs(t.db, author, client.id, { type: "note", occurredAt: localTime(1), subject: "Recent note" });
    const kase = await openCase(t.db, { ...author, mustChangePassword: false }, { clientId: client.id, typeId, title: "Timeline matter" });
    await changeCaseStatus(t.db, actor(author), kase.id, transitionForm.parse({ to: "assigned", from: "new" }));
    const html = decodeHtml((await authorAgent.get(`/clients/${client.id}/timeline`)).text);
    const order = ["Case status", "Case opened", "Recent note", "Old important e-mail"].map((s) => html.indexOf(s));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html).toContain("New → ");

    const emails = (await authorAgent.get(`/clients/${client.id}/timeline?type=email`)).text;
    expect(shownIds(emails)).toEqual([old.id]);
    expect(emails).not.toContain("Case opened");
    expect(shownIds((await authorAgent.get(`/clients/${client.id}/timeline?important=on`)).text)).toEqual([old.id]);
    const day = localTime(1).slice(0, 10);
    expect(shownIds((await authorAgent.get(`/clients/${client.id}/timeline?from=${day}&to=${day}`)).text)).toEqual([recent.id]);
  });

  it("pages by keyset: every entry exactly once, newest first", async () => {
    const client = await makeClient(t.db, author.id);
    const ids: string[] = [];
    for (let i = 0; i < 30; i += 1) ids.push((await logAs(t.db, author, client.id, { occurredAt: localTime(i / 24), subject: `Entry ${i}` })).id);
    const first = (await authorAgent.get(`/clients/${client.id}/timeline`)).text;
    const next = nextLink(first)!;
    expect(next).toContain("after=");
    const second = (await authorAgent.get(`/clients/${client.id}/timeline${next}`)).text;
    expect([...shownIds(first), ...shownIds(second)]).toEqual(ids);
    expect(nextLink(second)).toBeUndefined();
    expect((await authorAgent.get(`/clients/${client.id}/timeline?after=garbage_x_y`)).status).toBe(200);
  });

  it("a case lists its own communications only", async () => {
    const client = await makeClient(t.db, author.id);
    const kase = await openCase(t.db, { ...author, mustChangePassword: false }, { clientId: client.id, typeId });
    const linked = await logAs(t.db, author, client.id, { caseId: kase.id, subject: "About the matter" });
    await logAs(t.db, author, client.id, { subject: "General chat" });
    const html = (await authorAgent.get(`/cases/${kase.id}/communications`)).text;
    expect(shownIds(html)).toEqual([linked.id]);
  });
});

describe("the firm-wide list", () => {
  it("searches subject and notes by full text and filters by client, type and who logged", async () => {
    const a = await makeClient(t.db, author.id, { name: "Alpha Search" });
    const b = await makeClient(t.db, author.id, { name: "Beta Search" });
    const one = await logAs(t.db, author, a.id, { subject: "Quarterly pelican review", notes: "Discussed the wombat budget." });
    const two = await logAs(t.db, colleague, b.id, { type: "email", subject: "Pelican follow-up" });
    const ids = async (query: string) => shownIds((await managerAgent.get(`/communications?${query}`)).text);
    expect(await ids("q=wombat")).toEqual([one.id]);
    expect((await ids("q=pelican")).sort()).toEqual([one.id, two.id].sort());
    expect(await ids(`q=pelican&client=${b.id}`)).toEqual([two.id]);
    expect(await ids(`q=pelican&type=email`)).toEqual([two.id]);
    expect(await ids(`q=pelican&loggedBy=${author.id}`)).toEqual([one.id]);
    expect(await ids("q=" + encodeURIComponent("'; DROP TABLE communications; --"))).toEqual([]);
    const page = (await managerAgent.get("/")).text;
    expect(page).toContain('href="/communications"');
  });

  it("pages a search by keyset: every match exactly once, newest first, with its people", async () => {
    const client = await makeClient(t.db, author.id, { name: "Gamma Paging" });
    const ids: string[] = [];
    for (let i = 0; i < 30; i += 1) ids.push((await logAs(t.db, author, client.id, { occurredAt: localTime(i / 24), subject: `Capybara memo ${i}` })).id);
    await logAs(t.db, author, client.id, { subject: "Unrelated note" });
    const first = (await managerAgent.get("/communications?q=capybara")).text;
    expect(decodeHtml(first)).toContain("Capybara memo 0");
    expect(decodeHtml(first)).toContain("Gamma Paging");
    const second = (await managerAgent.get(`/communications${nextLink(first)!}`)).text;
    expect([...shownIds(first), ...shownIds(second)]).toEqual(ids);
    expect(nextLink(second)).toBeUndefined();
    expect(decodeHtml(second)).not.toContain("Unrelated note");
  });
});

describe("editing and deleting", () => {
  it("the author edits; the earlier text stays in the audit log", async () => {
    const client = await makeClient(t.db, author.id);
    const row = await logAs(t.db, author, client.id, { subject: "First wording", notes: "Original notes." });
    const form = (await authorAgent.get(`/communications/${row.id}/edit`)).text;
    expect(form).toContain('value="First wording"');
    const res = await postForm(authorAgent, `/communications/${row.id}/edit`, `/communications/${row.id}`, {
      type: "phone", direction: "inbound", occurredAt: localTime(0), subject: "Better wording", notes: "Corrected notes.",
    });
    expect(res.status).toBe(302);
    expect(await t.db.communication.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ subject: "Better wording", direction: "inbound" });
    const event = await t.db.auditEvent.findFirstOrThrow({ where: { entityId: row.id, action: "communication.update" } });
    expect(event.changes).toMatchObject({ subject: { before: "First wording", after: "Better wording" }, notes: { before: "Original notes.", after: "Corrected notes." } });
  });

  it("another staff member may not edit or delete (403), a manager may", async () => {
    const client = await makeClient(t.db, author.id);
    const row = await logAs(t.db, author, client.id, { subject: "Not yours" });
    expect((await colleagueAgent.get(`/communications/${row.id}/edit`)).status).toBe(403);
    const fields = { type: "phone", direction: "outbound", occurredAt: localTime(0), subject: "Changed by colleague" };
    expect((await postForm(colleagueAgent, `/communications/${row.id}`, `/communications/${row.id}`, fields)).status).toBe(403);
    expect((await postForm(colleagueAgent, `/communications/${row.id}`, `/communications/${row.id}/delete`, {})).status).toBe(403);
    expect((await postForm(managerAgent, `/communications/${row.id}/edit`, `/communications/${row.id}`, { ...fields, subject: "Changed by manager" })).status).toBe(302);
    expect((await t.db.communication.findUniqueOrThrow({ where: { id: row.id } })).subject).toBe("Changed by manager");
  });

  it("a bad edit keeps what was typed, with the message next to the field", async () => {
    const client = await makeClient(t.db, author.id);
    const row = await logAs(t.db, author, client.id, { subject: "Stays" });
    const res = await postForm(authorAgent, `/communications/${row.id}/edit`, `/communications/${row.id}`, { type: "phone", direction: "outbound", occurredAt: localTime(0), subject: "  ", notes: "typed notes", followUpRequired: "on" });
    expect(res.status).toBe(422);
    expect(res.text).toContain("Subject is required.");
    expect(res.text).toContain("A follow-up needs a date.");
    expect(res.text).toContain("typed notes");
  });

  it("delete asks first, is soft, audited with what it said, and the communication leaves every list", async () => {
    const client = await makeClient(t.db, author.id);
    const row = await logAs(t.db, author, client.id, { subject: "To be removed", notes: "Secret-ish." });
    const confirm = await authorAgent.get(`/communications/${row.id}/delete`);
    expect(decodeHtml(confirm.text)).toContain("Delete “To be removed”?");
    const res = await postForm(authorAgent, `/communications/${row.id}/delete`, `/communications/${row.id}/delete`, {});
    expect(res.status).toBe(302);
    const stored = await t.db.communication.findUniqueOrThrow({ where: { id: row.id } });
    expect(stored.deletedAt).not.toBeNull();
    expect(stored.deletedById).toBe(author.id);
    const event = await t.db.auditEvent.findFirstOrThrow({ where: { entityId: row.id, action: "communication.delete" } });
    expect(event.changes).toMatchObject({ subject: { after: "To be removed" }, notes: { after: "Secret-ish." } });
    expect((await authorAgent.get(`/communications/${row.id}`)).status).toBe(404);
    expect((await authorAgent.get(`/clients/${client.id}/timeline`)).text).not.toContain("To be removed");
  });
});

describe("follow-ups", () => {
  it("reach the assignee's dashboard by due date with overdue marked; completing records who and when", async () => {
    const client = await makeClient(t.db, author.id, { name: "Follow Up Client" });
    const later = await logAs(t.db, author, client.id, { subject: "Due later", followUpRequired: "on", followUpDue: "2099-01-01", followUpAssigneeId: colleague.id });
    const overdue = await logAs(t.db, author, client.id, { subject: "Due long ago", followUpRequired: "on", followUpDue: "2020-01-01", followUpAssigneeId: colleague.id });
    const dashboard = decodeHtml((await colleagueAgent.get("/")).text);
    const section = dashboard.slice(dashboard.indexOf('id="my-follow-ups"'));
    expect(section.indexOf("Due long ago")).toBeLessThan(section.indexOf("Due later"));
    expect(section).toMatch(/Overdue<\/span>\s*Due 1 Jan 2020/);
    expect((await colleagueAgent.get(`/clients/${client.id}`)).text).toContain("Due long ago");
    expect((await authorAgent.get("/")).text).not.toContain("Due long ago");

    const res = await postForm(colleagueAgent, "/", `/communications/${overdue.id}/complete`, { back: "/#my-follow-ups" });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe("/#my-follow-ups");
    const stored = await t.db.communication.findUniqueOrThrow({ where: { id: overdue.id } });
    expect(stored.followUpCompletedById).toBe(colleague.id);
    expect(stored.followUpCompletedAt).not.toBeNull();
    const after = decodeHtml((await colleagueAgent.get("/")).text);
    expect(after).toContain("completed");
    expect(after.slice(after.indexOf('id="my-follow-ups"'))).not.toContain("Due long ago");
    expect(await t.db.auditEvent.count({ where: { entityId: overdue.id, action: "communication.follow_up_complete" } })).toBe(1);
    const again = await postForm(colleagueAgent, "/", `/communications/${overdue.id}/complete`, {});
    expect(again.status).toBe(302);
    expect(await t.db.auditEvent.count({ where: { entityId: overdue.id, action: "communication.follow_up_complete" } })).toBe(1);
    expect(later.id).toBeTruthy();
  });

  it("“My follow-ups” pages every open one fifty at a time, overdue first and counted, and the overdue tab pages those alone", async () => {
    const busy = await makeUser(t.db, { name: "Busy Assignee" });
    const agent = await signedIn(t.app, busy.email);
    const client = await makeClient(t.db, author.id, { name: "Many Follow Ups Client" });
    // 55 overdue (due 2020-01-01 + i days, so the order is known) and 6 not yet due.
    for (let i = 0; i < 55; i += 1) {
      const due = new Date(Date.UTC(2020, 0, 1 + i)).toISOString().slice(0, 10);
      await logAs(t.db, author, client.id, { subject: `Overdue number ${String(i).padStart(2, "0")}`, followUpRequired: "on", followUpDue: due, followUpAssigneeId: busy.id });
    }
    for (let i = 0; i < 6; i += 1) {
      await logAs(t.db, author, client.id, { subject: `Later number ${i}`, followUpRequired: "on", followUpDue: `2099-01-0${i + 1}`, followUpAssigneeId: busy.id });
    }
    const subjects = (html: string) => [...decodeHtml(html).matchAll(/>((?:Overdue|Later) number \d+)</g)].map((m) => m[1]!);
    const open = (await agent.get("/communications/follow-ups")).text;
    const digest = open.slice(open.indexOf('id="digest"'), open.indexOf('id="all-open"'));
    expect(digest).toMatch(/Overdue today <span class="count">55<\/span>/);
    expect(subjects(digest)).toEqual([]);
    expect(decodeHtml(digest)).toContain('href="/communications/follow-ups?show=overdue">The 55 overdue follow-ups alone');
    const all = open.slice(open.indexOf('id="all-open"'));
    expect(all).toMatch(/All open <span class="count">61<\/span>/);
    expect(subjects(all)).toHaveLength(50);
    expect(subjects(all)[0]).toBe("Overdue number 00");
    const second = (await agent.get(nextLink(all)!.replace(/^\?/, "/communications/follow-ups?"))).text;
    const rest = subjects(second.slice(second.indexOf('id="all-open"')));
    expect(rest).toEqual([...Array.from({ length: 5 }, (_, i) => `Overdue number ${50 + i}`), ...Array.from({ length: 6 }, (_, i) => `Later number ${i}`)]);

    const overdue = (await agent.get("/communications/follow-ups?show=overdue")).text;
    expect(overdue).not.toContain('id="all-open"');
    expect(overdue).toMatch(/Overdue today <span class="count">55<\/span>/);
    expect(subjects(overdue)).toEqual(Array.from({ length: 50 }, (_, i) => `Overdue number ${String(i).padStart(2, "0")}`));
    const overdueNext = nextLink(overdue)!;
    expect(overdueNext).toContain("show=overdue");
    expect(subjects((await agent.get(overdueNext.replace(/^\?/, "/communications/follow-ups?"))).text)).toEqual(Array.from({ length: 5 }, (_, i) => `Overdue number ${50 + i}`));
    // A page past the end (completed meanwhile) goes back to the first.
    const past = await agent.get("/communications/follow-ups?page=9");
    expect(past.status).toBe(302);
    expect(past.headers.location).toBe("/communications/follow-ups");
    expect((await agent.get("/communications/follow-ups?show=overdue&page=9")).headers.location).toBe("/communications/follow-ups?show=overdue");
  });

  it("an open redirect through the back field is refused", async () => {
    const client = await makeClient(t.db, author.id);
    const row = await logAs(t.db, author, client.id, { followUpRequired: "on", followUpDue: "2030-01-01", followUpAssigneeId: author.id });
    const res = await postForm(authorAgent, "/", `/communications/${row.id}/complete`, { back: "//evil.example/x" });
    expect(res.headers.location).toBe(`/communications/${row.id}`);
  });
});
