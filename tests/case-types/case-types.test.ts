// Administering case types through the admin pages: who may, what is stored, what is audited, what is refused.
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { postForm, signedIn, type Agent } from "../helpers/http.ts";
import { decodeHtml, mainContent } from "../clients/support.ts";
import { makeCaseType, makeClient, makeTemplate, openCase } from "../cases/support.ts";
import { fieldError, inputValue, isChecked, selectedOption } from "./support.ts";

let t: TestApp;
let admin: Awaited<ReturnType<typeof makeUser>>;
let agent: Agent;

beforeAll(async () => {
  t = await createTestApp();
  admin = await makeUser(t.db, { role: "admin" });
  agent = await signedIn(t.app, admin.email);
});
afterAll(async () => t.close());

const tag = () => randomBytes(3).toString("hex").toUpperCase();

function typeFields(fields: Record<string, string> = {}): Record<string, string> {
  const code = `T${tag()}`;
  return { name: `Type ${code}`, code, description: "", parentId: "", defaultBillingMethod: "", active: "on", ...fields };
}

async function createThroughForm(fields: Record<string, string>) {
  const res = await postForm(agent, "/admin/case-types/new", "/admin/case-types", fields);
  expect(res.status, res.text.slice(0, 300)).toBe(302);
  const id = /\/admin\/case-types\/([0-9a-f-]{36})$/.exec(res.headers.location ?? "")?.[1];
  if (!id) throw new Error(`unexpected redirect ${res.headers.location}`);
  return { id, location: res.headers.location! };
}

const auditOf = (action: string, entityId: string) => t.db.auditEvent.findMany({ where: { action, entityId }, orderBy: { id: "asc" } });

/** The rows of the types list: name, depth and id, in page order. */
function listedTypes(html: string) {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
  return [...body.matchAll(/<tr data-type-id="([0-9a-f-]{36})" data-depth="(\d+)"[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => ({
    id: m[1]!,
    depth: Number(m[2]),
    name: decodeHtml(/<a href="\/admin\/case-types\/[0-9a-f-]{36}">([^<]*)<\/a>/.exec(m[3]!)?.[1] ?? ""),
    html: m[3]!,
  }));
}

describe("the case types list", () => {
  // First in the file: the database starts without case types.
  it("shows an empty state with a way to add the first type", async () => {
    const res = await agent.get("/admin/case-types");
    expect(res.status).toBe(200);
    expect(res.text).toContain("No case types yet");
    expect(res.text).toContain('href="/admin/case-types/new"');
  });

  it("lists children indented under their parent, siblings by name, with code, flags, default template, status and case count", async () => {
    const parent = await t.db.caseType.create({ data: { name: "Litigation", code: `LIT${tag()}`, requiresLegalReview: true } });
    const childB = await t.db.caseType.create({ data: { name: "Litigation — Employment", code: `EMP${tag()}`, parentId: parent.id, requiresComplianceReview: true, active: false } });
    const childA = await t.db.caseType.create({ data: { name: "Litigation — Contract", code: `CON${tag()}`, parentId: parent.id } });
    const grandchild = await t.db.caseType.create({ data: { name: "Appeals", code: `APP${tag()}`, parentId: childA.id } });
    const other = await t.db.caseType.create({ data: { name: "Advisory", code: `ADV${tag()}` } });
    const template = await makeTemplate(t.db, parent.id, [{ name: "Intake" }], { name: "Litigation workflow" });
    await t.db.caseType.update({ where: { id: parent.id }, data: { defaultTemplateId: template.id } });
    const client = await makeClient(t.db, admin.id);
    await openCase(t.db, admin, { clientId: client.id, typeId: parent.id });
    await openCase(t.db, admin, { clientId: client.id, typeId: parent.id });

    const res = await agent.get("/admin/case-types");
    const rows = listedTypes(res.text).filter((r) => [parent.id, childA.id, childB.id, grandchild.id, other.id].includes(r.id));
    expect(rows.map((r) => [r.name, r.depth])).toEqual([
      ["Advisory", 0],
      ["Litigation", 0],
      ["Litigation — Contract", 1],
      ["Appeals", 2],
      ["Litigation — Employment", 1],
    ]);
    const lit = rows.find((r) => r.id === parent.id)!.html;
    expect(lit).toContain(parent.code);
    expect(lit).toContain("Requires legal review");
    expect(lit).not.toContain("Requires compliance review");
    expect(lit).toContain("Litigation workflow");
    expect(lit).toContain('data-case-count="2"');
    const emp = rows.find((r) => r.id === childB.id)!.html;
    expect(emp).toContain("Requires compliance review");
    expect(emp).toContain("Inactive");
  });

  it("links to the templates admin and from the type page to its templates, with a way to add one for this type", async () => {
    const list = await agent.get("/admin/case-types");
    expect(list.text).toContain('href="/admin/case-templates"');
    const { type } = await makeCaseType(t.db, { stages: [{ name: "Intake" }] });
    const page = await agent.get(`/admin/case-types/${type.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`href="/admin/case-templates/new?type=${type.id}"`);
    expect(page.text).toContain("New template for this type");
    expect(page.text).toContain(`href="/admin/case-templates/${type.defaultTemplateId}/edit"`);
    const newTemplate = await agent.get(`/admin/case-templates/new?type=${type.id}`);
    expect(selectedOption(newTemplate.text, "caseTypeId")).toBe(type.id);
  });
});

describe("creating a case type", () => {
  it("stores every field, audits it and says so", async () => {
    const parent = await t.db.caseType.create({ data: { name: `Parent ${tag()}`, code: `P${tag()}` } });
    const form = await agent.get("/admin/case-types/new");
    expect(form.text).toContain("A new type has no templates yet");
    expect(form.text).not.toContain('name="defaultTemplateId"');
    const { id, location } = await createThroughForm(
      typeFields({ name: "Regulatory inquiry", code: "reg-inq", description: "Regulator letters", parentId: parent.id, requiresLegalReview: "on", requiresComplianceReview: "on", defaultBillingMethod: "fixed_fee" }),
    );
    const stored = await t.db.caseType.findUniqueOrThrow({ where: { id } });
    expect(stored).toMatchObject({ name: "Regulatory inquiry", code: "reg-inq", description: "Regulator letters", parentId: parent.id, requiresLegalReview: true, requiresComplianceReview: true, defaultBillingMethod: "fixed_fee", defaultTemplateId: null, active: true });
    const page = await agent.get(location);
    expect(page.text).toContain("Case type Regulatory inquiry created.");
    const [event] = await auditOf("case_type.create", id);
    expect(event).toMatchObject({ actorId: admin.id, entityType: "case_type" });
    expect((event!.changes as Record<string, { after: unknown }>).code!.after).toBe("reg-inq");
  });

  it("creates an inactive type when Active is left unticked", async () => {
    const { active: _active, ...fields } = typeFields();
    const { id } = await createThroughForm(fields);
    expect((await t.db.caseType.findUniqueOrThrow({ where: { id } })).active).toBe(false);
  });

  it("shows messages next to the fields and keeps what was typed", async () => {
    const res = await postForm(agent, "/admin/case-types/new", "/admin/case-types", typeFields({ name: "  ", code: "bad code!", description: "Kept description", defaultBillingMethod: "barter", requiresLegalReview: "on" }));
    expect(res.status).toBe(422);
    expect(fieldError(res.text, "name")).toBe("Name is required.");
    expect(fieldError(res.text, "code")).toMatch(/letters, digits/);
    expect(fieldError(res.text, "defaultBillingMethod")).toBe("Choose a valid billing method.");
    expect(inputValue(res.text, "code")).toBe("bad code!");
    expect(res.text).toContain("Kept description");
    expect(isChecked(res.text, "requiresLegalReview")).toBe(true);
    expect(isChecked(res.text, "requiresComplianceReview")).toBe(false);
  });

  it("refuses a code already used by another type, in any case, naming that type next to the field", async () => {
    const code = `Dup${tag()}`;
    await t.db.caseType.create({ data: { name: "Original owner", code } });
    const before = await t.db.caseType.count();
    const res = await postForm(agent, "/admin/case-types/new", "/admin/case-types", typeFields({ name: "Copycat", code: code.toLowerCase() }));
    expect(res.status).toBe(422);
    expect(fieldError(res.text, "code")).toBe("That code is already used by Original owner. Codes are compared ignoring case.");
    expect(inputValue(res.text, "name")).toBe("Copycat");
    expect(await t.db.caseType.count()).toBe(before);
    const upper = await postForm(agent, "/admin/case-types/new", "/admin/case-types", typeFields({ code: ` ${code.toUpperCase()} ` }));
    expect(upper.status).toBe(422);
  });

  it("holds unique codes in the database too (an index on lower(code))", async () => {
    const code = `Idx${tag()}`;
    await t.db.caseType.create({ data: { name: "First", code } });
    await expect(t.db.caseType.create({ data: { name: "Second", code: code.toLowerCase() } })).rejects.toThrow();
  });
});

describe("editing a case type", () => {
  it("saves the changes and audits only the fields that changed", async () => {
    const { type } = await makeCaseType(t.db, { name: "Before name" });
    const form = await agent.get(`/admin/case-types/${type.id}/edit`);
    expect(inputValue(form.text, "name")).toBe("Before name");
    const res = await postForm(agent, `/admin/case-types/${type.id}/edit`, `/admin/case-types/${type.id}`, typeFields({ name: "After name", code: type.code, requiresLegalReview: "on", defaultBillingMethod: "hourly" }));
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`/admin/case-types/${type.id}`);
    const stored = await t.db.caseType.findUniqueOrThrow({ where: { id: type.id } });
    expect(stored).toMatchObject({ name: "After name", requiresLegalReview: true, defaultBillingMethod: "hourly", code: type.code });
    const [event] = await auditOf("case_type.update", type.id);
    expect(Object.keys(event!.changes as object).sort()).toEqual(["defaultBillingMethod", "name", "requiresLegalReview"]);
    expect((await agent.get(res.headers.location!)).text).toContain("Case type After name saved.");
  });

  it("may keep its own code with another letter case", async () => {
    const { type } = await makeCaseType(t.db);
    const res = await postForm(agent, `/admin/case-types/${type.id}/edit`, `/admin/case-types/${type.id}`, typeFields({ name: type.name, code: type.code.toLowerCase() }));
    expect(res.status).toBe(302);
    expect((await t.db.caseType.findUniqueOrThrow({ where: { id: type.id } })).code).toBe(type.code.toLowerCase());
  });

  it("refuses another type's code, naming it", async () => {
    const { type: a } = await makeCaseType(t.db, { name: "Holder of the code" });
    const { type: b } = await makeCaseType(t.db);
    const res = await postForm(agent, `/admin/case-types/${b.id}/edit`, `/admin/case-types/${b.id}`, typeFields({ name: b.name, code: a.code.toLowerCase() }));
    expect(res.status).toBe(422);
    expect(fieldError(res.text, "code")).toContain("That code is already used by Holder of the code");
    expect((await t.db.caseType.findUniqueOrThrow({ where: { id: b.id } })).code).toBe(b.code);
  });

  it("refuses a parent that is the type itself or one below it (a cycle), and never offers those", async () => {
    const { type: top } = await makeCaseType(t.db, { name: "Top" });
    const { type: middle } = await makeCaseType(t.db, { name: "Middle", parentId: top.id });
    const { type: bottom } = await makeCaseType(t.db, { name: "Bottom", parentId: middle.id });
    const form = await agent.get(`/admin/case-types/${top.id}/edit`);
    const parentSelect = /<select id="f-parentId"[\s\S]*?<\/select>/.exec(form.text)![0];
    expect(parentSelect).not.toContain(`value="${top.id}"`);
    expect(parentSelect).not.toContain(`value="${bottom.id}"`);

    const cycle = await postForm(agent, `/admin/case-types/${top.id}/edit`, `/admin/case-types/${top.id}`, typeFields({ name: top.name, code: top.code, parentId: bottom.id }));
    expect(cycle.status).toBe(422);
    expect(fieldError(cycle.text, "parentId")).toBe("Bottom is below this type in the hierarchy: choosing it as the parent would make a cycle.");
    const self = await postForm(agent, `/admin/case-types/${top.id}/edit`, `/admin/case-types/${top.id}`, typeFields({ name: top.name, code: top.code, parentId: top.id }));
    expect(self.status).toBe(422);
    expect(fieldError(self.text, "parentId")).toBe("A type cannot be its own parent.");
    expect((await t.db.caseType.findUniqueOrThrow({ where: { id: top.id } })).parentId).toBeNull();

    const moved = await postForm(agent, `/admin/case-types/${bottom.id}/edit`, `/admin/case-types/${bottom.id}`, typeFields({ name: bottom.name, code: bottom.code, parentId: top.id }));
    expect(moved.status).toBe(302);
    expect((await t.db.caseType.findUniqueOrThrow({ where: { id: bottom.id } })).parentId).toBe(top.id);
  });

  it("offers and accepts as default template only active templates of this type", async () => {
    const { type } = await makeCaseType(t.db);
    const { type: otherType } = await makeCaseType(t.db);
    const own = await makeTemplate(t.db, type.id, [{ name: "Intake" }], { name: "Own active" });
    const retired = await makeTemplate(t.db, type.id, [{ name: "Intake" }], { name: "Own retired", active: false });
    const foreign = await makeTemplate(t.db, otherType.id, [{ name: "Intake" }], { name: "Foreign" });
    const form = await agent.get(`/admin/case-types/${type.id}/edit`);
    const select = /<select id="f-defaultTemplateId"[\s\S]*?<\/select>/.exec(form.text)![0];
    expect(select).toContain(`value="${own.id}"`);
    expect(select).not.toContain(`value="${retired.id}"`);
    expect(select).not.toContain(`value="${foreign.id}"`);

    for (const bad of [retired.id, foreign.id, randomUUID()]) {
      const res = await postForm(agent, `/admin/case-types/${type.id}/edit`, `/admin/case-types/${type.id}`, typeFields({ name: type.name, code: type.code, defaultTemplateId: bad }));
      expect(res.status).toBe(422);
      expect(fieldError(res.text, "defaultTemplateId")).toBe("Choose an active template of this type.");
    }
    const ok = await postForm(agent, `/admin/case-types/${type.id}/edit`, `/admin/case-types/${type.id}`, typeFields({ name: type.name, code: type.code, defaultTemplateId: own.id }));
    expect(ok.status).toBe(302);
    expect((await t.db.caseType.findUniqueOrThrow({ where: { id: type.id } })).defaultTemplateId).toBe(own.id);
  });

  it("explains how to get a default template when the type has none", async () => {
    const { type } = await makeCaseType(t.db);
    const form = await agent.get(`/admin/case-types/${type.id}/edit`);
    expect(form.text).toContain("This type has no active template.");
    expect(form.text).toContain(`href="/admin/case-templates/new?type=${type.id}"`);
  });

  it("answers 404 for an unknown type", async () => {
    expect((await agent.get(`/admin/case-types/${randomUUID()}/edit`)).status).toBe(404);
    expect((await agent.get("/admin/case-types/not-a-uuid")).status).toBe(404);
  });
});

describe("deactivating and reactivating a case type", () => {
  it("flips the active flag, audits it, and an inactive type cannot take new cases", async () => {
    const { type } = await makeCaseType(t.db);
    const client = await makeClient(t.db, admin.id);
    const res = await postForm(agent, `/admin/case-types/${type.id}`, `/admin/case-types/${type.id}/deactivate`, {});
    expect(res.status).toBe(302);
    expect((await agent.get(res.headers.location!)).text).toContain("no longer offered for new cases");
    expect((await t.db.caseType.findUniqueOrThrow({ where: { id: type.id } })).active).toBe(false);
    expect(await auditOf("case_type.deactivate", type.id)).toHaveLength(1);
    await expect(openCase(t.db, admin, { clientId: client.id, typeId: type.id })).rejects.toThrow();

    const back = await postForm(agent, `/admin/case-types/${type.id}`, `/admin/case-types/${type.id}/reactivate`, {});
    expect(back.status).toBe(302);
    expect((await t.db.caseType.findUniqueOrThrow({ where: { id: type.id } })).active).toBe(true);
    expect(await auditOf("case_type.reactivate", type.id)).toHaveLength(1);
    await openCase(t.db, admin, { clientId: client.id, typeId: type.id });
  });
});

describe("deleting a case type", () => {
  it("asks for confirmation, then deletes an unused type and audits it", async () => {
    const { type } = await makeCaseType(t.db, { name: "Short lived" });
    const confirm = await agent.get(`/admin/case-types/${type.id}/delete`);
    expect(confirm.status).toBe(200);
    expect(mainContent(confirm.text)).toContain("Delete Short lived?");
    expect(confirm.text).toContain("Delete case type");
    expect(await t.db.caseType.count({ where: { id: type.id } })).toBe(1);
    const res = await postForm(agent, `/admin/case-types/${type.id}/delete`, `/admin/case-types/${type.id}/delete`, {});
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe("/admin/case-types");
    expect((await agent.get("/admin/case-types")).text).toContain("Case type Short lived deleted.");
    expect(await t.db.caseType.count({ where: { id: type.id } })).toBe(0);
    expect(await auditOf("case_type.delete", type.id)).toHaveLength(1);
  });

  it("refuses while a case, a template or a child type uses it, listing them", async () => {
    const { type } = await makeCaseType(t.db, { name: "Busy type", stages: [{ name: "Intake" }] });
    await t.db.caseTemplate.update({ where: { id: type.defaultTemplateId! }, data: { name: "Busy workflow" } });
    await makeCaseType(t.db, { name: "Busy child", parentId: type.id });
    const client = await makeClient(t.db, admin.id);
    await openCase(t.db, admin, { clientId: client.id, typeId: type.id });

    const confirm = await agent.get(`/admin/case-types/${type.id}/delete`);
    expect(confirm.text).toContain("cannot be deleted while something uses it");
    expect(confirm.text).toContain("1 case");
    expect(confirm.text).toContain("Busy workflow");
    expect(confirm.text).toContain("Busy child");
    expect(confirm.text).not.toContain("Delete case type</button>");

    const res = await postForm(agent, `/admin/case-types/${type.id}/delete`, `/admin/case-types/${type.id}/delete`, {});
    expect(res.status).toBe(409);
    expect(decodeHtml(res.text)).toContain("Busy type cannot be deleted: it is used by 1 case, 1 template (Busy workflow), 1 child type (Busy child).");
    expect(await t.db.caseType.count({ where: { id: type.id } })).toBe(1);
    expect(await auditOf("case_type.delete", type.id)).toHaveLength(0);
  });

  it("refuses while only a child type depends on it", async () => {
    const { type } = await makeCaseType(t.db, { name: "Parent only" });
    await makeCaseType(t.db, { name: "Lonely child", parentId: type.id });
    const res = await postForm(agent, `/admin/case-types/${type.id}/delete`, `/admin/case-types/${type.id}/delete`, {});
    expect(res.status).toBe(409);
    expect(decodeHtml(res.text)).toContain("1 child type (Lonely child)");
  });
});

describe("who may administer case types and templates", () => {
  it("answers 403 to staff and managers on every route, reading or writing, and changes nothing", async () => {
    const { type, template } = await makeCaseType(t.db, { name: "Guarded", stages: [{ name: "Intake" }] });
    const before = await t.db.caseType.findUniqueOrThrow({ where: { id: type.id } });
    const gets = [
      "/admin/case-types",
      "/admin/case-types/new",
      `/admin/case-types/${type.id}`,
      `/admin/case-types/${type.id}/edit`,
      `/admin/case-types/${type.id}/delete`,
      "/admin/case-templates",
      "/admin/case-templates/new",
      `/admin/case-templates/${template!.id}/edit`,
      `/admin/case-templates/${template!.id}/delete`,
    ];
    const posts = [
      "/admin/case-types",
      `/admin/case-types/${type.id}`,
      `/admin/case-types/${type.id}/deactivate`,
      `/admin/case-types/${type.id}/reactivate`,
      `/admin/case-types/${type.id}/delete`,
      "/admin/case-templates",
      `/admin/case-templates/${template!.id}`,
      `/admin/case-templates/${template!.id}/deactivate`,
      `/admin/case-templates/${template!.id}/reactivate`,
      `/admin/case-templates/${template!.id}/delete`,
    ];
    for (const role of ["staff", "manager"] as const) {
      const user = await makeUser(t.db, { role, legalTeam: true, viewConfidential: true, department: "Legal" });
      const other = await signedIn(t.app, user.email);
      for (const url of gets) expect([url, (await other.get(url)).status]).toEqual([url, 403]);
      for (const url of posts) {
        const res = await postForm(other, "/", url, { name: "Hijack", code: "HIJACK", caseTypeId: type.id, stage_name_0: "X", stage_type_0: "work" });
        expect([url, res.status]).toEqual([url, 403]);
      }
    }
    expect(await t.db.caseType.findUniqueOrThrow({ where: { id: type.id } })).toEqual(before);
    expect(await t.db.caseType.count({ where: { code: "HIJACK" } })).toBe(0);
    expect(await t.db.caseTemplate.count({ where: { id: template!.id } })).toBe(1);
  });

  it("does not show the admin links to staff", async () => {
    const user = await makeUser(t.db, { role: "staff" });
    const other = await signedIn(t.app, user.email);
    const home = await other.get("/");
    expect(home.text).not.toContain('href="/admin/case-types"');
  });
});
