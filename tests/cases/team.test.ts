// The Team tab: the manager as lead and the members with their roles; adding, changing a role and removing, with
// refusals shown as flash messages; buttons only for those who manage the team; hidden cases answer 404.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { postForm, signedIn, type Agent } from "../helpers/http.ts";
import { decodeHtml, mainContent } from "../clients/support.ts";
import { makeCaseType, makeClient, openCase } from "./support.ts";
import { flashesOf, follow, optionValues } from "./record-support.ts";

let t: TestApp;
let mona: Awaited<ReturnType<typeof makeUser>>;
let sam: Awaited<ReturnType<typeof makeUser>>;
let pia: Awaited<ReturnType<typeof makeUser>>;
let olaf: Awaited<ReturnType<typeof makeUser>>;
let gone: Awaited<ReturnType<typeof makeUser>>;
let asMona: Agent;
let asSam: Agent;
let asOlaf: Agent;
let clientId: string;
let typeId: string;

beforeAll(async () => {
  t = await createTestApp();
  mona = await makeUser(t.db, { role: "manager", name: "Mona Manager" });
  sam = await makeUser(t.db, { role: "staff", name: "Sam Staff" });
  pia = await makeUser(t.db, { role: "staff", name: "Pia Paralegal" });
  olaf = await makeUser(t.db, { role: "staff", name: "Olaf Outsider" });
  gone = await makeUser(t.db, { role: "staff", name: "Gina Gone", active: false });
  [asMona, asSam, asOlaf] = await Promise.all([signedIn(t.app, mona.email), signedIn(t.app, sam.email), signedIn(t.app, olaf.email)]);
  clientId = (await makeClient(t.db, mona.id, { name: "Team Client" })).id;
  typeId = (await makeCaseType(t.db, { name: "Team type", stages: [{ name: "Intake" }, { name: "Drafting" }] })).type.id;
});
afterAll(async () => t.close());

const teamOf = (caseId: string) => t.db.caseTeamMember.findMany({ where: { caseId }, orderBy: { addedAt: "asc" } });
const post = (agent: Agent, caseId: string, action: string, fields: Record<string, string>) => postForm(agent, `/cases/${caseId}/team`, action, fields);

describe("the team tab", () => {
  it("lists the manager as lead and the members with their roles; the add form offers only active people not on the team", async () => {
    const kase = await openCase(t.db, mona, { clientId, typeId });
    await t.db.caseTeamMember.create({ data: { caseId: kase.id, userId: sam.id, role: "paralegal" } });
    const res = await asMona.get(`/cases/${kase.id}/team`);
    expect(res.status).toBe(200);
    const page = decodeHtml(mainContent(res.text));
    expect(page).toMatch(/Mona Manager <span class="muted">[^<]+<\/span><\/td>\s*<td>Lead \(case manager\)<\/td>/);
    expect(page).toMatch(/Sam Staff <span class="muted">[^<]+<\/span>[\s\S]*?<td>Paralegal<\/td>/);
    expect(page).toMatch(/aria-current="page">Team</);
    const candidates = optionValues(res.text.slice(res.text.indexOf("data-add-member")), "userId");
    expect(candidates).toContain(pia.id);
    expect(candidates).toContain(olaf.id);
    expect(candidates).not.toContain(sam.id);
    expect(candidates).not.toContain(mona.id);
    expect(candidates).not.toContain(gone.id);
    expect(res.text).toContain(`action="/cases/${kase.id}/team/${sam.id}/remove"`);
  });

  it("adds a member with a role, changes the role, and refuses the same role twice", async () => {
    const kase = await openCase(t.db, mona, { clientId, typeId });
    const added = await post(asMona, kase.id, `/cases/${kase.id}/team`, { userId: pia.id, role: "reviewer" });
    expect(added.status).toBe(302);
    expect(added.headers.location).toBe(`/cases/${kase.id}/team`);
    const page = await follow(asMona, added);
    expect(flashesOf(page.text)).toContainEqual(["success", "Pia Paralegal added to the team as Reviewer."]);
    expect(decodeHtml(page.text)).toMatch(/Pia Paralegal[\s\S]*?<td>Reviewer<\/td>/);
    expect((await teamOf(kase.id)).map((m) => [m.userId, m.role])).toEqual([[pia.id, "reviewer"]]);

    const changed = await post(asMona, kase.id, `/cases/${kase.id}/team`, { userId: pia.id, role: "consultant" });
    expect(flashesOf((await follow(asMona, changed)).text)).toContainEqual(["success", "Pia Paralegal is now Consultant on the case."]);
    expect((await teamOf(kase.id)).map((m) => [m.userId, m.role])).toEqual([[pia.id, "consultant"]]);

    const same = await post(asMona, kase.id, `/cases/${kase.id}/team`, { userId: pia.id, role: "consultant" });
    expect(flashesOf((await follow(asMona, same)).text)).toContainEqual(["error", "Pia Paralegal is already on the team as Consultant."]);

    const actions = await t.db.auditEvent.findMany({ where: { entityId: kase.id, action: { startsWith: "case.team" } }, orderBy: { id: "asc" } });
    expect(actions.map((a) => a.action)).toEqual(["case.team_add", "case.team_role"]);
    const history = decodeHtml((await asMona.get(`/cases/${kase.id}/history`)).text);
    expect(history).toMatch(/<strong>Team role changed<\/strong> · Mona Manager/);
    expect(history).toMatch(/<dt>Team: Pia Paralegal<\/dt>\s*<dd><span class="before">Reviewer<\/span> → <span class="after">Consultant<\/span>/);
  });

  it("refuses the manager, an inactive user and a missing choice, with a flash", async () => {
    const kase = await openCase(t.db, mona, { clientId, typeId });
    const manager = await post(asMona, kase.id, `/cases/${kase.id}/team`, { userId: mona.id, role: "associate" });
    expect(flashesOf((await follow(asMona, manager)).text)).toContainEqual(["error", "Mona Manager is the case manager and leads the case already."]);
    const inactive = await post(asMona, kase.id, `/cases/${kase.id}/team`, { userId: gone.id, role: "associate" });
    expect(flashesOf((await follow(asMona, inactive)).text)).toContainEqual(["error", "Choose an active user."]);
    const nobody = await post(asMona, kase.id, `/cases/${kase.id}/team`, { userId: "", role: "associate" });
    expect(flashesOf((await follow(asMona, nobody)).text)).toContainEqual(["error", "Choose a person."]);
    expect(await teamOf(kase.id)).toEqual([]);
  });

  it("removes a member, but not one still assigned an unfinished stage", async () => {
    const kase = await openCase(t.db, mona, { clientId, typeId });
    await t.db.caseTeamMember.createMany({ data: [{ caseId: kase.id, userId: sam.id, role: "associate" }, { caseId: kase.id, userId: pia.id, role: "paralegal" }] });
    await t.db.caseStage.update({ where: { id: kase.stages[1]!.id }, data: { assigneeId: pia.id } });

    const refused = await post(asMona, kase.id, `/cases/${kase.id}/team/${pia.id}/remove`, {});
    expect(refused.status).toBe(302);
    const page = await follow(asMona, refused);
    expect(flashesOf(page.text)).toContainEqual(["error", 'Pia Paralegal is assigned "Drafting": give that stage to someone else first.']);
    expect(decodeHtml(page.text)).toContain("Assigned: Drafting");
    expect((await teamOf(kase.id)).map((m) => m.userId)).toContain(pia.id);

    const removed = await post(asMona, kase.id, `/cases/${kase.id}/team/${sam.id}/remove`, {});
    const after = await follow(asMona, removed);
    expect(flashesOf(after.text)).toContainEqual(["success", "Sam Staff removed from the team."]);
    expect((await teamOf(kase.id)).map((m) => m.userId)).toEqual([pia.id]);
    expect(await t.db.auditEvent.count({ where: { entityId: kase.id, action: "case.team_remove" } })).toBe(1);
    // Sam no longer sees the case.
    expect((await asSam.get(`/cases/${kase.id}`)).status).toBe(404);
  });

  it("answers 404 when removing someone who is not on the team", async () => {
    const kase = await openCase(t.db, mona, { clientId, typeId });
    expect((await post(asMona, kase.id, `/cases/${kase.id}/team/${olaf.id}/remove`, {})).status).toBe(404);
    expect((await post(asMona, kase.id, `/cases/${kase.id}/team/not-a-uuid/remove`, {})).status).toBe(404);
  });
});

describe("who may change the team", () => {
  it("shows a staff member on the team the list without buttons, and refuses their posts (403)", async () => {
    const kase = await openCase(t.db, mona, { clientId, typeId });
    await t.db.caseTeamMember.create({ data: { caseId: kase.id, userId: sam.id, role: "associate" } });
    const res = await asSam.get(`/cases/${kase.id}/team`);
    expect(res.status).toBe(200);
    expect(decodeHtml(res.text)).toContain("Sam Staff");
    expect(res.text).not.toContain("data-add-member");
    expect(res.text).not.toContain("/remove");
    expect(res.text).not.toContain("Change role");
    expect((await post(asSam, kase.id, `/cases/${kase.id}/team`, { userId: pia.id, role: "associate" })).status).toBe(403);
    expect((await postForm(asSam, `/cases/${kase.id}`, `/cases/${kase.id}/team/${sam.id}/remove`, {})).status).toBe(403);
    expect((await teamOf(kase.id)).map((m) => m.userId)).toEqual([sam.id]);
  });

  it("lets a staff case manager manage their own case's team", async () => {
    const kase = await openCase(t.db, sam, { clientId, typeId });
    const res = await post(asSam, kase.id, `/cases/${kase.id}/team`, { userId: pia.id, role: "observer" });
    expect(flashesOf((await follow(asSam, res)).text)).toContainEqual(["success", "Pia Paralegal added to the team as Observer."]);
  });

  it("answers 404 to someone who cannot see the case, on the tab and on every team post", async () => {
    const kase = await openCase(t.db, mona, { clientId, typeId });
    await t.db.caseTeamMember.create({ data: { caseId: kase.id, userId: sam.id, role: "associate" } });
    expect((await asOlaf.get(`/cases/${kase.id}/team`)).status).toBe(404);
    expect((await postForm(asOlaf, "/cases/new", `/cases/${kase.id}/team`, { userId: olaf.id, role: "lead" })).status).toBe(404);
    expect((await postForm(asOlaf, "/cases/new", `/cases/${kase.id}/team`, { userId: "" })).status).toBe(404);
    expect((await postForm(asOlaf, "/cases/new", `/cases/${kase.id}/team/${sam.id}/remove`, {})).status).toBe(404);
    expect((await teamOf(kase.id)).map((m) => m.userId)).toEqual([sam.id]);
  });
});
