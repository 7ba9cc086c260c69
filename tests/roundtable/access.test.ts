// Roundtable material is the relationship team's only: every other role and flag gets 404 on every roundtable route,
// and entries never reach them through the client page, follow-ups, the audit log or exports. Within the team,
// restricted clients (and their entries, counts included) exist only for members who may see them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { csrfToken, postForm, signedIn, type Agent } from "../helpers/http.ts";
import { openActionItems, recentEntries } from "../../src/roundtable/selectors.ts";
import { clientCards, dayFromToday, decodeHtml, entryBy, makeClient, meetingBy, pdfText } from "./support.ts";

let t: TestApp;
type User = Awaited<ReturnType<typeof makeUser>>;
let lead: User, member: User;
let leadAgent: Agent, memberAgent: Agent;
let meetingId: string, openId: string, restrictedId: string, actionItemId: string, hiddenItemId: string;

const SECRET = "Confidential board restructuring";
const HIDDEN = "Restricted merger talks";

beforeAll(async () => {
  t = await createTestApp();
  // The lead is on the restricted client's team; the member is on the relationship team but not on that client's.
  lead = await makeUser(t.db, { name: "Lena Lead", relationshipTeam: true });
  member = await makeUser(t.db, { name: "Max Member", relationshipTeam: true });
  [leadAgent, memberAgent] = await Promise.all([signedIn(t.app, lead.email), signedIn(t.app, member.email)]);
  const open = await makeClient(t.db, lead.id, { name: "Open Utility", priority: "strategic", relationshipStatus: "active" });
  const restricted = await makeClient(t.db, lead.id, { name: "Hidden Holdings", priority: "strategic", relationshipStatus: "active", isConfidential: true, accountManagerId: lead.id });
  openId = open.id;
  restrictedId = restricted.id;
  const meeting = await meetingBy(t.db, lead, { attendeeIds: [lead.id, member.id] });
  meetingId = meeting.id;
  await entryBy(t.db, lead, meetingId, openId, { discussion: SECRET, actionDescription: "Prepare board memo", actionAssignee: member.id, actionDue: dayFromToday(-2) });
  await entryBy(t.db, lead, meetingId, restrictedId, { discussion: HIDDEN, actionDescription: "Hidden task", actionAssignee: member.id, actionDue: dayFromToday(3) });
  actionItemId = (await t.db.roundtableActionItem.findFirstOrThrow({ where: { clientId: openId } })).id;
  hiddenItemId = (await t.db.roundtableActionItem.findFirstOrThrow({ where: { clientId: restrictedId } })).id;
});
afterAll(async () => t.close());

const OUTSIDERS: [string, Record<string, unknown>][] = [
  ["an administrator", { role: "admin" }],
  ["an administrator who may view confidential clients", { role: "admin", viewConfidential: true }],
  ["a manager", { role: "manager" }],
  ["a staff member", { role: "staff" }],
  ["a legal-team member", { role: "staff", legalTeam: true }],
];

describe.each(OUTSIDERS)("%s off the relationship team", (_label, fields) => {
  let agent: Agent;
  let user: User;
  beforeAll(async () => {
    user = await makeUser(t.db, fields);
    agent = await signedIn(t.app, user.email);
  });

  it("gets 404 on every roundtable page and action", async () => {
    const gets = [
      "/roundtable",
      `/roundtable/${meetingId}`,
      `/roundtable/${meetingId}/clients/${openId}`,
      `/roundtable/${meetingId}/minutes`,
      `/roundtable/${meetingId}/minutes.csv`,
      `/roundtable/${meetingId}/minutes.pdf`,
      `/clients/${openId}/roundtable`,
    ];
    for (const path of gets) expect([path, (await agent.get(path)).status]).toEqual([path, 404]);
    const token = await csrfToken(agent, "/");
    const posts: [string, Record<string, unknown>][] = [
      ["/roundtable", { meetingDate: "2026-01-01", attendeeIds: [user.id] }],
      [`/roundtable/${meetingId}/entries/${openId}`, { nextSteps: "Sneaky" }],
      [`/roundtable/${meetingId}/end`, {}],
      [`/roundtable/action-items/${actionItemId}/complete`, {}],
    ];
    for (const [path, body] of posts) {
      const res = await agent.post(path).type("form").send({ _csrf: token, ...body });
      expect([path, res.status]).toEqual([path, 404]);
    }
    const json = await agent.post(`/roundtable/${meetingId}/entries/${openId}`).set("X-CSRF-Token", token).send({ nextSteps: "Sneaky" });
    expect(json.status).toBe(404);
    const stored = await t.db.roundtableEntry.findFirstOrThrow({ where: { meetingId, clientId: openId } });
    expect(stored.nextSteps).not.toBe("Sneaky");
    expect((await t.db.roundtableMeeting.findUniqueOrThrow({ where: { id: meetingId } })).endedAt).toBeNull();
    expect((await t.db.roundtableActionItem.findUniqueOrThrow({ where: { id: actionItemId } })).completedAt).toBeNull();
  });

  it("sees no roundtable link, section, action item or entry text anywhere", async () => {
    const home = (await agent.get("/")).text;
    expect(home).not.toContain('href="/roundtable"');
    const client = await agent.get(`/clients/${openId}`);
    expect(client.status).toBe(200);
    expect(client.text).not.toContain("data-roundtable-section");
    expect(client.text).not.toContain(SECRET);
    const followUps = await agent.get("/communications/follow-ups");
    expect(followUps.text).not.toContain("data-action-items-section");
    expect(followUps.text).not.toContain("Prepare board memo");
    const exported = await agent.get("/clients/export.csv");
    expect(exported.text).not.toContain(SECRET);
  });

  it("finds no roundtable event in the audit log", async () => {
    const res = await agent.get("/admin/audit");
    if (res.status === 200) {
      expect(res.text).not.toContain("roundtable");
      expect(res.text).not.toContain(SECRET);
      const filtered = await agent.get(`/admin/audit?entityType=roundtable_entry`);
      expect(filtered.text).not.toContain("roundtable_entry.create");
    } else {
      expect(res.status).toBe(403);
    }
  });
});

describe("the relationship team", () => {
  it("an administrator on the team reads roundtable events in the audit log", async () => {
    const admin = await makeUser(t.db, { role: "admin", relationshipTeam: true, viewConfidential: true });
    const agent = await signedIn(t.app, admin.email);
    const html = (await agent.get("/admin/audit?entityType=roundtable_entry")).text;
    expect(html).toContain("roundtable_entry.create");
    expect(decodeHtml(html)).toContain(SECRET);
  });

  it("sees the nav link, the client page's last entries and the history", async () => {
    const home = (await memberAgent.get("/")).text;
    expect(home).toContain('href="/roundtable"');
    const client = decodeHtml((await memberAgent.get(`/clients/${openId}`)).text);
    expect(client).toContain("data-roundtable-section");
    expect(client).toContain(SECRET);
    const history = decodeHtml((await memberAgent.get(`/clients/${openId}/roundtable`)).text);
    expect(history).toContain(SECRET);
  });

  it("a member who may not see a restricted client finds neither it nor its entries, counts included", async () => {
    const mode = (await memberAgent.get(`/roundtable/${meetingId}?priority=strategic`)).text;
    expect(clientCards(mode)).toContain(openId);
    expect(clientCards(mode)).not.toContain(restrictedId);
    const leadMode = (await leadAgent.get(`/roundtable/${meetingId}?priority=strategic`)).text;
    expect(clientCards(leadMode)).toContain(restrictedId);

    const minutes = decodeHtml((await memberAgent.get(`/roundtable/${meetingId}/minutes`)).text);
    expect(minutes).toContain(SECRET);
    expect(minutes).not.toContain(HIDDEN);
    expect(minutes).not.toContain("Hidden Holdings");
    expect(minutes).toMatch(/Entries <span class="count">1<\/span>/);
    expect(decodeHtml((await leadAgent.get(`/roundtable/${meetingId}/minutes`)).text)).toContain(HIDDEN);
    const list = (await memberAgent.get("/roundtable")).text;
    const row = list.slice(list.indexOf(`data-meeting="${meetingId}"`));
    expect(/<td>(\d+)<\/td>/.exec(row)![1]).toBe("1");

    const csv = (await memberAgent.get(`/roundtable/${meetingId}/minutes.csv`)).text;
    expect(csv).toContain(SECRET);
    expect(csv).not.toContain(HIDDEN);
    const pdf = await memberAgent.get(`/roundtable/${meetingId}/minutes.pdf`).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => done(null, Buffer.concat(chunks)));
    });
    expect(pdfText(pdf.body as Buffer)).toContain(SECRET);
    expect(pdfText(pdf.body as Buffer)).not.toContain("Hidden");

    expect((await memberAgent.get(`/clients/${restrictedId}/roundtable`)).status).toBe(404);
    expect((await memberAgent.get(`/roundtable/${meetingId}/clients/${restrictedId}`)).status).toBe(404);
    const token = await csrfToken(memberAgent, "/roundtable");
    const write = await memberAgent.post(`/roundtable/${meetingId}/entries/${restrictedId}`).set("X-CSRF-Token", token).send({ nextSteps: "Overwrite" });
    expect(write.status).toBe(404);

    // Its action item, though assigned to the member, is neither listed, counted nor completable.
    const followUps = decodeHtml((await memberAgent.get("/communications/follow-ups")).text);
    expect(followUps).toContain("Prepare board memo");
    expect(followUps).not.toContain("Hidden task");
    expect(followUps).toMatch(/Roundtable action items <span class="count">1<\/span>/);
    const complete = await memberAgent.post(`/roundtable/action-items/${hiddenItemId}/complete`).type("form").send({ _csrf: token });
    expect(complete.status).toBe(404);
    // The selectors the dashboards read: the same rule.
    const recent = await recentEntries(t.db, { ...member, mustChangePassword: false }, 10);
    expect(recent.map((e) => e.discussion)).toEqual([SECRET]);
    expect((await openActionItems(t.db, { ...member, mustChangePassword: false }, { assigneeId: member.id })).count).toBe(1);
    expect((await openActionItems(t.db, { ...lead, mustChangePassword: false }, { assigneeId: member.id })).count).toBe(2);
    const admin = await makeUser(t.db, { role: "admin", viewConfidential: true });
    expect(await recentEntries(t.db, { ...admin, mustChangePassword: false }, 10)).toEqual([]);
    expect((await openActionItems(t.db, { ...admin, mustChangePassword: false }, { assigneeId: member.id })).count).toBe(0);
    const audit = (await memberAgent.get("/admin/audit")).status;
    expect(audit).toBe(403);
  });
});

describe("a client restricted after its entries were written", () => {
  it("takes its entries and action items out of reach of members off its team, and gives them back when lifted (the rows' copies follow)", async () => {
    const later = await makeClient(t.db, lead.id, { name: "Later Restricted", priority: "strategic", relationshipStatus: "active", accountManagerId: lead.id });
    const meeting = await meetingBy(t.db, lead, { attendeeIds: [lead.id, member.id] });
    await entryBy(t.db, lead, meeting.id, later.id, { discussion: "Later talks", actionDescription: "Later task", actionAssignee: member.id, actionDue: dayFromToday(5) });
    const copies = async () => {
      const { rows } = await t.database.pool.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM roundtable_entries e JOIN clients c ON c.id = e.client_id WHERE e.client_confidential IS DISTINCT FROM c.is_confidential)
              + (SELECT count(*) FROM roundtable_action_items a JOIN clients c ON c.id = a.client_id WHERE a.client_confidential IS DISTINCT FROM c.is_confidential) AS n`,
      );
      expect(Number(rows[0]!.n)).toBe(0);
    };
    const count = async (agent: Agent) => {
      const list = (await agent.get("/roundtable")).text;
      return /<td>(\d+)<\/td>/.exec(list.slice(list.indexOf(`data-meeting="${meeting.id}"`)))![1];
    };
    const seen = async (agent: Agent) => ({
      count: await count(agent),
      minutes: decodeHtml((await agent.get(`/roundtable/${meeting.id}/minutes`)).text).includes("Later talks"),
      followUps: decodeHtml((await agent.get("/communications/follow-ups")).text).includes("Later task"),
    });
    await copies();
    expect(await seen(memberAgent)).toEqual({ count: "1", minutes: true, followUps: true });

    await t.db.client.update({ where: { id: later.id }, data: { isConfidential: true } });
    await copies();
    expect(await seen(memberAgent)).toEqual({ count: "0", minutes: false, followUps: false });
    expect(await seen(leadAgent)).toEqual({ count: "1", minutes: true, followUps: false });

    // A value written to a copy is replaced by the client's.
    await t.database.pool.query(`UPDATE roundtable_entries SET client_confidential = FALSE WHERE client_id = $1`, [later.id]);
    await t.database.pool.query(`UPDATE roundtable_action_items SET client_confidential = FALSE WHERE client_id = $1`, [later.id]);
    await copies();
    expect(await seen(memberAgent)).toEqual({ count: "0", minutes: false, followUps: false });

    await t.db.client.update({ where: { id: later.id }, data: { isConfidential: false } });
    await copies();
    expect(await seen(memberAgent)).toEqual({ count: "1", minutes: true, followUps: true });
  });
});

describe("deleting a client with roundtable entries", () => {
  it("is refused; an administrator off the team is not told what the records are", async () => {
    const outsider = await makeUser(t.db, { role: "admin", viewConfidential: true });
    const agent = await signedIn(t.app, outsider.email);
    const page = decodeHtml((await agent.get(`/clients/${openId}/delete`)).text);
    expect(page).toContain("set of records kept by the relationship team");
    expect(page).not.toMatch(/roundtable/i);
    const res = await postForm(agent, `/clients/${openId}/delete`, `/clients/${openId}/delete`, {});
    expect(res.status).toBe(302);
    const after = decodeHtml((await agent.get(res.headers.location!)).text);
    expect(after).toContain("cannot be deleted");
    expect(after).not.toMatch(/roundtable/i);
    expect(await t.db.client.count({ where: { id: openId } })).toBe(1);
    const insider = await makeUser(t.db, { role: "admin", relationshipTeam: true });
    const insiderPage = decodeHtml((await (await signedIn(t.app, insider.email)).get(`/clients/${openId}/delete`)).text);
    expect(insiderPage).toContain("1 roundtable entry");
  });
});

describe("action items as follow-ups", () => {
  it("are listed for their assignee, overdue marked, and completed by the assignee only, recording who and when", async () => {
    const page = decodeHtml((await memberAgent.get("/communications/follow-ups")).text);
    const item = page.slice(page.indexOf(`data-action-item="${actionItemId}"`));
    expect(item.slice(0, 400)).toContain("Overdue");
    const leadToken = await csrfToken(leadAgent, "/roundtable");
    const byOther = await leadAgent.post(`/roundtable/action-items/${actionItemId}/complete`).type("form").send({ _csrf: leadToken });
    expect(byOther.status).toBe(403);
    const token = await csrfToken(memberAgent, "/communications/follow-ups");
    const res = await memberAgent.post(`/roundtable/action-items/${actionItemId}/complete`).type("form").send({ _csrf: token, back: "/communications/follow-ups" });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe("/communications/follow-ups");
    const stored = await t.db.roundtableActionItem.findUniqueOrThrow({ where: { id: actionItemId } });
    expect(stored.completedById).toBe(member.id);
    expect(stored.completedAt).not.toBeNull();
    expect(await t.db.auditEvent.count({ where: { action: "roundtable_action_item.complete", entityId: actionItemId, actorId: member.id } })).toBe(1);
    const after = (await memberAgent.get("/communications/follow-ups")).text;
    expect(after).not.toContain(`data-action-item="${actionItemId}"`);
    const again = await memberAgent.post(`/roundtable/action-items/${actionItemId}/complete`).type("form").send({ _csrf: token });
    expect(again.status).toBe(302);
    expect(await t.db.auditEvent.count({ where: { action: "roundtable_action_item.complete", entityId: actionItemId } })).toBe(1);
  });
});
