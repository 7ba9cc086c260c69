// Administering client categories through the admin pages: who may, what is stored, what is audited.
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser, type UserOverrides } from "../helpers/factories.ts";
import { csrfToken, postForm, signedIn, type Agent } from "../helpers/http.ts";
import { createCategory } from "../../src/categories/service.ts";
import { ValidationError } from "../../src/errors.ts";
import type { Actor } from "../../src/access/roles.ts";

let t: TestApp;
let admin: Awaited<ReturnType<typeof makeUser>>;
let agent: Agent;

beforeAll(async () => {
  t = await createTestApp();
  admin = await makeUser(t.db, { role: "admin", name: "Ada Admin" });
  agent = await signedIn(t.app, admin.email);
});
afterAll(async () => t.close());

const tag = () => randomBytes(4).toString("hex");
const unescape = (s: string) => s.replaceAll("&amp;", "&").replaceAll("&#34;", '"').replaceAll("&#39;", "'").replaceAll("&lt;", "<").replaceAll("&gt;", ">");

let clientSeq = 0;
function makeClient(fields: { name?: string; categoryId?: string | null; isConfidential?: boolean } = {}) {
  clientSeq += 1;
  return t.db.client.create({
    data: { clientCode: `CLT-2026-${String(clientSeq).padStart(4, "0")}`, name: `Client ${tag()}`, createdById: admin.id, ...fields },
  });
}

function makeCategory(name = `Category ${tag()}`, color = "#336699") {
  return t.db.clientCategory.create({ data: { name, color } });
}

/** Everything a category route could change: categories, clients' categories and the audit log. */
async function snapshot() {
  const categories = await t.db.clientCategory.findMany({ orderBy: { id: "asc" } });
  const clients = await t.db.client.findMany({ orderBy: { id: "asc" }, select: { id: true, categoryId: true, updatedAt: true, updatedById: true } });
  const audit = await t.db.auditEvent.aggregate({ _count: { _all: true }, _max: { id: true } });
  return { categories, clients, auditCount: audit._count._all, lastAuditId: audit._max.id };
}

/** The rows of the categories table: name and the client-count link. */
function listedCategories(html: string) {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => ({
    name: unescape(/<a href="\/admin\/categories\/[0-9a-f-]{36}\/edit">([^<]*)<\/a>/.exec(row[1]!)?.[1] ?? ""),
    color: /data-color="([^"]*)"/.exec(row[1]!)?.[1],
    clients: /<a href="\/clients\?category=([0-9a-f-]{36})" data-client-count="(\d+)">/.exec(row[1]!)?.slice(1),
  }));
}

function fieldError(html: string, field: string): string | undefined {
  const m = new RegExp(`<p class="field-error" id="f-${field}-error">([^<]*)</p>`).exec(html);
  return m ? unescape(m[1]!) : undefined;
}

function hiddenUpdatedAt(html: string): string {
  const value = /name="updatedAt" value="([^"]*)"/.exec(html)?.[1];
  if (!value) throw new Error("no updatedAt on the form");
  return value;
}

const auditOf = (action: string, entityId: string) => t.db.auditEvent.findMany({ where: { action, entityId }, orderBy: { id: "asc" } });

describe("the categories list", () => {
  // First in the file: the database starts without categories.
  it("shows an empty state with a way to add the first category", async () => {
    const res = await agent.get("/admin/categories");
    expect(res.status).toBe(200);
    expect(res.text).toContain("No categories yet");
    expect(res.text).toContain('href="/admin/categories/new"');
  });

  it("is linked from the Admin group of the navigation", async () => {
    const home = await agent.get("/");
    expect(home.text).toContain('href="/admin/categories"');
    const list = await agent.get("/admin/categories");
    expect(list.text).toMatch(/<a href="\/admin\/categories" aria-current="page">Categories<\/a>/);
  });

  it("shows name, description, colour swatch and the number of clients, linked to the filtered client list", async () => {
    const k = tag();
    const used = await makeCategory(`Used ${k}`, "#1e40af");
    await t.db.clientCategory.update({ where: { id: used.id }, data: { description: "Clients in retail" } });
    const unused = await makeCategory(`Unused ${k}`, "#ff0000");
    const a = await makeClient({ name: `Alpha ${k}`, categoryId: used.id });
    await makeClient({ name: `Beta ${k}`, categoryId: used.id });

    const res = await agent.get("/admin/categories");
    expect(res.status).toBe(200);
    const rows = listedCategories(res.text);
    expect(rows.find((r) => r.name === `Used ${k}`)).toEqual({ name: `Used ${k}`, color: "#1e40af", clients: [used.id, "2"] });
    expect(rows.find((r) => r.name === `Unused ${k}`)).toEqual({ name: `Unused ${k}`, color: "#ff0000", clients: [unused.id, "0"] });
    expect(res.text).toContain('<span class="swatch" data-color="#1e40af"></span>');
    expect(res.text).toContain("Clients in retail");
    expect(res.text).toContain("2 clients");
    // Colours come through data attributes only: the CSP forbids inline styles.
    expect(res.text).not.toMatch(/style="/);

    const filtered = await agent.get(`/clients?category=${used.id}`);
    expect(filtered.status).toBe(200);
    expect(filtered.text).toContain(a.name);
  });

  it("counts only the clients the admin may see: restricted clients outside their team stay out of the count", async () => {
    const k = tag();
    const category = await makeCategory(`Counted ${k}`);
    await makeClient({ categoryId: category.id });
    await makeClient({ categoryId: category.id, isConfidential: true });
    const plain = listedCategories((await agent.get("/admin/categories")).text).find((r) => r.name === `Counted ${k}`);
    expect(plain?.clients).toEqual([category.id, "1"]);

    const seer = await makeUser(t.db, { role: "admin", viewConfidential: true });
    const seerAgent = await signedIn(t.app, seer.email);
    const all = listedCategories((await seerAgent.get("/admin/categories")).text).find((r) => r.name === `Counted ${k}`);
    expect(all?.clients).toEqual([category.id, "2"]);
  });

  it("escapes what admins typed", async () => {
    const category = await makeCategory(`<script>alert(1)</script> ${tag()}`);
    const res = await agent.get("/admin/categories");
    expect(res.text).not.toContain("<script>alert(1)</script>");
    expect(res.text).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(listedCategories(res.text).map((r) => r.name)).toContain(category.name);
  });
});

describe("creating a category", () => {
  it("stores the trimmed name, the description and the colour lower-cased, audits it and lists it", async () => {
    const k = tag();
    const res = await postForm(agent, "/admin/categories/new", "/admin/categories", { name: `  Retail ${k}  `, description: "Shops and chains", color: "#1E40AF" });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe("/admin/categories");
    const stored = await t.db.clientCategory.findFirstOrThrow({ where: { name: `Retail ${k}` } });
    expect(stored).toMatchObject({ description: "Shops and chains", color: "#1e40af" });

    const [event, ...more] = await auditOf("category.create", stored.id);
    expect(more).toEqual([]);
    expect(event).toMatchObject({ actorId: admin.id, entityType: "category" });
    expect(event!.changes).toEqual({
      name: { before: null, after: `Retail ${k}` },
      description: { before: null, after: "Shops and chains" },
      color: { before: null, after: "#1e40af" },
    });

    const list = await agent.get("/admin/categories");
    expect(list.text).toContain(`Category Retail ${k} created.`);
    expect(listedCategories(list.text).find((r) => r.name === `Retail ${k}`)).toEqual({ name: `Retail ${k}`, color: "#1e40af", clients: [stored.id, "0"] });
  });

  it("offers a colour picker with a default colour, and accepts a hex colour typed without # or in capitals", async () => {
    const form = await agent.get("/admin/categories/new");
    expect(form.status).toBe(200);
    expect(form.text).toMatch(/<input id="f-color" name="color" type="color" value="#64748b"/);

    const k = tag();
    const res = await postForm(agent, "/admin/categories/new", "/admin/categories", { name: `Typed ${k}`, color: "AbCdEf" });
    expect(res.status).toBe(302);
    expect((await t.db.clientCategory.findFirstOrThrow({ where: { name: `Typed ${k}` } })).color).toBe("#abcdef");

    const blank = await postForm(agent, "/admin/categories/new", "/admin/categories", { name: `Blank ${k}`, color: "" });
    expect(blank.status).toBe(302);
    expect((await t.db.clientCategory.findFirstOrThrow({ where: { name: `Blank ${k}` } })).color).toBe("#64748b");
  });

  it("refuses a name that exists in another case with 422, a clear message on the field and the typed values kept", async () => {
    const k = tag();
    await makeCategory(`Energy ${k}`);
    const before = await snapshot();
    const res = await postForm(agent, "/admin/categories/new", "/admin/categories", { name: `eNERGY ${k}`, description: "Typed <b>text</b>", color: "#00aa00" });
    expect(res.status).toBe(422);
    expect(fieldError(res.text, "name")).toBe(`A category called “Energy ${k}” already exists. Names are compared ignoring case.`);
    expect(res.text).toContain(`value="eNERGY ${k}"`);
    expect(res.text).toContain("Typed &lt;b&gt;text&lt;/b&gt;</textarea>");
    expect(res.text).toContain('value="#00aa00"');
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    { color: "blue", label: "a colour name" },
    { color: "#12345g", label: "a non-hex digit" },
    { color: "#fff", label: "the three-digit form" },
    { color: "#1234567", label: "seven digits" },
  ])("refuses $label as colour with a message on the field, keeping what was typed", async ({ color }) => {
    const before = await snapshot();
    const res = await postForm(agent, "/admin/categories/new", "/admin/categories", { name: `Colourful ${tag()}`, color });
    expect(res.status).toBe(422);
    expect(fieldError(res.text, "color")).toBe("Enter the colour as # followed by six hex digits, for example #1e40af.");
    // Shown as a text box, so the wrong value can be corrected rather than silently turned into black.
    expect(res.text).toContain(`name="color" type="text" value="${color}"`);
    expect(await snapshot()).toEqual(before);
  });

  it("requires a name and limits the description to 1000 characters", async () => {
    const before = await snapshot();
    const res = await postForm(agent, "/admin/categories/new", "/admin/categories", { name: "   ", description: "x".repeat(1001), color: "#000000" });
    expect(res.status).toBe(422);
    expect(fieldError(res.text, "name")).toBe("Name is required.");
    expect(fieldError(res.text, "description")).toBe("Description must be at most 1000 characters.");
    expect(await snapshot()).toEqual(before);

    const k = tag();
    const ok = await postForm(agent, "/admin/categories/new", "/admin/categories", { name: `Long ${k}`, description: "y".repeat(1000), color: "#000000" });
    expect(ok.status).toBe(302);
  });

  it("lets one of several simultaneous creates of the same name win; the others get the field message", async () => {
    const k = tag();
    const actor: Actor = { ...admin, context: {} };
    const names = [`Race ${k}`, `RACE ${k}`, `race ${k}`, `Race ${k.toUpperCase()}`, `rAcE ${k}`];
    const results = await Promise.allSettled(names.map((name) => createCategory(t.db, actor, { name, description: null, color: "#000000" })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((r) => r.status === "rejected")) {
      expect(r.reason).toBeInstanceOf(ValidationError);
      expect((r.reason as ValidationError).fields.name).toMatch(/already exists/);
    }
    const stored = await t.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM client_categories WHERE lower(name) = lower(${names[0]})`;
    expect(Number(stored[0]!.n)).toBe(1);
  });
});

describe("editing a category", () => {
  it("saves the changes and audits only the fields that changed", async () => {
    const k = tag();
    const category = await makeCategory(`Edit me ${k}`, "#111111");
    const form = await agent.get(`/admin/categories/${category.id}/edit`);
    expect(form.status).toBe(200);
    expect(form.text).toContain(`value="Edit me ${k}"`);
    expect(form.text).toContain('type="color" value="#111111"');
    const res = await postForm(agent, `/admin/categories/${category.id}/edit`, `/admin/categories/${category.id}`, {
      name: `Edited ${k}`,
      description: "",
      color: "#AA0000",
      updatedAt: hiddenUpdatedAt(form.text),
    });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe("/admin/categories");
    expect(await t.db.clientCategory.findUniqueOrThrow({ where: { id: category.id } })).toMatchObject({ name: `Edited ${k}`, description: null, color: "#aa0000" });
    const [event] = await auditOf("category.update", category.id);
    expect(event!.changes).toEqual({ name: { before: `Edit me ${k}`, after: `Edited ${k}` }, color: { before: "#111111", after: "#aa0000" } });
  });

  it("allows changing only the case of the category's own name, but not taking another's name", async () => {
    const k = tag();
    const own = await makeCategory(`Legal ${k}`);
    await makeCategory(`Tax ${k}`);
    const form = await agent.get(`/admin/categories/${own.id}/edit`);
    const recased = await postForm(agent, `/admin/categories/${own.id}/edit`, `/admin/categories/${own.id}`, { name: `LEGAL ${k}`, color: "#336699", updatedAt: hiddenUpdatedAt(form.text) });
    expect(recased.status).toBe(302);

    const again = await agent.get(`/admin/categories/${own.id}/edit`);
    const before = await snapshot();
    const taken = await postForm(agent, `/admin/categories/${own.id}/edit`, `/admin/categories/${own.id}`, { name: `tax ${k}`, color: "#336699", updatedAt: hiddenUpdatedAt(again.text) });
    expect(taken.status).toBe(422);
    expect(fieldError(taken.text, "name")).toBe(`A category called “Tax ${k}” already exists. Names are compared ignoring case.`);
    expect(taken.text).toContain(`value="tax ${k}"`);
    expect(await snapshot()).toEqual(before);
  });

  it("refuses to overwrite a change saved since the form was opened (409), keeps what was typed and shows what is saved", async () => {
    const k = tag();
    const category = await makeCategory(`Versioned ${k}`, "#222222");
    const form = await agent.get(`/admin/categories/${category.id}/edit`);
    const stale = hiddenUpdatedAt(form.text);
    await new Promise((r) => setTimeout(r, 5));
    await t.db.clientCategory.update({ where: { id: category.id }, data: { name: `Renamed elsewhere ${k}` } });
    const before = await snapshot();

    const res = await postForm(agent, `/admin/categories/${category.id}/edit`, `/admin/categories/${category.id}`, { name: `Mine ${k}`, description: "my text", color: "#333333", updatedAt: stale });
    expect(res.status).toBe(409);
    expect(res.text).toContain("Someone else changed this category while you were editing.");
    expect(res.text).toContain(`value="Mine ${k}"`);
    expect(res.text).toContain("my text</textarea>");
    expect(res.text).toContain(`Renamed elsewhere ${k}`);
    const fresh = hiddenUpdatedAt(res.text);
    expect(fresh).not.toBe(stale);
    expect(await snapshot()).toEqual(before);

    const second = await postForm(agent, `/admin/categories/${category.id}/edit`, `/admin/categories/${category.id}`, { name: `Mine ${k}`, description: "my text", color: "#333333", updatedAt: fresh });
    expect(second.status).toBe(302);
    expect((await t.db.clientCategory.findUniqueOrThrow({ where: { id: category.id } })).name).toBe(`Mine ${k}`);
  });
});

describe("deleting a category", () => {
  it("asks for confirmation, then deletes an unused category and audits what it held", async () => {
    const k = tag();
    const category = await makeCategory(`Unused ${k}`, "#444444");
    const page = await agent.get(`/admin/categories/${category.id}/delete`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`Delete Unused ${k}?`);
    expect(page.text).toContain("No client uses this category.");
    expect(page.text).not.toContain('name="moveTo"');
    expect(await t.db.clientCategory.count({ where: { id: category.id } })).toBe(1);

    const res = await postForm(agent, `/admin/categories/${category.id}/delete`, `/admin/categories/${category.id}/delete`, {});
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe("/admin/categories");
    expect(await t.db.clientCategory.count({ where: { id: category.id } })).toBe(0);
    const [event] = await auditOf("category.delete", category.id);
    expect(event).toMatchObject({ actorId: admin.id, entityType: "category" });
    expect(event!.changes).toEqual({
      name: { before: `Unused ${k}`, after: null },
      color: { before: "#444444", after: null },
      clientsMoved: { before: null, after: 0 },
    });
    expect((await agent.get("/admin/categories")).text).toContain(`Category Unused ${k} deleted.`);
  });

  it("refuses to delete a category in use without a target, saying how many clients use it, and changes nothing", async () => {
    const k = tag();
    const category = await makeCategory(`Busy ${k}`);
    const other = await makeCategory(`Other ${k}`);
    for (let i = 0; i < 3; i++) await makeClient({ categoryId: category.id });

    const page = await agent.get(`/admin/categories/${category.id}/delete`);
    expect(page.text).toMatch(/This category is used by <a href="\/clients\?category=[0-9a-f-]{36}"><strong>3 clients<\/strong><\/a>\./);
    expect(page.text).toContain('<option value="none" >No category</option>');
    expect(page.text).toContain(`<option value="${other.id}" >Other ${k}</option>`);
    expect(page.text).not.toContain(`<option value="${category.id}"`);

    const before = await snapshot();
    for (const body of [{}, { moveTo: "" }] as Record<string, string>[]) {
      const res = await postForm(agent, `/admin/categories/${category.id}/delete`, `/admin/categories/${category.id}/delete`, body);
      expect(res.status).toBe(409);
      expect(fieldError(res.text, "moveTo")).toBe("This category is used by 3 clients. Choose a category to move them to, or “No category”, to delete it.");
    }
    expect(await snapshot()).toEqual(before);
  });

  it("moves every client (restricted ones too) to the chosen category and deletes the category in one audited step", async () => {
    const k = tag();
    const doomed = await makeCategory(`Doomed ${k}`, "#555555");
    const target = await makeCategory(`Target ${k}`);
    const moving = [await makeClient({ categoryId: doomed.id }), await makeClient({ categoryId: doomed.id }), await makeClient({ categoryId: doomed.id, isConfidential: true })];
    const staying = await makeClient({ categoryId: target.id });
    const bystander = await makeClient({ categoryId: null });

    // The admin cannot see the restricted client: the count leaves it out, but says such clients exist.
    const page = await agent.get(`/admin/categories/${doomed.id}/delete`);
    expect(page.text).toMatch(/<strong>2 clients<\/strong><\/a> and by restricted clients you cannot see\./);
    const refused = await postForm(agent, `/admin/categories/${doomed.id}/delete`, `/admin/categories/${doomed.id}/delete`, {});
    expect(refused.status).toBe(409);
    expect(fieldError(refused.text, "moveTo")).toBe("This category is used by 2 clients and by restricted clients you cannot see. Choose a category to move them to, or “No category”, to delete it.");

    const res = await postForm(agent, `/admin/categories/${doomed.id}/delete`, `/admin/categories/${doomed.id}/delete`, { moveTo: target.id });
    expect(res.status).toBe(302);
    expect(await t.db.clientCategory.count({ where: { id: doomed.id } })).toBe(0);
    const after = await t.db.client.findMany({ where: { id: { in: [...moving, staying, bystander].map((c) => c.id) } } });
    for (const c of moving) expect(after.find((a) => a.id === c.id)).toMatchObject({ categoryId: target.id, updatedById: admin.id });
    expect(after.find((a) => a.id === staying.id)).toMatchObject({ categoryId: target.id, updatedById: null });
    expect(after.find((a) => a.id === bystander.id)).toMatchObject({ categoryId: null, updatedById: null });

    const [event, ...more] = await auditOf("category.delete", doomed.id);
    expect(more).toEqual([]);
    expect(event!.changes).toEqual({
      name: { before: `Doomed ${k}`, after: null },
      color: { before: "#555555", after: null },
      clientsMoved: { before: null, after: 3 },
      movedTo: { before: { id: doomed.id, name: `Doomed ${k}` }, after: { id: target.id, name: `Target ${k}` } },
      movedClientIds: { before: null, after: moving.map((c) => c.id).sort() },
    });
    expect((await agent.get("/admin/categories")).text).toContain(`Category Doomed ${k} deleted; 3 clients were moved to Target ${k}.`);
  });

  it("can leave the clients without a category", async () => {
    const k = tag();
    const doomed = await makeCategory(`Dropped ${k}`);
    const client = await makeClient({ categoryId: doomed.id });
    const res = await postForm(agent, `/admin/categories/${doomed.id}/delete`, `/admin/categories/${doomed.id}/delete`, { moveTo: "none" });
    expect(res.status).toBe(302);
    expect(await t.db.clientCategory.count({ where: { id: doomed.id } })).toBe(0);
    expect((await t.db.client.findUniqueOrThrow({ where: { id: client.id } })).categoryId).toBeNull();
    const [event] = await auditOf("category.delete", doomed.id);
    expect(event!.changes).toMatchObject({ clientsMoved: { before: null, after: 1 }, movedTo: { after: null }, movedClientIds: { after: [client.id] } });
  });

  it.each([
    { label: "the category itself", moveTo: () => "self", message: "Choose another category: this is the one being deleted." },
    { label: "a category that does not exist", moveTo: () => randomUUID(), message: "That category no longer exists. Choose another one." },
    { label: "something that is not a category id", moveTo: () => "xyz", message: "Choose a category from the list, or “No category”." },
  ])("refuses to move the clients to $label (422) and changes nothing", async ({ moveTo, message }) => {
    const category = await makeCategory();
    await makeClient({ categoryId: category.id });
    const before = await snapshot();
    const target = moveTo() === "self" ? category.id : moveTo();
    const res = await postForm(agent, `/admin/categories/${category.id}/delete`, `/admin/categories/${category.id}/delete`, { moveTo: target });
    expect(res.status).toBe(422);
    expect(fieldError(res.text, "moveTo")).toBe(message);
    expect(await snapshot()).toEqual(before);
  });

  it("moves nothing when the deletion fails after the move: the move and the delete are one transaction", async () => {
    const k = tag();
    const doomed = await makeCategory(`Undeletable ${k}`);
    const target = await makeCategory(`Safe ${k}`);
    const clients = [await makeClient({ categoryId: doomed.id }), await makeClient({ categoryId: doomed.id })];
    // A test-only trigger makes the final DELETE fail, after the clients' UPDATE has run in the same transaction.
    await t.db.$executeRawUnsafe(`CREATE FUNCTION refuse_category_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused for the test'; END $$`);
    await t.db.$executeRawUnsafe(`CREATE TRIGGER refuse_category_delete BEFORE DELETE ON client_categories FOR EACH ROW WHEN (OLD.id = '${doomed.id}') EXECUTE FUNCTION refuse_category_delete()`);
    try {
      const before = await snapshot();
      const res = await postForm(agent, `/admin/categories/${doomed.id}/delete`, `/admin/categories/${doomed.id}/delete`, { moveTo: target.id });
      expect(res.status).toBe(500);
      expect(await snapshot()).toEqual(before);
      const stored = await t.db.client.findMany({ where: { id: { in: clients.map((c) => c.id) } } });
      expect(stored.map((c) => c.categoryId)).toEqual([doomed.id, doomed.id]);
    } finally {
      await t.db.$executeRawUnsafe(`DROP TRIGGER refuse_category_delete ON client_categories`);
      await t.db.$executeRawUnsafe(`DROP FUNCTION refuse_category_delete()`);
    }
  });
});

describe.each([
  { label: "a random UUID", id: randomUUID() },
  { label: '"abc"', id: "abc" },
  { label: '"1"', id: "1" },
  { label: "a UUID with trailing junk", id: `${randomUUID()}x` },
])("an admin asking for category $label", ({ id }) => {
  it.each(["/edit", "/delete", ""])("gets 404 on GET /admin/categories/:id%s", async (suffix) => {
    const res = await agent.get(`/admin/categories/${id}${suffix}`);
    expect(res.status).toBe(404);
    expect(res.text).toContain("Page not found");
  });

  it.each([
    { route: "POST /admin/categories/:id", action: "", body: { name: `Nobody ${tag()}`, color: "#000000" } },
    { route: "POST /admin/categories/:id/delete", action: "/delete", body: {} },
    { route: "POST /admin/categories/:id/delete with a target", action: "/delete", body: { moveTo: "none" } },
    { route: "POST /admin/categories/:id/delete with a bad target", action: "/delete", body: { moveTo: "bad" } },
  ])("gets 404 on $route and nothing is written", async ({ action, body }) => {
    const before = await snapshot();
    const token = await csrfToken(agent, "/");
    const res = await agent
      .post(`/admin/categories/${id}${action}`)
      .type("form")
      .send({ _csrf: token, ...body });
    expect(res.status).toBe(404);
    expect(res.text).toContain("Page not found");
    expect(await snapshot()).toEqual(before);
  });
});

const NON_ADMINS: { label: string; overrides: UserOverrides }[] = [
  { label: "staff member", overrides: { role: "staff" } },
  { label: "staff member with every flag", overrides: { role: "staff", relationshipTeam: true, legalTeam: true, viewConfidential: true } },
  { label: "manager", overrides: { role: "manager" } },
  { label: "manager with every flag", overrides: { role: "manager", relationshipTeam: true, legalTeam: true, viewConfidential: true } },
];

describe.each(NON_ADMINS)("a $label", ({ overrides }) => {
  let user: Agent;
  let token: string;
  let category: Awaited<ReturnType<typeof makeCategory>>;
  let target: Awaited<ReturnType<typeof makeCategory>>;
  beforeAll(async () => {
    category = await makeCategory(`Guarded ${tag()}`);
    target = await makeCategory(`Guarded target ${tag()}`);
    await makeClient({ categoryId: category.id });
    const u = await makeUser(t.db, overrides);
    user = await signedIn(t.app, u.email);
    token = await csrfToken(user, "/");
  });

  const routes: { name: string; method: "GET" | "POST"; path: () => string; body?: () => Record<string, string> }[] = [
    { name: "GET /admin/categories", method: "GET", path: () => "/admin/categories" },
    { name: "GET /admin/categories/new", method: "GET", path: () => "/admin/categories/new" },
    { name: "GET /admin/categories/:id/edit", method: "GET", path: () => `/admin/categories/${category.id}/edit` },
    { name: "GET /admin/categories/:id/delete", method: "GET", path: () => `/admin/categories/${category.id}/delete` },
    { name: "POST /admin/categories", method: "POST", path: () => "/admin/categories", body: () => ({ name: `Sneaky ${tag()}`, color: "#000000" }) },
    {
      name: "POST /admin/categories/:id",
      method: "POST",
      path: () => `/admin/categories/${category.id}`,
      body: () => ({ name: "Renamed by someone", color: "#000000", updatedAt: category.updatedAt.toISOString() }),
    },
    { name: "POST /admin/categories/:id/delete", method: "POST", path: () => `/admin/categories/${category.id}/delete`, body: () => ({ moveTo: target.id }) },
    { name: "POST /admin/categories/:id/delete (no category)", method: "POST", path: () => `/admin/categories/${category.id}/delete`, body: () => ({ moveTo: "none" }) },
  ];

  it.each(routes)("is refused $name with 403, sees nothing of the category and changes nothing", async (route) => {
    const before = await snapshot();
    const res = route.method === "GET" ? await user.get(route.path()) : await user.post(route.path()).type("form").send({ _csrf: token, ...route.body!() });
    expect(res.status).toBe(403);
    // The permission refused it, not the CSRF check.
    expect(res.text).toContain("This page is for administrators.");
    expect(res.text).not.toContain(category.name);
    expect(await snapshot()).toEqual(before);
  });

  it("has no Categories link in the navigation", async () => {
    const home = await user.get("/");
    expect(home.status).toBe(200);
    expect(home.text).not.toContain('href="/admin/categories"');
  });
});
