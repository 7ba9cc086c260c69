// The client's own relevant audited changes on its timeline: status, people, restriction and classification, the
// assessment, contacts added and removed, the client created, with who and when and "field: old → new"; a "Show:
// changes" choice; keyset pages still in order; and the audit log's redaction for each kind of reader (privileged
// notes off the team, the assessment outside the relationship team); a hidden client's timeline is a 404.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { postForm, signedIn, type Agent } from "../helpers/http.ts";
import { decodeHtml, formFields, mainContent } from "../clients/support.ts";
import { clientTimeline } from "../../src/communications/queries.ts";
import { localTime, logAs, makeClient } from "./support.ts";

let t: TestApp;
type User = Awaited<ReturnType<typeof makeUser>>;
let editor: User, teamStaff: User, offStaff: User, relOff: User, newManager: User;
const agents = {} as Record<"editor" | "team" | "off" | "rel", Agent>;

beforeAll(async () => {
  t = await createTestApp();
  // On the client's team and on the relationship team: sees everything.
  editor = await makeUser(t.db, { role: "manager", name: "Eda Editor", relationshipTeam: true });
  // On the team, not on the relationship team: privileged notes yes, assessment no.
  teamStaff = await makeUser(t.db, { role: "staff", name: "Tom Team" });
  // Off the team, not on the relationship team: neither.
  offStaff = await makeUser(t.db, { role: "staff", name: "Olga Off" });
  // On the relationship team, off the client's team: the assessment yes, privileged notes no.
  relOff = await makeUser(t.db, { role: "staff", name: "Rita Relations", relationshipTeam: true });
  newManager = await makeUser(t.db, { role: "manager", name: "Nina Newmanager" });
  agents.editor = await signedIn(t.app, editor.email);
  agents.team = await signedIn(t.app, teamStaff.email);
  agents.off = await signedIn(t.app, offStaff.email);
  agents.rel = await signedIn(t.app, relOff.email);
});
afterAll(async () => {
  await t.close();
});

const timelineText = async (agent: Agent, clientId: string, query = "") => {
  const res = await agent.get(`/clients/${clientId}/timeline${query}`);
  expect(res.status).toBe(200);
  // the words as read: tags dropped, spaces collapsed
  return decodeHtml(mainContent(res.text).replace(/<[^>]+>/g, " ")).replace(/\s+/g, " ").replace(/ :/g, ":");
};

/** Edits the client through its form, as the editor, with `changes` over what the form shows. */
async function editClient(clientId: string, changes: Record<string, string>) {
  const fields = formFields((await agents.editor.get(`/clients/${clientId}/edit`)).text);
  const res = await agents.editor.post(`/clients/${clientId}`).type("form").send({ ...fields, ...changes });
  expect(res.status, res.text.slice(0, 2000)).toBe(302);
}

describe("changes on the client timeline", () => {
  let clientId: string;
  beforeAll(async () => {
    const client = await makeClient(t.db, editor.id, {
      name: "Changeful Privileged Ltd", clientType: "organization", dataClassification: "privileged", notes: "Old privileged note",
      relationshipStrength: "good", accountManagerId: editor.id, teamUserIds: [editor.id, teamStaff.id],
    });
    clientId = client.id;
    await editClient(clientId, { status: "on_hold", accountManagerId: newManager.id, notes: "Secret privileged plan", relationshipStrength: "at_risk" });
    expect((await postForm(agents.editor, `/clients/${clientId}/contacts/new`, `/clients/${clientId}/contacts`, { name: "Hank Added", active: "on" })).status).toBe(302);
    expect((await postForm(agents.editor, `/clients/${clientId}/contacts/new`, `/clients/${clientId}/contacts`, { name: "Gone Contact", active: "on" })).status).toBe(302);
    const gone = await t.db.contact.findFirstOrThrow({ where: { clientId, name: "Gone Contact" } });
    expect((await postForm(agents.editor, `/clients/${clientId}`, `/clients/${clientId}/contacts/${gone.id}/delete`, { confirmed: "yes" })).status).toBe(302);
    // A change to a field that does not matter to a reader of the timeline (the phone) is left out.
    await editClient(clientId, { phone: "+1 555 0100" });
    await logAs(t.db, editor, clientId, { subject: "Call among the changes", occurredAt: localTime(0) });
  });

  it("shows who changed what, field: old → new, with contacts added and removed, to a reader who may see everything", async () => {
    const text = await timelineText(agents.editor, clientId);
    expect(text).toContain("Client changed");
    expect(text).toMatch(/Status: Active → On hold/);
    expect(text).toMatch(/Account manager: Eda Editor → Nina Newmanager/);
    expect(text).toMatch(/Notes: Old privileged note → Secret privileged plan/);
    expect(text).toMatch(/Relationship strength: Good → At risk/);
    expect(text).toMatch(/Contact added: Hank Added/);
    expect(text).toMatch(/Contact removed: Gone Contact/);
    expect(text).toContain("by Eda Editor");
    expect(text).not.toContain("0100");
    expect(text).toContain("Call among the changes");
    // newest first: the contact removal comes before the edit that preceded it
    expect(text.indexOf("Contact removed")).toBeLessThan(text.indexOf("Status: Active"));
  });

  it("redacts privileged notes and the assessment with the audit log's redaction, for each kind of reader", async () => {
    const cases = [
      { who: "team" as const, notes: true, assessment: false },
      { who: "off" as const, notes: false, assessment: false },
      { who: "rel" as const, notes: false, assessment: true },
    ];
    for (const c of cases) {
      const text = await timelineText(agents[c.who], clientId);
      // what every reader of the client sees
      expect(text, c.who).toMatch(/Status: Active → On hold/);
      expect(text, c.who).toMatch(/Contact added: Hank Added/);
      expect(text.includes("Secret privileged plan"), `${c.who} notes`).toBe(c.notes);
      expect(text.includes("Old privileged note"), `${c.who} old notes`).toBe(c.notes);
      expect(text.includes("At risk"), `${c.who} assessment`).toBe(c.assessment);
      expect(/Relationship strength: Good/.test(text), `${c.who} old assessment`).toBe(c.assessment);
      expect(text.includes("(withheld)"), `${c.who} withheld marker`).toBe(!c.notes || !c.assessment);
      // the same filtered to changes only
      const only = await timelineText(agents[c.who], clientId, "?show=changes");
      expect(only.includes("Secret privileged plan"), `${c.who} notes, changes only`).toBe(c.notes);
      expect(only.includes("At risk"), `${c.who} assessment, changes only`).toBe(c.assessment);
    }
  });

  it("a client whose assessment changed, on an open (not privileged) client: redacted for a non-relationship-team reader", async () => {
    const client = await makeClient(t.db, editor.id, { name: "Assessed Open Ltd", priority: "low", teamUserIds: [editor.id] });
    await editClient(client.id, { priority: "strategic", relationshipNotes: "Wobbly since the merger" });
    const off = await timelineText(agents.off, client.id);
    expect(off).toContain("Client changed");
    expect(off).not.toContain("Strategic");
    expect(off).not.toContain("Wobbly since the merger");
    expect(off).toMatch(/Priority: \(withheld\)/);
    const rel = await timelineText(agents.rel, client.id);
    expect(rel).toMatch(/Priority: Low → Strategic/);
    expect(rel).toContain("Wobbly since the merger");
  });

  it("the Show filter: changes only, or none; communication filters leave changes out", async () => {
    const changes = await timelineText(agents.editor, clientId, "?show=changes");
    expect(changes).toContain("Client changed");
    expect(changes).not.toContain("Call among the changes");
    const page = await agents.editor.get(`/clients/${clientId}/timeline?show=changes`);
    expect(page.text).toMatch(/<option value="changes" selected/);
    const comms = await timelineText(agents.editor, clientId, "?show=communications");
    expect(comms).toContain("Call among the changes");
    expect(comms).not.toContain("Client changed");
    expect(comms).not.toContain("Contact added");
    const cases = await timelineText(agents.editor, clientId, "?show=cases");
    expect(cases).not.toContain("Client changed");
    const important = await timelineText(agents.editor, clientId, "?important=on");
    expect(important).not.toContain("Client changed");
    // a date range before the changes leaves them out
    const old = await timelineText(agents.editor, clientId, "?show=changes&to=2000-01-01");
    expect(old).not.toContain("Client changed");
  });

  it("a client created through the form, its status, restriction and classification changes", async () => {
    const fields = formFields((await agents.editor.get("/clients/new")).text);
    const created = await agents.editor.post("/clients").type("form").send({ ...fields, name: "Brand New Created Ltd", clientType: "organization", status: "active", confirmDuplicate: "on" });
    expect(created.status, created.text.slice(0, 1500)).toBe(302);
    const row = await t.db.client.findFirstOrThrow({ where: { name: "Brand New Created Ltd" } });
    await editClient(row.id, { isConfidential: "on", dataClassification: "privileged", teamUserIds: editor.id });
    const text = await timelineText(agents.editor, row.id, "?show=changes");
    expect(text).toContain("Client created");
    expect(text).toMatch(/Restricted: no → yes/);
    expect(text).toMatch(/Classification: Confidential → Privileged/);
  });

  it("keyset pages keep changes and communications in one newest-first order, none lost or repeated", async () => {
    const client = await makeClient(t.db, editor.id, { name: "Paged Changes Ltd", teamUserIds: [editor.id] });
    for (let i = 0; i < 6; i += 1) {
      await editClient(client.id, { status: i % 2 ? "active" : "on_hold" });
      await logAs(t.db, editor, client.id, { subject: `Paged call ${i}`, occurredAt: localTime(0) });
    }
    const reader = { ...offStaff, relationshipTeam: false, viewConfidential: false } as Parameters<typeof clientTimeline>[1];
    const seen: { at: number; key: string; kind: string }[] = [];
    let after: string | undefined;
    for (let n = 0; n < 10; n += 1) {
      const page = await clientTimeline(t.db, reader, client.id, { after }, 5);
      seen.push(...page.rows.map((r) => ({ at: r.at.getTime(), key: r.key, kind: r.kind })));
      if (!page.next) break;
      after = page.next;
    }
    expect(seen.filter((s) => s.kind === "change")).toHaveLength(6);
    expect(seen.filter((s) => s.kind === "communication")).toHaveLength(6);
    expect(new Set(seen.map((s) => `${s.kind}:${s.key}`)).size).toBe(seen.length);
    for (let i = 1; i < seen.length; i += 1) expect(seen[i - 1]!.at).toBeGreaterThanOrEqual(seen[i]!.at);
    // the changes-only view pages the same way: 6 changes, newest status first
    const changesOnly = await clientTimeline(t.db, reader, client.id, { show: "changes" }, 4);
    expect(changesOnly.rows.map((r) => r.kind)).toEqual(["change", "change", "change", "change"]);
    const rest = await clientTimeline(t.db, reader, client.id, { show: "changes", after: changesOnly.next! }, 4);
    expect(rest.rows).toHaveLength(2);
    expect(rest.next).toBeNull();
  });

  it("a restricted client's timeline, changes included, is a 404 for a reader off its team, like a missing one", async () => {
    const hidden = await makeClient(t.db, editor.id, { name: "Hidden Restricted Ltd", isConfidential: true, teamUserIds: [editor.id] });
    await editClient(hidden.id, { status: "on_hold" });
    expect((await agents.off.get(`/clients/${hidden.id}/timeline?show=changes`)).status).toBe(404);
    expect((await agents.off.get(`/clients/00000000-0000-4000-8000-000000000000/timeline`)).status).toBe(404);
    expect((await agents.editor.get(`/clients/${hidden.id}/timeline?show=changes`)).text).toContain("Client changed");
  });
});
