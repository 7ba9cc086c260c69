// Administering case templates and their ordered stage editor (no JavaScript): what is stored, in which order,
// what is refused and where the message shows, what is audited, and that existing cases keep their stages.
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { postForm, signedIn, type Agent } from "../helpers/http.ts";
import { decodeHtml, formFields } from "../clients/support.ts";
import { actor, makeCaseType, makeClient, makeTemplate, openCase } from "../cases/support.ts";
import { updateCaseTemplate } from "../../src/case-types/service.ts";
import { editorRows, fieldError, inputValue, isChecked, selectedOption, stageFields, type StageRow } from "./support.ts";

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

function templateFields(caseTypeId: string, stages: StageRow[], fields: Record<string, string> = {}): Record<string, string> {
  const code = `TPL-${tag()}`;
  return { name: `Template ${code}`, code, description: "", caseTypeId, active: "on", requiredDocumentTypes: "", ...stageFields(stages), ...fields };
}

const storedStages = (templateId: string) =>
  t.db.caseTemplateStage.findMany({ where: { templateId }, orderBy: { position: "asc" } });
const stageNames = async (templateId: string) => (await storedStages(templateId)).map((s) => `${s.position}:${s.name}`);
const auditOf = (action: string, entityId: string) => t.db.auditEvent.findMany({ where: { action, entityId }, orderBy: { id: "asc" } });

async function createThroughForm(fields: Record<string, string>) {
  const res = await postForm(agent, "/admin/case-templates/new", "/admin/case-templates", fields);
  expect(res.status, decodeHtml(res.text).slice(0, 2000)).toBe(302);
  return /\/admin\/case-templates\/([0-9a-f-]{36})\/edit$/.exec(res.headers.location ?? "")![1]!;
}

describe("the case templates list", () => {
  // First in the file: the database starts without templates.
  it("shows an empty state with a way to add the first template", async () => {
    const res = await agent.get("/admin/case-templates");
    expect(res.status).toBe(200);
    expect(res.text).toContain("No case templates yet");
    expect(res.text).toContain('href="/admin/case-templates/new"');
    expect(res.text).toContain('href="/admin/case-types"');
  });

  it("lists templates by name with their type, status, stage count and stages needing approval", async () => {
    const { type } = await makeCaseType(t.db, { name: "Listed type" });
    await makeTemplate(t.db, type.id, [{ name: "A" }, { name: "B", approvalRequired: true }, { name: "C", approvalRequired: true, minApprovers: 2 }], { name: "Zeta workflow" });
    await makeTemplate(t.db, type.id, [{ name: "A" }], { name: "Alpha workflow", active: false });
    const res = await agent.get("/admin/case-templates");
    const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(res.text)![1]!;
    const rows = [...body.matchAll(/<tr data-template-id[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => m[1]!);
    expect(rows.map((r) => /edit">([^<]*)<\/a>/.exec(r)![1])).toEqual(["Alpha workflow", "Zeta workflow"]);
    expect(rows[0]).toContain("Inactive");
    expect(rows[0]).toContain("Listed type");
    expect(rows[1]).toContain('data-stage-count="3"');
    expect(rows[1]).toContain('data-approval-count="2"');
    expect(rows[1]).toContain("Active");
  });
});

describe("creating a template with the stage editor", () => {
  it("offers three blank rows, then stores the named rows in the order of their positions, in one go, audited", async () => {
    const { type } = await makeCaseType(t.db);
    const form = await agent.get(`/admin/case-templates/new?type=${type.id}`);
    expect(editorRows(form.text)).toEqual([
      { row: 0, name: "", position: "1" },
      { row: 1, name: "", position: "2" },
      { row: 2, name: "", position: "3" },
    ]);
    expect(form.text).toContain("Changing a template never changes the stages of existing cases");

    const id = await createThroughForm(
      templateFields(
        type.id,
        [
          { name: "Closing", type: "closing", position: "3" },
          { name: "Intake", type: "intake", position: "1", duration: "5" },
          { name: "Legal sign-off", type: "legal_review", approval: true, minApprovers: "2", position: "2", required: false },
          { name: "", position: "4" },
        ],
        { name: "Employment workflow", code: "emp-wf", requiredDocumentTypes: "  Engagement letter \n\nID check\nengagement letter\n" },
      ),
    );
    const template = await t.db.caseTemplate.findUniqueOrThrow({ where: { id } });
    expect(template).toMatchObject({ name: "Employment workflow", code: "emp-wf", caseTypeId: type.id, active: true, requiredDocumentTypes: ["Engagement letter", "ID check"] });
    const stages = await storedStages(id);
    expect(stages.map((s) => [s.position, s.name, s.stageType, s.required, s.parallel, s.approvalRequired, s.minApprovers, s.defaultDurationDays])).toEqual([
      [1, "Intake", "intake", true, false, false, 1, 5],
      [2, "Legal sign-off", "legal_review", false, false, true, 2, null],
      [3, "Closing", "closing", true, false, false, 1, null],
    ]);
    const [event] = await auditOf("case_template.create", id);
    const changes = event!.changes as Record<string, { after: unknown }>;
    expect((changes.stages!.after as { name: string }[]).map((s) => s.name)).toEqual(["Intake", "Legal sign-off", "Closing"]);
    expect((await agent.get(`/admin/case-templates/${id}/edit`)).text).toContain("Template Employment workflow created with 3 stages.");
  });

  it("stores minimum approvers as 1 when approval is not required", async () => {
    const { type } = await makeCaseType(t.db);
    const id = await createThroughForm(templateFields(type.id, [{ name: "Work", minApprovers: "7" }]));
    expect((await storedStages(id))[0]!.minApprovers).toBe(1);
  });

  it("refuses a template without stages, saying so above the editor", async () => {
    const { type } = await makeCaseType(t.db);
    const before = await t.db.caseTemplate.count();
    const res = await postForm(agent, "/admin/case-templates/new", "/admin/case-templates", templateFields(type.id, [{ name: "" }, { name: "   " }, { name: "Removed", remove: true }]));
    expect(res.status).toBe(422);
    expect(fieldError(res.text, "stages")).toBe("Add at least one stage: give it a name in one of the blank rows.");
    expect(await t.db.caseTemplate.count()).toBe(before);
    expect(isChecked(res.text, "stage_remove_2")).toBe(true);
    expect(inputValue(res.text, "stage_name_2")).toBe("Removed");
  });

  it("shows each row's messages next to that row's fields, keeps everything typed and writes nothing", async () => {
    const { type } = await makeCaseType(t.db);
    const before = { templates: await t.db.caseTemplate.count(), stages: await t.db.caseTemplateStage.count(), audit: await t.db.auditEvent.count() };
    const res = await postForm(
      agent,
      "/admin/case-templates/new",
      "/admin/case-templates",
      templateFields(
        type.id,
        [
          { name: "Parallel first row", duration: "3", parallel: true },
          { name: "Too many approvers", approval: true, minApprovers: "11" },
          { name: "Compliance without approval", type: "compliance_review" },
          { name: "Odd duration", duration: "-4", type: "bogus" },
          { name: "Legal, bad duration", type: "legal_review", duration: "x" },
          { name: "No approval, odd minimum", minApprovers: "0" },
        ],
        { name: "Typed name", code: "typed-code", description: "Typed description" },
      ),
    );
    expect(res.status).toBe(422);
    expect(fieldError(res.text, "stage_min_approvers_1")).toBe("Minimum approvers must be a whole number from 1 to 10.");
    expect(fieldError(res.text, "stage_approval_2")).toBe("A legal or compliance review stage must require approval.");
    expect(fieldError(res.text, "stage_duration_3")).toBe("Default duration must be a whole number from 0 to 3650.");
    expect(fieldError(res.text, "stage_type_3")).toBe("Choose a stage type from the list.");
    expect(fieldError(res.text, "stage_approval_4")).toBe("A legal or compliance review stage must require approval.");
    expect(fieldError(res.text, "stage_duration_4")).toBe("Default duration must be a whole number from 0 to 3650.");
    expect(fieldError(res.text, "stage_parallel_0")).toBe("The first stage cannot run in parallel: there is no stage before it.");
    for (const field of ["stage_name_0", "stage_duration_0", "stage_min_approvers_0", "stage_min_approvers_2", "stage_min_approvers_5", "stage_parallel_1"]) expect(fieldError(res.text, field)).toBeUndefined();
    expect(inputValue(res.text, "name")).toBe("Typed name");
    expect(inputValue(res.text, "code")).toBe("typed-code");
    expect(res.text).toContain("Typed description");
    expect(selectedOption(res.text, "caseTypeId")).toBe(type.id);
    expect(editorRows(res.text).map((r) => r.name)).toEqual(["Parallel first row", "Too many approvers", "Compliance without approval", "Odd duration", "Legal, bad duration", "No approval, odd minimum"]);
    expect(isChecked(res.text, "stage_parallel_0")).toBe(true);
    expect(inputValue(res.text, "stage_min_approvers_1")).toBe("11");
    expect(isChecked(res.text, "stage_approval_1")).toBe(true);
    expect(selectedOption(res.text, "stage_type_2")).toBe("compliance_review");
    expect(inputValue(res.text, "stage_duration_0")).toBe("3");
    expect({ templates: await t.db.caseTemplate.count(), stages: await t.db.caseTemplateStage.count(), audit: await t.db.auditEvent.count() }).toEqual(before);
  });

  it("refuses a parallel first stage, on the row that ends up first", async () => {
    const { type } = await makeCaseType(t.db);
    const res = await postForm(agent, "/admin/case-templates/new", "/admin/case-templates", templateFields(type.id, [{ name: "Second", position: "2" }, { name: "First", parallel: true, position: "1" }]));
    expect(res.status).toBe(422);
    expect(fieldError(res.text, "stage_parallel_1")).toBe("The first stage cannot run in parallel: there is no stage before it.");
    expect(fieldError(res.text, "stage_parallel_0")).toBeUndefined();
  });

  it("refuses more than 20 required document types and a missing or unknown case type", async () => {
    const docs = Array.from({ length: 21 }, (_, i) => `Document ${i}`).join("\n");
    const res = await postForm(agent, "/admin/case-templates/new", "/admin/case-templates", templateFields("", [{ name: "Intake" }], { requiredDocumentTypes: docs }));
    expect(res.status).toBe(422);
    expect(fieldError(res.text, "requiredDocumentTypes")).toBe("List at most 20 document types (there are 21).");
    expect(fieldError(res.text, "caseTypeId")).toBe("Choose a case type.");
    const unknown = await postForm(agent, "/admin/case-templates/new", "/admin/case-templates", templateFields(randomUUID(), [{ name: "Intake" }]));
    expect(unknown.status).toBe(422);
    expect(fieldError(unknown.text, "caseTypeId")).toBe("That case type no longer exists. Choose another one.");
  });

  it("refuses a code another template uses, in any case", async () => {
    const { type } = await makeCaseType(t.db);
    await makeTemplate(t.db, type.id, [{ name: "A" }], { name: "Code keeper" });
    const keeper = await t.db.caseTemplate.findFirstOrThrow({ where: { name: "Code keeper" } });
    const res = await postForm(agent, "/admin/case-templates/new", "/admin/case-templates", templateFields(type.id, [{ name: "A" }], { code: keeper.code.toLowerCase() }));
    expect(res.status).toBe(422);
    expect(fieldError(res.text, "code")).toBe("That code is already used by the template Code keeper. Codes are compared ignoring case.");
  });
});

describe("editing a template's stages", () => {
  it("shows the saved stages in order plus three blank rows", async () => {
    const { type } = await makeCaseType(t.db);
    const template = await makeTemplate(t.db, type.id, [{ name: "One" }, { name: "Two", approvalRequired: true, minApprovers: 3 }]);
    const res = await agent.get(`/admin/case-templates/${template.id}/edit`);
    expect(editorRows(res.text)).toEqual([
      { row: 0, name: "One", position: "1" },
      { row: 1, name: "Two", position: "2" },
      { row: 2, name: "", position: "3" },
      { row: 3, name: "", position: "4" },
      { row: 4, name: "", position: "5" },
    ]);
    expect(isChecked(res.text, "stage_approval_1")).toBe(true);
    expect(inputValue(res.text, "stage_min_approvers_1")).toBe("3");
  });

  it("adds, reorders and removes stages in one save, with positions 1..n, audited before and after", async () => {
    const { type } = await makeCaseType(t.db);
    const template = await makeTemplate(t.db, type.id, [{ name: "Intake" }, { name: "Research" }, { name: "Drafting" }]);
    const page = await agent.get(`/admin/case-templates/${template.id}/edit`);
    const fields = formFields(page.text, "data-template-form") as Record<string, string>;
    // Drafting first, drop Research, add a review as the last stage, Intake second.
    fields.stage_position_0 = "2";
    fields.stage_remove_1 = "on";
    fields.stage_position_2 = "1";
    fields.stage_name_3 = "Partner review";
    fields.stage_type_3 = "review";
    fields.stage_approval_3 = "on";
    fields.stage_min_approvers_3 = "2";
    fields.stage_position_3 = "9";
    const res = await postForm(agent, `/admin/case-templates/${template.id}/edit`, `/admin/case-templates/${template.id}`, fields);
    expect(res.status, decodeHtml(res.text).slice(0, 1500)).toBe(302);
    expect(await stageNames(template.id)).toEqual(["1:Drafting", "2:Intake", "3:Partner review"]);
    const review = (await storedStages(template.id))[2]!;
    expect(review).toMatchObject({ stageType: "review", approvalRequired: true, minApprovers: 2 });
    const [event] = await auditOf("case_template.update", template.id);
    const stages = (event!.changes as Record<string, { before: { name: string }[]; after: { name: string; position: number }[] }>).stages!;
    expect(stages.before.map((s) => s.name)).toEqual(["Intake", "Research", "Drafting"]);
    expect(stages.after.map((s) => `${s.position}:${s.name}`)).toEqual(["1:Drafting", "2:Intake", "3:Partner review"]);
    const after = await agent.get(res.headers.location!);
    expect(after.text).toContain("saved with 3 stages. Existing cases keep their stages.");
  });

  it("moves a row up or down without saving, renumbering the positions shown", async () => {
    const { type } = await makeCaseType(t.db);
    const template = await makeTemplate(t.db, type.id, [{ name: "Alpha" }, { name: "Beta" }, { name: "Gamma" }]);
    const page = await agent.get(`/admin/case-templates/${template.id}/edit`);
    const fields = formFields(page.text, "data-template-form") as Record<string, string>;
    fields.stage_name_0 = "Alpha (renamed, unsaved)";
    const up = await postForm(agent, `/admin/case-templates/${template.id}/edit`, `/admin/case-templates/${template.id}`, { ...fields, move: "up:2" });
    expect(up.status).toBe(200);
    expect(editorRows(up.text).slice(0, 3)).toEqual([
      { row: 0, name: "Alpha (renamed, unsaved)", position: "1" },
      { row: 1, name: "Gamma", position: "2" },
      { row: 2, name: "Beta", position: "3" },
    ]);
    expect(await stageNames(template.id)).toEqual(["1:Alpha", "2:Beta", "3:Gamma"]);

    // The re-shown form moves again and then saves in the order shown.
    const again = formFields(up.text, "data-template-form") as Record<string, string>;
    const down = await postForm(agent, `/admin/case-templates/${template.id}/edit`, `/admin/case-templates/${template.id}`, { ...again, move: "down:0" });
    expect(editorRows(down.text).slice(0, 3).map((r) => r.name)).toEqual(["Gamma", "Alpha (renamed, unsaved)", "Beta"]);
    const save = await postForm(agent, `/admin/case-templates/${template.id}/edit`, `/admin/case-templates/${template.id}`, formFields(down.text, "data-template-form") as Record<string, string>);
    expect(save.status).toBe(302);
    expect(await stageNames(template.id)).toEqual(["1:Gamma", "2:Alpha (renamed, unsaved)", "3:Beta"]);
  });

  it("makes Save, not a move button, the button an Enter key press uses (the first in the form)", async () => {
    const { type } = await makeCaseType(t.db);
    const template = await makeTemplate(t.db, type.id, [{ name: "Alpha" }]);
    const page = await agent.get(`/admin/case-templates/${template.id}/edit`);
    const form = page.text.slice(page.text.indexOf("<form method=\"post\" action=\"/admin/case-templates/" + template.id + "\""));
    const firstButton = /<button\b[^>]*>/.exec(form)![0];
    expect(firstButton).not.toContain('name="move"');
    expect(firstButton).toContain('type="submit"');
  });

  it("shows a failing row's message on that row and leaves the saved stages as they were", async () => {
    const { type } = await makeCaseType(t.db);
    const template = await makeTemplate(t.db, type.id, [{ name: "Keep one" }, { name: "Keep two" }]);
    const page = await agent.get(`/admin/case-templates/${template.id}/edit`);
    const fields = formFields(page.text, "data-template-form") as Record<string, string>;
    fields.name = "Renamed template";
    fields.stage_name_2 = "New legal stage";
    fields.stage_type_2 = "legal_review";
    const res = await postForm(agent, `/admin/case-templates/${template.id}/edit`, `/admin/case-templates/${template.id}`, fields);
    expect(res.status).toBe(422);
    expect(fieldError(res.text, "stage_approval_2")).toBe("A legal or compliance review stage must require approval.");
    expect(inputValue(res.text, "stage_name_2")).toBe("New legal stage");
    expect(inputValue(res.text, "name")).toBe("Renamed template");
    expect(await stageNames(template.id)).toEqual(["1:Keep one", "2:Keep two"]);
    expect((await t.db.caseTemplate.findUniqueOrThrow({ where: { id: template.id } })).name).toBe(template.name);
    expect(await auditOf("case_template.update", template.id)).toHaveLength(0);
  });

  it("replaces the stages in one transaction: a row the database refuses writes nothing at all", async () => {
    const { type } = await makeCaseType(t.db);
    const template = await makeTemplate(t.db, type.id, [{ name: "Original" }]);
    const stage = { stageType: "work" as const, required: true, parallel: false, approvalRequired: true, defaultDurationDays: null };
    await expect(
      updateCaseTemplate(t.db, actor(admin), template.id, {
        name: "Half saved?",
        code: template.code,
        description: null,
        caseTypeId: type.id,
        active: true,
        requiredDocumentTypes: [],
        // The second row breaks the CHECK on min_approvers (1..10), after the old stages were deleted and the first was written.
        stages: [{ ...stage, name: "Fine", minApprovers: 1 }, { ...stage, name: "Broken", minApprovers: 99 }],
      }),
    ).rejects.toThrow();
    expect(await stageNames(template.id)).toEqual(["1:Original"]);
    expect((await t.db.caseTemplate.findUniqueOrThrow({ where: { id: template.id } })).name).toBe(template.name);
    expect(await auditOf("case_template.update", template.id)).toHaveLength(0);
  });

  it("moving a template to another type stops it being the old type's default, in the same save", async () => {
    const { type, template } = await makeCaseType(t.db, { stages: [{ name: "Intake" }] });
    const { type: otherType } = await makeCaseType(t.db);
    const page = await agent.get(`/admin/case-templates/${template!.id}/edit`);
    const fields = { ...(formFields(page.text, "data-template-form") as Record<string, string>), caseTypeId: otherType.id };
    const res = await postForm(agent, `/admin/case-templates/${template!.id}/edit`, `/admin/case-templates/${template!.id}`, fields);
    expect(res.status).toBe(302);
    expect(decodeHtml((await agent.get(res.headers.location!)).text)).toContain(`It is no longer the default template of ${type.name}.`);
    expect((await t.db.caseTemplate.findUniqueOrThrow({ where: { id: template!.id } })).caseTypeId).toBe(otherType.id);
    expect((await t.db.caseType.findUniqueOrThrow({ where: { id: type.id } })).defaultTemplateId).toBeNull();
  });

  it("never changes the stages of cases already opened from the template", async () => {
    const { type, template } = await makeCaseType(t.db, { stages: [{ name: "Intake" }, { name: "Work" }] });
    const client = await makeClient(t.db, admin.id);
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId: type.id });
    expect(kase.stages.map((s) => s.name)).toEqual(["Intake", "Work"]);
    const page = await agent.get(`/admin/case-templates/${template!.id}/edit`);
    expect(page.text).toContain("Changing a template never changes the stages of existing cases");
    const fields = formFields(page.text, "data-template-form") as Record<string, string>;
    fields.stage_remove_0 = "on";
    fields.stage_name_1 = "Work (renamed)";
    fields.stage_name_2 = "Sign-off";
    fields.stage_approval_2 = "on";
    const res = await postForm(agent, `/admin/case-templates/${template!.id}/edit`, `/admin/case-templates/${template!.id}`, fields);
    expect(res.status).toBe(302);
    expect(await stageNames(template!.id)).toEqual(["1:Work (renamed)", "2:Sign-off"]);
    const stages = await t.db.caseStage.findMany({ where: { caseId: kase.id }, orderBy: { position: "asc" } });
    expect(stages.map((s) => [s.id, s.name, s.approvalRequired])).toEqual(kase.stages.map((s) => [s.id, s.name, s.approvalRequired]));
    const later = await openCase(t.db, admin, { clientId: client.id, typeId: type.id });
    expect(later.stages.map((s) => s.name)).toEqual(["Work (renamed)", "Sign-off"]);
  });
});

describe("activating, deactivating and deleting templates", () => {
  it("deactivates a template, stops it being its type's default in the same step, and reactivates it", async () => {
    const { type, template } = await makeCaseType(t.db, { stages: [{ name: "Intake" }] });
    const res = await postForm(agent, `/admin/case-templates/${template!.id}/edit`, `/admin/case-templates/${template!.id}/deactivate`, {});
    expect(res.status).toBe(302);
    const page = await agent.get(res.headers.location!);
    expect(page.text).toContain("no longer offered for new cases");
    expect(decodeHtml(page.text)).toContain(`It is no longer the default template of ${type.name}.`);
    expect((await t.db.caseTemplate.findUniqueOrThrow({ where: { id: template!.id } })).active).toBe(false);
    expect((await t.db.caseType.findUniqueOrThrow({ where: { id: type.id } })).defaultTemplateId).toBeNull();
    expect(await auditOf("case_template.deactivate", template!.id)).toHaveLength(1);
    expect(await auditOf("case_type.update", type.id)).toHaveLength(1);

    await postForm(agent, `/admin/case-templates/${template!.id}/edit`, `/admin/case-templates/${template!.id}/reactivate`, {});
    expect((await t.db.caseTemplate.findUniqueOrThrow({ where: { id: template!.id } })).active).toBe(true);
    expect(await auditOf("case_template.reactivate", template!.id)).toHaveLength(1);
  });

  it("asks for confirmation, then deletes an unused template with its stages and clears the type's default", async () => {
    const { type, template } = await makeCaseType(t.db, { stages: [{ name: "Intake" }, { name: "Closing" }] });
    const confirm = await agent.get(`/admin/case-templates/${template!.id}/delete`);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain("Delete template</button>");
    expect(confirm.text).toContain("which will then have no default");
    const res = await postForm(agent, `/admin/case-templates/${template!.id}/delete`, `/admin/case-templates/${template!.id}/delete`, {});
    expect(res.status).toBe(302);
    expect(await t.db.caseTemplate.count({ where: { id: template!.id } })).toBe(0);
    expect(await t.db.caseTemplateStage.count({ where: { templateId: template!.id } })).toBe(0);
    expect((await t.db.caseType.findUniqueOrThrow({ where: { id: type.id } })).defaultTemplateId).toBeNull();
    const [event] = await auditOf("case_template.delete", template!.id);
    expect(((event!.changes as Record<string, { before: { name: string }[] }>).stages!.before).map((s) => s.name)).toEqual(["Intake", "Closing"]);
  });

  it("refuses to delete a template a case uses, and allows it once only deleted cases do", async () => {
    const { type, template } = await makeCaseType(t.db, { stages: [{ name: "Intake" }] });
    const client = await makeClient(t.db, admin.id);
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId: type.id });
    const confirm = await agent.get(`/admin/case-templates/${template!.id}/delete`);
    expect(confirm.text).toContain("1 case uses");
    expect(confirm.text).not.toContain("Delete template</button>");
    const res = await postForm(agent, `/admin/case-templates/${template!.id}/delete`, `/admin/case-templates/${template!.id}/delete`, {});
    expect(res.status).toBe(409);
    expect(decodeHtml(res.text)).toContain("cannot be deleted: 1 case uses it.");
    expect(await t.db.caseTemplate.count({ where: { id: template!.id } })).toBe(1);
    expect((await t.db.caseType.findUniqueOrThrow({ where: { id: type.id } })).defaultTemplateId).toBe(template!.id);

    await t.db.case.update({ where: { id: kase.id }, data: { deletedAt: new Date(), deletedById: admin.id } });
    const ok = await postForm(agent, `/admin/case-templates/${template!.id}/delete`, `/admin/case-templates/${template!.id}/delete`, {});
    expect(ok.status).toBe(302);
    const deletedCase = await t.db.case.findUniqueOrThrow({ where: { id: kase.id }, include: { stages: true } });
    expect(deletedCase.templateId).toBeNull();
    expect(deletedCase.stages).toHaveLength(1);
  });
});
