// Who may reach the user administration and the audit log: administrators only, whatever flags others hold.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser, type UserOverrides } from "../helpers/factories.ts";
import { csrfToken, signedIn, type Agent } from "../helpers/http.ts";

let t: TestApp;
let activeTarget: Awaited<ReturnType<typeof makeUser>>;
let inactiveTarget: Awaited<ReturnType<typeof makeUser>>;
let targetAgent: Agent;

const NEW_EMAIL = "would-be-created@example.test";
const STRONG_PASSWORD = "umbrella quantum pelican 1987 orbit";

beforeAll(async () => {
  t = await createTestApp();
  activeTarget = await makeUser(t.db, { name: "Target Active", email: "target.active@example.test" });
  inactiveTarget = await makeUser(t.db, { name: "Target Inactive", email: "target.inactive@example.test", active: false });
  targetAgent = await signedIn(t.app, activeTarget.email);
});
afterAll(async () => t.close());

/** Everything an admin route could change: every user row, the audit log and the target's sessions. */
async function snapshot() {
  const users = await t.db.user.findMany({ orderBy: { id: "asc" } });
  const audit = await t.db.auditEvent.aggregate({ _count: { _all: true }, _max: { id: true } });
  const targetSessions = await t.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM "session" WHERE sess -> 'passport' ->> 'user' = ${activeTarget.id}`;
  const settings = await t.db.securitySettings.findMany();
  const twoFactor = await t.db.userTwoFactor.findMany({ orderBy: { userId: "asc" } });
  return { users, settings, twoFactor, auditCount: audit._count._all, lastAuditId: audit._max.id, targetSessions: Number(targetSessions[0]!.n) };
}

interface AdminRoute {
  name: string;
  method: "GET" | "POST";
  path: () => string;
  body?: () => Record<string, string>;
  /** The email that must not leak into the refusal page. */
  email: () => string;
}

const ADMIN_ROUTES: AdminRoute[] = [
  { name: "GET /admin/users", method: "GET", path: () => "/admin/users", email: () => activeTarget.email },
  { name: "GET /admin/users/new", method: "GET", path: () => "/admin/users/new", email: () => activeTarget.email },
  { name: "GET /admin/users/:id", method: "GET", path: () => `/admin/users/${activeTarget.id}`, email: () => activeTarget.email },
  { name: "GET /admin/users/:id/edit", method: "GET", path: () => `/admin/users/${activeTarget.id}/edit`, email: () => activeTarget.email },
  { name: "GET /admin/audit", method: "GET", path: () => `/admin/audit?entityType=user&entityId=${activeTarget.id}`, email: () => activeTarget.email },
  {
    name: "POST /admin/users",
    method: "POST",
    path: () => "/admin/users",
    body: () => ({ name: "Would Be Created", email: NEW_EMAIL, role: "admin", password: STRONG_PASSWORD }),
    email: () => NEW_EMAIL,
  },
  {
    name: "POST /admin/users/:id",
    method: "POST",
    path: () => `/admin/users/${activeTarget.id}`,
    body: () => ({ name: "Renamed By Someone", email: activeTarget.email, role: "admin", viewConfidential: "on", updatedAt: activeTarget.updatedAt.toISOString() }),
    email: () => activeTarget.email,
  },
  { name: "POST /admin/users/:id/deactivate", method: "POST", path: () => `/admin/users/${activeTarget.id}/deactivate`, body: () => ({ reason: "not allowed" }), email: () => activeTarget.email },
  { name: "POST /admin/users/:id/reactivate", method: "POST", path: () => `/admin/users/${inactiveTarget.id}/reactivate`, body: () => ({}), email: () => inactiveTarget.email },
  { name: "POST /admin/users/:id/reset-password", method: "POST", path: () => `/admin/users/${activeTarget.id}/reset-password`, body: () => ({}), email: () => activeTarget.email },
  { name: "POST /admin/users/:id/reset-two-factor", method: "POST", path: () => `/admin/users/${activeTarget.id}/reset-two-factor`, body: () => ({}), email: () => activeTarget.email },
  { name: "GET /admin/security", method: "GET", path: () => "/admin/security", email: () => activeTarget.email },
  { name: "POST /admin/security", method: "POST", path: () => "/admin/security", body: () => ({ twoFactorRequired: "everyone" }), email: () => activeTarget.email },
];

const NON_ADMINS: { label: string; overrides: UserOverrides }[] = [
  { label: "staff", overrides: { role: "staff" } },
  { label: "staff on the relationship team", overrides: { role: "staff", relationshipTeam: true } },
  { label: "staff on the legal team", overrides: { role: "staff", legalTeam: true } },
  { label: "staff who may view confidential clients", overrides: { role: "staff", viewConfidential: true } },
  { label: "staff with every flag", overrides: { role: "staff", relationshipTeam: true, legalTeam: true, viewConfidential: true } },
  { label: "manager", overrides: { role: "manager" } },
  { label: "manager with every flag", overrides: { role: "manager", relationshipTeam: true, legalTeam: true, viewConfidential: true } },
];

describe.each(NON_ADMINS)("a $label", ({ overrides }) => {
  let agent: Agent;
  let token: string;
  beforeAll(async () => {
    const user = await makeUser(t.db, overrides);
    agent = await signedIn(t.app, user.email);
    token = await csrfToken(agent, "/");
  });

  it.each(ADMIN_ROUTES)("is refused $name with 403, sees nothing of the target and changes nothing", async (route) => {
    const before = await snapshot();
    const res =
      route.method === "GET"
        ? await agent.get(route.path())
        : await agent
            .post(route.path())
            .type("form")
            .send({ _csrf: token, ...route.body!() });
    expect(res.status).toBe(403);
    // The permission refused it, not the CSRF check.
    expect(res.text).toContain("This page is for administrators.");
    expect(res.text).not.toContain(route.email());
    expect(await snapshot()).toEqual(before);
  });

  it("sees no Admin links on the dashboard", async () => {
    const home = await agent.get("/");
    expect(home.status).toBe(200);
    expect(home.text).not.toContain('href="/admin/users"');
    expect(home.text).not.toContain('href="/admin/audit"');
    expect(home.text).not.toMatch(/>\s*Admin\s*</);
  });
});

describe("the refusals above leave the target able to work", () => {
  it("keeps the target signed in (no deactivation or password reset slipped through)", async () => {
    const home = await targetAgent.get("/");
    expect(home.status).toBe(200);
    expect(home.text).toContain("Target Active");
  });
});

describe("an administrator", () => {
  let agent: Agent;
  beforeAll(async () => {
    const admin = await makeUser(t.db, { role: "admin", name: "Ada Admin" });
    agent = await signedIn(t.app, admin.email);
  });

  it.each(ADMIN_ROUTES.filter((r) => r.method === "GET"))("opens $name (200)", async (route) => {
    const res = await agent.get(route.path());
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/text\/html/);
  });

  it("sees the target's details on the user page", async () => {
    const res = await agent.get(`/admin/users/${activeTarget.id}`);
    expect(res.text).toContain(activeTarget.email);
    expect(res.text).toContain("Target Active");
  });

  it("has the Admin links to users and the audit log on the dashboard", async () => {
    const home = await agent.get("/");
    expect(home.status).toBe(200);
    expect(home.text).toMatch(/>\s*Admin\s*</);
    expect(home.text).toContain('href="/admin/users"');
    expect(home.text).toContain('href="/admin/audit"');
  });

  describe.each([
    { label: "a random UUID", id: randomUUID() },
    { label: '"abc"', id: "abc" },
    { label: '"1"', id: "1" },
  ])("asking for user $label", ({ id }) => {
    it.each(["", "/edit"])("gets 404 on GET /admin/users/:id%s", async (suffix) => {
      const res = await agent.get(`/admin/users/${id}${suffix}`);
      expect(res.status).toBe(404);
      expect(res.text).toContain("Page not found");
    });

    it.each([
      { route: "POST /admin/users/:id", action: "", body: { name: "Nobody", email: "nobody-at-all@example.test", role: "staff" } },
      { route: "POST /admin/users/:id/deactivate", action: "/deactivate", body: { reason: "gone" } },
      { route: "POST /admin/users/:id/reactivate", action: "/reactivate", body: {} },
      { route: "POST /admin/users/:id/reset-password", action: "/reset-password", body: {} },
      { route: "POST /admin/users/:id/reset-two-factor", action: "/reset-two-factor", body: {} },
    ])("gets 404 on $route and nothing is written", async ({ action, body }) => {
      const before = await snapshot();
      const token = await csrfToken(agent, "/");
      const res = await agent
        .post(`/admin/users/${id}${action}`)
        .type("form")
        .send({ _csrf: token, ...body });
      expect(res.status).toBe(404);
      expect(res.text).toContain("Page not found");
      expect(await snapshot()).toEqual(before);
    });
  });
});
