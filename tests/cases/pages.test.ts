// The case record pages over HTTP: opening a case through the form (with and without a chosen client), field
// messages, billing and capacity refusals, the overview, editing with optimistic concurrency, history, and soft
// deletion with the administrators' restore page.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { postForm, signedIn, type Agent } from "../helpers/http.ts";
import { decodeHtml, fieldBlock, formFields, mainContent } from "../clients/support.ts";
import { actor, makeCaseType, makeClient, makeTemplate, openCase } from "./support.ts";
import { flashesOf, follow, optionValues, UUID } from "./record-support.ts";
import { changeCaseStatus, updateCase } from "../../src/cases/service.ts";
import { editCaseForm } from "../../src/cases/schemas.ts";
import { startStage } from "../../src/cases/workflow.ts";

let t: TestApp;
let admin: Awaited<ReturnType<typeof makeUser>>;
let mona: Awaited<ReturnType<typeof makeUser>>;
let sam: Awaited<ReturnType<typeof makeUser>>;
let lena: Awaited<ReturnType<typeof makeUser>>;
let asAdmin: Agent;
let asMona: Agent;
let asSam: Agent;
let asLena: Agent;
let client: Awaited<ReturnType<typeof makeClient>>;
let typeWithStages: Awaited<ReturnType<typeof makeCaseType>>;

beforeAll(async () => {
  t = await createTestApp();
  admin = await makeUser(t.db, { role: "admin", name: "Ada Admin" });
  mona = await makeUser(t.db, { role: "manager", name: "Mona Manager", department: "Disputes" });
  sam = await makeUser(t.db, { role: "staff", name: "Sam Staff" });
  lena = await makeUser(t.db, { role: "staff", name: "Lena Legal", legalTeam: true });
  [asAdmin, asMona, asSam, asLena] = await Promise.all([signedIn(t.app, admin.email), signedIn(t.app, mona.email), signedIn(t.app, sam.email), signedIn(t.app, lena.email)]);
  client = await makeClient(t.db, admin.id, { name: "Quillfeather Shipping Ltd" });
  typeWithStages = await makeCaseType(t.db, { name: "Contract review", stages: [{ name: "Intake", defaultDurationDays: 3 }, { name: "Drafting" }, { name: "Partner sign-off", stageType: "approval", approvalRequired: true, minApprovers: 2 }] });
});
afterAll(async () => t.close());

const newCasePage = (clientId: string) => `/cases/new?clientId=${clientId}`;

async function formOn(agent: Agent, page: string): Promise<Record<string, string | string[]>> {
  const res = await agent.get(page);
  expect(res.status).toBe(200);
  return formFields(res.text, "data-case-form");
}

describe("opening a case through the form", () => {
  it("creates it with a CASE number, the template's stages, the typed fields, a flash and a redirect to the case", async () => {
    const fields = await formOn(asMona, newCasePage(client.id));
    expect(fields.clientId).toBe(client.id);
    expect(fields.managerId).toBe(mona.id); // the current user by default
    const res = await postForm(asMona, newCasePage(client.id), "/cases", {
      ...fields,
      typeId: typeWithStages.type.id,
      title: "Charter party dispute",
      description: "Review the charter and advise.",
      summary: "Short summary",
      category: "dispute",
      priority: "high",
      complexity: "complex",
      riskLevel: "medium",
      nextReviewDate: "2031-04-30",
      estimatedValue: "12,500.50",
      actualCost: "1000",
      billingMethod: "fixed_fee",
      satisfaction: "4",
      legalReviewRequired: "on",
    });
    expect(res.status).toBe(302);
    const id = /^\/cases\/([0-9a-f-]{36})$/.exec(res.headers.location!)?.[1];
    expect(id).toMatch(UUID);
    const stored = await t.db.case.findUniqueOrThrow({ where: { id: id! }, include: { stages: { orderBy: { position: "asc" } } } });
    expect(stored.caseNumber).toMatch(new RegExp(`^CASE-${new Date().getUTCFullYear()}-\\d{6}$`));
    expect(stored).toMatchObject({
      title: "Charter party dispute", description: "Review the charter and advise.", summary: "Short summary", clientId: client.id, managerId: mona.id,
      typeId: typeWithStages.type.id, templateId: typeWithStages.template!.id, category: "dispute", priority: "high", complexity: "complex",
      riskLevel: "medium", billingMethod: "fixed_fee", satisfaction: 4, legalReviewRequired: true, complianceReviewRequired: false, status: "new", createdById: mona.id,
    });
    expect(stored.nextReviewDate?.toISOString().slice(0, 10)).toBe("2031-04-30");
    expect(Number(stored.estimatedValue)).toBe(12500.5);
    expect(Number(stored.actualCost)).toBe(1000);
    expect(stored.stages.map((s) => s.name)).toEqual(["Intake", "Drafting", "Partner sign-off"]);
    expect(stored.stages[2]).toMatchObject({ approvalRequired: true, minApprovers: 2, assigneeId: mona.id });
    expect(stored.currentStageId).toBe(stored.stages[0]!.id);

    const page = await follow(asMona, res);
    expect(flashesOf(page.text)).toContainEqual(["success", `Case ${stored.caseNumber} opened.`]);
    const text = decodeHtml(page.text);
    expect(text).toContain("Charter party dispute");
    expect(text).toContain("12,500.50");
  });

  it("opens a case from the client hub's link: the chosen client is shown with a change link and its active contacts", async () => {
    const other = await makeClient(t.db, admin.id, { name: "Marrowbone Bakeries" });
    const active = await t.db.contact.create({ data: { clientId: other.id, name: "Carla Contact", title: "CFO" } });
    await t.db.contact.create({ data: { clientId: other.id, name: "Old Oswald", active: false } });
    const page = await asSam.get(newCasePage(other.id));
    expect(page.status).toBe(200);
    const text = decodeHtml(page.text);
    expect(text).toContain("Marrowbone Bakeries");
    expect(page.text).toMatch(/<a href="\/cases\/new\?clientQuery=[^"]*" data-change-client>change/);
    expect(optionValues(page.text, "contactId")).toEqual(["", active.id]);
    expect(text).not.toContain("Old Oswald");
    expect(page.text).toContain('src="/public/js/client-picker.js"');

    const fields = formFields(page.text, "data-case-form");
    const res = await postForm(asSam, newCasePage(other.id), "/cases", { ...fields, typeId: typeWithStages.type.id, title: "Oven lease", description: "Lease of ovens.", contactId: active.id, templateId: "none" });
    expect(res.status).toBe(302);
    const stored = await t.db.case.findFirstOrThrow({ where: { title: "Oven lease" }, include: { stages: true, team: true } });
    expect(stored).toMatchObject({ clientId: other.id, contactId: active.id, managerId: sam.id, templateId: null });
    expect(stored.stages).toEqual([]); // "none": no workflow
  });

  it("staff who open a case for another manager join its team and can see it", async () => {
    const fields = await formOn(asSam, newCasePage(client.id));
    const res = await postForm(asSam, newCasePage(client.id), "/cases", { ...fields, typeId: typeWithStages.type.id, managerId: mona.id, title: "Opened for Mona", description: "x" });
    expect(res.status).toBe(302);
    const stored = await t.db.case.findFirstOrThrow({ where: { title: "Opened for Mona" }, include: { team: true } });
    expect(stored.managerId).toBe(mona.id);
    expect(stored.team.map((m) => [m.userId, m.role])).toEqual([[sam.id, "associate"]]);
    expect((await follow(asSam, res)).status).toBe(200);
  });

  it("without JavaScript, a client search lists the visible matching clients as radio buttons, and one can be chosen", async () => {
    const visible = await makeClient(t.db, admin.id, { name: "Zephyrine Optics" });
    const hidden = await makeClient(t.db, admin.id, { name: "Zephyrine Secret Holdings", isConfidential: true });
    const page = await asSam.get("/cases/new?clientQuery=zephyrine");
    expect(page.status).toBe(200);
    const text = decodeHtml(page.text);
    expect(text).toContain("Clients matching “zephyrine”");
    expect(page.text).toContain(`<input type="radio" name="clientId" value="${visible.id}"`);
    expect(page.text).not.toContain(hidden.id);
    expect(text).not.toContain("Zephyrine Secret Holdings");
    // The search box belongs to the GET form, so the case form does not send it.
    expect(page.text).toMatch(/<form id="client-search" method="get" action="\/cases\/new"/);
    expect(page.text).toMatch(/name="clientQuery" type="search" form="client-search"/);

    const fields = formFields(page.text, "data-case-form");
    expect(fields.clientId).toBeUndefined(); // nothing ticked yet
    const res = await postForm(asSam, "/cases/new", "/cases", { ...fields, clientId: visible.id, typeId: typeWithStages.type.id, title: "Lens recall", description: "Recall advice." });
    expect(res.status).toBe(302);
    expect(await t.db.case.count({ where: { clientId: visible.id, title: "Lens recall" } })).toBe(1);

    const none = await asSam.get("/cases/new?clientQuery=nosuchclientanywhere");
    expect(decodeHtml(none.text)).toContain("No client you can see matches “nosuchclientanywhere”.");
  });

  it("a hidden client cannot be chosen by id: the client field says so", async () => {
    const hidden = await makeClient(t.db, admin.id, { name: "Obsidian Private Trust", isConfidential: true });
    const page = await asSam.get(newCasePage(hidden.id));
    expect(decodeHtml(page.text)).not.toContain("Obsidian Private Trust");
    const before = await t.db.case.count();
    const fields = formFields(page.text, "data-case-form");
    const res = await postForm(asSam, "/cases/new", "/cases", { ...fields, clientId: hidden.id, typeId: typeWithStages.type.id, title: "Sneaky", description: "x" });
    expect(res.status).toBe(422);
    expect(decodeHtml(fieldBlock(res.text, "clientId"))).toContain("Choose a client from the list.");
    expect(decodeHtml(res.text)).not.toContain("Obsidian Private Trust");
    expect(await t.db.case.count()).toBe(before);
  });

  it("shows messages next to the fields and keeps what was typed (422), saving nothing", async () => {
    const before = await t.db.case.count();
    const fields = await formOn(asMona, newCasePage(client.id));
    const res = await postForm(asMona, newCasePage(client.id), "/cases", {
      ...fields, title: "  ", description: "Kept description text", typeId: "", nextReviewDate: "2024-02-30", satisfaction: "9", estimatedValue: "12.345", summary: "Kept summary",
    });
    expect(res.status).toBe(422);
    expect(decodeHtml(fieldBlock(res.text, "title"))).toContain("Title is required.");
    expect(decodeHtml(fieldBlock(res.text, "typeId"))).toContain("Choose a case type.");
    expect(decodeHtml(fieldBlock(res.text, "nextReviewDate"))).toContain("Next review date must be a date like 2024-03-31.");
    expect(fieldBlock(res.text, "nextReviewDate")).toContain('value="2024-02-30"');
    expect(decodeHtml(fieldBlock(res.text, "satisfaction"))).toContain("Satisfaction must be a whole number from 1 to 5.");
    expect(decodeHtml(fieldBlock(res.text, "estimatedValue"))).toContain("at most two decimals");
    expect(fieldBlock(res.text, "estimatedValue")).toContain('value="12.345"');
    expect(res.text).toContain("Kept description text</textarea>");
    expect(res.text).toContain("Kept summary</textarea>");
    expect(res.text).toContain("Please correct");
    // The chosen client stays chosen.
    expect(formFields(res.text, "data-case-form").clientId).toBe(client.id);
    expect(await t.db.case.count()).toBe(before);
  });

  it("refuses a billing method without an estimate, and a cost over 150% of the estimate, next to the fields", async () => {
    const fields = await formOn(asMona, newCasePage(client.id));
    const base = { ...fields, typeId: typeWithStages.type.id, title: "Billing check", description: "x" };
    const noEstimate = await postForm(asMona, newCasePage(client.id), "/cases", { ...base, billingMethod: "hourly", estimatedValue: "" });
    expect(noEstimate.status).toBe(422);
    expect(decodeHtml(fieldBlock(noEstimate.text, "estimatedValue"))).toContain("A billing method needs an estimated value.");
    expect(fieldBlock(noEstimate.text, "billingMethod")).toContain('<option value="hourly" selected>');

    const overCost = await postForm(asMona, newCasePage(client.id), "/cases", { ...base, estimatedValue: "1000", actualCost: "1500.01" });
    expect(overCost.status).toBe(422);
    expect(decodeHtml(fieldBlock(overCost.text, "actualCost"))).toContain("Actual cost may be at most 150% of the estimate (1500.00).");
    expect(fieldBlock(overCost.text, "actualCost")).toContain('value="1500.01"');
    expect(await t.db.case.count({ where: { title: "Billing check" } })).toBe(0);

    const atLimit = await postForm(asMona, newCasePage(client.id), "/cases", { ...base, estimatedValue: "1000", actualCost: "1500" });
    expect(atLimit.status).toBe(302);
  });

  it("refuses a template of another type next to the template field; the template list is grouped by type", async () => {
    const other = await makeCaseType(t.db, { name: "Employment" });
    const foreign = await makeTemplate(t.db, other.type.id, [{ name: "Only stage" }], { name: "Employment flow" });
    const page = await asMona.get(newCasePage(client.id));
    expect(page.text).toMatch(new RegExp(`<optgroup label="Employment" data-type-id="${other.type.id}">\\s*<option value="${foreign.id}"`));
    const fields = formFields(page.text, "data-case-form");
    const res = await postForm(asMona, newCasePage(client.id), "/cases", { ...fields, typeId: typeWithStages.type.id, templateId: foreign.id, title: "Mismatch", description: "x" });
    expect(res.status).toBe(422);
    expect(decodeHtml(fieldBlock(res.text, "templateId"))).toContain("Choose an active template of the type Contract review.");
    expect(fieldBlock(res.text, "templateId")).toContain(`<option value="${foreign.id}" selected>`);
  });

  it("lists case types parent first, children indented below, and notes the reviews a type requires", async () => {
    const parent = await makeCaseType(t.db, { name: "Aardvark Regulatory" });
    await makeCaseType(t.db, { name: "Aardvark Banking", parentId: parent.type.id, requiresComplianceReview: true });
    await makeCaseType(t.db, { name: "Retired type", active: false });
    const page = decodeHtml((await asMona.get(newCasePage(client.id))).text);
    expect(page).toMatch(/>Aardvark Regulatory<\/option>\s*<option value="[^"]+" >— Aardvark Banking \(requires compliance review\)<\/option>/);
    expect(page).not.toContain("Retired type");
    expect(page).toMatch(/compliance review: [^<]*Aardvark Banking/);
  });

  it("the contacts endpoint for the picker answers only for visible clients", async () => {
    const hidden = await makeClient(t.db, admin.id, { name: "Hush Holdings", isConfidential: true });
    await t.db.contact.create({ data: { clientId: client.id, name: "Pia Picker" } });
    const ok = await asSam.get(`/cases/new/contacts?clientId=${client.id}`).set("Accept", "application/json");
    expect(ok.status).toBe(200);
    expect(ok.body.contacts.map((c: { name: string }) => c.name)).toContain("Pia Picker");
    expect((await asSam.get(`/cases/new/contacts?clientId=${hidden.id}`).set("Accept", "application/json")).status).toBe(404);
  });
});

describe("manager capacity", () => {
  let small: TestApp;
  afterAll(async () => small?.close());

  it("refuses a manager who already holds the most active cases, with the current count next to the field", async () => {
    small = await createTestApp({ CASE_MANAGER_MAX_ACTIVE_CASES: "2" });
    const boss = await makeUser(small.db, { role: "admin" });
    const busy = await makeUser(small.db, { role: "manager", name: "Busy Bea" });
    const c = await makeClient(small.db, boss.id);
    const { type } = await makeCaseType(small.db);
    await openCase(small.db, boss, { clientId: c.id, typeId: type.id, managerId: busy.id });
    const closed = await openCase(small.db, boss, { clientId: c.id, typeId: type.id, managerId: busy.id });
    await small.db.case.update({ where: { id: closed.id }, data: { status: "closed" } }); // closed cases do not count
    await openCase(small.db, boss, { clientId: c.id, typeId: type.id, managerId: busy.id });
    const agent = await signedIn(small.app, boss.email);
    const fields = formFields((await agent.get(newCasePage(c.id))).text, "data-case-form");
    const res = await postForm(agent, newCasePage(c.id), "/cases", { ...fields, typeId: type.id, managerId: busy.id, title: "One too many", description: "x" });
    expect(res.status).toBe(422);
    expect(decodeHtml(fieldBlock(res.text, "managerId"))).toContain("Busy Bea already manages 2 active cases, the most one manager may hold (2).");
    expect(fieldBlock(res.text, "managerId")).toContain(`<option value="${busy.id}" selected>`);
    expect(await small.db.case.count({ where: { managerId: busy.id } })).toBe(3);
  });
});

describe("the overview", () => {
  it("shows every field formatted, with links, flags, billing, resolution and satisfaction", async () => {
    const contact = await t.db.contact.create({ data: { clientId: client.id, name: "Olga Overview", email: "olga@example.test" } });
    const kase = await openCase(t.db, mona, {
      clientId: client.id, typeId: typeWithStages.type.id, title: "Overview case", description: "Line one\nLine two", summary: "The gist", contactId: contact.id,
      priority: "critical", complexity: "simple", riskLevel: "high", category: "regulatory", nextReviewDate: "2030-01-15", complianceReviewRequired: "on",
      estimatedValue: "2000000", actualCost: "1234.5", billingMethod: "retainer", satisfaction: "5",
    });
    await t.db.case.update({ where: { id: kase.id }, data: { status: "resolved", resolutionDate: new Date("2030-02-01T10:00:00Z"), resolutionType: "settled", resolutionSummary: "Settled out of court." } });
    const res = await asMona.get(`/cases/${kase.id}`);
    expect(res.status).toBe(200);
    const page = decodeHtml(mainContent(res.text));
    for (const text of [
      kase.caseNumber, "Overview case", "Quillfeather Shipping Ltd", "Olga Overview", "olga@example.test", "Mona Manager", "Contract review", typeWithStages.template!.name,
      "Critical", "Simple", "High", "Regulatory", "15 Jan 2030", "Retainer", "2,000,000.00", "1,234.50", "Settled", "Settled out of court.", "5 of 5", "The gist", "Intake",
    ]) expect(page).toContain(text);
    expect(page).toMatch(/<dt>Compliance review<\/dt><dd>Required<\/dd>/);
    expect(page).toMatch(/<dt>Legal review<\/dt><dd>Not required<\/dd>/);
    expect(page).toContain(`href="/clients/${client.id}"`);
    expect(page).toMatch(/Opened<\/dt><dd>[^<]+ by Mona Manager/);
    expect(page).toContain(`<a class="button primary" href="/cases/${kase.id}/edit">Edit</a>`);
    expect(page).toContain(`href="/cases/${kase.id}/delete">Delete…</a>`);
    // Status form: only the allowed next statuses, the current status as `from`.
    expect(optionValues(res.text, "to")).toEqual(["closed", "reopened"]);
    expect(res.text).toContain('<input type="hidden" name="from" value="resolved">');
    expect(page).toMatch(/aria-current="page">Overview</);
  });

  it("offers no Edit or Delete to staff who may not, and no status form to a legal-team viewer", async () => {
    const kase = await openCase(t.db, mona, { clientId: client.id, typeId: typeWithStages.type.id, legalReviewRequired: "on" });
    const res = await asLena.get(`/cases/${kase.id}`);
    expect(res.status).toBe(200);
    expect(res.text).not.toContain(`/cases/${kase.id}/edit`);
    expect(res.text).not.toContain(`/cases/${kase.id}/delete`);
    expect(res.text).not.toContain(`action="/cases/${kase.id}/status"`);
  });

  it("answers 404 on every page of a hidden or missing case", async () => {
    const kase = await openCase(t.db, mona, { clientId: client.id, typeId: typeWithStages.type.id });
    for (const path of ["", "/edit", "/team", "/history", "/delete"]) {
      expect((await asSam.get(`/cases/${kase.id}${path}`)).status).toBe(404);
      expect((await asMona.get(`/cases/00000000-0000-4000-8000-000000000000${path}`)).status).toBe(404);
      expect((await asMona.get(`/cases/not-a-uuid${path}`)).status).toBe(404);
    }
    for (const path of ["", "/status", "/team", "/delete", `/team/${mona.id}/remove`]) {
      const res = await postForm(asSam, "/cases/new", `/cases/${kase.id}${path}`, { title: "x", to: "assigned", reason: "x", userId: sam.id });
      expect(res.status).toBe(404);
    }
    expect((await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).status).toBe("new");
  });
});

describe("editing a case", () => {
  it("shows the stored values, read-only client/type/template, and saves the changes", async () => {
    const kase = await openCase(t.db, mona, { clientId: client.id, typeId: typeWithStages.type.id, title: "Before edit", estimatedValue: "500", billingMethod: "hourly" });
    const page = await asMona.get(`/cases/${kase.id}/edit`);
    expect(page.status).toBe(200);
    const fields = formFields(page.text, "data-case-form");
    expect(fields).toMatchObject({ title: "Before edit", estimatedValue: "500.00", billingMethod: "hourly", managerId: mona.id, priority: "medium" });
    expect(fields.clientId).toBeUndefined();
    expect(fields.typeId).toBeUndefined();
    expect(decodeHtml(page.text)).toContain("Quillfeather Shipping Ltd");
    const res = await postForm(asMona, `/cases/${kase.id}/edit`, `/cases/${kase.id}`, { ...fields, title: "After edit", priority: "high", actualCost: "600" });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`/cases/${kase.id}`);
    expect(flashesOf((await follow(asMona, res)).text)).toContainEqual(["success", "Case saved."]);
    const stored = await t.db.case.findUniqueOrThrow({ where: { id: kase.id } });
    expect(stored).toMatchObject({ title: "After edit", priority: "high", updatedById: mona.id });
    expect(Number(stored.actualCost)).toBe(600);
  });

  it("answers 409 when someone saved in between, with the message, the saved values and what was typed", async () => {
    const kase = await openCase(t.db, mona, { clientId: client.id, typeId: typeWithStages.type.id, title: "Conflict case" });
    const fields = formFields((await asMona.get(`/cases/${kase.id}/edit`)).text, "data-case-form");
    // Someone else saves first.
    const theirs = editCaseForm.parse({ ...(fields as Record<string, string>), title: "Their title", priority: "critical", updatedAt: undefined });
    await updateCase(t.db, actor(admin), kase.id, theirs, { maxActiveCasesPerManager: 40 });
    const res = await postForm(asMona, `/cases/${kase.id}/edit`, `/cases/${kase.id}`, { ...fields, title: "My title" });
    expect(res.status).toBe(409);
    const text = decodeHtml(res.text);
    expect(text).toContain("Someone else saved this case while you were editing.");
    expect(text).toMatch(/<strong>Title<\/strong>: Their title/);
    expect(text).toMatch(/<strong>Priority<\/strong>: Critical/);
    expect(fieldBlock(res.text, "title")).toContain('value="My title"');
    expect(await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).toMatchObject({ title: "Their title" });
    // Saving again (with the new updatedAt on the form) keeps what was typed.
    const again = formFields(res.text, "data-case-form");
    expect(again.updatedAt).not.toBe(fields.updatedAt);
    const saved = await postForm(asMona, `/cases/${kase.id}/edit`, `/cases/${kase.id}`, again);
    expect(saved.status).toBe(302);
    expect(await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).toMatchObject({ title: "My title", priority: "medium" });
  });

  it("shows billing and capacity messages next to the fields", async () => {
    const kase = await openCase(t.db, mona, { clientId: client.id, typeId: typeWithStages.type.id });
    const fields = formFields((await asMona.get(`/cases/${kase.id}/edit`)).text, "data-case-form");
    const res = await postForm(asMona, `/cases/${kase.id}/edit`, `/cases/${kase.id}`, { ...fields, billingMethod: "contingency", estimatedValue: "" });
    expect(res.status).toBe(422);
    expect(decodeHtml(fieldBlock(res.text, "estimatedValue"))).toContain("A billing method needs an estimated value.");
    const over = await postForm(asMona, `/cases/${kase.id}/edit`, `/cases/${kase.id}`, { ...fields, estimatedValue: "100", actualCost: "200" });
    expect(over.status).toBe(422);
    expect(decodeHtml(fieldBlock(over.text, "actualCost"))).toContain("at most 150% of the estimate (150.00)");
    const inactive = await makeUser(t.db, { name: "Gone Gary", active: false });
    const manager = await postForm(asMona, `/cases/${kase.id}/edit`, `/cases/${kase.id}`, { ...fields, managerId: inactive.id });
    expect(manager.status).toBe(422);
    expect(decodeHtml(fieldBlock(manager.text, "managerId"))).toContain("Choose an active user as case manager.");
  });

  it("keeps a type's required review on, with the message next to the checkbox", async () => {
    const legalType = await makeCaseType(t.db, { name: "Litigation hold", requiresLegalReview: true });
    const kase = await openCase(t.db, mona, { clientId: client.id, typeId: legalType.type.id });
    expect(kase.legalReviewRequired).toBe(true); // forced by the type even though the form did not tick it
    const fields = formFields((await asMona.get(`/cases/${kase.id}/edit`)).text, "data-case-form");
    expect(fields.legalReviewRequired).toBe("on");
    const { legalReviewRequired: _dropped, ...unticked } = fields;
    const res = await postForm(asMona, `/cases/${kase.id}/edit`, `/cases/${kase.id}`, unticked);
    expect(res.status).toBe(422);
    expect(decodeHtml(fieldBlock(res.text, "legalReviewRequired"))).toContain("Cases of the type Litigation hold always need legal review.");
  });

  it("is forbidden (403) to a legal-team member who sees the case but is not on it", async () => {
    const kase = await openCase(t.db, mona, { clientId: client.id, typeId: typeWithStages.type.id, legalReviewRequired: "on", title: "Legal sees me" });
    expect((await asLena.get(`/cases/${kase.id}`)).status).toBe(200);
    expect((await asLena.get(`/cases/${kase.id}/edit`)).status).toBe(403);
    const res = await postForm(asLena, `/cases/${kase.id}`, `/cases/${kase.id}`, { title: "Changed by legal", description: "x", managerId: mona.id });
    expect(res.status).toBe(403);
    expect((await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).title).toBe("Legal sees me");
  });
});

describe("history", () => {
  it("lists who did what, with field changes before → after in words and names instead of ids", async () => {
    const kase = await openCase(t.db, mona, { clientId: client.id, typeId: typeWithStages.type.id, title: "History case" });
    const fields = formFields((await asMona.get(`/cases/${kase.id}/edit`)).text, "data-case-form");
    await postForm(asMona, `/cases/${kase.id}/edit`, `/cases/${kase.id}`, { ...fields, priority: "critical", managerId: admin.id, estimatedValue: "2500" });
    await changeCaseStatus(t.db, actor(admin), kase.id, { to: "in_progress", from: "new", resolutionType: null, resolutionSummary: null, note: "Kick-off done" });
    await startStage(t.db, actor(admin), kase.id, kase.stages[0]!.id);
    const res = await asAdmin.get(`/cases/${kase.id}/history`);
    expect(res.status).toBe(200);
    const page = decodeHtml(mainContent(res.text));
    expect(page).toContain("Case opened");
    expect(page).toMatch(/<strong>Case edited<\/strong> · Mona Manager/);
    expect(page).toMatch(/<dt>Priority<\/dt>\s*<dd><span class="before">Medium<\/span> → <span class="after">Critical<\/span>/);
    expect(page).toMatch(/<dt>Case manager<\/dt>\s*<dd><span class="before">Mona Manager<\/span> → <span class="after">Ada Admin<\/span>/);
    expect(page).toMatch(/<dt>Estimated value<\/dt>\s*<dd><span class="before">—<\/span> → <span class="after">2,500.00<\/span>|<dt>Estimated value<\/dt>\s*<dd><span class="after">2,500.00<\/span>/);
    expect(page).toMatch(/<strong>Status changed<\/strong> · Ada Admin/);
    expect(page).toMatch(/<dt>Status<\/dt>\s*<dd><span class="before">New<\/span> → <span class="after">In progress<\/span>/);
    expect(page).toContain("Kick-off done");
    expect(page).toMatch(/<strong>Stage started<\/strong>/);
    expect(page).toMatch(/<dt>Stage Intake<\/dt>\s*<dd><span class="before">Pending<\/span> → <span class="after">In progress<\/span>/);
    expect(page).not.toContain(admin.id);
    expect(page).not.toContain(mona.id);
    // Newest first.
    expect(page.indexOf("Stage started")).toBeLessThan(page.indexOf("Case opened"));
  });
});

describe("deleting and restoring", () => {
  it("refuses while a stage is active: the confirmation page lists it and a post flashes the reason", async () => {
    const kase = await openCase(t.db, mona, { clientId: client.id, typeId: typeWithStages.type.id });
    await startStage(t.db, actor(mona), kase.id, kase.stages[0]!.id);
    const page = await asMona.get(`/cases/${kase.id}/delete`);
    expect(page.status).toBe(200);
    expect(decodeHtml(page.text)).toContain("Active stages: Intake");
    expect(page.text).not.toContain("data-delete-form");
    const res = await postForm(asMona, `/cases/${kase.id}`, `/cases/${kase.id}/delete`, { reason: "Opened by mistake" });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`/cases/${kase.id}/delete`);
    const back = await follow(asMona, res);
    expect(flashesOf(back.text)).toContainEqual(["error", "This case cannot be deleted while it has active stages (Intake). Complete or skip them first."]);
    expect((await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).deletedAt).toBeNull();
  });

  it("needs a reason, shown next to the field", async () => {
    const kase = await openCase(t.db, mona, { clientId: client.id, typeId: typeWithStages.type.id });
    const res = await postForm(asMona, `/cases/${kase.id}/delete`, `/cases/${kase.id}/delete`, { reason: " " });
    expect(res.status).toBe(422);
    expect(decodeHtml(fieldBlock(res.text, "reason"))).toContain("Reason is required.");
    expect((await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).deletedAt).toBeNull();
  });

  it("soft-deletes: the case answers 404 afterwards, an admin lists it under Deleted cases and restores it", async () => {
    const kase = await openCase(t.db, mona, { clientId: client.id, typeId: typeWithStages.type.id, title: "Doomed case" });
    const confirm = await asMona.get(`/cases/${kase.id}/delete`);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain("data-delete-form");
    const res = await postForm(asMona, `/cases/${kase.id}/delete`, `/cases/${kase.id}/delete`, { reason: "Duplicate of another case" });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe("/cases");
    expect(flashesOf((await asMona.get("/cases/new")).text)).toContainEqual(["success", `Case ${kase.caseNumber} deleted. An administrator can restore it.`]);
    const stored = await t.db.case.findUniqueOrThrow({ where: { id: kase.id } });
    expect(stored.deletedAt).not.toBeNull();
    expect(stored.deletedById).toBe(mona.id);
    const audit = await t.db.auditEvent.findFirstOrThrow({ where: { entityId: kase.id, action: "case.delete" } });
    expect(audit.changes).toMatchObject({ reason: { after: "Duplicate of another case" } });
    expect((await asMona.get(`/cases/${kase.id}`)).status).toBe(404);
    expect((await asAdmin.get(`/cases/${kase.id}`)).status).toBe(404);

    const list = await asAdmin.get("/cases/deleted");
    expect(list.status).toBe(200);
    const text = decodeHtml(list.text);
    expect(text).toContain(kase.caseNumber);
    expect(text).toContain("Doomed case");
    expect(text).toMatch(/by Mona Manager/);
    expect(list.text).toContain(`action="/cases/${kase.id}/restore"`);

    const restored = await postForm(asAdmin, "/cases/deleted", `/cases/${kase.id}/restore`, {});
    expect(restored.status).toBe(302);
    expect(restored.headers.location).toBe(`/cases/${kase.id}`);
    const page = await follow(asAdmin, restored);
    expect(page.status).toBe(200);
    expect(flashesOf(page.text)).toContainEqual(["success", `Case ${kase.caseNumber} restored.`]);
    expect((await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).deletedAt).toBeNull();
    expect((await asMona.get(`/cases/${kase.id}`)).status).toBe(200);
    expect(decodeHtml((await asAdmin.get("/cases/deleted")).text)).not.toContain("Doomed case");
  });

  it("forbids deleting to staff (403) and the deleted-cases page and restoring to everyone but admins", async () => {
    const kase = await openCase(t.db, sam, { clientId: client.id, typeId: typeWithStages.type.id, title: "Sam's case" });
    expect((await asSam.get(`/cases/${kase.id}`)).status).toBe(200);
    expect((await asSam.get(`/cases/${kase.id}/delete`)).status).toBe(403);
    expect((await postForm(asSam, `/cases/${kase.id}`, `/cases/${kase.id}/delete`, { reason: "mine" })).status).toBe(403);
    expect((await asSam.get(`/cases/${kase.id}`)).text).not.toContain(`/cases/${kase.id}/delete`);
    expect((await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).deletedAt).toBeNull();
    expect((await asMona.get("/cases/deleted")).status).toBe(403);
    expect((await asSam.get("/cases/deleted")).status).toBe(403);
    await t.db.case.update({ where: { id: kase.id }, data: { deletedAt: new Date(), deletedById: admin.id } });
    expect((await postForm(asMona, "/cases/new", `/cases/${kase.id}/restore`, {})).status).toBe(403);
    expect((await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).deletedAt).not.toBeNull();
  });
});
