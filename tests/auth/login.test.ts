import { afterAll, beforeAll, describe, expect, it } from "vitest";
import request from "supertest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser, PASSWORD } from "../helpers/factories.ts";
import { cookieOf, csrfToken, signIn } from "../helpers/http.ts";
import { LOGIN_FAILED_MESSAGE } from "../../src/auth/accounts.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe("signing in", () => {
  it("signs in with the right password, lands on the dashboard and records the login", async () => {
    const user = await makeUser(t.db, { name: "Ada Lovelace" });
    const { agent, response } = await signIn(t.app, user.email.toUpperCase());
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe("/");
    const home = await agent.get("/");
    expect(home.status).toBe(200);
    expect(home.text).toContain("Ada Lovelace");
    const stored = await t.db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(stored.lastLoginAt).not.toBeNull();
    const audit = await t.db.auditEvent.findMany({ where: { actorId: user.id, action: "auth.login" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.ip).toBeTruthy();
  });

  it("gives the same message for a wrong password and an unknown email, and keeps the typed email", async () => {
    const user = await makeUser(t.db);
    const wrong = await signIn(t.app, user.email, "not the password at all");
    const unknown = await signIn(t.app, "nobody@example.test", PASSWORD);
    for (const { response } of [wrong, unknown]) {
      expect(response.status).toBe(401);
      expect(response.text).toContain(LOGIN_FAILED_MESSAGE);
    }
    expect(wrong.response.text).toContain(`value="${user.email}"`);
    const failures = await t.db.auditEvent.findMany({ where: { action: "auth.login_failed" }, orderBy: { id: "asc" } });
    expect(failures.map((f) => f.actorLabel)).toEqual(expect.arrayContaining([user.email, "nobody@example.test"]));
    expect(JSON.stringify(failures, (_k, v) => (typeof v === "bigint" ? String(v) : v))).not.toContain("not the password at all");
  });

  it("redirects anonymous visitors to the sign-in page", async () => {
    const res = await request(t.app).get("/admin/users");
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe("/login?returnTo=%2Fadmin%2Fusers");
  });

  it("sets an HttpOnly, SameSite=Lax session cookie", async () => {
    const agent = request.agent(t.app);
    const page = await agent.get("/login");
    const cookie = cookieOf(page)!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    expect(await csrfToken(agent)).toMatch(/^[0-9a-f]{64}$/);
  });
});
