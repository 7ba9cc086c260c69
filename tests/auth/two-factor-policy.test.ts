// The firm's two-factor policy (/admin/security: nobody, administrators, everyone), forced enrolment at the next
// sign-in before anything else is reachable, and an administrator's audited reset of a user's second factor.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser, PASSWORD } from "../helpers/factories.ts";
import { csrfTokenIn, postForm, signedIn, type Agent } from "../helpers/http.ts";
import { fieldError, sessionCountOf } from "./support.ts";
import { codeAt, codeStep, enrolThroughPages, passwordStep, recoveryCodesIn, secretIn, TEST_TWO_FACTOR_KEY } from "./two-factor-support.ts";

let t: TestApp;
let admin: Awaited<ReturnType<typeof makeUser>>;
let adminAgent: Agent;
let adminSecret: string;

/** Signs in an enrolled user through both steps. */
async function fullSignIn(email: string, secret: string) {
  const { agent } = await passwordStep(t.app, email);
  const done = await codeStep(agent, await codeAt(secret, 1));
  if (done.status !== 302) throw new Error(`code step: ${done.status}`);
  return agent;
}

async function setPolicy(value: "off" | "admins" | "everyone") {
  const res = await postForm(adminAgent, "/admin/security", "/admin/security", { twoFactorRequired: value });
  expect(res.status).toBe(302);
}

beforeAll(async () => {
  t = await createTestApp({ TWO_FACTOR_KEY: TEST_TWO_FACTOR_KEY, LOGIN_IP_MAX_ATTEMPTS: "1000" });
  admin = await makeUser(t.db, { role: "admin", name: "Policy Admin" });
  const first = await signedIn(t.app, admin.email);
  adminSecret = (await enrolThroughPages(first)).secret;
  adminAgent = first;
});
afterAll(async () => t.close());

describe("the security page", () => {
  it("is in the Admin navigation and records each policy change in the audit log", async () => {
    expect((await adminAgent.get("/")).text).toContain('href="/admin/security"');
    const page = await adminAgent.get("/admin/security");
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/value="off" checked/);

    const bad = await postForm(adminAgent, "/admin/security", "/admin/security", { twoFactorRequired: "sometimes" });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain("Choose who must use two-factor sign-in.");

    await setPolicy("admins");
    expect((await t.db.securitySettings.findUniqueOrThrow({ where: { id: 1 } })).twoFactorRequired).toBe("admins");
    const shown = await adminAgent.get("/admin/security");
    expect(shown.text).toMatch(/value="admins" checked/);
    const audit = await t.db.auditEvent.findMany({ where: { action: "security.two_factor_policy" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: admin.id, changes: { twoFactorRequired: { before: "off", after: "admins" } } });
    await setPolicy("admins"); // no change, no entry
    expect(await t.db.auditEvent.count({ where: { action: "security.two_factor_policy" } })).toBe(1);
    await setPolicy("off");
  });

  it.each(["staff", "manager"] as const)("refuses a %s (403) and changes nothing", async (role) => {
    const user = await makeUser(t.db, { role });
    const agent = await signedIn(t.app, user.email);
    expect((await agent.get("/admin/security")).status).toBe(403);
    const res = await agent.post("/admin/security").type("form").send({ _csrf: csrfTokenIn((await agent.get("/")).text), twoFactorRequired: "everyone" });
    expect(res.status).toBe(403);
    expect((await t.db.securitySettings.findUniqueOrThrow({ where: { id: 1 } })).twoFactorRequired).toBe("off");
    expect((await agent.get("/")).text).not.toContain('href="/admin/security"');
  });
});

describe("required for administrators", () => {
  beforeAll(async () => setPolicy("admins"));
  afterAll(async () => setPolicy("off"));

  it("forces an administrator without two-factor to enrol at the next sign-in, before reaching anything else", async () => {
    const other = await makeUser(t.db, { role: "admin", name: "Unenrolled Admin" });
    const listed = await adminAgent.get("/admin/security");
    expect(listed.text).toContain("Unenrolled Admin");

    const { agent, response } = await passwordStep(t.app, other.email);
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe("/login/enrol");
    expect(await sessionCountOf(t.db, other.id)).toBe(0);
    for (const path of ["/", "/clients", "/admin/users", "/account/two-factor"]) {
      const res = await agent.get(path);
      expect(res.status).toBe(302);
      expect(res.headers.location).toMatch(/^\/login/);
    }
    const page = await agent.get("/login/enrol");
    expect(page.status).toBe(200);
    expect(page.text).toContain("Your firm requires two-factor sign-in");
    expect(page.text).toContain("<svg");
    const secret = secretIn(page.text);

    const wrong = await agent.post("/login/enrol").type("form").send({ _csrf: csrfTokenIn(page.text), code: "abc" });
    expect(wrong.status).toBe(422);
    expect(fieldError(wrong.text, "code")).toContain("not correct");
    expect(await sessionCountOf(t.db, other.id)).toBe(0);

    const done = await agent.post("/login/enrol").type("form").send({ _csrf: csrfTokenIn(page.text), code: await codeAt(secret) });
    expect(done.status).toBe(200);
    expect(recoveryCodesIn(done.text)).toHaveLength(10);
    expect(done.text).toContain('href="/"');
    expect((await agent.get("/")).status).toBe(200);
    expect(await sessionCountOf(t.db, other.id)).toBe(1);
    expect((await t.db.userTwoFactor.findUniqueOrThrow({ where: { userId: other.id } })).enabledAt).not.toBeNull();
    const login = await t.db.auditEvent.findFirst({ where: { entityId: other.id, action: "auth.login" } });
    expect(login!.changes).toMatchObject({ secondFactor: { after: "totp_enrolment" } });

    // The next sign-in asks for a code like any enrolled user's.
    expect((await passwordStep(t.app, other.email)).response.headers.location).toBe("/login/code");
    expect((await adminAgent.get("/admin/security")).text).not.toContain("Unenrolled Admin");
  });

  it("does not make staff or managers enrol", async () => {
    for (const role of ["staff", "manager"] as const) {
      const user = await makeUser(t.db, { role });
      expect((await passwordStep(t.app, user.email)).response.headers.location).toBe("/");
    }
  });

  it("sends a user whose password was reset to the password change after enrolling", async () => {
    const other = await makeUser(t.db, { role: "admin", mustChangePassword: true });
    const { agent } = await passwordStep(t.app, other.email);
    const page = await agent.get("/login/enrol");
    const done = await agent.post("/login/enrol").type("form").send({ _csrf: csrfTokenIn(page.text), code: await codeAt(secretIn(page.text)) });
    expect(done.text).toContain('href="/account/password"');
    expect((await agent.get("/")).headers.location).toBe("/account/password");
  });

  it("refuses to let a covered administrator turn two-factor off", async () => {
    const agent = await fullSignIn(admin.email, adminSecret);
    const page = await agent.get("/account/two-factor");
    expect(page.text).toContain("cannot be turned off");
    const res = await postForm(agent, "/account/two-factor", "/account/two-factor/disable", { password: PASSWORD, code: await codeAt(adminSecret, 1) });
    expect(res.status).toBe(409);
    expect(await t.db.userTwoFactor.count({ where: { userId: admin.id } })).toBe(1);
  });
});

describe("required for everyone", () => {
  beforeAll(async () => setPolicy("everyone"));
  afterAll(async () => setPolicy("off"));

  it("makes staff enrol too", async () => {
    const user = await makeUser(t.db, { role: "staff" });
    const { agent, response } = await passwordStep(t.app, user.email);
    expect(response.headers.location).toBe("/login/enrol");
    expect((await agent.get("/")).status).toBe(302);
  });
});

describe("an administrator resetting a user's second factor", () => {
  it("removes it, ends the user's sessions, lets them sign in with the password alone, and is audited", async () => {
    const user = await makeUser(t.db, { name: "Lost Phone" });
    const browser = await signedIn(t.app, user.email);
    await enrolThroughPages(browser);
    expect(await sessionCountOf(t.db, user.id)).toBe(1);

    const page = await adminAgent.get(`/admin/users/${user.id}`);
    expect(page.text).toContain("Reset two-factor sign-in");
    expect(page.text).toMatch(/Two-factor sign-in<\/dt><dd>On since/);
    const res = await postForm(adminAgent, `/admin/users/${user.id}`, `/admin/users/${user.id}/reset-two-factor`, {});
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`/admin/users/${user.id}`);
    const after = await adminAgent.get(`/admin/users/${user.id}`);
    expect(after.text).toContain("Two-factor sign-in removed");
    expect(after.text).toMatch(/Two-factor sign-in<\/dt><dd>Off</);

    expect(await t.db.userTwoFactor.count({ where: { userId: user.id } })).toBe(0);
    expect(await t.db.twoFactorRecoveryCode.count({ where: { userId: user.id } })).toBe(0);
    expect(await sessionCountOf(t.db, user.id)).toBe(0);
    expect((await browser.get("/")).status).toBe(302);
    const audit = await t.db.auditEvent.findMany({ where: { action: "user.reset_two_factor", entityId: user.id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: admin.id, entityType: "user", changes: { twoFactor: { before: true, after: false }, sessionsEnded: { after: 1 } } });
    expect((await passwordStep(t.app, user.email)).response.headers.location).toBe("/");
  });

  it("under the policy, the user must enrol again at the next sign-in", async () => {
    await setPolicy("everyone");
    try {
      const user = await makeUser(t.db);
      const { agent } = await passwordStep(t.app, user.email);
      const page = await agent.get("/login/enrol");
      await agent.post("/login/enrol").type("form").send({ _csrf: csrfTokenIn(page.text), code: await codeAt(secretIn(page.text)) });
      await postForm(adminAgent, `/admin/users/${user.id}`, `/admin/users/${user.id}/reset-two-factor`, {});
      expect((await passwordStep(t.app, user.email)).response.headers.location).toBe("/login/enrol");
    } finally {
      await setPolicy("off");
    }
  });

  it("offers no reset for a user without two-factor", async () => {
    const user = await makeUser(t.db);
    const page = await adminAgent.get(`/admin/users/${user.id}`);
    expect(page.text).not.toContain("Reset two-factor sign-in");
    const res = await postForm(adminAgent, `/admin/users/${user.id}`, `/admin/users/${user.id}/reset-two-factor`, {});
    expect(res.status).toBe(302);
    expect(await t.db.auditEvent.count({ where: { action: "user.reset_two_factor", entityId: user.id } })).toBe(0);
  });
});
