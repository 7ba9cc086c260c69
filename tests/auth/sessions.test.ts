import { afterAll, beforeAll, describe, expect, it } from "vitest";
import request from "supertest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser, PASSWORD } from "../helpers/factories.ts";
import { cookieOf, csrfToken, csrfTokenIn, postForm, signIn, signedIn } from "../helpers/http.ts";
import { SECURE_SESSION_COOKIE } from "../../src/auth/sessions.ts";
import { cookieLifetimeSeconds, cookiePair, sessionCountOf, sessionExists, sessionIdOf } from "./support.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

/** What an anonymous visitor gets on a signed-in page. */
function expectSignedOut(res: request.Response) {
  expect(res.status).toBe(302);
  expect(res.headers.location).toBe("/login?returnTo=%2F");
}

describe("the session at sign-in", () => {
  it("refuses the old session cookie after sign-in", async () => {
    const user = await makeUser(t.db, { name: "Grace Hopper" });
    const agent = request.agent(t.app);
    const loginPage = await agent.get("/login");
    const before = cookiePair(cookieOf(loginPage));
    expect(await sessionExists(t.db, sessionIdOf(before))).toBe(true); // the anonymous session holding the CSRF token

    const response = await agent.post("/login").type("form").send({ _csrf: csrfTokenIn(loginPage.text), email: user.email, password: PASSWORD });
    expect(response.status).toBe(302);
    const after = cookiePair(cookieOf(response));
    expect(sessionIdOf(after)).not.toBe(sessionIdOf(before));

    const withNew = await request(t.app).get("/").set("Cookie", after);
    expect(withNew.status).toBe(200);
    expect(withNew.text).toContain("Grace Hopper");
    expectSignedOut(await request(t.app).get("/").set("Cookie", before));
    expect(await sessionExists(t.db, sessionIdOf(before))).toBe(false);
    expect(await sessionCountOf(t.db, user.id)).toBe(1);
  });

  it("does not sign in a session cookie planted before sign-in by someone else", async () => {
    const victim = await makeUser(t.db);
    const attacker = request.agent(t.app);
    const planted = cookiePair(cookieOf(await attacker.get("/login")));
    // The victim's browser carries the attacker's cookie and signs in with it.
    const loginPage = await request(t.app).get("/login").set("Cookie", planted);
    const response = await request(t.app)
      .post("/login")
      .set("Cookie", planted)
      .type("form")
      .send({ _csrf: csrfTokenIn(loginPage.text), email: victim.email, password: PASSWORD });
    expect(response.status).toBe(302);
    expect(sessionIdOf(cookiePair(cookieOf(response)))).not.toBe(sessionIdOf(planted));
    expectSignedOut(await attacker.get("/"));
  });
});

describe("signing out", () => {
  it("refuses the pre-logout cookie after POST /logout and records the logout", async () => {
    const user = await makeUser(t.db);
    const { agent, response } = await signIn(t.app, user.email);
    expect(response.status).toBe(302);
    const signedInCookie = cookiePair(cookieOf(response));
    const token = await csrfToken(agent, "/");

    const logout = await agent.post("/logout").type("form").send({ _csrf: token });
    expect(logout.status).toBe(302);
    expect(logout.headers.location).toBe("/login");

    expectSignedOut(await request(t.app).get("/").set("Cookie", signedInCookie));
    expectSignedOut(await agent.get("/"));
    expect(await sessionExists(t.db, sessionIdOf(signedInCookie))).toBe(false);
    expect(await sessionCountOf(t.db, user.id)).toBe(0);

    const audit = await t.db.auditEvent.findMany({ where: { action: "auth.logout", actorId: user.id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ entityType: "user", entityId: user.id, actorLabel: user.email });
    expect(audit[0]!.ip).toBeTruthy();
  });

  it("tells the user they have been signed out", async () => {
    const user = await makeUser(t.db);
    const agent = await signedIn(t.app, user.email);
    await agent.post("/logout").type("form").send({ _csrf: await csrfToken(agent, "/") });
    const page = await agent.get("/login");
    expect(page.status).toBe(200);
    expect(page.text).toContain("You have been signed out.");
  });

  it("ends only the session that signed out, not the user's other sessions", async () => {
    const user = await makeUser(t.db, { name: "Two Browsers" });
    const laptop = await signedIn(t.app, user.email);
    const phone = await signedIn(t.app, user.email);
    expect(await sessionCountOf(t.db, user.id)).toBe(2);
    await laptop.post("/logout").type("form").send({ _csrf: await csrfToken(laptop, "/") });
    expectSignedOut(await laptop.get("/"));
    const still = await phone.get("/");
    expect(still.status).toBe(200);
    expect(still.text).toContain("Two Browsers");
    expect(await sessionCountOf(t.db, user.id)).toBe(1);
  });
});

describe("the session cookie", () => {
  it("is HttpOnly, SameSite=Lax and not Secure over plain HTTP once signed in", async () => {
    const user = await makeUser(t.db);
    const { response } = await signIn(t.app, user.email);
    const cookie = cookieOf(response)!;
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    expect(cookie).not.toMatch(/;\s*Secure/i);
    expect(cookie).toMatch(/;\s*Path=\/(;|$)/);
  });

  it("ignores X-Forwarded-Proto when the app does not trust a proxy", async () => {
    const page = await request(t.app).get("/login").set("X-Forwarded-Proto", "https");
    expect(cookieOf(page)).not.toMatch(/;\s*Secure/i);
  });

  describe("behind a trusted HTTPS proxy", () => {
    let proxied: TestApp;
    beforeAll(async () => {
      proxied = await createTestApp({ TRUST_PROXY: "true" });
    });
    afterAll(async () => proxied.close());

    it("is Secure when the proxy says the request came over HTTPS", async () => {
      const user = await makeUser(proxied.db);
      // A browser on HTTPS throughout: the sign-in page and the post both come over HTTPS, with the page's cookie
      // sent back by hand (supertest's agent keeps Secure cookies away from its plain-HTTP test server).
      const login = await request(proxied.app).get("/login").set("X-Forwarded-Proto", "https");
      const response = await request(proxied.app)
        .post("/login")
        .set("X-Forwarded-Proto", "https")
        .set("Cookie", cookiePair(cookieOf(login, SECURE_SESSION_COOKIE)))
        .type("form")
        .send({ _csrf: csrfTokenIn(login.text), email: user.email, password: PASSWORD });
      expect(response.status).toBe(302);
      const cookie = cookieOf(response, SECURE_SESSION_COOKIE)!; // named __Host-… over HTTPS
      expect(cookie).toMatch(/;\s*Secure/i);
      expect(cookie).toMatch(/;\s*HttpOnly/i);
      expect(cookie).toMatch(/;\s*SameSite=Lax/i);
      const page = await request(proxied.app).get("/login").set("X-Forwarded-Proto", "https");
      expect(cookieOf(page, SECURE_SESSION_COOKIE)).toMatch(/;\s*Secure/i);
    });

    it("is not Secure when the proxy forwarded plain HTTP", async () => {
      const page = await request(proxied.app).get("/login").set("X-Forwarded-Proto", "http");
      expect(cookieOf(page)).toBeDefined();
      expect(cookieOf(page)).not.toMatch(/;\s*Secure/i);
    });
  });
});

describe("sessions across app processes", () => {
  it("keeps the user signed in after an app restart", async () => {
    const user = await makeUser(t.db, { name: "Restart Survivor" });
    const { response } = await signIn(t.app, user.email);
    const cookie = cookiePair(cookieOf(response));
    const second = t.restart();
    try {
      const res = await request(second.app).get("/").set("Cookie", cookie);
      expect(res.status).toBe(200);
      expect(res.text).toContain("Restart Survivor");
    } finally {
      await second.close();
    }
  });

  it("signs a user out everywhere when they sign out on another process", async () => {
    const user = await makeUser(t.db);
    const { agent, response } = await signIn(t.app, user.email);
    const cookie = cookiePair(cookieOf(response));
    const second = t.restart();
    try {
      await agent.post("/logout").type("form").send({ _csrf: await csrfToken(agent, "/") });
      expectSignedOut(await request(second.app).get("/").set("Cookie", cookie));
    } finally {
      await second.close();
    }
  });
});

describe("idle timeout", () => {
  let idle: TestApp;
  const IDLE_MINUTES = 7;
  beforeAll(async () => {
    idle = await createTestApp({ SESSION_IDLE_MINUTES: String(IDLE_MINUTES) });
  });
  afterAll(async () => idle.close());

  /** Seconds from now until the user's stored session expires (the database's clock on both sides). */
  async function storedLifetime(userId: string): Promise<number> {
    const rows = await idle.db.$queryRaw<{ seconds: number }[]>`
      SELECT EXTRACT(EPOCH FROM (expire - LOCALTIMESTAMP))::float8 AS seconds FROM "session" WHERE sess -> 'passport' ->> 'user' = ${userId}`;
    expect(rows).toHaveLength(1);
    return rows[0]!.seconds;
  }

  it("gives the cookie and the stored session SESSION_IDLE_MINUTES to live", async () => {
    const user = await makeUser(idle.db);
    const { response } = await signIn(idle.app, user.email);
    const lifetime = cookieLifetimeSeconds(cookieOf(response)!);
    expect(lifetime).toBeGreaterThan(IDLE_MINUTES * 60 - 10);
    expect(lifetime).toBeLessThanOrEqual(IDLE_MINUTES * 60 + 1);
    const stored = await storedLifetime(user.id);
    expect(stored).toBeGreaterThan(IDLE_MINUTES * 60 - 10);
    expect(stored).toBeLessThanOrEqual(IDLE_MINUTES * 60 + 1);
  });

  it("pushes the deadline back on each request", async () => {
    const user = await makeUser(idle.db);
    const agent = await signedIn(idle.app, user.email);
    expect((await agent.get("/")).status).toBe(200); // the first page stores the CSRF token: later ones change nothing in the session
    await idle.db.$executeRaw`UPDATE "session" SET expire = LOCALTIMESTAMP + interval '1 minute' WHERE sess -> 'passport' ->> 'user' = ${user.id}`;
    expect(await storedLifetime(user.id)).toBeLessThan(61);
    const res = await agent.get("/");
    expect(res.status).toBe(200);
    expect(cookieLifetimeSeconds(cookieOf(res)!)).toBeGreaterThan(IDLE_MINUTES * 60 - 10);
    expect(await storedLifetime(user.id)).toBeGreaterThan(IDLE_MINUTES * 60 - 10);
  });

  it("no longer signs in a session that has been idle past its deadline", async () => {
    const user = await makeUser(idle.db);
    const agent = await signedIn(idle.app, user.email);
    expect((await agent.get("/")).status).toBe(200);
    const expired = await idle.db.$executeRaw`UPDATE "session" SET expire = LOCALTIMESTAMP - interval '1 minute' WHERE sess -> 'passport' ->> 'user' = ${user.id}`;
    expect(expired).toBe(1);
    expectSignedOut(await agent.get("/"));
  });
});

describe("deactivating a user", () => {
  it("ends all of that user's sessions at once", async () => {
    const admin = await makeUser(t.db, { role: "admin", name: "Admin Person" });
    const target = await makeUser(t.db, { name: "Leaving Soon" });
    const adminAgent = await signedIn(t.app, admin.email);
    const office = await signedIn(t.app, target.email);
    const home = await signedIn(t.app, target.email);
    expect((await office.get("/")).status).toBe(200);
    expect(await sessionCountOf(t.db, target.id)).toBe(2);

    const res = await postForm(adminAgent, `/admin/users/${target.id}`, `/admin/users/${target.id}/deactivate`, { reason: "Left the firm" });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`/admin/users/${target.id}`);

    expect(await sessionCountOf(t.db, target.id)).toBe(0);
    expectSignedOut(await office.get("/"));
    expectSignedOut(await home.get("/"));
    const stored = await t.db.user.findUniqueOrThrow({ where: { id: target.id } });
    expect(stored.active).toBe(false);
    const audit = await t.db.auditEvent.findFirstOrThrow({ where: { action: "user.deactivate", entityId: target.id } });
    expect(audit.actorId).toBe(admin.id);
    expect(audit.changes).toMatchObject({ active: { before: true, after: false }, reason: { after: "Left the firm" }, sessionsEnded: { after: 2 } });

    // The admin's own session is untouched.
    const page = await adminAgent.get(`/admin/users/${target.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("User deactivated; their sessions have ended.");
    expect(await sessionCountOf(t.db, admin.id)).toBe(1);
  });

  it("keeps the user signed out when the account is reactivated", async () => {
    const admin = await makeUser(t.db, { role: "admin" });
    const target = await makeUser(t.db);
    const adminAgent = await signedIn(t.app, admin.email);
    const targetAgent = await signedIn(t.app, target.email);
    await postForm(adminAgent, `/admin/users/${target.id}`, `/admin/users/${target.id}/deactivate`, {});
    const back = await postForm(adminAgent, `/admin/users/${target.id}`, `/admin/users/${target.id}/reactivate`, {});
    expect(back.status).toBe(302);
    expect((await t.db.user.findUniqueOrThrow({ where: { id: target.id } })).active).toBe(true);
    expectSignedOut(await targetAgent.get("/"));
  });

  it("treats a user deactivated directly in the database as signed out on the next request", async () => {
    const user = await makeUser(t.db);
    const agent = await signedIn(t.app, user.email);
    expect((await agent.get("/")).status).toBe(200);
    await t.db.user.update({ where: { id: user.id }, data: { active: false } });
    expectSignedOut(await agent.get("/"));
    const post = await agent.post("/admin/users").type("form").send({ _csrf: await csrfToken(agent, "/login"), name: "X", email: "x@example.test", role: "staff" });
    expect(post.status).toBe(401);
    expect(await t.db.user.count({ where: { email: "x@example.test" } })).toBe(0);
    expect(await sessionCountOf(t.db, user.id)).toBe(0);
  });

  it("refuses a deactivated user's right password at sign-in", async () => {
    const user = await makeUser(t.db, { active: false });
    const { agent, response } = await signIn(t.app, user.email);
    expect(response.status).toBe(401);
    expect(response.text).toContain("Your account has been deactivated.");
    expectSignedOut(await agent.get("/"));
    expect(await sessionCountOf(t.db, user.id)).toBe(0);
    expect(await t.db.auditEvent.count({ where: { action: "auth.login_refused_inactive", actorId: user.id } })).toBe(1);
  });
});

describe("a session ended while a request was using it", () => {
  it("is not brought back when that request saves it afterwards", async () => {
    const { sessionMiddleware, endSessionsOf } = await import("../../src/auth/sessions.ts");
    const { store } = sessionMiddleware({ pool: t.database.pool, secret: "x".repeat(32), idleMinutes: 30 });
    const user = await makeUser(t.db);
    const { response } = await signIn(t.app, user.email);
    const sid = sessionIdOf(cookieOf(response)!);
    const sess = await new Promise<Record<string, unknown>>((resolve, reject) => store.get(sid, (err, s) => (err ? reject(err) : resolve(s as unknown as Record<string, unknown>))));
    expect(sess).toMatchObject({ passport: { user: user.id } });

    await endSessionsOf(t.db, user.id); // an admin resets the password while the request is still running
    (sess as { flash?: unknown }).flash = [{ kind: "info", text: "changed during the request" }];
    await new Promise<void>((resolve, reject) => store.set(sid, sess as never, (err) => (err ? reject(err) : resolve())));
    expect(await sessionExists(t.db, sid)).toBe(false);

    // A new session (never read from the store) is still stored.
    await new Promise<void>((resolve, reject) => store.set("brand-new-session-id", { cookie: { maxAge: 60_000 } } as never, (err) => (err ? reject(err) : resolve())));
    expect(await sessionExists(t.db, "brand-new-session-id")).toBe(true);
  });
});
