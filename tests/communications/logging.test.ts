import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { postForm, signedIn, csrfToken, type Agent } from "../helpers/http.ts";
import { decodeHtml, daysAgo, listedIds } from "../clients/support.ts";
import { formOf, localTime, logAs, makeCaseType, makeClient, openCase } from "./support.ts";

let t: TestApp;
let staff: Awaited<ReturnType<typeof makeUser>>;
let other: Awaited<ReturnType<typeof makeUser>>;
let staffAgent: Agent;
let typeId: string;

beforeAll(async () => {
  t = await createTestApp();
  staff = await makeUser(t.db, { role: "staff", name: "Sam Staff" });
  other = await makeUser(t.db, { role: "staff", name: "Olga Other" });
  staffAgent = await signedIn(t.app, staff.email);
  typeId = (await makeCaseType(t.db)).type.id;
});
afterAll(async () => t.close());

const page = (clientId: string) => `/clients/${clientId}`;
const action = (clientId: string) => `/clients/${clientId}/communications`;

describe("logging a communication from the client page", () => {
  it("logs a phone call with participants and a follow-up, shows it on the page and audits it", async () => {
    const client = await makeClient(t.db, staff.id, { name: "Initech" });
    const contact = await t.db.contact.create({ data: { clientId: client.id, name: "Bill Lumbergh" } });
    const res = await postForm(staffAgent, page(client.id), action(client.id), formOf({
      subject: "TPS reports", notes: "Agreed on the new cover sheet.", contactIds: contact.id, userIds: [other.id], important: "on",
      followUpRequired: "on", followUpDue: "2030-01-15", followUpAssigneeId: other.id,
    }));
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`/clients/${client.id}#communications`);
    const stored = await t.db.communication.findFirstOrThrow({ where: { clientId: client.id }, include: { participants: true } });
    expect(stored).toMatchObject({ type: "phone", direction: "outbound", subject: "TPS reports", important: true, followUpRequired: true, followUpAssigneeId: other.id, loggedById: staff.id });
    expect(stored.participants.map((p) => p.contactId ?? p.userId).sort()).toEqual([contact.id, other.id].sort());
    const shown = decodeHtml((await staffAgent.get(page(client.id))).text);
    expect(shown).toContain("TPS reports");
    expect(shown).toContain("Phone call “TPS reports” logged.");
    expect(shown).toContain("Bill Lumbergh");
    const [event] = await t.db.auditEvent.findMany({ where: { entityType: "communication", entityId: stored.id } });
    expect(event).toMatchObject({ action: "communication.create", actorId: staff.id });
    expect(event!.changes).toMatchObject({ subject: { before: null, after: "TPS reports" } });
  });

  it("answers a fetch with the re-rendered section (201), so the page stays where it is", async () => {
    const client = await makeClient(t.db, staff.id);
    const token = await csrfToken(staffAgent, page(client.id));
    const res = await staffAgent.post(action(client.id)).type("form").set("X-Requested-With", "fetch").send({ _csrf: token, ...formOf({ subject: "Quick one" }) });
    expect(res.status).toBe(201);
    expect(res.text).toContain("data-communications-section");
    expect(res.text).not.toContain("<html");
    expect(decodeHtml(res.text)).toContain("Phone call “Quick one” logged.");
    expect(await t.db.communication.count({ where: { clientId: client.id } })).toBe(1);
  });

  it("shows bad input next to each field with what was typed, stores nothing, never a 500", async () => {
    const client = await makeClient(t.db, staff.id);
    const elsewhere = await makeClient(t.db, staff.id);
    const foreignContact = await t.db.contact.create({ data: { clientId: elsewhere.id, name: "Not Theirs" } });
    const foreignCase = await openCase(t.db, staff, { clientId: elsewhere.id, typeId });
    const future = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 16);
    const res = await postForm(staffAgent, page(client.id), action(client.id), formOf({ subject: "Kept <subject>", occurredAt: future, followUpRequired: "on" }));
    expect(res.status).toBe(422);
    const html = decodeHtml(res.text);
    expect(html).toContain("A communication cannot be more than a day in the future.");
    expect(html).toContain("A follow-up needs a date.");
    expect(html).toContain("A follow-up needs someone to do it.");
    expect(res.text).toContain('value="Kept &lt;subject&gt;"');
    expect(res.text).toContain(`value="${future}"`);

    const refs = await postForm(staffAgent, page(client.id), action(client.id), formOf({ subject: "Wrong refs", contactIds: foreignContact.id, caseId: foreignCase.id }));
    expect(refs.status).toBe(422);
    expect(refs.text).toContain("Participants must be contacts of this client.");
    expect(refs.text).toContain("Choose one of this client&#39;s cases.");
    expect(refs.text).toContain('value="Wrong refs"');

    const token = await csrfToken(staffAgent, page(client.id));
    const odd = await staffAgent.post(action(client.id)).type("form").set("X-Requested-With", "fetch").send({ _csrf: token, type: "fax", occurredAt: "yesterday", subject: ["a", "b"], contactIds: "not-a-uuid" });
    expect(odd.status).toBe(422);
    expect(odd.text).toContain("data-communications-section");
    expect(odd.text).toContain("Choose the kind of communication.");
    expect(await t.db.communication.count({ where: { clientId: { in: [client.id, elsewhere.id] } } })).toBe(0);
  });

  it("keeps the follow-up CHECK in the database too", async () => {
    const client = await makeClient(t.db, staff.id);
    await expect(
      t.db.communication.create({ data: { clientId: client.id, type: "note", occurredAt: new Date(), subject: "x", followUpRequired: true, loggedById: staff.id } }),
    ).rejects.toThrow();
  });
});

describe("the client's last contact follows logged communications", () => {
  it("moves the last contact and the attention status, never back when backdating", async () => {
    const client = await makeClient(t.db, staff.id, { name: "Attention Co", lastContactAt: daysAgo(100) });
    const listed = async (attention: string) => listedIds((await staffAgent.get(`/clients?q=${encodeURIComponent("Attention Co")}&attention=${attention}`)).text);
    expect(await listed("urgent")).toEqual([client.id]);

    await logAs(t.db, staff, client.id, { type: "meeting", occurredAt: localTime(70), subject: "Lunch" });
    let stored = await t.db.client.findUniqueOrThrow({ where: { id: client.id } });
    expect(stored.lastContactAt!.toISOString().slice(0, 10)).toBe(localTime(70).slice(0, 10));
    expect(stored).toMatchObject({ lastContactType: "in_person", lastContactById: staff.id, lastContactSummary: "Lunch" });
    expect(await listed("urgent")).toEqual([]);
    expect(await listed("warning")).toEqual([client.id]);
    expect(decodeHtml((await staffAgent.get(page(client.id))).text)).toMatch(/Contact tracking <span class="badge badge-warn"[^>]*>Warning/);

    await logAs(t.db, staff, client.id, { type: "email", occurredAt: localTime(2), subject: "Recent e-mail" });
    await logAs(t.db, staff, client.id, { type: "phone", occurredAt: localTime(30), subject: "Backdated call" });
    await logAs(t.db, staff, client.id, { type: "note", occurredAt: localTime(0), subject: "A note to file" });
    stored = await t.db.client.findUniqueOrThrow({ where: { id: client.id } });
    expect(stored).toMatchObject({ lastContactType: "email", lastContactSummary: "Recent e-mail" });
    const hub = decodeHtml((await staffAgent.get(page(client.id))).text);
    expect(hub).not.toMatch(/Contact tracking[^<]*<span class="badge[^"]*"[^>]*>(Urgent|Warning)/);
    const audit = await t.db.auditEvent.findMany({ where: { entityType: "client", entityId: client.id, action: "client.last_contact" } });
    expect(audit).toHaveLength(2);
  });

  it("marks a client never contacted until something is logged", async () => {
    const client = await makeClient(t.db, staff.id, { name: "Never Contacted Ltd" });
    const never = async () => listedIds((await staffAgent.get(`/clients?q=${encodeURIComponent("Never Contacted")}&attention=never`)).text);
    expect(await never()).toEqual([client.id]);
    await logAs(t.db, staff, client.id, { type: "video", subject: "Kick-off" });
    expect(await never()).toEqual([]);
  });

  it("the client form no longer offers the hand-typed last contact", async () => {
    const client = await makeClient(t.db, staff.id);
    const form = (await staffAgent.get(`/clients/${client.id}/edit`)).text;
    expect(form).not.toContain('name="lastContactAt"');
    expect(form).not.toContain('name="lastContactSummary"');
    expect(form).toContain('name="nextContactAt"');
  });

  it("two communications logged at once both land, and the later date wins", async () => {
    for (let round = 0; round < 5; round += 1) {
      const client = await makeClient(t.db, staff.id);
      const [later, earlier] = [localTime(1), localTime(5)];
      const order = round % 2 ? [earlier, later] : [later, earlier];
      await Promise.all(order.map((occurredAt, i) => logAs(t.db, i ? other : staff, client.id, { occurredAt, subject: occurredAt === later ? "Later" : "Earlier" })));
      expect(await t.db.communication.count({ where: { clientId: client.id } })).toBe(2);
      const stored = await t.db.client.findUniqueOrThrow({ where: { id: client.id } });
      expect(stored.lastContactSummary).toBe("Later");
      expect(stored.lastContactAt!.toISOString().slice(0, 10)).toBe(later.slice(0, 10));
    }
  });
});
