// Creating and editing clients over HTTP: field messages next to the fields with what was typed kept, duplicate
// warnings, optimistic concurrency, client codes under concurrency, delete with dependents, deactivation reasons,
// and the list's keyset pages, sorting and filters.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { csrfToken, postForm, signedIn, type Agent } from "../helpers/http.ts";
import { daysAgo, decodeHtml, fieldBlock, formFields, listedIds, makeClient, pagerLink, statusCount } from "./support.ts";

let t: TestApp;
let manager: Agent;
let admin: Agent;
let managerId: string;
let adminId: string;
let alice: { id: string };
let bob: { id: string };

beforeAll(async () => {
  t = await createTestApp();
  const m = await makeUser(t.db, { role: "manager", name: "Mona Manager" });
  const a = await makeUser(t.db, { role: "admin", name: "Adam Admin" });
  alice = await makeUser(t.db, { name: "Alice Aardvark" });
  bob = await makeUser(t.db, { name: "Bob Badger" });
  managerId = m.id;
  adminId = a.id;
  manager = await signedIn(t.app, m.email);
  admin = await signedIn(t.app, a.email);
});
afterAll(async () => t.close());

const newClient = (fields: Record<string, string | string[]>) => postForm(manager, "/clients/new", "/clients", fields);

describe("field messages on the new-client form", () => {
  const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  const cases: { title: string; body: Record<string, string>; field: string; message: RegExp; kept?: string }[] = [
    { title: "a bad email", body: { clientType: "organization", email: "not-an-email" }, field: "email", message: /valid email address/, kept: "not-an-email" },
    { title: "a bad phone", body: { clientType: "organization", phone: "call me maybe" }, field: "phone", message: /phone number of 6 to 15 digits/, kept: "call me maybe" },
    { title: "a phone with too few digits", body: { clientType: "organization", phone: "12-34" }, field: "phone", message: /6 to 15 digits/, kept: "12-34" },
    { title: "a bad website", body: { clientType: "organization", website: "not a website" }, field: "website", message: /web address/, kept: "not a website" },
    { title: "a javascript: website", body: { clientType: "organization", website: "javascript:alert(1)" }, field: "website", message: /web address/ },
    { title: "a bad postal code", body: { clientType: "organization", postalCode: "!!" }, field: "postalCode", message: /postal code/, kept: "!!" },
    { title: "an SSN of 5 digits", body: { clientType: "individual", ssnLast4: "12345" }, field: "ssnLast4", message: /exactly the last 4 digits/, kept: "12345" },
    { title: "an SSN of 3 digits", body: { clientType: "individual", ssnLast4: "123" }, field: "ssnLast4", message: /exactly the last 4 digits/, kept: "123" },
    { title: "an SSN with a letter", body: { clientType: "individual", ssnLast4: "12a4" }, field: "ssnLast4", message: /exactly the last 4 digits/, kept: "12a4" },
    { title: "a full SSN", body: { clientType: "individual", ssnLast4: "123-45-6789" }, field: "ssnLast4", message: /exactly the last 4 digits/ },
    { title: "a date of birth on an organization", body: { clientType: "organization", dateOfBirth: "1980-05-06" }, field: "dateOfBirth", message: /Only individual clients have a date of birth/, kept: "1980-05-06" },
    { title: "an SSN on an organization", body: { clientType: "organization", ssnLast4: "1234" }, field: "ssnLast4", message: /Only individual clients have an SSN/, kept: "1234" },
    { title: "a tax id on an individual", body: { clientType: "individual", taxId: "99-1234567" }, field: "taxId", message: /Only organizations have a tax id/, kept: "99-1234567" },
    { title: "an industry on an individual", body: { clientType: "individual", industry: "Mining" }, field: "industry", message: /Only organizations have an industry/, kept: "Mining" },
    { title: "a future date of birth", body: { clientType: "individual", dateOfBirth: tomorrow }, field: "dateOfBirth", message: /cannot be in the future/, kept: tomorrow },
    { title: "an impossible date", body: { clientType: "individual", dateOfBirth: "2024-02-30" }, field: "dateOfBirth", message: /date like 2024-03-31/, kept: "2024-02-30" },
    { title: "a missing name", body: { clientType: "organization", name: "   " }, field: "name", message: /Name is required/ },
  ];

  for (const c of cases) {
    it(`shows the message next to the field for ${c.title}, keeps what was typed and saves nothing`, async () => {
      const before = await t.db.client.count();
      const res = await newClient({ name: "Fieldcheck Oryx Holdings", notes: "Typed notes stay", ...c.body });
      expect(res.status).toBe(422);
      const block = fieldBlock(res.text, c.field);
      expect(block).toContain("has-error");
      expect(block).toContain(`id="f-${c.field}-error"`);
      expect(decodeHtml(block)).toMatch(c.message);
      if (c.kept !== undefined) expect(decodeHtml(block)).toContain(`value="${c.kept}"`);
      if (c.field !== "name") expect(fieldBlock(res.text, "name")).toContain('value="Fieldcheck Oryx Holdings"');
      expect(res.text).toContain("Typed notes stay</textarea>");
      expect(res.text).toContain("Please correct");
      expect(await t.db.client.count()).toBe(before);
    });
  }

  it("the same primary and secondary point of contact: message on the secondary, both choices kept", async () => {
    const res = await newClient({ name: "Pocsame Heron Co", clientType: "organization", primaryPocId: alice.id, secondaryPocId: alice.id });
    expect(res.status).toBe(422);
    const block = fieldBlock(res.text, "secondaryPocId");
    expect(block).toMatch(/someone other than the primary/);
    expect(block).toContain(`<option value="${alice.id}" selected>`);
    expect(fieldBlock(res.text, "primaryPocId")).toContain(`<option value="${alice.id}" selected>`);
  });

  it("unknown user ids are refused next to their fields", async () => {
    const before = await t.db.client.count();
    const res = await newClient({ name: "Ghostusers Lynx Inc", clientType: "organization", accountManagerId: randomUUID(), primaryPocId: randomUUID(), teamUserIds: [alice.id, randomUUID()] });
    expect(res.status).toBe(422);
    expect(fieldBlock(res.text, "accountManagerId")).toMatch(/Choose an active user/);
    expect(fieldBlock(res.text, "primaryPocId")).toMatch(/Choose an active user/);
    expect(fieldBlock(res.text, "teamUserIds")).toMatch(/Choose active users/);
    // The known team member stays chosen.
    expect(fieldBlock(res.text, "teamUserIds")).toContain(`<input type="checkbox" name="teamUserIds" value="${alice.id}" checked>`);
    expect(await t.db.client.count()).toBe(before);
  });

  it("a deactivated user cannot be given a new client", async () => {
    const gone = await makeUser(t.db, { name: "Gone Gopher", active: false });
    const res = await newClient({ name: "Departed Owner Ltd", clientType: "organization", accountManagerId: gone.id });
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/Choose an active user/);
  });

  it("an unknown category id is refused next to the field, not a server error", async () => {
    const before = await t.db.client.count();
    const res = await newClient({ name: "Nocategory Tern Group", clientType: "organization", categoryId: randomUUID() });
    expect(res.status).toBe(422);
    expect(fieldBlock(res.text, "categoryId")).toMatch(/category/i);
    expect(fieldBlock(res.text, "categoryId")).toContain("field-error");
    expect(await t.db.client.count()).toBe(before);
    const malformed = await newClient({ name: "Nocategory Tern Group", clientType: "organization", categoryId: "not-a-uuid" });
    expect(malformed.status).toBe(422);
    expect(fieldBlock(malformed.text, "categoryId")).toMatch(/Choose a valid category/);
  });

  it("several bad fields at once: every message next to its own field", async () => {
    const res = await newClient({ name: "Manybad Stoat Ltd", clientType: "individual", email: "x@", phone: "abc", website: "a b", postalCode: "%", ssnLast4: "99999", dateOfBirth: "1990-13-01" });
    expect(res.status).toBe(422);
    for (const field of ["email", "phone", "website", "postalCode", "ssnLast4", "dateOfBirth"]) expect(fieldBlock(res.text, field), field).toContain(`id="f-${field}-error"`);
    expect(res.text).toContain("Please correct the 6 highlighted fields");
    // Cross-field rules together: both individual-only fields on an organization, and the same two points of contact.
    const cross = await newClient({ name: "Manybad Stoat Ltd", clientType: "organization", ssnLast4: "1234", dateOfBirth: "1990-01-01", primaryPocId: bob.id, secondaryPocId: bob.id });
    expect(cross.status).toBe(422);
    for (const field of ["ssnLast4", "dateOfBirth", "secondaryPocId"]) expect(fieldBlock(cross.text, field), field).toContain(`id="f-${field}-error"`);
  });

  it("the same rules apply on the edit form, and the stored row is left alone", async () => {
    const client = await makeClient(t.db, managerId, { name: "Editcheck Puffin Ltd", email: "desk@puffin.test" });
    const fields = formFields((await manager.get(`/clients/${client.id}/edit`)).text);
    const res = await manager.post(`/clients/${client.id}`).type("form").send({ ...fields, email: "broken@" });
    expect(res.status).toBe(422);
    expect(fieldBlock(res.text, "email")).toContain('value="broken@"');
    expect(fieldBlock(res.text, "email")).toMatch(/valid email address/);
    const cross = await manager.post(`/clients/${client.id}`).type("form").send({ ...fields, ssnLast4: "1234", categoryId: randomUUID() });
    expect(cross.status).toBe(422);
    expect(fieldBlock(cross.text, "ssnLast4")).toMatch(/Only individual clients have an SSN/);
    expect(fieldBlock(cross.text, "ssnLast4")).toContain('value="1234"');
    const unknownCategory = await manager.post(`/clients/${client.id}`).type("form").send({ ...fields, categoryId: randomUUID() });
    expect(unknownCategory.status).toBe(422);
    expect(fieldBlock(unknownCategory.text, "categoryId")).toMatch(/Choose a valid category/);
    const row = await t.db.client.findUniqueOrThrow({ where: { id: client.id } });
    expect(row.email).toBe("desk@puffin.test");
    expect(row.ssnLast4).toBeNull();
  });

  it("valid values are normalised and saved", async () => {
    const res = await newClient({ name: "  Goodvalues Wren LLC  ", clientType: "individual", email: "Info@Wren.TEST", website: "wren.test", postalCode: "sw1a 1aa", ssnLast4: "0042", dateOfBirth: "1970-01-31", confirmDuplicates: "on" });
    expect(res.status).toBe(302);
    const row = await t.db.client.findFirstOrThrow({ where: { name: "Goodvalues Wren LLC" } });
    expect(row).toMatchObject({ email: "info@wren.test", website: "https://wren.test", postalCode: "SW1A 1AA", ssnLast4: "0042" });
    expect(row.dateOfBirth?.toISOString().slice(0, 10)).toBe("1970-01-31");
    // The SSN is masked on the page.
    const show = await manager.get(`/clients/${row.id}`);
    expect(show.text).toContain("•••-••-0042");
  });
});

describe("duplicate warnings", () => {
  it("a similar name warns with a link to the candidate; saving with confirmDuplicates=on goes on", async () => {
    const existing = await makeClient(t.db, managerId, { name: "Harrington Logistics Group" });
    const before = await t.db.client.count();
    const body = { name: "Harington Logistics Group", clientType: "organization", city: "Leeds" };
    const warned = await newClient(body);
    expect(warned.status).toBe(200);
    expect(warned.text).toContain("This client may already exist");
    expect(warned.text).toContain(`<a href="/clients/${existing.id}"`);
    expect(warned.text).toContain("Harrington Logistics Group");
    expect(warned.text).toContain("similar name");
    expect(warned.text).toContain('name="confirmDuplicates"');
    expect(fieldBlock(warned.text, "name")).toContain('value="Harington Logistics Group"');
    expect(fieldBlock(warned.text, "city")).toContain('value="Leeds"');
    expect(await t.db.client.count()).toBe(before);

    const saved = await newClient({ ...body, confirmDuplicates: "on" });
    expect(saved.status).toBe(302);
    expect(await t.db.client.count()).toBe(before + 1);
  });

  it("the same email domain warns, even with an unrelated name", async () => {
    const existing = await makeClient(t.db, managerId, { name: "Brightwater Mills", email: "ops@brightwater-mills.test" });
    const warned = await newClient({ name: "Completely Other Venture", clientType: "organization", email: "ceo@Brightwater-Mills.test" });
    expect(warned.status).toBe(200);
    expect(warned.text).toContain(`<a href="/clients/${existing.id}"`);
    expect(warned.text).toContain("same email domain");
  });

  it("a shared mail provider such as gmail.com is not a reason to warn", async () => {
    await makeClient(t.db, managerId, { name: "Solitary Person Ann", email: "ann.solitary@gmail.com", clientType: "individual" });
    const res = await newClient({ name: "Unrelated Quincy Bobbins", clientType: "individual", email: "bob.bobbins@gmail.com" });
    expect(res.status).toBe(302);
  });

  it("on edit, a rename towards another client warns; saving unchanged name and email does not", async () => {
    const existing = await makeClient(t.db, managerId, { name: "Kestrel Aviation Partners" });
    const mine = await makeClient(t.db, managerId, { name: "Sparrowhawk Tooling" });
    const fields = formFields((await manager.get(`/clients/${mine.id}/edit`)).text);
    const warned = await manager.post(`/clients/${mine.id}`).type("form").send({ ...fields, name: "Kestrel Aviation Partner" });
    expect(warned.status).toBe(200);
    expect(warned.text).toContain(`<a href="/clients/${existing.id}"`);
    expect(warned.text).not.toContain(`<a href="/clients/${mine.id}" target`);
    expect((await t.db.client.findUniqueOrThrow({ where: { id: mine.id } })).name).toBe("Sparrowhawk Tooling");
    const again = formFields(warned.text);
    expect(again.updatedAt).toBe(fields.updatedAt);
    const confirmed = await manager.post(`/clients/${mine.id}`).type("form").send({ ...again, confirmDuplicates: "on" });
    expect(confirmed.status).toBe(302);
    expect((await t.db.client.findUniqueOrThrow({ where: { id: mine.id } })).name).toBe("Kestrel Aviation Partner");
    // Saving without touching name or email never stops for a warning.
    const plain = formFields((await manager.get(`/clients/${mine.id}/edit`)).text);
    expect((await manager.post(`/clients/${mine.id}`).type("form").send({ ...plain, city: "Perth" })).status).toBe(302);
  });
});

describe("optimistic concurrency", () => {
  it("a save based on a stale form is refused with 409, keeps what was typed and does not overwrite the stored row", async () => {
    const client = await makeClient(t.db, managerId, { name: "Concurrency Albatross Ltd", notes: "original notes" });
    const mine = formFields((await manager.get(`/clients/${client.id}/edit`)).text);
    const theirs = formFields((await admin.get(`/clients/${client.id}/edit`)).text);
    expect((await admin.post(`/clients/${client.id}`).type("form").send({ ...theirs, notes: "admin saved first", city: "Adminville" })).status).toBe(302);

    const res = await manager.post(`/clients/${client.id}`).type("form").send({ ...mine, notes: "manager typed this", city: "Managerburg" });
    expect(res.status).toBe(409);
    expect(res.text).toContain("Someone else saved this client while you were editing");
    expect(res.text).toContain("manager typed this</textarea>");
    expect(fieldBlock(res.text, "city")).toContain('value="Managerburg"');
    expect(res.text).toContain(`href="/clients/${client.id}"`);
    const row = await t.db.client.findUniqueOrThrow({ where: { id: client.id } });
    expect(row.notes).toBe("admin saved first");
    expect(row.city).toBe("Adminville");
    // No audit event for the refused save.
    expect(await t.db.auditEvent.count({ where: { action: "client.update", entityId: client.id, actorId: managerId } })).toBe(0);

    // The re-rendered form carries the current version: saving it again (deliberately) works.
    const retry = formFields(res.text);
    expect(retry.updatedAt).toBe(row.updatedAt.toISOString());
    expect((await manager.post(`/clients/${client.id}`).type("form").send(retry)).status).toBe(302);
    expect((await t.db.client.findUniqueOrThrow({ where: { id: client.id } })).notes).toBe("manager typed this");
  });
});

describe("client codes under concurrency", () => {
  it("20 parallel creates get 20 distinct, sequential CLT-YYYY-NNNN codes", async () => {
    const year = new Date().getUTCFullYear();
    const counter = await t.db.clientCodeCounter.findUnique({ where: { year } });
    const start = counter?.last ?? 0;
    const token = await csrfToken(manager, "/clients/new");
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        manager.post("/clients").type("form").send({ _csrf: token, name: `Parallel Create ${String(i).padStart(2, "0")} Gannet`, clientType: "organization", confirmDuplicates: "on" }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(302));
    const created = await t.db.client.findMany({ where: { name: { startsWith: "Parallel Create " } }, select: { id: true, clientCode: true } });
    expect(created).toHaveLength(20);
    const codes = created.map((c) => c.clientCode);
    for (const code of codes) expect(code).toMatch(new RegExp(`^CLT-${year}-\\d{4}$`));
    expect(new Set(codes).size).toBe(20);
    const numbers = codes.map((c) => Number(c.slice(-4))).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => start + 1 + i));
    // Each response went to its own new client.
    expect(new Set(responses.map((r) => r.headers.location)).size).toBe(20);
  });
});

describe("deleting", () => {
  it("is refused with the list of dependents, and allowed when there are none", async () => {
    const client = await makeClient(t.db, managerId, { name: "Dependent Beaver Works" });
    const contact = await t.db.contact.create({ data: { clientId: client.id, name: "Petra Dependent" } });
    const page = await admin.get(`/clients/${client.id}/delete`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("cannot be deleted while these records depend on it");
    expect(page.text).toMatch(/1 contacts?<\/strong>: Petra Dependent/);
    expect(page.text).not.toContain(`action="/clients/${client.id}/delete"`);

    const token = await csrfToken(admin, `/clients/${client.id}`);
    const refused = await admin.post(`/clients/${client.id}/delete`).type("form").send({ _csrf: token });
    expect(refused.status).toBe(302);
    expect(refused.headers.location).toBe(`/clients/${client.id}/delete`);
    const after = await admin.get(refused.headers.location!);
    expect(after.text).toContain("cannot be deleted while other records depend on it");
    expect(after.text).toContain("Petra Dependent");
    expect(await t.db.client.findUnique({ where: { id: client.id } })).not.toBeNull();
    expect(await t.db.auditEvent.count({ where: { action: "client.delete", entityId: client.id } })).toBe(0);

    await t.db.contact.delete({ where: { id: contact.id } });
    const confirm = await admin.get(`/clients/${client.id}/delete`);
    expect(confirm.text).toContain(`action="/clients/${client.id}/delete"`);
    const deleted = await postForm(admin, `/clients/${client.id}/delete`, `/clients/${client.id}/delete`, {});
    expect(deleted.status).toBe(302);
    expect(deleted.headers.location).toBe("/clients");
    expect((await admin.get("/clients")).text).toContain("Client Dependent Beaver Works deleted.");
    expect(await t.db.client.findUnique({ where: { id: client.id } })).toBeNull();
    expect((await admin.get(`/clients/${client.id}`)).status).toBe(404);
  });
});

describe("deactivating and reactivating", () => {
  it("requires a reason, then records it", async () => {
    const client = await makeClient(t.db, managerId, { name: "Reasonable Marten Co" });
    const page = `/clients/${client.id}`;
    for (const reason of ["", "   "]) {
      const res = await postForm(admin, page, `${page}/deactivate`, { reason });
      expect(res.status).toBe(302);
      expect((await admin.get(page)).text).toContain("To deactivate a client, give a reason.");
      expect((await t.db.client.findUniqueOrThrow({ where: { id: client.id } })).status).toBe("active");
    }
    const missing = await postForm(admin, page, `${page}/deactivate`, {});
    expect(missing.status).toBe(302);
    expect((await t.db.client.findUniqueOrThrow({ where: { id: client.id } })).status).toBe("active");

    expect((await postForm(admin, page, `${page}/deactivate`, { reason: "Practice closed" })).status).toBe(302);
    let row = await t.db.client.findUniqueOrThrow({ where: { id: client.id } });
    expect(row).toMatchObject({ status: "inactive", deactivationReason: "Practice closed", deactivatedById: adminId });
    expect(row.deactivatedAt).not.toBeNull();
    const shown = await admin.get(page);
    expect(shown.text).toContain("Practice closed");
    expect(shown.text).toContain(`action="${page}/reactivate"`);

    // Deactivating twice is refused with a message, not an error page.
    const twice = await postForm(admin, page, `${page}/deactivate`, { reason: "Again" });
    expect(twice.status).toBe(302);
    expect((await admin.get(page)).text).toContain("already inactive");

    expect((await postForm(admin, page, `${page}/reactivate`, { reason: "" })).status).toBe(302);
    expect((await admin.get(page)).text).toContain("To reactivate a client, give a reason.");
    expect((await t.db.client.findUniqueOrThrow({ where: { id: client.id } })).status).toBe("inactive");
    expect((await postForm(admin, page, `${page}/reactivate`, { reason: "Reopened" })).status).toBe(302);
    row = await t.db.client.findUniqueOrThrow({ where: { id: client.id } });
    expect(row).toMatchObject({ status: "active", deactivationReason: null, deactivatedAt: null });
  });

  it("the edit form cannot make a client inactive or bring it back", async () => {
    const client = await makeClient(t.db, managerId, { name: "Sneaky Status Weasel" });
    const fields = formFields((await admin.get(`/clients/${client.id}/edit`)).text);
    const res = await admin.post(`/clients/${client.id}`).type("form").send({ ...fields, status: "inactive" });
    expect(res.status).toBe(422);
    expect(fieldBlock(res.text, "status")).toMatch(/Use Deactivate/);
    expect((await t.db.client.findUniqueOrThrow({ where: { id: client.id } })).status).toBe("active");
    const created = await newClient({ name: "Born Inactive Newt", clientType: "organization", status: "inactive", confirmDuplicates: "on" });
    expect(created.status).toBe(422);
  });
});

describe("the list: keyset pages, sorting and filters", () => {
  let pagingCategory: string;
  const paging: { id: string; name: string; clientCode: string; status: string; lastContactAt: Date | null }[] = [];

  beforeAll(async () => {
    const cat = await t.db.clientCategory.create({ data: { name: "Paging fixtures" } });
    pagingCategory = cat.id;
    const statuses = ["active", "on_hold", "archived", "inactive"] as const;
    // Names in an order unrelated to the codes; three share one name (the id breaks the tie).
    for (let i = 0; i < 60; i++) {
      const n = (i * 37) % 60;
      const name = n >= 10 && n <= 12 ? "Paging Client 010" : `Paging Client ${String(n).padStart(3, "0")}`;
      const status = statuses[i % 4]!;
      const c = await makeClient(t.db, managerId, {
        name,
        categoryId: pagingCategory,
        status,
        ...(status === "inactive" ? { deactivatedAt: new Date(), deactivationReason: "fixture" } : {}),
        lastContactAt: i % 5 === 0 ? null : daysAgo((i * 7) % 40),
      });
      paging.push({ id: c.id, name: c.name, clientCode: c.clientCode, status: c.status, lastContactAt: c.lastContactAt });
    }
  });

  /** Follows "Next" from `start` to the end; returns the ids of each page and the last page's HTML. */
  async function walkForward(start: string) {
    const pages: string[][] = [];
    let path: string | undefined = start;
    let html = "";
    while (path) {
      const res = await manager.get(path);
      expect(res.status).toBe(200);
      html = res.text;
      pages.push(listedIds(html));
      path = pagerLink(html, "next");
      if (pages.length > 10) throw new Error("the pager does not end");
    }
    return { pages, html };
  }

  async function walkBack(html: string) {
    const pages: string[][] = [];
    let path = pagerLink(html, "prev");
    while (path) {
      const res = await manager.get(path);
      pages.unshift(listedIds(res.text));
      path = pagerLink(res.text, "prev");
      if (pages.length > 10) throw new Error("the pager does not end");
    }
    return pages;
  }

  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const STATUS_ORDER: string[] = ["active", "inactive", "on_hold", "archived"];
  const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : "0001-01-01");
  const orders: Record<string, (a: (typeof paging)[number], b: (typeof paging)[number]) => number> = {
    name: (a, b) => cmp(a.name, b.name) || cmp(a.id, b.id),
    code: (a, b) => cmp(a.clientCode, b.clientCode) || cmp(a.id, b.id),
    // Statuses in their declared order (active, inactive, on hold, archived), not alphabetically.
    status: (a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) || cmp(a.name, b.name) || cmp(a.id, b.id),
    lastContact: (a, b) => cmp(day(a.lastContactAt), day(b.lastContactAt)) || cmp(a.id, b.id),
  };
  const expected = (sort: string, dir: "asc" | "desc") => {
    const ids = [...paging].sort(orders[sort]).map((c) => c.id);
    return dir === "asc" ? ids : ids.reverse();
  };

  it("with 60 clients and perPage=25, following Next visits every client exactly once in name order, and Previous comes back", async () => {
    const first = await manager.get(`/clients?category=${pagingCategory}&perPage=25`);
    expect(pagerLink(first.text, "prev")).toBeUndefined();
    const { pages, html } = await walkForward(`/clients?category=${pagingCategory}&perPage=25`);
    expect(pages.map((p) => p.length)).toEqual([25, 25, 10]);
    const visited = pages.flat();
    expect(new Set(visited).size).toBe(60);
    expect(visited).toEqual(expected("name", "asc"));
    // Same order as the database gives for name, id.
    const db = await t.db.client.findMany({ where: { categoryId: pagingCategory }, orderBy: [{ name: "asc" }, { id: "asc" }], select: { id: true } });
    expect(visited).toEqual(db.map((c) => c.id));
    // The filter and the page size travel with the pager links.
    expect(decodeHtml(first.text)).toMatch(new RegExp(`rel="next" href="\\?[^"]*category=${pagingCategory}`));
    expect(decodeHtml(first.text)).toMatch(/rel="next" href="\?[^"]*perPage=25/);
    // Back from the last page: the same pages, in the same order, ending on the first page with no Previous.
    expect(await walkBack(html)).toEqual(pages.slice(0, 2));
  });

  for (const [sort, dir] of [["name", "desc"], ["code", "asc"], ["code", "desc"], ["status", "asc"], ["status", "desc"], ["lastContact", "desc"], ["lastContact", "asc"]] as const) {
    it(`sorts by ${sort} ${dir} across keyset pages, both ways`, async () => {
      const { pages, html } = await walkForward(`/clients?category=${pagingCategory}&perPage=25&sort=${sort}&dir=${dir}`);
      expect(pages.flat()).toEqual(expected(sort, dir));
      expect(await walkBack(html)).toEqual(pages.slice(0, -1));
    });
  }

  it("lastContact sorts newest first by default, and the column headers link to the sorts with the filters kept", async () => {
    const { pages } = await walkForward(`/clients?category=${pagingCategory}&perPage=25&sort=lastContact`);
    expect(pages.flat()).toEqual(expected("lastContact", "desc"));
    const page = decodeHtml((await manager.get(`/clients?category=${pagingCategory}&type=organization`)).text);
    for (const key of ["name", "code", "status", "lastContact"]) {
      const link = new RegExp(`<a href="\\?([^"]*sort=${key}[^"]*)"`).exec(page)?.[1];
      expect(link, key).toBeDefined();
      expect(link).toContain(`category=${pagingCategory}`);
      expect(link).toContain("type=organization");
    }
  });

  it("a mangled cursor starts from the first page rather than failing", async () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const first = listedIds((await manager.get(`/clients?category=${pagingCategory}&perPage=25`)).text);
    const tampered: [string, string][] = [
      ["name", "garbage"],
      ["name", b64(["x"])],
      ["name", b64([1, 2])],
      ["name", b64(["not-a-name", "not-a-uuid"])],
      ["name", b64(["nul\u0000name", randomUUID()])],
      ["name", b64(["lone \ud800 surrogate", randomUUID()])],
      ["code", b64(["CLT-1999-0001", "zz"])],
      ["status", b64(["active", "x", "nope"])],
      ["lastContact", b64(["2024-02-30", randomUUID()])],
      ["lastContact", b64(["yesterday", randomUUID()])],
      ["created", b64(["not a time", randomUUID()])],
      ["created", b64(["2024-13-01T00:00:00.000Z", randomUUID()])],
    ];
    for (const [sort, cursor] of tampered) {
      for (const key of ["after", "before"]) {
        const res = await manager.get(`/clients?category=${pagingCategory}&perPage=25&sort=${sort}&${key}=${cursor}`);
        expect(res.status, `${sort} ${key}=${cursor}`).toBe(200);
        if (sort === "name") expect(listedIds(res.text)).toEqual(first);
      }
    }
  });

  describe("filters", () => {
    let filterCategory: string;
    let otherCategory: string;
    const f = {} as Record<"urgent" | "warning" | "recent" | "never" | "elsewhere", string>;

    beforeAll(async () => {
      filterCategory = (await t.db.clientCategory.create({ data: { name: "Filter fixtures" } })).id;
      otherCategory = (await t.db.clientCategory.create({ data: { name: "Other fixtures" } })).id;
      f.urgent = (await makeClient(t.db, managerId, { name: "Filter Urgent Individual", clientType: "individual", categoryId: filterCategory, accountManagerId: alice.id, primaryPocId: bob.id, lastContactAt: daysAgo(100) })).id;
      f.warning = (await makeClient(t.db, managerId, { name: "Filter Warning Org", categoryId: filterCategory, status: "on_hold", accountManagerId: bob.id, secondaryPocId: alice.id, lastContactAt: daysAgo(70) })).id;
      f.recent = (await makeClient(t.db, managerId, { name: "Filter Recent Org", categoryId: filterCategory, lastContactAt: daysAgo(10) })).id;
      f.never = (await makeClient(t.db, managerId, { name: "Filter Never Individual", clientType: "individual", categoryId: filterCategory, status: "archived" })).id;
      f.elsewhere = (await makeClient(t.db, managerId, { name: "Filter Elsewhere Individual", clientType: "individual", categoryId: otherCategory, accountManagerId: alice.id, lastContactAt: daysAgo(100) })).id;
    });

    const cases: [string, () => string, () => string[]][] = [
      ["category", () => `category=${filterCategory}`, () => [f.urgent, f.warning, f.recent, f.never]],
      ["another category", () => `category=${otherCategory}`, () => [f.elsewhere]],
      ["type", () => `category=${filterCategory}&type=individual`, () => [f.urgent, f.never]],
      ["status", () => `category=${filterCategory}&status=on_hold`, () => [f.warning]],
      ["manager", () => `category=${filterCategory}&manager=${alice.id}`, () => [f.urgent]],
      ["manager across categories", () => `manager=${alice.id}`, () => [f.urgent, f.elsewhere]],
      ["poc (secondary)", () => `category=${filterCategory}&poc=${alice.id}`, () => [f.warning]],
      ["poc (primary)", () => `category=${filterCategory}&poc=${bob.id}`, () => [f.urgent]],
      ["attention urgent", () => `category=${filterCategory}&attention=urgent`, () => [f.urgent]],
      ["attention warning", () => `category=${filterCategory}&attention=warning`, () => [f.warning]],
      ["attention never", () => `category=${filterCategory}&attention=never`, () => [f.never]],
      ["type and attention together", () => `type=individual&attention=urgent`, () => [f.urgent, f.elsewhere]],
    ];

    for (const [title, query, ids] of cases) {
      it(`applies the ${title} filter from the URL`, async () => {
        const res = await manager.get(`/clients?${query()}`);
        expect(res.status).toBe(200);
        const listed = listedIds(res.text);
        expect([...listed].sort()).toEqual([...ids()].sort());
        expect(res.text).toMatch(new RegExp(`role="status">${ids().length} clients? match`));
      });
    }

    it("shows the applied filters in the form and keeps them in the status tabs", async () => {
      const res = await manager.get(`/clients?category=${filterCategory}&type=individual&attention=urgent&manager=${alice.id}&poc=${bob.id}`);
      expect(listedIds(res.text)).toEqual([f.urgent]);
      expect(res.text).toContain(`<option value="individual" selected>`);
      expect(res.text).toContain(`<option value="urgent" selected>`);
      expect(res.text).toContain(`<option value="${filterCategory}" selected>`);
      expect(res.text).toMatch(new RegExp(`<select id="manager"[\\s\\S]*?<option value="${alice.id}" selected>`));
      expect(res.text).toMatch(new RegExp(`<select id="poc"[\\s\\S]*?<option value="${bob.id}" selected>`));
      const tab = /<a href="\?([^"]*status=on_hold[^"]*)"/.exec(decodeHtml(res.text))?.[1];
      expect(tab).toContain("attention=urgent");
      expect(tab).toContain(`category=${filterCategory}`);
    });

    it("counts by status within the other filters", async () => {
      const res = await manager.get(`/clients?category=${filterCategory}`);
      expect(statusCount(res.text, "Active")).toBe(2);
      expect(statusCount(res.text, "On hold")).toBe(1);
      expect(statusCount(res.text, "Archived")).toBe(1);
      expect(statusCount(res.text, "Inactive")).toBe(0);
      const held = await manager.get(`/clients?category=${filterCategory}&status=on_hold`);
      expect(statusCount(held.text, "Active")).toBe(2);
    });

    it("ignores malformed filter values instead of failing", async () => {
      const res = await manager.get(`/clients?category=nope&manager=123&poc=%27&type=alien&status=gone&attention=soon&sort=drop&dir=sideways&perPage=9999&page=-1`);
      expect(res.status).toBe(200);
    });
  });
});
