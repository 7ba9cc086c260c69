// The case visibility matrix over HTTP: each role and flag against each case route, the list, search, board, counts,
// the dashboard and the client hub. A hidden case answers 404 exactly like a missing one and never shows its title
// or number; a visible case the user may not change answers 403 on the change.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { signedIn, type Agent } from "../helpers/http.ts";
import { makeCaseType, makeClient, openCase } from "./support.ts";

let t: TestApp;
type Name = "admin" | "adminVC" | "managerA" | "managerB" | "staffMgr" | "staffTeam" | "staffOther" | "staffUnrelated" | "legal" | "viewConf";
type CaseKey = "plain" | "restricted" | "legal";
const users = {} as Record<Name, { id: string; email: string }>;
const agents = {} as Record<Name, Agent>;
const cases = {} as Record<CaseKey, { id: string; caseNumber: string; title: string; clientId: string; stageIds: string[] }>;
const MISSING = "00000000-0000-4000-8000-000000000000";

/** Who may see which case, as DOMAIN.md says. */
const SEES: Record<Name, CaseKey[]> = {
  admin: ["plain", "legal"], // admins see all cases, but not those of a restricted client hidden from them
  adminVC: ["plain", "restricted", "legal"],
  managerA: ["plain"], // department A's cases; the restricted client is hidden from them
  managerB: ["legal"],
  staffMgr: ["plain"], // manages "restricted" too, but its client is hidden from them
  staffTeam: ["plain", "restricted"],
  staffOther: ["legal"],
  staffUnrelated: [],
  legal: ["legal"],
  viewConf: [], // sees the restricted client, but is on no case
};
/** Who may change a case they see (edit, status, stages): its manager and team, managers and admins. */
const EDITS: Record<Name, CaseKey[]> = { ...SEES, legal: [] };
/** Who may change its team: the case manager, managers and admins. */
const MANAGES_TEAM: Record<Name, CaseKey[]> = { ...SEES, staffTeam: [], legal: [] };
/** Who may delete: managers and admins. */
const DELETES: Record<Name, CaseKey[]> = { ...SEES, staffMgr: [], staffTeam: [], staffOther: [], legal: [] };

beforeAll(async () => {
  t = await createTestApp();
  const db = t.db;
  users.admin = await makeUser(db, { role: "admin" });
  users.adminVC = await makeUser(db, { role: "admin", viewConfidential: true });
  users.managerA = await makeUser(db, { role: "manager", department: "Litigation" });
  users.managerB = await makeUser(db, { role: "manager", department: "Advisory" });
  users.staffMgr = await makeUser(db, { role: "staff", department: "Litigation" });
  users.staffTeam = await makeUser(db, { role: "staff" });
  users.staffOther = await makeUser(db, { role: "staff", department: "Advisory" });
  users.staffUnrelated = await makeUser(db, { role: "staff", department: "Litigation" });
  users.legal = await makeUser(db, { role: "staff", legalTeam: true });
  users.viewConf = await makeUser(db, { role: "staff", viewConfidential: true });

  const plainClient = await makeClient(db, users.admin.id, { name: "Matrix Open Client" });
  const restrictedClient = await makeClient(db, users.admin.id, { name: "Matrix Secret Client", isConfidential: true, teamUserIds: [users.staffTeam.id] });
  const { type } = await makeCaseType(db, { stages: [{ name: "Matrix Intake" }, { name: "Matrix Sign-off", approvalRequired: true }] });
  const adminVC = { ...users.adminVC, role: "admin" as const, relationshipTeam: false, legalTeam: false, viewConfidential: true, department: null, mustChangePassword: false, name: "x" };
  const open = async (key: CaseKey, clientId: string, managerId: string, extra: Record<string, string> = {}) => {
    const title = `Matrix ${key} matter`;
    const k = await openCase(db, adminVC, { clientId, typeId: type.id, managerId, title, ...extra });
    cases[key] = { id: k.id, caseNumber: k.caseNumber, title, clientId, stageIds: k.stages.map((s) => s.id) };
    return k;
  };
  await open("plain", plainClient.id, users.staffMgr.id);
  await db.caseTeamMember.create({ data: { caseId: cases.plain.id, userId: users.staffTeam.id, role: "associate" } });
  await open("restricted", restrictedClient.id, users.staffMgr.id, { legalReviewRequired: "on" });
  await db.caseTeamMember.create({ data: { caseId: cases.restricted.id, userId: users.staffTeam.id, role: "associate" } });
  for (const key of ["plain", "restricted"] as const) await db.caseStage.update({ where: { id: cases[key].stageIds[1] }, data: { assigneeId: users.staffTeam.id } });
  await open("legal", plainClient.id, users.staffOther.id, { legalReviewRequired: "on" });
  for (const name of Object.keys(users) as Name[]) agents[name] = await signedIn(t.app, users[name].email);
}, 120_000);

afterAll(async () => {
  await t.close();
});

const NAMES = Object.keys(SEES) as Name[];
const KEYS: CaseKey[] = ["plain", "restricted", "legal"];

function expectHidden(res: { status: number; text: string }, key: CaseKey) {
  expect(res.status).toBe(404);
  expect(res.text).not.toContain(cases[key].title);
  expect(res.text).not.toContain(cases[key].caseNumber);
}

async function post(agent: Agent, action: string, fields: Record<string, string>) {
  // The token of the session, from a page every signed-in user can open.
  const page = await agent.get("/");
  const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? "";
  return agent.post(action).type("form").send({ _csrf: token, ...fields });
}

describe.each(NAMES)("%s", (name) => {
  it.each(KEYS)("reads the %s case's pages only when it may see the case", async (key) => {
    const agent = agents[name];
    const base = `/cases/${cases[key].id}`;
    for (const path of [base, `${base}/workflow`, `${base}/team`, `${base}/history`]) {
      const res = await agent.get(path);
      if (SEES[name].includes(key)) {
        expect(res.status, `${name} GET ${path}`).toBe(200);
        expect(res.text).toContain(cases[key].caseNumber);
      } else {
        expectHidden(res, key);
      }
    }
    const edit = await agent.get(`${base}/edit`);
    expect(edit.status, `${name} GET edit`).toBe(!SEES[name].includes(key) ? 404 : EDITS[name].includes(key) ? 200 : 403);
    const del = await agent.get(`${base}/delete`);
    expect(del.status, `${name} GET delete`).toBe(!SEES[name].includes(key) ? 404 : DELETES[name].includes(key) ? 200 : 403);
  });

  it.each(KEYS)("changes the %s case only when it may see and change it", async (key) => {
    const agent = agents[name];
    const k = cases[key];
    const base = `/cases/${k.id}`;
    const before = await t.db.case.findUniqueOrThrow({ where: { id: k.id }, include: { stages: true, team: true } });
    const expected = (allowed: Record<Name, CaseKey[]>) => (!SEES[name].includes(key) ? 404 : allowed[name].includes(key) ? "ok" : 403);
    const check = async (action: string, fields: Record<string, string>, allowed: Record<Name, CaseKey[]>) => {
      const res = await post(agent, action, fields);
      const want = expected(allowed);
      if (want === "ok") expect([200, 302, 409, 422], `${name} POST ${action}`).toContain(res.status);
      else expect(res.status, `${name} POST ${action}`).toBe(want);
      if (want === 404) expectHidden(res, key);
    };
    // Each allowed request is one the rules refuse (an invalid move, an empty title, a blocked stage), so the
    // matrix leaves the cases as they were; the refusal proves the request reached the rules.
    await check(`${base}/status`, { to: "resolved", from: "new" }, EDITS);
    await check(base, { title: "" }, EDITS);
    await check(`${base}/team`, { userId: "not-a-user", role: "associate" }, MANAGES_TEAM);
    // staffTeam is assigned a stage of the cases they are on, so removing them is refused.
    if (key !== "legal") await check(`${base}/team/${users.staffTeam.id}/remove`, {}, MANAGES_TEAM);
    await check(`${base}/stages/${k.stageIds[1]}/start`, {}, EDITS);
    await check(`${base}/stages/${k.stageIds[1]}/complete`, {}, EDITS);
    await check(`${base}/stages/${k.stageIds[0]}/skip`, {}, EDITS);
    await check(`${base}/delete`, { reason: "" }, DELETES);
    const after = await t.db.case.findUniqueOrThrow({ where: { id: k.id }, include: { stages: true, team: true } });
    expect(after.status).toBe(before.status);
    expect(after.title).toBe(before.title);
    expect(after.deletedAt).toBeNull();
    expect(after.stages.map((s) => s.status)).toEqual(before.stages.map((s) => s.status));
  });

  it("finds in the list, search, board, counts, dashboard and client hub only the cases it may see", async () => {
    const agent = agents[name];
    const pages = [
      await agent.get("/cases"),
      await agent.get("/cases?q=Matrix"),
      await agent.get("/cases/board"),
      await agent.get(`/cases?client=${cases.plain.clientId}`),
      await agent.get("/cases?q=" + encodeURIComponent(cases.restricted.caseNumber)),
    ];
    for (const res of pages) expect(res.status).toBe(200);
    for (const key of KEYS) {
      const [list, search, board] = pages;
      for (const res of [list!, search!, board!]) {
        if (SEES[name].includes(key)) expect(res.text, `${name} should find ${key}`).toContain(cases[key].caseNumber);
        else expect(res.text, `${name} must not find ${key}`).not.toContain(cases[key].caseNumber);
      }
    }
    expect(pages[4]!.text.includes(cases.restricted.title)).toBe(SEES[name].includes("restricted"));
    const dashboard = await agent.get("/");
    for (const key of KEYS) if (!SEES[name].includes(key)) expect(dashboard.text).not.toContain(cases[key].caseNumber);
    // The open client's hub counts only the cases of it this user may see.
    const hub = await agent.get(`/clients/${cases.plain.clientId}`);
    expect(hub.status).toBe(200);
    for (const key of ["plain", "legal"] as const) expect(hub.text.includes(cases[key].caseNumber), `${name} hub ${key}`).toBe(SEES[name].includes(key));
  });

  it("gets the same 404 for a missing case and a missing stage", async () => {
    const agent = agents[name];
    expect((await agent.get(`/cases/${MISSING}`)).status).toBe(404);
    expect((await agent.get("/cases/not-a-uuid")).status).toBe(404);
    expect((await post(agent, `/cases/${MISSING}/status`, { to: "assigned" })).status).toBe(404);
    const visible = SEES[name][0];
    if (visible) expect((await post(agent, `/cases/${cases[visible].id}/stages/${MISSING}/start`, {})).status).toBe(404);
  });
});

describe("deleted cases", () => {
  it("are offered for restore to administrators only", async () => {
    for (const name of NAMES) {
      const res = await agents[name].get("/cases/deleted");
      expect(res.status, name).toBe(name === "admin" || name === "adminVC" ? 200 : 403);
    }
  });
});
