// Meetings, meeting mode's order and filters, saving entries (idempotent, also at once), ending, minutes and exports.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { csrfToken, postForm, signedIn, type Agent } from "../helpers/http.ts";
import { clientCards, dayFromToday, daysAgo, decodeHtml, entryBy, makeClient, meetingBy, pdfText } from "./support.ts";

let t: TestApp;
type User = Awaited<ReturnType<typeof makeUser>>;
let lead: User, second: User;
let leadAgent: Agent;

beforeAll(async () => {
  t = await createTestApp();
  lead = await makeUser(t.db, { name: "Rita Roundtable", relationshipTeam: true });
  second = await makeUser(t.db, { name: "Sam Second", relationshipTeam: true });
  leadAgent = await signedIn(t.app, lead.email);
});
afterAll(async () => t.close());

describe("starting a meeting", () => {
  it("starts a meeting with relationship-team attendees and opens meeting mode", async () => {
    const page = await leadAgent.get("/roundtable");
    expect(page.status).toBe(200);
    expect(page.text).toContain(`value="${new Date().toISOString().slice(0, 10)}"`);
    const res = await postForm(leadAgent, "/roundtable", "/roundtable", { meetingDate: "2026-11-02", attendeeIds: [lead.id, second.id], agenda: "Quarterly walk-through" });
    expect(res.status).toBe(302);
    const id = /\/roundtable\/([0-9a-f-]{36})$/.exec(res.headers.location!)![1]!;
    const meeting = await t.db.roundtableMeeting.findUniqueOrThrow({ where: { id }, include: { attendees: true } });
    expect(meeting.agenda).toBe("Quarterly walk-through");
    expect(meeting.attendees.map((a) => a.userId).sort()).toEqual([lead.id, second.id].sort());
    expect((await leadAgent.get(`/roundtable/${id}`)).status).toBe(200);
    const audit = await t.db.auditEvent.findFirst({ where: { entityType: "roundtable_meeting", entityId: id, action: "roundtable_meeting.start" } });
    expect(audit?.actorId).toBe(lead.id);
  });

  it("refuses attendees off the relationship team, next to the field, keeping what was typed", async () => {
    const outsider = await makeUser(t.db, { name: "Otto Outsider" });
    const before = await t.db.roundtableMeeting.count();
    const res = await postForm(leadAgent, "/roundtable", "/roundtable", { meetingDate: "2026-11-03", attendeeIds: [lead.id, outsider.id], agenda: "Kept agenda" });
    expect(res.status).toBe(422);
    expect(res.text).toContain("Attendees are active members of the relationship team.");
    expect(res.text).toContain("Kept agenda");
    expect(await t.db.roundtableMeeting.count()).toBe(before);
    const noDate = await postForm(leadAgent, "/roundtable", "/roundtable", { meetingDate: "", attendeeIds: [lead.id] });
    expect(noDate.status).toBe(422);
    expect(noDate.text).toContain("Meeting date is required.");
  });

  it("lists meetings newest first", async () => {
    const older = await meetingBy(t.db, lead, { meetingDate: "2020-01-01" });
    const newer = await meetingBy(t.db, lead, { meetingDate: "2030-01-01" });
    const html = (await leadAgent.get("/roundtable")).text;
    const ids = [...html.matchAll(/data-meeting="([0-9a-f-]{36})"/g)].map((m) => m[1]);
    expect(ids[0]).toBe(newer.id);
    expect(ids.at(-1)).toBe(older.id);
  });
  it("counts each meeting's own entries, on the list and on the meeting's minutes button", async () => {
    const one = await meetingBy(t.db, lead, { meetingDate: "2031-03-04" });
    const two = await meetingBy(t.db, lead, { meetingDate: "2031-03-11" });
    const a = await makeClient(t.db, lead.id, { priority: "high", relationshipStatus: "active" });
    const b = await makeClient(t.db, lead.id, { priority: "high", relationshipStatus: "active" });
    await entryBy(t.db, lead, one.id, a.id, { nextSteps: "One's only entry" });
    await entryBy(t.db, lead, two.id, a.id, { nextSteps: "Two's first" });
    await entryBy(t.db, lead, two.id, b.id, { nextSteps: "Two's second" });
    const html = (await leadAgent.get("/roundtable")).text;
    const countIn = (id: string) => {
      const row = html.slice(html.indexOf(`data-meeting="${id}"`));
      return [...row.slice(0, row.indexOf("</tr>")).matchAll(/<td>(\d+)<\/td>/g)].map((m) => m[1]);
    };
    expect(countIn(one.id)).toEqual(["1"]);
    expect(countIn(two.id)).toEqual(["2"]);
    expect((await leadAgent.get(`/roundtable/${two.id}`)).text).toContain("Minutes (2)");
  });
});

describe("meeting mode", () => {
  it("lists active, warm and high-priority clients by priority, then attention, with filters", async () => {
    const poc = await makeUser(t.db, { name: "Pat Poc" });
    const mk = (name: string, data: Record<string, unknown>) => makeClient(t.db, lead.id, { name, primaryPocId: poc.id, ...data });
    const lowFine = await mk("Low fine", { priority: "low", relationshipStatus: "active", lastContactAt: daysAgo(5) });
    const strategicFine = await mk("Strategic fine", { priority: "strategic", relationshipStatus: "cold", lastContactAt: daysAgo(1) });
    const strategicUrgent = await mk("Strategic urgent", { priority: "strategic", relationshipStatus: "active", lastContactAt: daysAgo(120) });
    const highNever = await mk("High never", { priority: "high", relationshipStatus: "prospective" });
    const highWarning = await mk("High warning", { priority: "high", relationshipStatus: "warm", lastContactAt: daysAgo(70) });
    const mediumWarm = await mk("Medium warm", { priority: "medium", relationshipStatus: "warm", lastContactAt: daysAgo(3) });
    const opportunistic = await mk("Opportunistic", { priority: "opportunistic", relationshipStatus: "warm", lastContactAt: daysAgo(3) });
    await mk("Medium cold", { priority: "medium", relationshipStatus: "cold" });
    await mk("Strategic archived", { priority: "strategic", relationshipStatus: "active", status: "archived" });
    await mk("Low prospective", { priority: "low", relationshipStatus: "prospective" });
    const meeting = await meetingBy(t.db, lead);
    const html = (await leadAgent.get(`/roundtable/${meeting.id}?poc=${poc.id}`)).text;
    expect(clientCards(html)).toEqual([strategicUrgent.id, strategicFine.id, highWarning.id, highNever.id, mediumWarm.id, lowFine.id, opportunistic.id]);
    expect(decodeHtml(html)).toContain("Pat Poc");
    expect(clientCards((await leadAgent.get(`/roundtable/${meeting.id}?poc=${poc.id}&priority=high`)).text)).toEqual([highWarning.id, highNever.id]);
    expect(clientCards((await leadAgent.get(`/roundtable/${meeting.id}?poc=${poc.id}&attention=urgent`)).text)).toEqual([strategicUrgent.id]);
    expect(clientCards((await leadAgent.get(`/roundtable/${meeting.id}?poc=${poc.id}&attention=never`)).text)).toEqual([highNever.id]);
    expect(clientCards((await leadAgent.get(`/roundtable/${meeting.id}?poc=${poc.id}&attention=ok&priority=strategic`)).text)).toEqual([strategicFine.id]);
  });

  it("pages by keyset: every client once, in order (oldest last contact first within a bucket)", async () => {
    const poc = await makeUser(t.db, { name: "Paging Poc" });
    const ids: string[] = [];
    for (let i = 0; i < 25; i += 1) ids.push((await makeClient(t.db, lead.id, { name: `Paged ${String(i).padStart(2, "0")}`, primaryPocId: poc.id, priority: "medium", relationshipStatus: "active", lastContactAt: daysAgo(i < 15 ? 200 - i : 45 - i) })).id);
    // 15 urgent then 10 fine, each bucket oldest last contact first: the first page ends inside the second bucket.
    const meeting = await meetingBy(t.db, lead);
    const first = (await leadAgent.get(`/roundtable/${meeting.id}?poc=${poc.id}`)).text;
    const next = decodeHtml(/<a rel="next" href="([^"]*)"/.exec(first)![1]!);
    const second = (await leadAgent.get(`/roundtable/${meeting.id}${next}`)).text;
    expect([...clientCards(first), ...clientCards(second)]).toEqual(ids);
    expect(second).not.toContain('rel="next"');
    expect((await leadAgent.get(`/roundtable/${meeting.id}?after=garbage`)).status).toBe(200);
  });

  it("shows each client's open follow-ups and its previous three entries beside the form", async () => {
    const client = await makeClient(t.db, lead.id, { name: "History Holder", priority: "strategic", relationshipStatus: "active" });
    for (let i = 1; i <= 4; i += 1) {
      const m = await meetingBy(t.db, lead, { meetingDate: `2025-0${i}-01` });
      await entryBy(t.db, lead, m.id, client.id, { nextSteps: `Step number ${i}`, actionDescription: `Task ${i}`, actionAssignee: second.id, actionDue: dayFromToday(i) });
    }
    const meeting = await meetingBy(t.db, lead);
    const html = (await leadAgent.get(`/roundtable/${meeting.id}?priority=strategic`)).text;
    const card = html.slice(html.indexOf(`data-client-row="${client.id}"`));
    const cardHtml = card.slice(0, card.indexOf("</section>"));
    expect(cardHtml).toContain("Step number 4");
    expect(cardHtml).toContain("Step number 2");
    expect(cardHtml).not.toContain("Step number 1");
    expect(/data-open-follow-ups>(\d+)</.exec(cardHtml)![1]).toBe("4");
  });
});

describe("saving an entry", () => {
  it("saves by form post and redirects back; saving again updates the same entry", async () => {
    const client = await makeClient(t.db, lead.id, { priority: "high", relationshipStatus: "active" });
    const meeting = await meetingBy(t.db, lead);
    const page = `/roundtable/${meeting.id}/clients/${client.id}`;
    const res = await postForm(leadAgent, page, `/roundtable/${meeting.id}/entries/${client.id}`, {
      nearTermFocus: "Grid upgrade",
      workTargets: "Feasibility study",
      discussion: "Budget tight",
      nextSteps: "Send proposal",
      actionDescription: ["Draft proposal", ""],
      actionAssignee: [second.id, ""],
      actionDue: ["2030-01-15", ""],
      back: `/roundtable/${meeting.id}#client-${client.id}`,
    });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`/roundtable/${meeting.id}#client-${client.id}`);
    const again = await postForm(leadAgent, page, `/roundtable/${meeting.id}/entries/${client.id}`, { nearTermFocus: "Grid upgrade, phase 2", nextSteps: "Send proposal", actionDescription: "Draft proposal", actionAssignee: second.id, actionDue: "2030-01-15" });
    expect(again.status).toBe(302);
    const entries = await t.db.roundtableEntry.findMany({ where: { meetingId: meeting.id, clientId: client.id }, include: { actionItems: true } });
    expect(entries).toHaveLength(1);
    expect(entries[0]!.nearTermFocus).toBe("Grid upgrade, phase 2");
    expect(entries[0]!.savedAt).not.toBeNull();
    expect(entries[0]!.actionItems.map((a) => [a.description, a.assigneeId])).toEqual([["Draft proposal", second.id]]);
    const events = await t.db.auditEvent.findMany({ where: { entityType: "roundtable_entry", entityId: entries[0]!.id }, orderBy: { id: "asc" } });
    expect(events.map((e) => e.action)).toEqual(["roundtable_entry.create", "roundtable_entry.update"]);
  });

  it("tells an action item's assignee once: not on a keystroke's autosave, once when saved, not again on a resave or at the end", async () => {
    const client = await makeClient(t.db, lead.id, { priority: "high", relationshipStatus: "active" });
    const meeting = await meetingBy(t.db, lead);
    const notices = () => t.db.notification.findMany({ where: { userId: second.id, kind: "action_item_assigned", clientId: client.id } });
    const token = await csrfToken(leadAgent, `/roundtable/${meeting.id}`);
    const item = { actionDescription: ["Book the site visit"], actionAssignee: [second.id], actionDue: ["2030-03-01"] };
    const auto = await leadAgent.post(`/roundtable/${meeting.id}/entries/${client.id}`).set("X-CSRF-Token", token).set("Accept", "application/json").send({ discussion: "Typing", ...item });
    expect(auto.status).toBe(200);
    expect(await notices()).toHaveLength(0);
    const page = `/roundtable/${meeting.id}/clients/${client.id}`;
    expect((await postForm(leadAgent, page, `/roundtable/${meeting.id}/entries/${client.id}`, { discussion: "Typed", ...item })).status).toBe(302);
    expect((await postForm(leadAgent, page, `/roundtable/${meeting.id}/entries/${client.id}`, { discussion: "Typed, then edited", ...item })).status).toBe(302);
    expect((await postForm(leadAgent, `/roundtable/${meeting.id}`, `/roundtable/${meeting.id}/end`, {})).status).toBe(302);
    const written = await notices();
    expect(written.map((n) => [n.title, n.link])).toEqual([["Action item assigned to you: Book the site visit", "/communications/follow-ups#action-items"]]);
    // The lead's own item tells nobody.
    expect(await t.db.notification.count({ where: { userId: lead.id, kind: "action_item_assigned", clientId: client.id } })).toBe(0);
  });

  it("the assignee's follow-ups page lists action items fifty at a time, earliest due first, with their count", async () => {
    const busy = await makeUser(t.db, { name: "Busy Relationship", relationshipTeam: true });
    const busyAgent = await signedIn(t.app, busy.email);
    const meeting = await meetingBy(t.db, lead);
    // 52 items over three entries (at most 20 each), due on consecutive days.
    for (const [offset, count] of [[0, 20], [20, 20], [40, 12]] as const) {
      const client = await makeClient(t.db, lead.id, { priority: "high", relationshipStatus: "active" });
      const days = Array.from({ length: count }, (_, i) => offset + i);
      const page = `/roundtable/${meeting.id}/clients/${client.id}`;
      const res = await postForm(leadAgent, page, `/roundtable/${meeting.id}/entries/${client.id}`, {
        discussion: "Many items",
        actionDescription: days.map((d) => `Item ${String(d).padStart(2, "0")}`),
        actionAssignee: days.map(() => busy.id),
        actionDue: days.map((d) => new Date(Date.UTC(2031, 0, 1 + d)).toISOString().slice(0, 10)),
      });
      expect(res.status).toBe(302);
    }
    const items = (html: string) => [...html.slice(html.indexOf('id="action-items"')).matchAll(/: (Item \d+)/g)].map((m) => m[1]!);
    const first = (await busyAgent.get("/communications/follow-ups")).text;
    expect(first).toMatch(/Roundtable action items <span class="count">52<\/span>/);
    expect(items(first)).toEqual(Array.from({ length: 50 }, (_, i) => `Item ${String(i).padStart(2, "0")}`));
    const next = /<nav class="pager" aria-label="Pages of action items">[\s\S]*?<a rel="next" href="([^"]+)"/.exec(first)?.[1];
    expect(next).toBe("?itemsPage=2");
    expect(items((await busyAgent.get(`/communications/follow-ups${next}`)).text)).toEqual(["Item 50", "Item 51"]);
  });

  it("two identical saves at once make one entry", async () => {
    const client = await makeClient(t.db, lead.id, { priority: "high", relationshipStatus: "active" });
    const meeting = await meetingBy(t.db, lead);
    const token = await csrfToken(leadAgent, `/roundtable/${meeting.id}`);
    const body = { nextSteps: "Same text", discussion: "Same", actionDescription: ["Follow up"], actionAssignee: [lead.id], actionDue: ["2030-02-01"] };
    const send = () => leadAgent.post(`/roundtable/${meeting.id}/entries/${client.id}`).set("X-CSRF-Token", token).set("Accept", "application/json").send(body);
    const results = await Promise.all([send(), send(), send()]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(results.every((r) => r.body.saved === true)).toBe(true);
    expect(await t.db.roundtableEntry.count({ where: { meetingId: meeting.id, clientId: client.id } })).toBe(1);
    expect(await t.db.roundtableActionItem.count({ where: { clientId: client.id } })).toBe(1);
    expect(await t.db.auditEvent.count({ where: { action: "roundtable_entry.create", changes: { path: ["clientId", "after"], equals: client.id } } })).toBe(1);
  });

  it("an autosave keeps the text while an action item is half typed; a form post says what is missing", async () => {
    const client = await makeClient(t.db, lead.id, { priority: "high", relationshipStatus: "active" });
    const meeting = await meetingBy(t.db, lead);
    const token = await csrfToken(leadAgent, `/roundtable/${meeting.id}`);
    const auto = await leadAgent
      .post(`/roundtable/${meeting.id}/entries/${client.id}`)
      .set("X-CSRF-Token", token)
      .send({ discussion: "Half way", actionDescription: ["Call back"], actionAssignee: [""], actionDue: [""] });
    expect(auto.status).toBe(200);
    expect(auto.body.errors["actionItems.0"]).toBe("Choose who does it.");
    const entry = await t.db.roundtableEntry.findFirstOrThrow({ where: { meetingId: meeting.id, clientId: client.id } });
    expect(entry.discussion).toBe("Half way");
    expect(entry.savedAt).toBeNull();
    const post = await postForm(leadAgent, `/roundtable/${meeting.id}/clients/${client.id}`, `/roundtable/${meeting.id}/entries/${client.id}`, { discussion: "Half way, more", actionDescription: "Call back", actionAssignee: "", actionDue: "" });
    expect(post.status).toBe(422);
    expect(post.text).toContain("Choose who does it.");
    expect(post.text).toContain("Half way, more");
    const offTeam = await makeUser(t.db);
    const wrong = await leadAgent.post(`/roundtable/${meeting.id}/entries/${client.id}`).set("X-CSRF-Token", token).send({ discussion: "x", actionDescription: ["Do"], actionAssignee: [offTeam.id], actionDue: ["2030-01-01"] });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors["actionItems.0"]).toContain("relationship team");
  });

  it("ends the meeting: entries count as saved, no further changes, the minutes list them", async () => {
    const a = await makeClient(t.db, lead.id, { name: "Minutes Alpha", priority: "high", relationshipStatus: "active" });
    const b = await makeClient(t.db, lead.id, { name: "Minutes Beta", priority: "strategic", relationshipStatus: "active" });
    const meeting = await meetingBy(t.db, lead);
    await entryBy(t.db, lead, meeting.id, a.id, { nextSteps: "Alpha next steps" }, false);
    await entryBy(t.db, lead, meeting.id, b.id, { nextSteps: "Beta next steps", actionDescription: "Beta task", actionAssignee: second.id, actionDue: "2030-03-01" });
    const end = await postForm(leadAgent, `/roundtable/${meeting.id}`, `/roundtable/${meeting.id}/end`, {});
    expect(end.status).toBe(302);
    const stored = await t.db.roundtableMeeting.findUniqueOrThrow({ where: { id: meeting.id } });
    expect(stored.endedAt).not.toBeNull();
    expect(await t.db.roundtableEntry.count({ where: { meetingId: meeting.id, savedAt: null } })).toBe(0);
    expect((await leadAgent.get(`/roundtable/${meeting.id}`)).headers.location).toBe(`/roundtable/${meeting.id}/minutes`);
    const minutes = decodeHtml((await leadAgent.get(`/roundtable/${meeting.id}/minutes`)).text);
    expect(minutes.indexOf("Beta next steps")).toBeGreaterThan(0);
    expect(minutes.indexOf("Beta next steps")).toBeLessThan(minutes.indexOf("Alpha next steps"));
    const token = await csrfToken(leadAgent, `/roundtable/${meeting.id}/minutes`);
    const late = await leadAgent.post(`/roundtable/${meeting.id}/entries/${a.id}`).set("X-CSRF-Token", token).send({ nextSteps: "Too late" });
    expect(late.status).toBe(409);

    const csv = await leadAgent.get(`/roundtable/${meeting.id}/minutes.csv`);
    expect(csv.headers["content-type"]).toContain("text/csv");
    expect(csv.text).toContain("Minutes Alpha");
    expect(csv.text).toContain("Alpha next steps");
    expect(csv.text).toContain("Beta task (Sam Second, due 2030-03-01)");
    const pdf = await leadAgent.get(`/roundtable/${meeting.id}/minutes.pdf`).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => done(null, Buffer.concat(chunks)));
    });
    expect(pdf.headers["content-type"]).toBe("application/pdf");
    const body = pdf.body as Buffer;
    expect(body.subarray(0, 5).toString()).toBe("%PDF-");
    const text = pdfText(body);
    expect(text).toContain("Minutes Beta");
    expect(text).toContain("Alpha next steps");
  });
});
