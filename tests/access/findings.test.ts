// The three leaks an outside probe found (issue 11), each replayed as the probe did, over HTTP:
// the edit form showed privileged notes off the team, the audit log showed hidden records and fields, and
// reads of privileged material were not audited.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { postForm, signedIn, type Agent } from "../helpers/http.ts";
import { formFields, makeClient } from "../clients/support.ts";
import { makeCaseType, openCase } from "../cases/support.ts";

type Who = "accountManager" | "teamMember" | "offTeam" | "viewConfidential" | "admin" | "adminViewConfidential" | "relationshipAdmin";

const PRIVILEGED_NOTES = "Quokka settlement strategy 4471";
const RESTRICTED_NAME = "Xanadu Hidden Trust";
const RESTRICTED_TAX = "TX-55-667788";
const RESTRICTED_NOTES = "Pangolin restricted note 3390";
const CONTACT_NAME = "Wilhelmina Hiddencontact";
const CASE_TITLE = "Ibex hidden matter";
const ASSESSMENT_NOTE = "Axolotl assessment 7712";

let t: TestApp;
const users = {} as Record<Who, Awaited<ReturnType<typeof makeUser>>>;
const agents = {} as Record<Who, Agent>;
let privileged: { id: string };
let restricted: { id: string };
let plain: { id: string };
let hiddenCase: { id: string; caseNumber: string };

beforeAll(async () => {
  t = await createTestApp();
  const spec: Record<Who, Parameters<typeof makeUser>[1]> = {
    accountManager: { name: "Amy Accountmgr" },
    teamMember: { name: "Ted Teammember" },
    offTeam: { name: "Otto Offteam" },
    viewConfidential: { name: "Vic Viewconf", viewConfidential: true },
    admin: { role: "admin", name: "Adele Admin" },
    adminViewConfidential: { role: "admin", name: "Avery Admin-VC", viewConfidential: true },
    relationshipAdmin: { role: "admin", name: "Rory Reladmin", relationshipTeam: true },
  };
  for (const who of Object.keys(spec) as Who[]) users[who] = await makeUser(t.db, spec[who]);
  for (const who of Object.keys(spec) as Who[]) agents[who] = await signedIn(t.app, users[who].email);
  privileged = await makeClient(t.db, users.admin.id, {
    name: "Privileged Partners",
    dataClassification: "privileged",
    notes: PRIVILEGED_NOTES,
    accountManagerId: users.accountManager.id,
    teamUserIds: [users.teamMember.id],
  });
  plain = await makeClient(t.db, users.admin.id, { name: "Plain Partners", notes: "nothing secret" });
  restricted = await makeClient(t.db, users.accountManager.id, {
    name: RESTRICTED_NAME,
    isConfidential: true,
    taxId: RESTRICTED_TAX,
    accountManagerId: users.accountManager.id,
  });
});
afterAll(async () => t.close());

describe("the client edit form and privileged notes", () => {
  it("does not put a privileged client's notes in the form for readers off its team", async () => {
    for (const who of ["offTeam", "viewConfidential", "admin"] as const) {
      const res = await agents[who].get(`/clients/${privileged.id}/edit`);
      expect(res.status, who).toBe(200);
      expect(res.text, who).not.toContain(PRIVILEGED_NOTES);
      expect(formFields(res.text).notes, who).toBeUndefined();
      expect(res.text, who).toContain("visible to the client's team only");
    }
  });

  it("shows them in the form to the client's team", async () => {
    for (const who of ["accountManager", "teamMember"] as const) {
      const res = await agents[who].get(`/clients/${privileged.id}/edit`);
      expect(formFields(res.text).notes, who).toBe(PRIVILEGED_NOTES);
    }
  });

  it("keeps the notes as they were when someone off the team saves the form, even with notes posted", async () => {
    const page = `/clients/${privileged.id}/edit`;
    const fields = formFields((await agents.offTeam.get(page)).text);
    const saved = await postForm(agents.offTeam, page, `/clients/${privileged.id}`, { ...fields, phone: "+1 555 0100" });
    expect(saved.status).toBe(302);
    const again = formFields((await agents.offTeam.get(page)).text);
    const forged = await postForm(agents.offTeam, page, `/clients/${privileged.id}`, { ...again, notes: "overwritten by staff" });
    expect(forged.status).toBe(302);
    const stored = await t.db.client.findUniqueOrThrow({ where: { id: privileged.id } });
    expect(stored.phone).toBe("+1 555 0100");
    expect(stored.notes).toBe(PRIVILEGED_NOTES);
  });

  it("does not let a manager off the team lower the classification to open the notes", async () => {
    const manager = await makeUser(t.db, { role: "manager", name: "Mona Manager" });
    const agent = await signedIn(t.app, manager.email);
    const page = `/clients/${privileged.id}/edit`;
    const fields = formFields((await agent.get(page)).text);
    const res = await postForm(agent, page, `/clients/${privileged.id}`, { ...fields, dataClassification: "confidential" });
    expect(res.status).toBe(422);
    expect(res.text).toContain("Only the client&#39;s team may lower a privileged classification.");
    expect(res.text).not.toContain(PRIVILEGED_NOTES);
    expect((await t.db.client.findUniqueOrThrow({ where: { id: privileged.id } })).dataClassification).toBe("privileged");
  });

  it("lets the team change them", async () => {
    const page = `/clients/${privileged.id}/edit`;
    const fields = formFields((await agents.teamMember.get(page)).text);
    const saved = await postForm(agents.teamMember, page, `/clients/${privileged.id}`, { ...fields, notes: `${PRIVILEGED_NOTES} (revised)` });
    expect(saved.status).toBe(302);
    expect((await t.db.client.findUniqueOrThrow({ where: { id: privileged.id } })).notes).toBe(`${PRIVILEGED_NOTES} (revised)`);
    await t.db.client.update({ where: { id: privileged.id }, data: { notes: PRIVILEGED_NOTES } });
  });
});

describe("reads of privileged material are audited", () => {
  const reads = (userId: string) => t.db.auditEvent.count({ where: { action: "client.read_privileged", actorId: userId, entityId: privileged.id } });

  it("writes a row when a team member opens a privileged client's page or edit form", async () => {
    const before = await reads(users.teamMember.id);
    expect((await agents.teamMember.get(`/clients/${privileged.id}`)).text).toContain(PRIVILEGED_NOTES);
    expect(await reads(users.teamMember.id)).toBe(before + 1);
    await agents.teamMember.get(`/clients/${privileged.id}/edit`);
    expect(await reads(users.teamMember.id)).toBe(before + 2);
  });

  it("writes none for readers who were not shown the privileged notes, nor for ordinary clients", async () => {
    const page = await agents.offTeam.get(`/clients/${privileged.id}`);
    expect(page.text).not.toContain(PRIVILEGED_NOTES);
    expect(await reads(users.offTeam.id)).toBe(0);
    await agents.accountManager.get(`/clients/${plain.id}`);
    expect(await t.db.auditEvent.count({ where: { action: "client.read_privileged", entityId: plain.id } })).toBe(0);
  });
});

describe("the audit log applies the visibility rules to the events it lists", () => {
  beforeAll(async () => {
    // Events about the restricted client, its contact and its case, written by its own team through the app.
    const am = agents.accountManager;
    await am.get(`/clients/${restricted.id}`);
    const editPage = `/clients/${restricted.id}/edit`;
    const fields = formFields((await am.get(editPage)).text);
    expect((await postForm(am, editPage, `/clients/${restricted.id}`, { ...fields, notes: RESTRICTED_NOTES })).status).toBe(302);
    const contactPage = `/clients/${restricted.id}/contacts/new`;
    expect((await postForm(am, contactPage, `/clients/${restricted.id}/contacts`, { name: CONTACT_NAME, active: "on" })).status).toBe(302);
    const { type } = await makeCaseType(t.db);
    hiddenCase = await openCase(t.db, users.accountManager, { clientId: restricted.id, typeId: type.id, title: CASE_TITLE });
    // An assessment change on an ordinary client, made by the relationship team.
    const plainPage = `/clients/${plain.id}/edit`;
    const plainFields = formFields((await agents.relationshipAdmin.get(plainPage)).text);
    expect((await postForm(agents.relationshipAdmin, plainPage, `/clients/${plain.id}`, { ...plainFields, relationshipNotes: ASSESSMENT_NOTE, priority: "strategic" })).status).toBe(302);
    // A privileged notes change, by the team.
    const privPage = `/clients/${privileged.id}/edit`;
    const privFields = formFields((await agents.teamMember.get(privPage)).text);
    expect((await postForm(agents.teamMember, privPage, `/clients/${privileged.id}`, { ...privFields, notes: `${PRIVILEGED_NOTES} v2` })).status).toBe(302);
  });

  const HIDDEN = [RESTRICTED_NAME, RESTRICTED_TAX, RESTRICTED_NOTES, CONTACT_NAME, CASE_TITLE];
  const pages = () => [
    "/admin/audit",
    `/admin/audit?entityId=${restricted.id}`,
    `/admin/audit?entityType=client&entityId=${restricted.id}`,
    `/admin/audit?entityId=${hiddenCase.id}`,
    "/admin/audit?action=case.*",
    "/admin/audit?action=contact.*",
    "/admin/audit?action=client.*",
    "/admin/audit?action=client.read_restricted",
    `/admin/audit?actor=${users.accountManager.id}`,
  ];

  it("shows an administrator without view confidential nothing about a restricted client, its contacts or its cases", async () => {
    for (const page of pages()) {
      const res = await agents.admin.get(page);
      expect(res.status, page).toBe(200);
      // The filter form echoes what the reader typed; the rest of the page must not know the record.
      const listed = res.text.replace(/<form class="filters"[\s\S]*?<\/form>/, "");
      for (const secret of [...HIDDEN, hiddenCase.caseNumber, restricted.id.slice(0, 8), hiddenCase.id.slice(0, 8)]) expect(listed, `${page}: ${secret}`).not.toContain(secret);
      if (page.includes("entityId=")) expect(listed, page).toContain("No audit events match these filters");
    }
  });

  it("counts in its pager only the events the reader may see", async () => {
    const position = (html: string) => /<span class="pager-position">Showing ([^<]*)<\/span>/.exec(html)?.[1];
    const page = `/admin/audit?actor=${users.accountManager.id}`;
    const all = await t.db.auditEvent.count({ where: { actorId: users.accountManager.id } });
    const seen = (await agents.admin.get(page)).text;
    const rows = (seen.match(/<tr>\s*<td class="nowrap">/g) ?? []).length;
    expect(rows).toBeLessThan(all);
    expect(position(seen)).toBe(rows === 0 ? undefined : `1–${rows} of ${rows}`);
    expect(position((await agents.adminViewConfidential.get(page)).text)).toBe(`1–${all} of ${all}`);
  });

  it("offers no filter choice that only hidden events have", async () => {
    const res = await agents.admin.get("/admin/audit");
    expect(res.text).not.toContain('value="client.read_restricted"');
    expect(res.text).not.toContain('value="contact.create"');
    expect(res.text).not.toContain('value="case.create"');
    const vc = await agents.adminViewConfidential.get("/admin/audit");
    expect(vc.text).toContain('value="client.read_restricted"');
    expect(vc.text).toContain('value="case.create"');
  });

  it("shows them to an administrator who holds view confidential", async () => {
    const res = await agents.adminViewConfidential.get(`/admin/audit?entityId=${restricted.id}`);
    expect(res.text).toContain(RESTRICTED_NOTES);
    expect(res.text).toContain("client.read_restricted");
    expect((await agents.adminViewConfidential.get("/admin/audit?action=case.*")).text).toContain(CASE_TITLE);
    expect((await agents.adminViewConfidential.get("/admin/audit?action=contact.*")).text).toContain(CONTACT_NAME);
  });

  it("redacts assessment values for administrators outside the relationship team", async () => {
    const page = `/admin/audit?entityId=${plain.id}`;
    const res = await agents.admin.get(page);
    expect(res.text).toContain("relationshipNotes");
    expect(res.text).not.toContain(ASSESSMENT_NOTE);
    expect(res.text).not.toMatch(/strategic/i);
    const rel = await agents.relationshipAdmin.get(page);
    expect(rel.text).toContain(ASSESSMENT_NOTE);
  });

  it("redacts privileged notes for everyone off the client's team, view confidential included", async () => {
    const page = `/admin/audit?entityId=${privileged.id}`;
    for (const who of ["admin", "adminViewConfidential", "relationshipAdmin"] as const) {
      const res = await agents[who].get(page);
      expect(res.text, who).toContain("client.update");
      expect(res.text, who).not.toContain(PRIVILEGED_NOTES);
    }
  });
});
