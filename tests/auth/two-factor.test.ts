// Two-factor sign-in (TOTP): enrolment from the account page, the code step after the password (the session is signed
// in only after both), replayed and expired codes, recovery codes, turning it off, and code guesses under the same
// throttling and lockout as passwords.
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import request from "supertest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser, PASSWORD } from "../helpers/factories.ts";
import { cookieOf, csrfTokenIn, postForm, signedIn } from "../helpers/http.ts";
import { cookiePair, fieldError, sessionCountOf, sessionIdOf } from "./support.ts";
import { loadTwoFactorKey, secretBox } from "../../src/auth/two-factor-crypto.ts";
import { CODE_FAILED_MESSAGE, CODE_REUSED_MESSAGE, hashRecoveryCode } from "../../src/auth/two-factor.ts";
import { codeAt, codeStep, enrolThroughPages, passwordStep, recoveryCodesIn, secretIn, TEST_TWO_FACTOR_KEY } from "./two-factor-support.ts";

const LOCKED = "Too many failed attempts for this account";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ TWO_FACTOR_KEY: TEST_TWO_FACTOR_KEY, LOGIN_IP_MAX_ATTEMPTS: "1000" });
});
afterAll(async () => t.close());

/** A user with two-factor on (through the pages), and a fresh browser. */
async function enrolledUser(overrides: Parameters<typeof makeUser>[1] = {}) {
  const user = await makeUser(t.db, overrides);
  const agent = await signedIn(t.app, user.email);
  const { secret, codes } = await enrolThroughPages(agent);
  return { user, secret, codes };
}

describe("turning two-factor sign-in on from the account page", () => {
  it("shows a QR code and the secret, refuses a wrong code, and turns on with the right one, showing 10 recovery codes once", async () => {
    const user = await makeUser(t.db);
    const agent = await signedIn(t.app, user.email);
    const account = await agent.get("/account/two-factor");
    expect(account.status).toBe(200);
    expect(account.text).toContain("Set up two-factor sign-in");
    expect((await agent.get("/")).text).toContain('href="/account/two-factor"'); // reachable from the user menu

    const page = await agent.get("/account/two-factor/enrol");
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<div class="qr"[^>]*><svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const secret = secretIn(page.text);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    // Refreshing the page keeps the same secret (the app may already have scanned it).
    expect(secretIn((await agent.get("/account/two-factor/enrol")).text)).toBe(secret);

    const wrong = await agent.post("/account/two-factor/enrol").type("form").send({ _csrf: csrfTokenIn(page.text), code: "000000" === (await codeAt(secret)) ? "111111" : "000000" });
    expect(wrong.status).toBe(422);
    expect(fieldError(wrong.text, "code")).toContain("not correct");
    expect((await t.db.userTwoFactor.findUniqueOrThrow({ where: { userId: user.id } })).enabledAt).toBeNull();

    const done = await agent.post("/account/two-factor/enrol").type("form").send({ _csrf: csrfTokenIn(page.text), code: await codeAt(secret) });
    expect(done.status).toBe(200);
    const codes = recoveryCodesIn(done.text);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);

    const stored = await t.db.userTwoFactor.findUniqueOrThrow({ where: { userId: user.id } });
    expect(stored.enabledAt).not.toBeNull();
    expect(stored.secretEncrypted).not.toContain(secret);
    expect(stored.secretEncrypted).toMatch(/^v1:/);
    expect(secretBox(() => loadTwoFactorKey(t.config)).openFor(user.id, stored.secretEncrypted)).toBe(secret);
    // Bound to its user: the same ciphertext does not open for another.
    expect(() => secretBox(() => loadTwoFactorKey(t.config)).openFor(crypto.randomUUID(), stored.secretEncrypted)).toThrow();

    const hashes = await t.db.twoFactorRecoveryCode.findMany({ where: { userId: user.id } });
    expect(hashes).toHaveLength(10);
    expect(hashes.map((h) => h.codeHash).sort()).toEqual(codes.map(hashRecoveryCode).sort());
    for (const h of hashes) expect(codes).not.toContain(h.codeHash);

    const after = await agent.get("/account/two-factor");
    expect(after.text).toContain("On</span>");
    expect(after.text).toMatch(/data-recovery-left>10</);
    expect(after.text).not.toContain(codes[0]); // shown once only

    const audit = await t.db.auditEvent.findMany({ where: { entityId: user.id, action: "two_factor.enable" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: user.id, changes: { twoFactor: { before: false, after: true } } });
    expect(JSON.stringify(audit[0]!.changes)).not.toContain(secret);
  });
});

describe("signing in with two-factor on", () => {
  it("asks for the code after the password, and signs the session in only after a valid code", async () => {
    const { user, secret } = await enrolledUser({ name: "Code Signer" });
    const { agent, response } = await passwordStep(t.app, user.email, PASSWORD);
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe("/login/code");
    const halfCookie = cookiePair(cookieOf(response));
    expect(await sessionCountOf(t.db, user.id)).toBe(1); // only the enrolling browser's session
    const blocked = await agent.get("/clients");
    expect(blocked.status).toBe(302);
    expect(blocked.headers.location).toMatch(/^\/login\?returnTo=/);
    expect((await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).lastLoginAt).not.toBeNull(); // from the enrolling sign-in
    const lastBefore = (await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).lastLoginAt!;

    const page = await agent.get("/login/code");
    expect(page.status).toBe(200);
    expect(page.text).toContain('autocomplete="one-time-code"');

    const done = await codeStep(agent, await codeAt(secret, 1));
    expect(done.status).toBe(302);
    expect(done.headers.location).toBe("/");
    const signedInCookie = cookiePair(cookieOf(done));
    expect(sessionIdOf(signedInCookie)).not.toBe(sessionIdOf(halfCookie)); // a new session id at sign-in
    const home = await agent.get("/");
    expect(home.status).toBe(200);
    expect(home.text).toContain("Code Signer");
    expect(await sessionCountOf(t.db, user.id)).toBe(2);
    expect((await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).lastLoginAt!.getTime()).toBeGreaterThan(lastBefore.getTime());

    const events = await t.db.auditEvent.findMany({ where: { entityId: user.id, action: { in: ["auth.password_accepted", "auth.login"] } }, orderBy: { id: "asc" } });
    expect(events.slice(-2).map((e) => e.action)).toEqual(["auth.password_accepted", "auth.login"]);
    expect(events.at(-1)!.changes).toMatchObject({ secondFactor: { after: "totp" } });
  });

  it("keeps where the user was going across the code step", async () => {
    const { user, secret } = await enrolledUser();
    const agent = request.agent(t.app);
    const login = await agent.get("/login?returnTo=%2Fclients");
    const response = await agent.post("/login").type("form").send({ _csrf: csrfTokenIn(login.text), email: user.email, password: PASSWORD, returnTo: "/clients" });
    expect(response.headers.location).toBe("/login/code");
    const done = await codeStep(agent, await codeAt(secret, 1));
    expect(done.headers.location).toBe("/clients");
  });

  it("refuses a code already used (same time step) and an expired one, counting them as failures", async () => {
    const { user, secret } = await enrolledUser();
    const code = await codeAt(secret, 1);
    const first = await passwordStep(t.app, user.email);
    expect((await codeStep(first.agent, code)).status).toBe(302);

    const second = await passwordStep(t.app, user.email);
    const replay = await codeStep(second.agent, code);
    expect(replay.status).toBe(401);
    expect(fieldError(replay.text, "code")).toBe(CODE_REUSED_MESSAGE);
    expect((await second.agent.get("/")).status).toBe(302);

    const expired = await codeStep(second.agent, await codeAt(secret, -3));
    expect(expired.status).toBe(401);
    expect(fieldError(expired.text, "code")).toBe(CODE_FAILED_MESSAGE);
    expect((await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).failedLoginCount).toBe(2);
    const failures = await t.db.auditEvent.findMany({ where: { entityId: user.id, action: "auth.two_factor_failed" }, orderBy: { id: "asc" } });
    expect(failures.map((f) => (f.changes as { step: { after: string } }).step.after)).toEqual(["code reused", "wrong code"]);

    // An earlier step than the last one used is refused too, even though it is within the clock-drift window.
    const earlier = await codeStep(second.agent, await codeAt(secret, 0));
    expect(earlier.status).toBe(401);
  });

  it("accepts two requests with the same code only once when they arrive together", async () => {
    const { user, secret } = await enrolledUser();
    const code = await codeAt(secret, 1);
    const a = await passwordStep(t.app, user.email);
    const b = await passwordStep(t.app, user.email);
    const [ra, rb] = await Promise.all([codeStep(a.agent, code), codeStep(b.agent, code)]);
    expect([ra.status, rb.status].sort()).toEqual([302, 401]);
  });

  it("lets a recovery code sign in once, then refuses it", async () => {
    const { user, codes } = await enrolledUser();
    const first = await passwordStep(t.app, user.email);
    const done = await codeStep(first.agent, codes[3]!.toUpperCase().replace("-", " ")); // typed loosely
    expect(done.status).toBe(302);
    const home = await first.agent.get("/");
    expect(home.status).toBe(200);
    expect(home.text).toContain("You used a recovery code; 9 left.");
    const used = await t.db.twoFactorRecoveryCode.findMany({ where: { userId: user.id, usedAt: { not: null } } });
    expect(used.map((u) => u.codeHash)).toEqual([hashRecoveryCode(codes[3]!)]);
    const login = await t.db.auditEvent.findFirst({ where: { entityId: user.id, action: "auth.login" }, orderBy: { id: "desc" } });
    expect(login!.changes).toMatchObject({ secondFactor: { after: "recovery_code" } });

    const again = await passwordStep(t.app, user.email);
    const refused = await codeStep(again.agent, codes[3]!);
    expect(refused.status).toBe(401);
    expect(fieldError(refused.text, "code")).toBe(CODE_FAILED_MESSAGE);
    expect((await again.agent.get("/")).status).toBe(302);
  });

  it("forgets the half-signed state after a few minutes", async () => {
    const { user, secret } = await enrolledUser();
    const { agent, response } = await passwordStep(t.app, user.email);
    const sid = sessionIdOf(cookiePair(cookieOf(response)));
    const page = await agent.get("/login/code");
    await t.db.$executeRaw`UPDATE "session" SET sess = jsonb_set(sess::jsonb, '{twoFactorPending,until}', to_jsonb(${Date.now() - 1000}::bigint))::json WHERE sid = ${sid}`;
    const late = await agent.post("/login/code").type("form").send({ _csrf: csrfTokenIn(page.text), code: await codeAt(secret, 1) });
    expect(late.status).toBe(302);
    expect(late.headers.location).toBe("/login");
    expect((await agent.get("/login")).text).toContain("Your sign-in was not finished in time");
    expect((await agent.get("/")).status).toBe(302);
    expect((await t.db.userTwoFactor.findUniqueOrThrow({ where: { userId: user.id } })).lastUsedStep).not.toBe(BigInt(Math.floor(Date.now() / 30000) + 1));
  });

  it("ends a half-signed session when an administrator resets the password meanwhile", async () => {
    const { user, secret } = await enrolledUser();
    const { agent } = await passwordStep(t.app, user.email);
    const admin = await signedIn(t.app, (await makeUser(t.db, { role: "admin" })).email);
    expect((await postForm(admin, `/admin/users/${user.id}`, `/admin/users/${user.id}/reset-password`, {})).status).toBe(302);
    const late = await codeStep(agent, await codeAt(secret, 1));
    expect(late.status).toBe(302);
    expect(late.headers.location).toBe("/login");
    expect((await agent.get("/")).status).toBe(302);
  });

  it("cannot reach the code step without the password step", async () => {
    const agent = request.agent(t.app);
    const res = await agent.get("/login/code");
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe("/login");
  });

  it("does not ask users without two-factor for a code", async () => {
    const user = await makeUser(t.db);
    const { response } = await passwordStep(t.app, user.email);
    expect(response.headers.location).toBe("/");
  });
});

describe("code guesses are throttled like passwords", () => {
  it("locks the account after LOGIN_MAX_FAILURES wrong codes, then refuses even the right code and the right password", async () => {
    const max = t.config.LOGIN_MAX_FAILURES;
    const { user, secret } = await enrolledUser();
    const { agent } = await passwordStep(t.app, user.email);
    const right = await codeAt(secret, 1);
    const wrong = right === "123456" ? "654321" : "123456";
    for (let i = 1; i < max; i++) {
      const res = await codeStep(agent, wrong);
      expect(res.status).toBe(401);
      expect(fieldError(res.text, "code")).toBe(CODE_FAILED_MESSAGE);
    }
    const last = await codeStep(agent, wrong);
    expect(last.status).toBe(401);
    expect(last.text).toContain(LOCKED);
    // The half-signed state is gone: the code page sends the user back to the start.
    expect((await agent.get("/login/code")).headers.location).toBe("/login");

    const stored = await t.db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(stored.lockedUntil!.getTime()).toBeGreaterThan(Date.now() + (t.config.LOGIN_LOCK_MINUTES - 1) * 60_000);
    const retry = await passwordStep(t.app, user.email);
    expect(retry.response.status).toBe(401);
    expect(retry.response.text).toContain(LOCKED);
    expect((await t.db.userTwoFactor.findUniqueOrThrow({ where: { userId: user.id } })).lastUsedStep).not.toBe(BigInt(Math.floor(Date.now() / 30000) + 1));
    const audit = await t.db.auditEvent.findMany({ where: { entityId: user.id, action: { in: ["auth.two_factor_failed", "auth.account_locked"] } }, orderBy: { id: "asc" } });
    expect(audit.map((a) => a.action)).toEqual([...Array<string>(max - 1).fill("auth.two_factor_failed"), "auth.account_locked"]);
  });

  it("does not give back code guesses when the password is entered again", async () => {
    const max = t.config.LOGIN_MAX_FAILURES;
    const { user, secret } = await enrolledUser();
    const wrong = (await codeAt(secret, 1)) === "123456" ? "654321" : "123456";
    for (let i = 1; i < max; i++) {
      const { agent } = await passwordStep(t.app, user.email); // a fresh password step before each guess
      expect((await codeStep(agent, wrong)).status).toBe(401);
    }
    const { agent } = await passwordStep(t.app, user.email);
    const last = await codeStep(agent, wrong);
    expect(last.text).toContain(LOCKED);
  });

  it("checks at most LOGIN_MAX_FAILURES codes however many arrive at once", async () => {
    const max = t.config.LOGIN_MAX_FAILURES;
    const { user, secret } = await enrolledUser();
    const wrong = (await codeAt(secret, 1)) === "123456" ? "654321" : "123456";
    const { agent } = await passwordStep(t.app, user.email);
    const page = await agent.get("/login/code");
    const token = csrfTokenIn(page.text);
    await Promise.all(Array.from({ length: max * 3 }, () => agent.post("/login/code").type("form").send({ _csrf: token, code: wrong })));
    const checked = await t.db.auditEvent.count({ where: { entityId: user.id, action: { in: ["auth.two_factor_failed", "auth.account_locked"] } } });
    expect(checked).toBeLessThanOrEqual(max);
    expect((await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).lockedUntil).not.toBeNull();
  });

  it("counts code guesses against the network address too", async () => {
    const proxied = await createTestApp({ TWO_FACTOR_KEY: TEST_TWO_FACTOR_KEY, TRUST_PROXY: "true", LOGIN_IP_MAX_ATTEMPTS: "3" });
    try {
      const user = await makeUser(proxied.db);
      const browser = await signedIn(proxied.app, user.email);
      const { secret } = await enrolThroughPages(browser);
      const ip = { "X-Forwarded-For": "192.0.2.91" };
      const wrong = (await codeAt(secret, 1)) === "123456" ? "654321" : "123456";
      const { agent } = await passwordStep(proxied.app, user.email, PASSWORD, ip);
      for (let i = 0; i < 3; i++) expect((await codeStep(agent, wrong, ip)).status).toBe(401);
      const blocked = await codeStep(agent, await codeAt(secret, 1), ip);
      expect(blocked.status).toBe(401);
      expect(fieldError(blocked.text, "code")).toMatch(/^Too many failed sign-in attempts from your network\./);
      expect((await agent.get("/")).status).toBe(302);
      expect(await proxied.db.auditEvent.count({ where: { action: "auth.login_throttled", entityId: "192.0.2.91" } })).toBe(1);
    } finally {
      await proxied.close();
    }
  });
});

describe("managing one's own second factor", () => {
  it("turns off only with the password and a current code, and the recovery codes stop working", async () => {
    const { user, secret, codes } = await enrolledUser();
    const agent = await (async () => {
      const { agent } = await passwordStep(t.app, user.email);
      await codeStep(agent, codes[0]!);
      return agent;
    })();
    const badPassword = await postForm(agent, "/account/two-factor", "/account/two-factor/disable", { password: "wrong password here", code: await codeAt(secret, 1) });
    expect(badPassword.status).toBe(422);
    expect(fieldError(badPassword.text, "password")).toBe("Your password is not correct.");
    const badCode = await postForm(agent, "/account/two-factor", "/account/two-factor/disable", { password: PASSWORD, code: "12345x" });
    expect(badCode.status).toBe(422);
    expect(fieldError(badCode.text, "code")).toBe(CODE_FAILED_MESSAGE);
    expect(await t.db.userTwoFactor.count({ where: { userId: user.id } })).toBe(1);

    const off = await postForm(agent, "/account/two-factor", "/account/two-factor/disable", { password: PASSWORD, code: await codeAt(secret, 1) });
    expect(off.status).toBe(302);
    expect((await agent.get("/account/two-factor")).text).toContain("Two-factor sign-in is off.");
    expect(await t.db.userTwoFactor.count({ where: { userId: user.id } })).toBe(0);
    expect(await t.db.twoFactorRecoveryCode.count({ where: { userId: user.id } })).toBe(0);
    expect(await t.db.auditEvent.count({ where: { entityId: user.id, action: "two_factor.disable" } })).toBe(1);
    expect((await passwordStep(t.app, user.email)).response.headers.location).toBe("/");
  });

  it("makes new recovery codes with the password; the old ones stop working", async () => {
    const { user, codes } = await enrolledUser();
    const agent = await (async () => {
      const { agent } = await passwordStep(t.app, user.email);
      await codeStep(agent, codes[0]!);
      return agent;
    })();
    const refused = await postForm(agent, "/account/two-factor", "/account/two-factor/recovery-codes", { regeneratePassword: "not my password at all" });
    expect(refused.status).toBe(422);
    expect(fieldError(refused.text, "regeneratePassword")).toBe("Your password is not correct.");
    const fresh = await postForm(agent, "/account/two-factor", "/account/two-factor/recovery-codes", { regeneratePassword: PASSWORD });
    expect(fresh.status).toBe(200);
    const newCodes = recoveryCodesIn(fresh.text);
    expect(newCodes).toHaveLength(10);
    expect(newCodes).not.toContain(codes[1]);
    const old = await passwordStep(t.app, user.email);
    expect((await codeStep(old.agent, codes[1]!)).status).toBe(401);
    const next = await passwordStep(t.app, user.email);
    expect((await codeStep(next.agent, newCodes[0]!)).status).toBe(302);
    expect(await t.db.auditEvent.count({ where: { entityId: user.id, action: "two_factor.recovery_codes_regenerated" } })).toBe(1);
  });
});

describe("the encryption key", () => {
  it("is generated once in DATA_DIR (mode 0600) when TWO_FACTOR_KEY is not set, and read back after", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "clientdesk-key-"));
    try {
      const first = loadTwoFactorKey({ DATA_DIR: dir, TWO_FACTOR_KEY: undefined });
      expect(first).toHaveLength(32);
      const file = path.join(dir, "two-factor.key");
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect((await readFile(file, "utf8")).trim()).toBe(first.toString("hex"));
      expect(loadTwoFactorKey({ DATA_DIR: dir, TWO_FACTOR_KEY: undefined }).equals(first)).toBe(true);
      const sealed = secretBox(() => first).sealFor("u1", "JBSWY3DPEHPK3PXPJBSWY3DP");
      expect(secretBox(() => loadTwoFactorKey({ DATA_DIR: dir, TWO_FACTOR_KEY: undefined })).openFor("u1", sealed)).toBe("JBSWY3DPEHPK3PXPJBSWY3DP");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("takes TWO_FACTOR_KEY as hex or base64, refuses a key of the wrong size, and a wrong key opens nothing", () => {
    const hex = loadTwoFactorKey({ DATA_DIR: "/nonexistent", TWO_FACTOR_KEY: TEST_TWO_FACTOR_KEY });
    expect(loadTwoFactorKey({ DATA_DIR: "/nonexistent", TWO_FACTOR_KEY: hex.toString("base64") }).equals(hex)).toBe(true);
    expect(() => loadTwoFactorKey({ DATA_DIR: "/nonexistent", TWO_FACTOR_KEY: "abcd" })).toThrow(/TWO_FACTOR_KEY must be 32 bytes/);
    const sealed = secretBox(() => hex).sealFor("u1", "secret");
    expect(() => secretBox(() => Buffer.alloc(32, 1)).openFor("u1", sealed)).toThrow();
  });
});
