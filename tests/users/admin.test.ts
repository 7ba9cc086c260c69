// Administering user accounts through the admin pages: what the admin sees and what is stored.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser, PASSWORD } from "../helpers/factories.ts";
import { csrfToken, postForm, signedIn, signIn, type Agent } from "../helpers/http.ts";

const STRONG_PASSWORD = "violet tractor mango harbour 58";

let t: TestApp;
let admin: Awaited<ReturnType<typeof makeUser>>;
let agent: Agent;

beforeAll(async () => {
  t = await createTestApp();
  admin = await makeUser(t.db, { role: "admin", name: "Ada Admin" });
  agent = await signedIn(t.app, admin.email);
});
afterAll(async () => t.close());

const tag = () => randomBytes(4).toString("hex");
const unescape = (s: string) => s.replaceAll("&amp;", "&").replaceAll("&#34;", '"').replaceAll("&#39;", "'");

/** The names in the users table, in the order shown. */
function listedNames(html: string): string[] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
  return [...body.matchAll(/<td><a href="\/admin\/users\/[0-9a-f-]{36}">([^<]*)<\/a><\/td>/g)].map((m) => m[1]!);
}

/** The one-time password shown in the flash, if any. */
function secretIn(html: string): string | undefined {
  return /<code class="secret" data-copy>([^<]+)<\/code>/.exec(html)?.[1];
}

function hiddenUpdatedAt(html: string): string {
  const value = /name="updatedAt" value="([^"]*)"/.exec(html)?.[1];
  if (!value) throw new Error("no updatedAt on the form");
  return value;
}

async function counts() {
  return { users: await t.db.user.count(), audit: await t.db.auditEvent.count() };
}

const auditOf = (action: string, entityId: string) => t.db.auditEvent.findMany({ where: { action, entityId }, orderBy: { id: "asc" } });

describe("the users list", () => {
  it("searches by name, email and department, ignoring case", async () => {
    const k = tag();
    await makeUser(t.db, { name: `Nora Name${k}` });
    await makeUser(t.db, { name: `Emil Mail ${k}`, email: `mailbox${k}@example.test` });
    await makeUser(t.db, { name: `Dora Dept ${k}`, department: `Tax${k}` });

    const byName = await agent.get(`/admin/users?q=NAME${k.toUpperCase()}`);
    expect(byName.status).toBe(200);
    expect(listedNames(byName.text)).toEqual([`Nora Name${k}`]);
    expect(byName.text).toContain(`value="NAME${k.toUpperCase()}"`);

    const byEmail = await agent.get(`/admin/users?q=MAILBOX${k}`);
    expect(listedNames(byEmail.text)).toEqual([`Emil Mail ${k}`]);

    const byDepartment = await agent.get(`/admin/users?q=tax${k}`);
    expect(listedNames(byDepartment.text)).toEqual([`Dora Dept ${k}`]);

    const all = await agent.get(`/admin/users?q=${k}`);
    expect(listedNames(all.text).sort()).toEqual([`Dora Dept ${k}`, `Emil Mail ${k}`, `Nora Name${k}`]);
  });

  it("treats % and _ in a search as plain characters, not wildcards", async () => {
    const k = tag();
    await makeUser(t.db, { name: `Percent ${k}` });
    await makeUser(t.db, { name: `Under Score ${k}`, email: `under_score${k}@example.test` });
    const percent = await agent.get(`/admin/users?q=${encodeURIComponent("%")}`);
    expect(percent.status).toBe(200);
    expect(listedNames(percent.text)).not.toContain(`Percent ${k}`);
    expect(listedNames((await agent.get(`/admin/users?q=${encodeURIComponent(`Percent_${k}`)}`)).text)).toEqual([]);
    expect(listedNames((await agent.get(`/admin/users?q=${encodeURIComponent(`under_score${k}`)}`)).text)).toEqual([`Under Score ${k}`]);
    expect(listedNames((await agent.get(`/admin/users?q=${encodeURIComponent(`under%score${k}`)}`)).text)).toEqual([]);
  });

  it("filters by role", async () => {
    const k = tag();
    await makeUser(t.db, { name: `Rita Staff ${k}`, role: "staff" });
    await makeUser(t.db, { name: `Mona Manager ${k}`, role: "manager" });
    await makeUser(t.db, { name: `Alan Admin ${k}`, role: "admin" });
    const managers = await agent.get(`/admin/users?q=${k}&role=manager`);
    expect(listedNames(managers.text)).toEqual([`Mona Manager ${k}`]);
    expect(managers.text).toContain('<option value="manager" selected>');
    const admins = await agent.get(`/admin/users?q=${k}&role=admin`);
    expect(listedNames(admins.text)).toEqual([`Alan Admin ${k}`]);
  });

  it("shows active users by default, and deactivated or all on request", async () => {
    const k = tag();
    await makeUser(t.db, { name: `Active One ${k}` });
    await makeUser(t.db, { name: `Gone One ${k}`, active: false });
    expect(listedNames((await agent.get(`/admin/users?q=${k}`)).text)).toEqual([`Active One ${k}`]);
    const inactive = await agent.get(`/admin/users?q=${k}&status=inactive`);
    expect(listedNames(inactive.text)).toEqual([`Gone One ${k}`]);
    expect(inactive.text).toContain("Deactivated");
    expect(listedNames((await agent.get(`/admin/users?q=${k}&status=all`)).text)).toEqual([`Active One ${k}`, `Gone One ${k}`]);
  });

  it("sorts by name by default and by the column whose header link is followed", async () => {
    const k = tag();
    await makeUser(t.db, { name: `Abel ${k}`, email: `c-${k}@example.test` });
    await makeUser(t.db, { name: `Bea ${k}`, email: `b-${k}@example.test` });
    await makeUser(t.db, { name: `Cyd ${k}`, email: `a-${k}@example.test` });

    const first = await agent.get(`/admin/users?q=${k}`);
    expect(listedNames(first.text)).toEqual([`Abel ${k}`, `Bea ${k}`, `Cyd ${k}`]);
    expect(first.text).toMatch(/aria-sort="ascending"[^>]*>\s*<a href="[^"]*sort=name&amp;dir=desc"/);

    const emailLink = /<a href="(\?[^"]*sort=email[^"]*)">Email/.exec(first.text)?.[1];
    expect(emailLink).toBeDefined();
    expect(unescape(emailLink!)).toContain(`q=${k}`);
    const byEmail = await agent.get(`/admin/users${unescape(emailLink!)}`);
    expect(listedNames(byEmail.text)).toEqual([`Cyd ${k}`, `Bea ${k}`, `Abel ${k}`]);

    const nameDesc = /<a href="(\?[^"]*sort=name[^"]*)">Name/.exec(first.text)![1]!;
    const reversed = await agent.get(`/admin/users${unescape(nameDesc)}`);
    expect(listedNames(reversed.text)).toEqual([`Cyd ${k}`, `Bea ${k}`, `Abel ${k}`]);
    expect(reversed.text).toContain('aria-sort="descending"');
  });

  it("pages through the results with perPage, keeping the search in the links", async () => {
    const k = tag();
    for (const n of [1, 2, 3, 4, 5]) await makeUser(t.db, { name: `Pager ${n} ${k}` });

    const page1 = await agent.get(`/admin/users?q=${k}&perPage=2`);
    expect(listedNames(page1.text)).toEqual([`Pager 1 ${k}`, `Pager 2 ${k}`]);
    expect(page1.text).toContain("Showing 1–2 of 5");
    expect(page1.text).toContain("Page 1 of 3");
    expect(page1.text).not.toContain('rel="prev"');
    const next = /<a rel="next" href="([^"]+)"/.exec(page1.text)![1]!;
    expect(unescape(next)).toBe(`?q=${k}&perPage=2&page=2`);

    const page2 = await agent.get(`/admin/users${unescape(next)}`);
    expect(listedNames(page2.text)).toEqual([`Pager 3 ${k}`, `Pager 4 ${k}`]);
    expect(page2.text).toContain('rel="prev"');

    const page3 = await agent.get(`/admin/users?q=${k}&perPage=2&page=3`);
    expect(listedNames(page3.text)).toEqual([`Pager 5 ${k}`]);
    expect(page3.text).toContain("Showing 5–5 of 5");
    expect(page3.text).not.toContain('rel="next"');
  });

  it("says so when nothing matches", async () => {
    const res = await agent.get(`/admin/users?q=nobody-${tag()}`);
    expect(res.status).toBe(200);
    expect(listedNames(res.text)).toEqual([]);
    expect(res.text).toContain("No users match these filters");
    expect(res.text).toContain("Try another search or status.");
  });

  it("ignores nonsense in the query string instead of failing", async () => {
    for (const query of ["role=wizard", "status=zombie", "sort=password_hash", "dir=sideways", "page=-3", "perPage=abc", "page=abc", "q=a&q=b", "perPage=100000"]) {
      const res = await agent.get(`/admin/users?${query}`);
      expect(res.status, query).toBe(200);
      expect(res.text, query).toContain("<h1>Users</h1>");
    }
  });
});

describe("creating a user", () => {
  it("with a typed password: stores the user lower-cased, audits it, and they must change the password", async () => {
    const k = tag();
    const before = await counts();
    const res = await postForm(agent, "/admin/users/new", "/admin/users", {
      name: `Grace Hopper ${k}`,
      email: `Grace.${k}@Example.test`,
      role: "manager",
      department: "Navy",
      legalTeam: "on",
      password: STRONG_PASSWORD,
    });
    expect(res.status).toBe(302);
    const created = await t.db.user.findUniqueOrThrow({ where: { email: `grace.${k}@example.test` } });
    expect(res.headers.location).toBe(`/admin/users/${created.id}`);
    expect(created).toMatchObject({ name: `Grace Hopper ${k}`, role: "manager", department: "Navy", legalTeam: true, relationshipTeam: false, mustChangePassword: true, active: true });
    expect(await counts()).toEqual({ users: before.users + 1, audit: before.audit + 1 });

    const page = await agent.get(res.headers.location!);
    expect(page.text).toContain(`User grace.${k}@example.test created. They must change the password when they sign in.`);
    expect(secretIn(page.text)).toBeUndefined();

    const [audit] = await auditOf("user.create", created.id);
    expect(audit).toMatchObject({ actorId: admin.id, entityType: "user" });
    expect(audit!.changes).toMatchObject({ email: { before: null, after: `grace.${k}@example.test` }, role: { before: null, after: "manager" } });
    expect(JSON.stringify(audit!.changes)).not.toContain(STRONG_PASSWORD);

    const { response } = await signIn(t.app, `grace.${k}@example.test`, STRONG_PASSWORD);
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe("/account/password");
  });

  it("with no password: shows a generated one-time password once, and it signs in", async () => {
    const k = tag();
    const res = await postForm(agent, "/admin/users/new", "/admin/users", { name: `Linus ${k}`, email: `linus-${k}@example.test`, role: "staff", password: "" });
    expect(res.status).toBe(302);
    const page = await agent.get(res.headers.location!);
    expect(page.text).toContain("Give them this one-time password");
    const secret = secretIn(page.text);
    expect(secret).toMatch(/^[\w-]{20,}$/);

    const again = await agent.get(res.headers.location!);
    expect(secretIn(again.text)).toBeUndefined();

    const created = await t.db.user.findUniqueOrThrow({ where: { email: `linus-${k}@example.test` } });
    expect(created.mustChangePassword).toBe(true);
    const [audit] = await auditOf("user.create", created.id);
    expect(JSON.stringify(audit!.changes)).not.toContain(secret!);

    const { response } = await signIn(t.app, `linus-${k}@example.test`, secret!);
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe("/account/password");
  });

  describe("refuses invalid input with 422, keeps what was typed and writes nothing", () => {
    const cases = [
      { label: "a malformed email", field: "email", change: { email: "not-an-email" }, message: "Enter a valid email address." },
      { label: "a missing name", field: "name", change: { name: "   " }, message: "Name is required." },
      { label: "a short password", field: "password", change: { password: "short1" }, message: "Use at least 12 characters." },
      { label: "a guessable password", field: "password", change: { password: "password1234" }, message: "This password is too easy to guess" },
      { label: "an unknown role", field: "role", change: { role: "superuser" }, message: "Choose a role." },
    ];
    it.each(cases)("$label", async ({ field, change, message }) => {
      const k = tag();
      const typed = { name: `Typed Name ${k}`, email: `typed-${k}@example.test`, role: "manager", department: `Dept ${k}`, legalTeam: "on", password: STRONG_PASSWORD, ...change };
      const before = await counts();
      const res = await postForm(agent, "/admin/users/new", "/admin/users", typed);
      expect(res.status).toBe(422);
      expect(res.text).toMatch(new RegExp(`id="f-${field}"[^>]*aria-invalid="true" aria-describedby="f-${field}-error"`));
      expect(res.text).toMatch(new RegExp(`<p class="field-error" id="f-${field}-error">${message.replace(/[.?]/g, "\\$&")}`));
      if (field !== "email") expect(res.text).toContain(`value="${typed.email}"`);
      if (field !== "name") expect(res.text).toContain(`value="${typed.name}"`);
      expect(res.text).toContain(`value="Dept ${k}"`);
      expect(res.text).toContain('name="legalTeam" checked');
      expect(res.text).not.toContain(typed.password);
      expect(await counts()).toEqual(before);
    });

    it("a duplicate email, whatever its case", async () => {
      const k = tag();
      await makeUser(t.db, { email: `x-${k}@example.test` });
      const before = await counts();
      const res = await postForm(agent, "/admin/users/new", "/admin/users", { name: `Dup ${k}`, email: `X-${k}@Example.test`, role: "staff", password: "" });
      expect(res.status).toBe(422);
      expect(res.text).toMatch(/id="f-email"[^>]*aria-invalid="true"/);
      expect(res.text).toContain('<p class="field-error" id="f-email-error">Another user already has this email address.</p>');
      expect(res.text).toContain(`value="X-${k}@Example.test"`);
      expect(await counts()).toEqual(before);
      expect(await t.db.user.count({ where: { name: `Dup ${k}` } })).toBe(0);
    });
  });
});

describe("editing a user", () => {
  it("changes role and flags, and audits each changed field with before and after", async () => {
    const user = await makeUser(t.db, { role: "staff", viewConfidential: true, department: "Tax" });
    const form = await agent.get(`/admin/users/${user.id}/edit`);
    expect(form.status).toBe(200);
    expect(form.text).toContain(`value="${user.email}"`);
    const res = await agent
      .post(`/admin/users/${user.id}`)
      .type("form")
      .send({ _csrf: await csrfToken(agent, `/admin/users/${user.id}/edit`), updatedAt: hiddenUpdatedAt(form.text), name: user.name, email: user.email, role: "manager", department: "Tax", relationshipTeam: "on", legalTeam: "on" });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`/admin/users/${user.id}`);
    const page = await agent.get(res.headers.location!);
    expect(page.text).toContain("User updated.");
    expect(page.text).toContain("Manager");

    const stored = await t.db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(stored).toMatchObject({ role: "manager", relationshipTeam: true, legalTeam: true, viewConfidential: false, department: "Tax", name: user.name });
    const audits = await auditOf("user.update", user.id);
    expect(audits).toHaveLength(1);
    expect(audits[0]!.actorId).toBe(admin.id);
    expect(audits[0]!.changes).toEqual({
      role: { before: "staff", after: "manager" },
      relationshipTeam: { before: false, after: true },
      legalTeam: { before: false, after: true },
      viewConfidential: { before: true, after: false },
    });
  });

  it("writes no audit row when nothing changed", async () => {
    const user = await makeUser(t.db, { department: "Tax" });
    const form = await agent.get(`/admin/users/${user.id}/edit`);
    const res = await postForm(agent, `/admin/users/${user.id}/edit`, `/admin/users/${user.id}`, { updatedAt: hiddenUpdatedAt(form.text), name: user.name, email: user.email, role: "staff", department: "Tax" });
    expect(res.status).toBe(302);
    expect(await auditOf("user.update", user.id)).toEqual([]);
  });

  it("refuses another user's email on edit", async () => {
    const other = await makeUser(t.db);
    const user = await makeUser(t.db);
    const form = await agent.get(`/admin/users/${user.id}/edit`);
    const res = await postForm(agent, `/admin/users/${user.id}/edit`, `/admin/users/${user.id}`, { updatedAt: hiddenUpdatedAt(form.text), name: user.name, email: other.email.toUpperCase(), role: "staff" });
    expect(res.status).toBe(422);
    expect(res.text).toContain("Another user already has this email address.");
    expect((await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).email).toBe(user.email);
  });

  it("refuses a save based on a stale version with 409, overwrites nothing, and lets the admin save again deliberately", async () => {
    const otherAdmin = await makeUser(t.db, { role: "admin", name: "Other Admin" });
    const otherAgent = await signedIn(t.app, otherAdmin.email);
    const user = await makeUser(t.db, { name: "Original Name", role: "staff" });

    const mine = await agent.get(`/admin/users/${user.id}/edit`);
    const theirs = await otherAgent.get(`/admin/users/${user.id}/edit`);
    const theirSave = await postForm(otherAgent, `/admin/users/${user.id}/edit`, `/admin/users/${user.id}`, {
      updatedAt: hiddenUpdatedAt(theirs.text),
      name: "Changed Elsewhere",
      email: user.email,
      role: "staff",
    });
    expect(theirSave.status).toBe(302);
    const afterTheirs = await t.db.user.findUniqueOrThrow({ where: { id: user.id } });

    const staleStamp = hiddenUpdatedAt(mine.text);
    const mySave = await postForm(agent, `/admin/users/${user.id}/edit`, `/admin/users/${user.id}`, { updatedAt: staleStamp, name: "My Edit", email: user.email, role: "manager" });
    expect(mySave.status).toBe(409);
    expect(mySave.text).toContain("Someone else changed this user while you were editing.");
    expect(mySave.text).toContain('value="My Edit"');
    expect(hiddenUpdatedAt(mySave.text)).toBe(afterTheirs.updatedAt.toISOString());
    expect(hiddenUpdatedAt(mySave.text)).not.toBe(staleStamp);

    const stored = await t.db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(stored).toMatchObject({ name: "Changed Elsewhere", role: "staff" });
    expect(stored.updatedAt).toEqual(afterTheirs.updatedAt);
    expect((await auditOf("user.update", user.id)).map((a) => a.actorId)).toEqual([otherAdmin.id]);

    const secondSave = await postForm(agent, `/admin/users/${user.id}/edit`, `/admin/users/${user.id}`, { updatedAt: hiddenUpdatedAt(mySave.text), name: "My Edit", email: user.email, role: "manager" });
    expect(secondSave.status).toBe(302);
    expect(await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ name: "My Edit", role: "manager" });
  });
});

describe("deactivating and reactivating", () => {
  it("deactivates with a reason: the user is signed out at once, cannot sign in, and the reason is audited", async () => {
    const user = await makeUser(t.db, { name: "Leaving Person" });
    const theirAgent = await signedIn(t.app, user.email);
    const res = await postForm(agent, `/admin/users/${user.id}`, `/admin/users/${user.id}/deactivate`, { reason: "Left the firm" });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`/admin/users/${user.id}`);
    const page = await agent.get(res.headers.location!);
    expect(page.text).toContain("User deactivated; their sessions have ended.");
    expect(page.text).toContain("Deactivated");
    expect(page.text).toContain(`action="/admin/users/${user.id}/reactivate"`);

    expect((await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).active).toBe(false);
    const [audit] = await auditOf("user.deactivate", user.id);
    expect(audit!.actorId).toBe(admin.id);
    expect(audit!.changes).toMatchObject({ active: { before: true, after: false }, reason: { before: null, after: "Left the firm" }, sessionsEnded: { after: 1 } });

    const theirs = await theirAgent.get("/");
    expect(theirs.status).toBe(302);
    expect(theirs.headers.location).toMatch(/^\/login/);
    const { response } = await signIn(t.app, user.email);
    expect(response.status).toBe(401);
    expect(response.text).toContain("Your account has been deactivated.");
  });

  it("reactivates: the user can sign in again and the change is audited", async () => {
    const user = await makeUser(t.db, { active: false });
    const res = await postForm(agent, `/admin/users/${user.id}`, `/admin/users/${user.id}/reactivate`, {});
    expect(res.status).toBe(302);
    expect((await agent.get(res.headers.location!)).text).toContain("User reactivated.");
    expect((await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).active).toBe(true);
    const [audit] = await auditOf("user.reactivate", user.id);
    expect(audit!.changes).toMatchObject({ active: { before: false, after: true } });
    expect((await signIn(t.app, user.email)).response.status).toBe(302);
  });

  it("does not let an admin deactivate their own account", async () => {
    const self = await agent.get(`/admin/users/${admin.id}`);
    expect(self.text).not.toContain(`action="/admin/users/${admin.id}/deactivate"`);
    const res = await postForm(agent, `/admin/users/${admin.id}`, `/admin/users/${admin.id}/deactivate`, { reason: "oops" });
    expect(res.status).toBe(302);
    const page = await agent.get(res.headers.location!);
    expect(page.text).toMatch(/role="alert">\s*<p>You cannot deactivate your own account.<\/p>/);
    expect((await t.db.user.findUniqueOrThrow({ where: { id: admin.id } })).active).toBe(true);
    expect(await auditOf("user.deactivate", admin.id)).toEqual([]);
    expect((await agent.get("/admin/users")).status).toBe(200);
  });
});

describe("resetting a password", () => {
  it("shows a one-time password once, ends the user's sessions, unlocks the account and forces a change", async () => {
    const user = await makeUser(t.db, { name: "Locked Out" });
    const theirAgent = await signedIn(t.app, user.email);
    for (let i = 0; i < t.config.LOGIN_MAX_FAILURES; i++) await signIn(t.app, user.email, "a wrong password entirely");
    const locked = await t.db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(locked.lockedUntil!.getTime()).toBeGreaterThan(Date.now());

    const res = await postForm(agent, `/admin/users/${user.id}`, `/admin/users/${user.id}/reset-password`, {});
    expect(res.status).toBe(302);
    const page = await agent.get(res.headers.location!);
    expect(page.text).toContain("Password reset and the user&#39;s sessions ended.");
    const secret = secretIn(page.text);
    expect(secret).toMatch(/^[\w-]{20,}$/);
    expect(secretIn((await agent.get(res.headers.location!)).text)).toBeUndefined();

    const stored = await t.db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(stored).toMatchObject({ mustChangePassword: true, lockedUntil: null, failedLoginCount: 0 });
    expect(stored.passwordHash).not.toBe(locked.passwordHash);

    const theirs = await theirAgent.get("/");
    expect(theirs.status).toBe(302);
    expect(theirs.headers.location).toMatch(/^\/login/);
    expect((await signIn(t.app, user.email, PASSWORD)).response.status).toBe(401);
    const fresh = await signIn(t.app, user.email, secret!);
    expect(fresh.response.status).toBe(302);
    expect(fresh.response.headers.location).toBe("/account/password");

    const [audit] = await auditOf("user.reset_password", user.id);
    expect(audit!.actorId).toBe(admin.id);
    expect(audit!.changes).toMatchObject({ passwordReset: { after: true }, mustChangePassword: { before: false, after: true }, sessionsEnded: { after: 1 } });
    expect(JSON.stringify(audit!.changes)).not.toContain(secret!);
  });
});

describe("the last active administrator", () => {
  /** A firm of its own (a separate database), so "the only admin" is literally true. */
  async function firmWith(...admins: { active?: boolean }[]) {
    const firm = await createTestApp();
    const users = [];
    for (const [i, a] of admins.entries()) users.push(await makeUser(firm.db, { role: "admin", name: `Admin ${i + 1}`, active: a.active ?? true }));
    return { firm, users };
  }

  async function demote(app: TestApp, adminAgent: Agent, target: { id: string; name: string; email: string }) {
    const form = await adminAgent.get(`/admin/users/${target.id}/edit`);
    return postForm(adminAgent, `/admin/users/${target.id}/edit`, `/admin/users/${target.id}`, { updatedAt: hiddenUpdatedAt(form.text), name: target.name, email: target.email, role: "staff" });
  }

  it("cannot be demoted: 409 with an explanation, and nothing changes", async () => {
    const { firm, users } = await firmWith({});
    try {
      const only = users[0]!;
      const onlyAgent = await signedIn(firm.app, only.email);
      const before = await firm.db.auditEvent.count();
      const res = await demote(firm, onlyAgent, only);
      expect(res.status).toBe(409);
      expect(res.text).toContain("This is the last active administrator");
      expect((await firm.db.user.findUniqueOrThrow({ where: { id: only.id } })).role).toBe("admin");
      expect(await firm.db.auditEvent.count()).toBe(before);
      expect((await onlyAgent.get("/admin/users")).status).toBe(200);
    } finally {
      await firm.close();
    }
  });

  it("cannot be deactivated (they cannot deactivate themself and nobody else can)", async () => {
    const { firm, users } = await firmWith({});
    try {
      const only = users[0]!;
      const onlyAgent = await signedIn(firm.app, only.email);
      const res = await postForm(onlyAgent, `/admin/users/${only.id}`, `/admin/users/${only.id}/deactivate`, {});
      expect(res.status).toBe(302);
      expect((await onlyAgent.get(res.headers.location!)).text).toContain("You cannot deactivate your own account.");
      expect((await firm.db.user.findUniqueOrThrow({ where: { id: only.id } })).active).toBe(true);
    } finally {
      await firm.close();
    }
  });

  it("is not saved by an inactive admin: a deactivated admin does not count", async () => {
    const { firm, users } = await firmWith({}, { active: false });
    try {
      const [active] = users;
      const activeAgent = await signedIn(firm.app, active!.email);
      const res = await demote(firm, activeAgent, active!);
      expect(res.status).toBe(409);
      expect(res.text).toContain("This is the last active administrator");
      expect((await firm.db.user.findUniqueOrThrow({ where: { id: active!.id } })).role).toBe("admin");
    } finally {
      await firm.close();
    }
  });

  it("with two active admins, one can be demoted, and then loses the admin pages", async () => {
    const { firm, users } = await firmWith({}, {});
    try {
      const [a, b] = users;
      const aAgent = await signedIn(firm.app, a!.email);
      const bAgent = await signedIn(firm.app, b!.email);
      const res = await demote(firm, aAgent, b!);
      expect(res.status).toBe(302);
      expect((await firm.db.user.findUniqueOrThrow({ where: { id: b!.id } })).role).toBe("staff");
      expect((await bAgent.get("/admin/users")).status).toBe(403);
      // Now a is the last one.
      expect((await demote(firm, aAgent, a!)).status).toBe(409);
    } finally {
      await firm.close();
    }
  });

  it("survives two admins demoting each other at the same moment: exactly one stays admin", async () => {
    const { firm, users } = await firmWith({}, {});
    try {
      const [a, b] = users;
      const aAgent = await signedIn(firm.app, a!.email);
      const bAgent = await signedIn(firm.app, b!.email);
      const [aForm, bForm] = await Promise.all([aAgent.get(`/admin/users/${b!.id}/edit`), bAgent.get(`/admin/users/${a!.id}/edit`)]);
      const [aToken, bToken] = await Promise.all([csrfToken(aAgent, "/"), csrfToken(bAgent, "/")]);
      await Promise.all([
        aAgent.post(`/admin/users/${b!.id}`).type("form").send({ _csrf: aToken, updatedAt: hiddenUpdatedAt(aForm.text), name: b!.name, email: b!.email, role: "staff" }),
        bAgent.post(`/admin/users/${a!.id}`).type("form").send({ _csrf: bToken, updatedAt: hiddenUpdatedAt(bForm.text), name: a!.name, email: a!.email, role: "staff" }),
      ]);
      expect(await firm.db.user.count({ where: { role: "admin", active: true } })).toBe(1);
      expect(await firm.db.auditEvent.count({ where: { action: "user.update" } })).toBe(1);
    } finally {
      await firm.close();
    }
  });

  it("survives two admins deactivating each other at the same moment: exactly one stays active", async () => {
    const { firm, users } = await firmWith({}, {});
    try {
      const [a, b] = users;
      const aAgent = await signedIn(firm.app, a!.email);
      const bAgent = await signedIn(firm.app, b!.email);
      const [aToken, bToken] = await Promise.all([csrfToken(aAgent, "/"), csrfToken(bAgent, "/")]);
      await Promise.all([
        aAgent.post(`/admin/users/${b!.id}/deactivate`).type("form").send({ _csrf: aToken }),
        bAgent.post(`/admin/users/${a!.id}/deactivate`).type("form").send({ _csrf: bToken }),
      ]);
      expect(await firm.db.user.count({ where: { role: "admin", active: true } })).toBe(1);
      expect(await firm.db.auditEvent.count({ where: { action: "user.deactivate" } })).toBe(1);
    } finally {
      await firm.close();
    }
  });
});
