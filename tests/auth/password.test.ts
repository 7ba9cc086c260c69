import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser, PASSWORD } from "../helpers/factories.ts";
import { csrfToken, postForm, signIn, signedIn, type Agent } from "../helpers/http.ts";
import { cookiePair, fieldError, sessionCountOf, sessionIdOf } from "./support.ts";
import request from "supertest";
import { cookieOf } from "../helpers/http.ts";

const STRONG = "violet tractor hums quietly 93";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

function changePassword(agent: Agent, fields: { currentPassword: string; newPassword: string; confirmPassword: string }) {
  return postForm(agent, "/account/password", "/account/password", fields);
}

describe("a user who must change their password", () => {
  it("is sent to /account/password after signing in", async () => {
    const user = await makeUser(t.db, { mustChangePassword: true });
    const { agent, response } = await signIn(t.app, user.email);
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe("/account/password");
    const page = await agent.get("/account/password");
    expect(page.status).toBe(200);
    expect(page.text).toContain("Welcome. Choose a new password to continue.");
    expect(page.text).toContain("Your password was set by someone else.");
    expect(page.text).not.toContain('href="/" class="button">Cancel');
  });

  it("is sent there from every other page", async () => {
    const user = await makeUser(t.db, { role: "admin", mustChangePassword: true });
    const agent = await signedIn(t.app, user.email);
    for (const path of ["/", "/admin/users", "/admin/audit", `/admin/users/${user.id}`, "/no-such-page"]) {
      const res = await agent.get(path);
      expect(res.status, path).toBe(302);
      expect(res.headers.location, path).toBe("/account/password");
    }
  });

  it("is refused any change elsewhere until the password is changed", async () => {
    const admin = await makeUser(t.db, { role: "admin", mustChangePassword: true });
    const agent = await signedIn(t.app, admin.email);
    const res = await postForm(agent, "/account/password", "/admin/users", { name: "Too Early", email: "too-early@example.test", role: "staff" });
    expect(res.status).toBe(403);
    expect(res.text).toContain("Choose a new password before continuing.");
    expect(await t.db.user.count({ where: { email: "too-early@example.test" } })).toBe(0);
    expect(await t.db.auditEvent.count({ where: { actorId: admin.id, action: "user.create" } })).toBe(0);

    // Once the password is changed, the very same request goes through.
    expect((await changePassword(agent, { currentPassword: PASSWORD, newPassword: STRONG, confirmPassword: STRONG })).status).toBe(302);
    const later = await postForm(agent, "/admin/users/new", "/admin/users", { name: "In Time", email: "in-time@example.test", role: "staff" });
    expect(later.status).toBe(302);
    expect(await t.db.user.count({ where: { email: "in-time@example.test" } })).toBe(1);
  });

  it("can still sign out", async () => {
    const user = await makeUser(t.db, { mustChangePassword: true });
    const agent = await signedIn(t.app, user.email);
    const res = await postForm(agent, "/account/password", "/logout", {});
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe("/login");
    expect((await agent.get("/account/password")).status).toBe(302);
    expect(await t.db.auditEvent.count({ where: { actorId: user.id, action: "auth.logout" } })).toBe(1);
  });

  it("is let through everywhere after choosing a strong password", async () => {
    const user = await makeUser(t.db, { mustChangePassword: true, name: "Freshly Changed" });
    const agent = await signedIn(t.app, user.email);
    const res = await changePassword(agent, { currentPassword: PASSWORD, newPassword: STRONG, confirmPassword: STRONG });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe("/");
    const home = await agent.get("/");
    expect(home.status).toBe(200);
    expect(home.text).toContain("Your password has been changed.");
    expect(home.text).toContain("Freshly Changed");

    const stored = await t.db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(stored.mustChangePassword).toBe(false);
    const audit = await t.db.auditEvent.findMany({ where: { action: "auth.password_changed", entityId: user.id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: user.id, entityType: "user", changes: { mustChangePassword: { before: true, after: false } } });
    expect(JSON.stringify(audit[0]!.changes)).not.toContain(STRONG);
  });
});

describe("changing one's own password", () => {
  it("requires the right current password, with the message next to the field, and changes nothing", async () => {
    const user = await makeUser(t.db);
    const agent = await signedIn(t.app, user.email);
    const before = await t.db.user.findUniqueOrThrow({ where: { id: user.id } });
    const res = await changePassword(agent, { currentPassword: "wrong current password", newPassword: STRONG, confirmPassword: STRONG });
    expect(res.status).toBe(422);
    expect(fieldError(res.text, "currentPassword")).toBe("Your current password is not correct.");
    expect(fieldError(res.text, "newPassword")).toBeUndefined();
    expect(res.text).toMatch(/id="f-currentPassword"[^>]*aria-invalid="true"/);

    const stored = await t.db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(stored).toEqual(before);
    expect(await t.db.auditEvent.count({ where: { action: "auth.password_changed", entityId: user.id } })).toBe(0);
    expect((await signIn(t.app, user.email, PASSWORD)).response.status).toBe(302);
    expect((await signIn(t.app, user.email, STRONG)).response.status).toBe(401);
  });

  it("rejects a common password", async () => {
    const user = await makeUser(t.db);
    const agent = await signedIn(t.app, user.email);
    const res = await changePassword(agent, { currentPassword: PASSWORD, newPassword: "password1234", confirmPassword: "password1234" });
    expect(res.status).toBe(422);
    expect(fieldError(res.text, "newPassword")).toMatch(/too easy to guess/);
    expect(fieldError(res.text, "currentPassword")).toBeUndefined();
    expect((await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).passwordHash).toBe(user.passwordHash);
  });

  it("rejects a password shorter than 12 characters", async () => {
    const user = await makeUser(t.db);
    const agent = await signedIn(t.app, user.email);
    const short = "Zq8#vL2!mW4"; // 11 characters, otherwise hard to guess
    const res = await changePassword(agent, { currentPassword: PASSWORD, newPassword: short, confirmPassword: short });
    expect(res.status).toBe(422);
    expect(fieldError(res.text, "newPassword")).toBe("Use at least 12 characters.");
    expect((await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).passwordHash).toBe(user.passwordHash);
  });

  it("rejects the user's own name or email as the new password", async () => {
    const user = await makeUser(t.db, { name: "Marguerite Fairweather", email: "marguerite.fairweather@example.test" });
    const agent = await signedIn(t.app, user.email);
    for (const personal of ["Marguerite Fairweather", "marguerite.fairweather@example.test", "marguerite.fairweather"]) {
      const res = await changePassword(agent, { currentPassword: PASSWORD, newPassword: personal, confirmPassword: personal });
      expect(res.status, personal).toBe(422);
      expect(fieldError(res.text, "newPassword"), personal).toMatch(/too easy to guess/);
    }
    expect((await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).passwordHash).toBe(user.passwordHash);
  });

  it("rejects a confirmation that does not match", async () => {
    const user = await makeUser(t.db);
    const agent = await signedIn(t.app, user.email);
    const res = await changePassword(agent, { currentPassword: PASSWORD, newPassword: STRONG, confirmPassword: `${STRONG}!` });
    expect(res.status).toBe(422);
    expect(fieldError(res.text, "confirmPassword")).toBe("The two new passwords do not match.");
    expect(fieldError(res.text, "newPassword")).toBeUndefined();
    expect((await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).passwordHash).toBe(user.passwordHash);
    expect(await t.db.auditEvent.count({ where: { action: "auth.password_changed", entityId: user.id } })).toBe(0);
  });

  it("rejects keeping the current password", async () => {
    const user = await makeUser(t.db, { password: STRONG });
    const agent = await signedIn(t.app, user.email, STRONG);
    const res = await changePassword(agent, { currentPassword: STRONG, newPassword: STRONG, confirmPassword: STRONG });
    expect(res.status).toBe(422);
    expect(fieldError(res.text, "newPassword")).toBe("Choose a password different from the current one.");
  });

  it("reports every problem at once, next to each field", async () => {
    const user = await makeUser(t.db);
    const agent = await signedIn(t.app, user.email);
    const res = await changePassword(agent, { currentPassword: "not it at all", newPassword: "short", confirmPassword: "other" });
    expect(res.status).toBe(422);
    expect(fieldError(res.text, "currentPassword")).toBe("Your current password is not correct.");
    expect(fieldError(res.text, "newPassword")).toBe("Use at least 12 characters.");
    expect(fieldError(res.text, "confirmPassword")).toBe("The two new passwords do not match.");
    expect(res.text).toContain("Please correct the 3 highlighted fields.");
  });

  it("asks for each missing field", async () => {
    const user = await makeUser(t.db);
    const agent = await signedIn(t.app, user.email);
    const res = await changePassword(agent, { currentPassword: "", newPassword: "", confirmPassword: "" });
    expect(res.status).toBe(422);
    expect(fieldError(res.text, "currentPassword")).toBe("Enter your current password.");
    expect(fieldError(res.text, "newPassword")).toBe("Choose a new password.");
  });

  it("never echoes a typed password back into the page", async () => {
    const user = await makeUser(t.db);
    const agent = await signedIn(t.app, user.email);
    const typed = { currentPassword: "echo-check current 77", newPassword: "echo-check new tractor 88", confirmPassword: "echo-check confirm 99" };
    const res = await changePassword(agent, typed);
    expect(res.status).toBe(422);
    for (const value of Object.values(typed)) expect(res.text).not.toContain(value);
    expect(res.text).not.toMatch(/type="password"[^>]*value=/);

    const wrongCurrent = await changePassword(agent, { currentPassword: PASSWORD, newPassword: "password1234", confirmPassword: "password1234" });
    expect(wrongCurrent.status).toBe(422);
    expect(wrongCurrent.text).not.toContain(PASSWORD);
    expect(wrongCurrent.text).not.toContain("password1234");
  });

  it("signs in with the new password, and no longer with the old one", async () => {
    const user = await makeUser(t.db);
    const agent = await signedIn(t.app, user.email);
    const res = await changePassword(agent, { currentPassword: PASSWORD, newPassword: STRONG, confirmPassword: STRONG });
    expect(res.status).toBe(302);
    expect((await agent.get("/")).status).toBe(200); // the session that changed it stays signed in

    const stored = await t.db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(stored.passwordHash).not.toBe(user.passwordHash);
    expect(stored.passwordHash).not.toContain(STRONG);
    const old = await signIn(t.app, user.email, PASSWORD);
    expect(old.response.status).toBe(401);
    const fresh = await signIn(t.app, user.email, STRONG);
    expect(fresh.response.status).toBe(302);
    expect(fresh.response.headers.location).toBe("/");

    const audit = await t.db.auditEvent.findMany({ where: { action: "auth.password_changed", entityId: user.id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: user.id, changes: { otherSessionsEnded: { before: null, after: 0 } } });
    expect(audit[0]!.ip).toBeTruthy();
  });

  it("signs out the user's other sessions and gives the changing session a new id", async () => {
    const user = await makeUser(t.db);
    const laptop = await signIn(t.app, user.email);
    const phone = await signIn(t.app, user.email);
    expect(await sessionCountOf(t.db, user.id)).toBe(2);
    const laptopCookie = cookieOf(laptop.response)!;
    const phoneCookie = cookiePair(cookieOf(phone.response));
    const res = await changePassword(laptop.agent, { currentPassword: PASSWORD, newPassword: STRONG, confirmPassword: STRONG });
    expect(res.status).toBe(302);
    const newCookie = cookieOf(res);
    expect(newCookie, "a new session cookie is issued").toBeDefined();
    expect(sessionIdOf(newCookie!)).not.toBe(sessionIdOf(laptopCookie));
    expect(await sessionCountOf(t.db, user.id)).toBe(1);
    const home = await laptop.agent.get("/");
    expect(home.status).toBe(200);
    expect(home.text).toContain("Any other sessions of yours have been signed out.");
    const other = await request(t.app).get("/").set("Cookie", phoneCookie);
    expect(other.status).toBe(302);
    expect(other.headers.location).toMatch(/^\/login/);
    const old = await request(t.app).get("/").set("Cookie", cookiePair(laptopCookie));
    expect(old.status).toBe(302);
    const audit = await t.db.auditEvent.findFirstOrThrow({ where: { actorId: user.id, action: "auth.password_changed" } });
    expect(audit.changes).toMatchObject({ otherSessionsEnded: { after: 1 } });
  });

  it("is refused to anonymous visitors", async () => {
    const { agent } = await signIn(t.app, "nobody@example.test", "whatever");
    const page = await agent.get("/account/password");
    expect(page.status).toBe(302);
    expect(page.headers.location).toBe("/login?returnTo=%2Faccount%2Fpassword");
    const post = await agent
      .post("/account/password")
      .type("form")
      .send({ _csrf: await csrfToken(agent), currentPassword: PASSWORD, newPassword: STRONG, confirmPassword: STRONG });
    expect(post.status).toBe(401);
  });
});
