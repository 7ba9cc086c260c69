import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Prisma } from "../../src/generated/prisma/client.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { csrfToken, postForm, signedIn, type Agent } from "../helpers/http.ts";

let t: TestApp;
let staffId: string;
let staff: Agent;
let admin: Agent;
let outsider: Agent;
let seq = 0;

beforeAll(async () => {
  t = await createTestApp();
  const s = await makeUser(t.db, { role: "staff", name: "Sam Staff" });
  const a = await makeUser(t.db, { role: "admin", name: "Ada Admin" });
  const o = await makeUser(t.db, { role: "staff", name: "Olly Outsider" });
  staffId = s.id;
  [staff, admin, outsider] = await Promise.all([signedIn(t.app, s.email), signedIn(t.app, a.email), signedIn(t.app, o.email)]);
});
afterAll(async () => t.close());

async function makeClient(overrides: Partial<Prisma.ClientUncheckedCreateInput> = {}) {
  seq += 1;
  return t.db.client.create({
    data: { clientCode: `CLT-2026-${String(5000 + seq)}`, name: `Client ${seq} Ltd`, clientType: "organization", createdById: staffId, ...overrides },
  });
}

async function makeContact(clientId: string, fields: Partial<Prisma.ContactUncheckedCreateInput> = {}) {
  seq += 1;
  return t.db.contact.create({ data: { clientId, name: `Contact ${seq}`, ...fields } });
}

const primaries = (clientId: string) => t.db.contact.findMany({ where: { clientId, isPrimary: true }, select: { id: true } });
const auditOf = (entityId: string) => t.db.auditEvent.findMany({ where: { entityType: "contact", entityId }, orderBy: { id: "asc" } });

describe("adding and editing contacts", () => {
  it("adds a contact to an organization client, lists it on the client page and audits the new values", async () => {
    const client = await makeClient({ name: "Globex Corporation" });
    const res = await postForm(staff, `/clients/${client.id}/contacts/new`, `/clients/${client.id}/contacts`, {
      name: "Hank Scorpio", title: "CEO", email: "Hank@Globex.test", phone: "+1 (555) 010-2000", mobile: "555.010.3000", notes: "Prefers mornings.", active: "on",
    });
    expect(res.status).toBe(302);
    const stored = await t.db.contact.findFirstOrThrow({ where: { clientId: client.id } });
    expect(stored).toMatchObject({ name: "Hank Scorpio", title: "CEO", email: "hank@globex.test", mobile: "555.010.3000", active: true, isPrimary: false });
    expect(res.headers.location).toBe(`/clients/${client.id}#contact-${stored.id}`);
    const page = await staff.get(`/clients/${client.id}`);
    expect(page.text).toContain("Hank Scorpio");
    expect(page.text).toContain("Contact Hank Scorpio added.");
    const [event] = await auditOf(stored.id);
    expect(event).toMatchObject({ action: "contact.create", entityType: "contact" });
    expect(event!.changes).toMatchObject({ clientId: { before: null, after: client.id }, name: { before: null, after: "Hank Scorpio" }, email: { before: null, after: "hank@globex.test" } });
  });

  it("re-renders the form with what was typed and a message per field on bad input (422), saving nothing", async () => {
    const client = await makeClient();
    const res = await postForm(staff, `/clients/${client.id}/contacts/new`, `/clients/${client.id}/contacts`, {
      name: "  ", title: "Buyer <b>", email: "not-an-email", phone: "12", mobile: "call me", active: "", isPrimary: "on",
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain("Name is required.");
    expect(res.text).toContain("Enter a valid email address");
    expect(res.text).toContain("Enter a phone number of 6 to 15 digits");
    expect(res.text).toContain("Enter a mobile number of 6 to 15 digits");
    expect(res.text).toContain('value="not-an-email"');
    expect(res.text).toContain('value="call me"');
    expect(res.text).toContain('value="Buyer &lt;b&gt;"');
    expect(await t.db.contact.count({ where: { clientId: client.id } })).toBe(0);
    const inactivePrimary = await postForm(staff, `/clients/${client.id}/contacts/new`, `/clients/${client.id}/contacts`, { name: "Ralph", isPrimary: "on" });
    expect(inactivePrimary.status).toBe(422);
    expect(inactivePrimary.text).toContain("An inactive contact cannot be the primary contact");
    expect(await t.db.contact.count({ where: { clientId: client.id } })).toBe(0);
  });

  it("answers odd form bodies with field messages, never a 500", async () => {
    const client = await makeClient();
    const token = await csrfToken(staff, `/clients/${client.id}/contacts/new`);
    const res = await staff.post(`/clients/${client.id}/contacts`).set("Accept", "text/html").send({ _csrf: token, name: ["a", "b"], active: "maybe", email: { x: 1 } });
    expect(res.status).toBe(422);
    expect(res.text).toContain("Name is required.");
  });

  it("edits a contact and records only the fields that changed", async () => {
    const client = await makeClient();
    const contact = await makeContact(client.id, { name: "Marge", title: "Clerk", email: "marge@x.test" });
    const form = await staff.get(`/clients/${client.id}/contacts/${contact.id}/edit`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('value="marge@x.test"');
    const res = await postForm(staff, `/clients/${client.id}/contacts/${contact.id}/edit`, `/clients/${client.id}/contacts/${contact.id}`, {
      name: "Marge", title: "Head clerk", email: "marge@x.test", active: "on", updatedAt: contact.updatedAt.toISOString(),
    });
    expect(res.status).toBe(302);
    expect((await t.db.contact.findUniqueOrThrow({ where: { id: contact.id } })).title).toBe("Head clerk");
    const events = await auditOf(contact.id);
    expect(events.map((e) => e.action)).toEqual(["contact.update"]);
    expect(events[0]!.changes).toEqual({ title: { before: "Clerk", after: "Head clerk" } });
  });

  it("refuses to overwrite a contact someone saved since the form was opened, keeping the typed values", async () => {
    const client = await makeClient();
    const contact = await makeContact(client.id, { name: "Lenny" });
    const stale = new Date(contact.updatedAt.getTime() - 60_000).toISOString();
    const res = await postForm(staff, `/clients/${client.id}/contacts/${contact.id}/edit`, `/clients/${client.id}/contacts/${contact.id}`, { name: "Lenny Leonard", active: "on", updatedAt: stale });
    expect(res.status).toBe(409);
    expect(res.text).toContain("Someone else saved this contact");
    expect(res.text).toContain('value="Lenny Leonard"');
    expect((await t.db.contact.findUniqueOrThrow({ where: { id: contact.id } })).name).toBe("Lenny");
  });

  it("refuses contacts for an individual client with a clear message", async () => {
    const person = await makeClient({ name: "Jane Individual", clientType: "individual" });
    const form = await staff.get(`/clients/${person.id}/contacts/new`);
    expect(form.status).toBe(409);
    expect(form.text).toContain("Contacts are kept for organization clients only");
    const res = await postForm(staff, `/clients/${person.id}`, `/clients/${person.id}/contacts`, { name: "Someone", active: "on" });
    expect(res.status).toBe(409);
    expect(await t.db.contact.count({ where: { clientId: person.id } })).toBe(0);
    const page = await staff.get(`/clients/${person.id}`);
    expect(page.text).toContain("Contacts are kept for organization clients");
    expect(page.text).not.toContain(`/clients/${person.id}/contacts/new`);
  });
});

describe("one primary contact per client", () => {
  it("makes B primary and un-primaries A in one step, auditing both contacts", async () => {
    const client = await makeClient();
    const a = await makeContact(client.id, { name: "Alice", isPrimary: true });
    const b = await makeContact(client.id, { name: "Bob" });
    const res = await postForm(staff, `/clients/${client.id}`, `/clients/${client.id}/contacts/${b.id}/primary`, {});
    expect(res.status).toBe(302);
    expect(await primaries(client.id)).toEqual([{ id: b.id }]);
    const [aEvent] = await auditOf(a.id);
    const [bEvent] = await auditOf(b.id);
    expect(aEvent).toMatchObject({ action: "contact.primary_unset", changes: { isPrimary: { before: true, after: false } } });
    expect(bEvent).toMatchObject({ action: "contact.primary_set", changes: { isPrimary: { before: false, after: true }, clientPrimaryContactId: { before: a.id, after: b.id } } });
    expect(aEvent!.requestId).toBe(bEvent!.requestId);
    const page = await staff.get(res.headers.location!);
    expect(page.text).toContain("Bob is now the primary contact instead of Alice.");
  });

  it("ticking Primary when adding or editing a contact replaces the current primary", async () => {
    const client = await makeClient();
    const a = await makeContact(client.id, { name: "Carl", isPrimary: true });
    const add = await postForm(staff, `/clients/${client.id}/contacts/new`, `/clients/${client.id}/contacts`, { name: "Dana", active: "on", isPrimary: "on" });
    expect(add.status).toBe(302);
    const dana = await t.db.contact.findFirstOrThrow({ where: { clientId: client.id, name: "Dana" } });
    expect(await primaries(client.id)).toEqual([{ id: dana.id }]);
    const edit = await postForm(staff, `/clients/${client.id}/contacts/${a.id}/edit`, `/clients/${client.id}/contacts/${a.id}`, { name: "Carl", active: "on", isPrimary: "on" });
    expect(edit.status).toBe(302);
    expect(await primaries(client.id)).toEqual([{ id: a.id }]);
    expect((await auditOf(dana.id)).map((e) => e.action)).toEqual(["contact.create", "contact.primary_unset"]);
  });

  it("leaves exactly one primary when several 'make primary' requests arrive at once", async () => {
    const client = await makeClient();
    const contacts = await Promise.all(["E", "F", "G", "H"].map((name) => makeContact(client.id, { name })));
    const token = await csrfToken(staff, `/clients/${client.id}`);
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all(
        contacts.map((c) => staff.post(`/clients/${client.id}/contacts/${c.id}/primary`).type("form").send({ _csrf: token })),
      );
      expect(results.map((r) => r.status)).toEqual([302, 302, 302, 302]);
      expect(await primaries(client.id)).toHaveLength(1);
    }
    const sets = await t.db.auditEvent.count({ where: { action: "contact.primary_set", entityId: { in: contacts.map((c) => c.id) } } });
    const unsets = await t.db.auditEvent.count({ where: { action: "contact.primary_unset", entityId: { in: contacts.map((c) => c.id) } } });
    // Serialised, no request lost to another: each round switches at least once per request, less at most the one
    // request that finds its contact still primary from the previous round.
    expect(sets).toBeGreaterThanOrEqual(4 + 3 + 3);
    expect(sets - unsets).toBe(1);
  });

  it("is held by the database too: a second primary row is refused", async () => {
    const client = await makeClient();
    await makeContact(client.id, { isPrimary: true });
    await expect(makeContact(client.id, { isPrimary: true })).rejects.toThrow();
    expect(await primaries(client.id)).toHaveLength(1);
  });

  it("takes the flag away on deactivation and will not make an inactive contact primary", async () => {
    const client = await makeClient();
    const a = await makeContact(client.id, { name: "Ivy", isPrimary: true });
    const off = await postForm(staff, `/clients/${client.id}`, `/clients/${client.id}/contacts/${a.id}/deactivate`, {});
    expect(off.status).toBe(302);
    expect(await t.db.contact.findUniqueOrThrow({ where: { id: a.id } })).toMatchObject({ active: false, isPrimary: false });
    const [event] = await auditOf(a.id);
    expect(event).toMatchObject({ action: "contact.deactivate", changes: { active: { before: true, after: false }, isPrimary: { before: true, after: false } } });
    const again = await postForm(staff, `/clients/${client.id}`, `/clients/${client.id}/contacts/${a.id}/primary`, {});
    expect(again.status).toBe(302);
    expect(await primaries(client.id)).toHaveLength(0);
    expect((await staff.get(again.headers.location!)).text).toContain("Ivy is inactive. Reactivate them before making them the primary contact.");
    const on = await postForm(staff, `/clients/${client.id}`, `/clients/${client.id}/contacts/${a.id}/reactivate`, {});
    expect(on.status).toBe(302);
    expect((await auditOf(a.id)).map((e) => e.action)).toEqual(["contact.deactivate", "contact.reactivate"]);
  });
});

describe("the contact list on the client page", () => {
  it("lists primary first, then active, then by name, with one-click primary buttons and a confirmed delete", async () => {
    const client = await makeClient();
    const zed = await makeContact(client.id, { name: "Zed" });
    await makeContact(client.id, { name: "Abe", active: false });
    await makeContact(client.id, { name: "Moe", isPrimary: true });
    await makeContact(client.id, { name: "Bart" });
    const page = await staff.get(`/clients/${client.id}`);
    const order = ["Moe", "Bart", "Zed", "Abe"].map((n) => page.text.indexOf(`<strong>${n}</strong>`));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((x, y) => x - y)).toEqual(order);
    expect(page.text).toContain(`action="/clients/${client.id}/contacts/${zed.id}/primary"`);
    expect(page.text).toContain(`href="/clients/${client.id}/contacts/${zed.id}/edit"`);
    expect(page.text).toMatch(new RegExp(`action="/clients/${client.id}/contacts/${zed.id}/delete" data-confirm="[^"]+" data-confirm-sets="confirmed"`));
    expect(page.text).toContain(`href="/clients/${client.id}/contacts/new"`);
  });

  it("shows an empty state with a way to add the first contact", async () => {
    const client = await makeClient();
    const page = await staff.get(`/clients/${client.id}`);
    expect(page.text).toContain("No contacts yet");
    expect(page.text).toContain("Add the first contact");
  });
});

describe("deleting a contact", () => {
  it("asks for confirmation first (without JavaScript), then deletes and audits what it held", async () => {
    const client = await makeClient();
    const c = await makeContact(client.id, { name: "Nelson", email: "nelson@x.test", isPrimary: true });
    const ask = await postForm(staff, `/clients/${client.id}`, `/clients/${client.id}/contacts/${c.id}/delete`, { confirmed: "" });
    expect(ask.status).toBe(200);
    expect(ask.text).toContain("Delete contact Nelson?");
    expect(ask.text).toContain('name="confirmed" value="yes"');
    expect(await t.db.contact.count({ where: { id: c.id } })).toBe(1);
    const page = await staff.get(`/clients/${client.id}/contacts/${c.id}/delete`);
    expect(page.status).toBe(200);
    const done = await postForm(staff, `/clients/${client.id}/contacts/${c.id}/delete`, `/clients/${client.id}/contacts/${c.id}/delete`, { confirmed: "yes" });
    expect(done.status).toBe(302);
    expect(await t.db.contact.count({ where: { id: c.id } })).toBe(0);
    const [event] = await auditOf(c.id);
    expect(event).toMatchObject({ action: "contact.delete", changes: { name: { before: "Nelson", after: null }, email: { before: "nelson@x.test", after: null }, isPrimary: { before: true, after: null }, clientId: { before: client.id, after: null } } });
  });
});

describe("contacts go through the client's visibility", () => {
  it("answers 404 to staff outside a restricted client's team, for every contact page and action, and changes nothing", async () => {
    const client = await makeClient({ name: "Secret Holdings", isConfidential: true, accountManagerId: staffId });
    const c = await makeContact(client.id, { name: "Hidden Person" });
    const base = `/clients/${client.id}/contacts`;
    for (const path of [`${base}/new`, `${base}/${c.id}/edit`, `${base}/${c.id}/delete`, `/clients/${client.id}`]) {
      expect((await outsider.get(path)).status, path).toBe(404);
    }
    const token = await csrfToken(outsider, "/clients");
    for (const [path, body] of [
      [base, { name: "Intruder", active: "on" }],
      [`${base}/${c.id}`, { name: "Renamed", active: "on" }],
      [`${base}/${c.id}/primary`, {}],
      [`${base}/${c.id}/deactivate`, {}],
      [`${base}/${c.id}/delete`, { confirmed: "yes" }],
      [`${base}/${c.id}/delete`, {}],
    ] as const) {
      const res = await outsider.post(path).type("form").send({ _csrf: token, ...body });
      expect(res.status, path).toBe(404);
      expect(res.text).not.toContain("Hidden Person");
    }
    expect(await t.db.contact.findMany({ where: { clientId: client.id } })).toEqual([expect.objectContaining({ name: "Hidden Person", active: true, isPrimary: false })]);
    expect(await auditOf(c.id)).toHaveLength(0);
    // Its team sees and manages them.
    expect((await staff.get(`${base}/${c.id}/edit`)).status).toBe(200);
    const ok = await postForm(staff, `${base}/${c.id}/edit`, `${base}/${c.id}/primary`, {});
    expect(ok.status).toBe(302);
    expect(await primaries(client.id)).toEqual([{ id: c.id }]);
  });

  it("answers 404 for a contact id that belongs to another client", async () => {
    const mine = await makeClient();
    const other = await makeClient();
    const theirs = await makeContact(other.id, { name: "Elsewhere" });
    expect((await admin.get(`/clients/${mine.id}/contacts/${theirs.id}/edit`)).status).toBe(404);
    const token = await csrfToken(admin, `/clients/${mine.id}`);
    for (const action of ["", "/primary", "/deactivate", "/delete"]) {
      const res = await admin.post(`/clients/${mine.id}/contacts/${theirs.id}${action}`).type("form").send({ _csrf: token, name: "Moved", active: "on", confirmed: "yes" });
      expect(res.status, action).toBe(404);
    }
    expect(await t.db.contact.findUniqueOrThrow({ where: { id: theirs.id } })).toMatchObject({ name: "Elsewhere", active: true, isPrimary: false, clientId: other.id });
  });

  it("answers 404, not 500, to malformed ids", async () => {
    const client = await makeClient();
    expect((await staff.get("/clients/not-a-uuid/contacts/new")).status).toBe(404);
    expect((await staff.get(`/clients/${client.id}/contacts/not-a-uuid/edit`)).status).toBe(404);
    const token = await csrfToken(staff, `/clients/${client.id}`);
    expect((await staff.post(`/clients/${client.id}/contacts/1'%20OR%201=1/primary`).type("form").send({ _csrf: token })).status).toBe(404);
  });
});
