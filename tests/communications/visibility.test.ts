// The visibility matrix for communications: every role and flag against every read path (the page by guessed URL,
// the firm-wide list and its search, the client timeline and section, a case's list, the dashboard's follow-ups and
// the writes' 404). The table below is DOMAIN.md's rule written out by hand: it is the oracle.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { csrfToken, signedIn, type Agent } from "../helpers/http.ts";
import { makeCaseType, makeClient, openCase } from "./support.ts";

let t: TestApp;
const USERS = ["admin", "mgrTax", "mgrAudit", "staff", "legal", "relTeam", "viewConf", "openTeam", "restrictedTeam", "privTeam", "caseMgr"] as const;
type UserKey = (typeof USERS)[number];
const COMMS = ["A", "B", "C", "D", "E", "F"] as const;
type CommKey = (typeof COMMS)[number];

/** Who sees what. A: open client; B: marked privileged; C: restricted client; D: privileged client; E: on a case; F: deleted. */
const SEES: Record<CommKey, readonly UserKey[]> = {
  A: USERS,
  B: ["openTeam"],
  C: ["restrictedTeam", "viewConf"],
  D: ["privTeam"],
  E: ["admin", "mgrTax", "caseMgr"],
  F: [],
};
/** Who sees each communication's client (the timeline is a 404 for the others). */
const SEES_CLIENT: Record<CommKey, readonly UserKey[]> = { A: USERS, B: USERS, C: ["restrictedTeam", "viewConf"], D: USERS, E: USERS, F: USERS };

const users = {} as Record<UserKey, { id: string; agent: Agent }>;
const comms = {} as Record<CommKey, { id: string; clientId: string; word: string; subject: string }>;
let caseId: string;

beforeAll(async () => {
  t = await createTestApp();
  const flags: Record<UserKey, Parameters<typeof makeUser>[1]> = {
    admin: { role: "admin" },
    mgrTax: { role: "manager", department: "Tax" },
    mgrAudit: { role: "manager", department: "Audit" },
    staff: {},
    legal: { legalTeam: true },
    relTeam: { relationshipTeam: true },
    viewConf: { viewConfidential: true },
    openTeam: {},
    restrictedTeam: {},
    privTeam: {},
    caseMgr: { department: "Tax" },
  };
  for (const key of USERS) {
    const user = await makeUser(t.db, { name: `User ${key}`, ...flags[key] });
    users[key] = { id: user.id, agent: await signedIn(t.app, user.email) };
  }
  const by = users.admin.id;
  const open = await makeClient(t.db, by, { name: "Open Client", accountManagerId: users.openTeam.id });
  const restricted = await makeClient(t.db, by, { name: "Restricted Client", isConfidential: true, teamUserIds: [users.restrictedTeam.id] });
  const privileged = await makeClient(t.db, by, { name: "Privileged Client", dataClassification: "privileged", primaryPocId: users.privTeam.id });
  const { type } = await makeCaseType(t.db);
  const caseManager = await t.db.user.findUniqueOrThrow({ where: { id: users.caseMgr.id } });
  caseId = (await openCase(t.db, { ...caseManager, mustChangePassword: false }, { clientId: open.id, typeId: type.id, managerId: caseManager.id })).id;
  const spec: Record<CommKey, { clientId: string; privileged?: boolean; caseId?: string; deleted?: boolean }> = {
    A: { clientId: open.id },
    B: { clientId: open.id, privileged: true },
    C: { clientId: restricted.id },
    D: { clientId: privileged.id },
    E: { clientId: open.id, caseId },
    F: { clientId: open.id, deleted: true },
  };
  let minutes = 0;
  for (const key of COMMS) {
    const s = spec[key];
    const word = `zebra${key.toLowerCase()}quartz`;
    const subject = `Matrix subject ${key}`;
    minutes += 1;
    const row = await t.db.communication.create({
      data: {
        clientId: s.clientId, caseId: s.caseId ?? null, type: "phone", occurredAt: new Date(Date.now() - minutes * 60_000), subject, notes: `Said ${word} twice.`,
        privileged: s.privileged ?? false, loggedById: by, followUpRequired: true, followUpDue: new Date("2020-01-01T00:00:00Z"), followUpAssigneeId: users.admin.id,
        ...(s.deleted ? { deletedAt: new Date(), deletedById: by } : {}),
      },
    });
    comms[key] = { id: row.id, clientId: s.clientId, word, subject };
  }
}, 120_000);
afterAll(async () => t.close());

const cells = USERS.flatMap((u) => COMMS.map((c) => [u, c] as const));

describe("communications are visible exactly as the rule says", () => {
  it.each(cells)("%s reading %s by URL: the page, or the same 404 as a missing one", async (u, c) => {
    const res = await users[u].agent.get(`/communications/${comms[c].id}`);
    expect(res.status).toBe(SEES[c].includes(u) ? 200 : 404);
    if (res.status === 404) expect(res.text).not.toContain(comms[c].subject);
  });

  it("reads of restricted and privileged communications are audited, others are not", async () => {
    await users.restrictedTeam.agent.get(`/communications/${comms.C.id}`);
    await users.privTeam.agent.get(`/communications/${comms.D.id}`);
    await users.staff.agent.get(`/communications/${comms.A.id}`);
    const reads = await t.db.auditEvent.findMany({ where: { action: "communication.read_restricted", actorId: { in: [users.restrictedTeam.id, users.privTeam.id, users.staff.id] } } });
    expect(reads.map((e) => [e.actorId, e.entityId])).toEqual(expect.arrayContaining([[users.restrictedTeam.id, comms.C.id], [users.privTeam.id, comms.D.id]]));
    expect(reads.some((e) => e.actorId === users.staff.id)).toBe(false);
  });

  it("opening a restricted client's timeline, or a privileged client's by its team, is an audited read of the client", async () => {
    const since = new Date();
    await users.restrictedTeam.agent.get(`/clients/${comms.C.clientId}/timeline`);
    await users.privTeam.agent.get(`/clients/${comms.D.clientId}/timeline`);
    await users.staff.agent.get(`/clients/${comms.D.clientId}/timeline`); // off the privileged client's team
    await users.staff.agent.get(`/clients/${comms.A.clientId}/timeline`);
    const reads = await t.db.auditEvent.findMany({ where: { action: { in: ["client.read_restricted", "client.read_privileged"] }, at: { gte: since } } });
    expect(reads.map((e) => [e.action, e.actorId, e.entityId]).sort()).toEqual(
      [
        ["client.read_privileged", users.privTeam.id, comms.D.clientId],
        ["client.read_restricted", users.restrictedTeam.id, comms.C.clientId],
      ].sort(),
    );
    expect((await users.staff.agent.get(`/clients/${comms.C.clientId}/timeline`)).status).toBe(404);
  });

  it.each(USERS)("%s: the firm-wide list, its full-text search and the client timelines show only what they may see", async (u) => {
    const list = (await users[u].agent.get("/communications")).text;
    for (const c of COMMS) {
      const expected = SEES[c].includes(u);
      expect(list.includes(comms[c].subject), `${c} in the list`).toBe(expected);
      const search = await users[u].agent.get(`/communications?q=${comms[c].word}`);
      expect(search.status).toBe(200);
      expect(search.text.includes(comms[c].subject), `${c} in search`).toBe(expected);
      const timeline = await users[u].agent.get(`/clients/${comms[c].clientId}/timeline`);
      expect(timeline.status).toBe(SEES_CLIENT[c].includes(u) ? 200 : 404);
      expect(timeline.text.includes(comms[c].subject), `${c} on the timeline`).toBe(expected);
      if (SEES_CLIENT[c].includes(u)) {
        const hub = await users[u].agent.get(`/clients/${comms[c].clientId}`);
        expect(hub.text.includes(comms[c].subject), `${c} on the client page`).toBe(expected);
      }
    }
  });

  it.each(USERS)("%s: a case's communications only when the case is visible", async (u) => {
    const res = await users[u].agent.get(`/cases/${caseId}/communications`);
    expect(res.status).toBe(SEES.E.includes(u) ? 200 : 404);
    expect(res.text.includes(comms.E.subject)).toBe(SEES.E.includes(u));
  });

  it("the assignee's dashboard lists and counts only the follow-ups they may see", async () => {
    const dashboard = (await users.admin.agent.get("/")).text;
    const visible = COMMS.filter((c) => SEES[c].includes("admin"));
    for (const c of COMMS) expect(dashboard.includes(comms[c].subject), c).toBe(visible.includes(c));
    expect(dashboard).toMatch(new RegExp(`My follow-ups <span class="count">${visible.length}</span>`));
    expect(dashboard).toContain("Overdue");
  });

  it.each(cells.filter(([u, c]) => !SEES[c].includes(u)))("%s cannot edit, delete or complete %s: 404, nothing changes", async (u, c) => {
    const token = await csrfToken(users[u].agent, "/communications");
    for (const path of [`/communications/${comms[c].id}/edit`, `/communications/${comms[c].id}/delete`]) {
      expect((await users[u].agent.get(path)).status).toBe(404);
    }
    for (const path of [`/communications/${comms[c].id}`, `/communications/${comms[c].id}/delete`, `/communications/${comms[c].id}/complete`]) {
      const res = await users[u].agent.post(path).type("form").send({ _csrf: token, type: "note", direction: "inbound", occurredAt: "2024-01-01T10:00", subject: "Hijacked" });
      expect(res.status, path).toBe(404);
    }
    const row = await t.db.communication.findUniqueOrThrow({ where: { id: comms[c].id } });
    expect(row.subject).toBe(comms[c].subject);
    expect(row.followUpCompletedAt).toBeNull();
  });
});

describe("a client restricted or made privileged after its communications were logged", () => {
  it("takes them out of reach of readers off its team and gives them back when lifted (the rows' copies follow the client)", async () => {
    const by = users.admin.id;
    const later = await makeClient(t.db, by, { name: "Later Client", accountManagerId: users.openTeam.id });
    const word = "walrusylatermarker";
    const subject = "Later matrix subject";
    await t.db.communication.create({
      data: {
        clientId: later.id, type: "phone", occurredAt: new Date(Date.now() - 30 * 60_000), subject, notes: `Said ${word}.`, loggedById: by,
        followUpRequired: true, followUpDue: new Date("2020-01-01T00:00:00Z"), followUpAssigneeId: users.staff.id,
      },
    });
    const copies = async () => {
      const { rows } = await t.database.pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM communications m JOIN clients c ON c.id = m.client_id
          WHERE (m.client_confidential, m.client_privileged) IS DISTINCT FROM (c.is_confidential, c.data_classification = 'privileged')`,
      );
      expect(Number(rows[0]!.n)).toBe(0);
    };
    const seen = async (u: UserKey) => ({
      list: (await users[u].agent.get("/communications")).text.includes(subject),
      search: (await users[u].agent.get(`/communications?q=${word}`)).text.includes(subject),
      followUps: (await users[u].agent.get("/communications/follow-ups")).text.includes(subject),
    });
    const nowhere = { list: false, search: false, followUps: false };
    await copies();
    expect(await seen("staff")).toEqual({ list: true, search: true, followUps: true });
    expect(await seen("viewConf")).toEqual({ list: true, search: true, followUps: false });

    await t.db.client.update({ where: { id: later.id }, data: { isConfidential: true } });
    await copies();
    expect(await seen("staff")).toEqual(nowhere);
    expect(await seen("viewConf")).toEqual({ list: true, search: true, followUps: false });
    expect(await seen("openTeam")).toEqual({ list: true, search: true, followUps: false });

    // A value written to a copy is replaced by the client's.
    await t.database.pool.query(`UPDATE communications SET client_confidential = FALSE, client_privileged = FALSE WHERE client_id = $1`, [later.id]);
    await copies();
    expect(await seen("staff")).toEqual(nowhere);

    // Privileged as well: "view confidential" no longer opens it; the team still sees it.
    await t.db.client.update({ where: { id: later.id }, data: { dataClassification: "privileged" } });
    await copies();
    expect(await seen("viewConf")).toEqual(nowhere);
    expect(await seen("openTeam")).toEqual({ list: true, search: true, followUps: false });

    await t.db.client.update({ where: { id: later.id }, data: { isConfidential: false, dataClassification: "confidential" } });
    await copies();
    expect(await seen("staff")).toEqual({ list: true, search: true, followUps: true });
    expect(await seen("viewConf")).toEqual({ list: true, search: true, followUps: false });
  });
});
