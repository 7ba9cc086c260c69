import { afterAll, beforeAll, describe, expect, it } from "vitest";
import request from "supertest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser, PASSWORD } from "../helpers/factories.ts";
import { cookieOf, csrfToken, csrfTokenIn, signedIn } from "../helpers/http.ts";
import { cookiePair, sessionCountOf, sessionExists, sessionIdOf } from "./support.ts";

const EXPIRED = "This form has expired or was not sent from Clientdesk.";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

function expectCsrfRefusal(res: request.Response) {
  expect(res.status).toBe(403);
  expect(res.text).toContain(EXPIRED);
}

describe("CSRF protection on signing in", () => {
  it("refuses POST /login without _csrf and signs nobody in", async () => {
    const user = await makeUser(t.db);
    const agent = request.agent(t.app);
    const page = await agent.get("/login");
    const res = await agent.post("/login").type("form").send({ email: user.email, password: PASSWORD });
    expectCsrfRefusal(res);

    const anonymous = await agent.get("/");
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.location).toBe("/login?returnTo=%2F");
    expect(await sessionCountOf(t.db, user.id)).toBe(0);
    expect(await sessionExists(t.db, sessionIdOf(cookiePair(cookieOf(page))))).toBe(true); // the visitor's session is left as it was
    const stored = await t.db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(stored.lastLoginAt).toBeNull();
    expect(stored.failedLoginCount).toBe(0);
    expect(await t.db.auditEvent.count({ where: { actorId: user.id } })).toBe(0);
  });

  it("refuses POST /login from a client that never loaded the form", async () => {
    const user = await makeUser(t.db);
    const res = await request(t.app).post("/login").type("form").send({ _csrf: "a".repeat(64), email: user.email, password: PASSWORD });
    expectCsrfRefusal(res);
    expect(await sessionCountOf(t.db, user.id)).toBe(0);
    expect((await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).lastLoginAt).toBeNull();
  });

  it("issues a new token at sign-in and refuses the one from before", async () => {
    const user = await makeUser(t.db);
    const agent = request.agent(t.app);
    const before = await csrfToken(agent);
    const login = await agent.post("/login").type("form").send({ _csrf: before, email: user.email, password: PASSWORD });
    expect(login.status).toBe(302);

    expectCsrfRefusal(await agent.post("/logout").type("form").send({ _csrf: before }));
    expect((await agent.get("/")).status).toBe(200);

    const after = await csrfToken(agent, "/");
    expect(after).not.toBe(before);
    const logout = await agent.post("/logout").type("form").send({ _csrf: after });
    expect(logout.status).toBe(302);
    expect(logout.headers.location).toBe("/login");
  });
});

describe("CSRF protection on admin forms", () => {
  const newUser = (email: string) => ({ name: "Forged Account", email, role: "admin" });

  async function expectNothingWritten(adminId: string, email: string) {
    expect(await t.db.user.count({ where: { email } })).toBe(0);
    expect(await t.db.auditEvent.count({ where: { actorId: adminId, action: { not: "auth.login" } } })).toBe(0);
  }

  it("refuses creating a user without a token, and writes no user or audit row", async () => {
    const admin = await makeUser(t.db, { role: "admin" });
    const agent = await signedIn(t.app, admin.email);
    await agent.get("/admin/users/new"); // the form was loaded, so the session holds a token
    const res = await agent.post("/admin/users").type("form").send(newUser("forged-1@example.test"));
    expectCsrfRefusal(res);
    await expectNothingWritten(admin.id, "forged-1@example.test");
  });

  it("refuses creating a user with a wrong token, and writes no user or audit row", async () => {
    const admin = await makeUser(t.db, { role: "admin" });
    const agent = await signedIn(t.app, admin.email);
    const real = await csrfToken(agent, "/admin/users/new");
    const wrong = real.slice(0, -1) + (real.endsWith("0") ? "1" : "0");
    const res = await agent.post("/admin/users").type("form").send({ _csrf: wrong, ...newUser("forged-2@example.test") });
    expectCsrfRefusal(res);
    await expectNothingWritten(admin.id, "forged-2@example.test");
  });

  it("refuses a token that belongs to another session", async () => {
    const admin = await makeUser(t.db, { role: "admin" });
    const agent = await signedIn(t.app, admin.email);
    await agent.get("/admin/users/new");
    const attackersToken = await csrfToken(request.agent(t.app));
    const res = await agent.post("/admin/users").type("form").send({ _csrf: attackersToken, ...newUser("forged-3@example.test") });
    expectCsrfRefusal(res);
    await expectNothingWritten(admin.id, "forged-3@example.test");
  });

  it("accepts the session's token sent as the X-CSRF-Token header", async () => {
    const admin = await makeUser(t.db, { role: "admin" });
    const agent = await signedIn(t.app, admin.email);
    const token = await csrfToken(agent, "/admin/users/new");
    expectCsrfRefusal(await agent.post("/admin/users").type("form").send(newUser("scripted@example.test")));

    const res = await agent.post("/admin/users").type("form").set("X-CSRF-Token", token).send(newUser("scripted@example.test"));
    expect(res.status).toBe(302);
    const created = await t.db.user.findUniqueOrThrow({ where: { email: "scripted@example.test" } });
    expect(res.headers.location).toBe(`/admin/users/${created.id}`);
    expect(await t.db.auditEvent.count({ where: { action: "user.create", entityId: created.id, actorId: admin.id } })).toBe(1);
  });
});

describe("CSRF protection on signing out", () => {
  it("refuses POST /logout without a token and leaves the user signed in", async () => {
    const user = await makeUser(t.db, { name: "Still Here" });
    const agent = await signedIn(t.app, user.email);
    await agent.get("/");
    expectCsrfRefusal(await agent.post("/logout").type("form").send({}));

    const home = await agent.get("/");
    expect(home.status).toBe(200);
    expect(home.text).toContain("Still Here");
    expect(await sessionCountOf(t.db, user.id)).toBe(1);
    expect(await t.db.auditEvent.count({ where: { action: "auth.logout", actorId: user.id } })).toBe(0);
  });

  it("signs out with the token sent as the X-CSRF-Token header", async () => {
    const user = await makeUser(t.db);
    const agent = await signedIn(t.app, user.email);
    const token = await csrfToken(agent, "/");
    const res = await agent.post("/logout").set("X-CSRF-Token", token);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe("/login");
    expect((await agent.get("/")).status).toBe(302);
    expect(await sessionCountOf(t.db, user.id)).toBe(0);
    expect(await t.db.auditEvent.count({ where: { action: "auth.logout", actorId: user.id } })).toBe(1);
  });

  it("answers a script's refused request with JSON", async () => {
    const user = await makeUser(t.db);
    const agent = await signedIn(t.app, user.email);
    const res = await agent.post("/logout").set("Accept", "application/json");
    expect(res.status).toBe(403);
    expect(res.body.error).toContain(EXPIRED);
    expect(await sessionCountOf(t.db, user.id)).toBe(1);
  });
});

describe("pages carry the token", () => {
  it("puts the session's token in every form of a signed-in page", async () => {
    const admin = await makeUser(t.db, { role: "admin" });
    const agent = await signedIn(t.app, admin.email);
    const page = await agent.get(`/admin/users/${admin.id}`);
    const tokens = [...page.text.matchAll(/name="_csrf" value="([^"]+)"/g)].map((m) => m[1]);
    const forms = page.text.match(/<form[^>]*method="post"/g) ?? [];
    expect(forms.length).toBeGreaterThan(1);
    expect(tokens).toHaveLength(forms.length);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).toBe(csrfTokenIn(page.text));
  });
});
