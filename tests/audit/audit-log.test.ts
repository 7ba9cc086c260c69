// The audit log: what is recorded, that it cannot be rewritten, and how admins read it.
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser, PASSWORD } from "../helpers/factories.ts";
import { csrfToken, signedIn, signIn, type Agent } from "../helpers/http.ts";

const UA = "Mozilla/5.0 (AuditTest) Firefox/140.0";

let t: TestApp;
let admin: Awaited<ReturnType<typeof makeUser>>;
let agent: Agent;

beforeAll(async () => {
  t = await createTestApp();
  admin = await makeUser(t.db, { role: "admin", name: "Audrey Admin" });
  agent = await signedIn(t.app, admin.email);
});
afterAll(async () => t.close());

const tag = () => randomBytes(4).toString("hex");
const unescape = (s: string) => s.replaceAll("&amp;", "&");
const requestId = () => `test-${randomUUID()}`;

/** Posts a form as a browser would, with a user agent and a request id of our choosing. */
async function post(as: Agent, page: string, action: string, fields: Record<string, string>, id = requestId()) {
  const token = await csrfToken(as, page);
  return as.post(action).set("User-Agent", UA).set("X-Request-Id", id).type("form").send({ _csrf: token, ...fields });
}

interface Row {
  action: string;
  who: string;
  record: string;
  changes: string;
  from: string;
}

/** The rows of the audit table as the admin reads them, top to bottom. */
function auditRows(html: string): Row[] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
  const text = (s: string) => s.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim();
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => {
    const cells = [...m[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1]!);
    return { action: text(cells[2] ?? ""), who: text(cells[1] ?? ""), record: text(cells[3] ?? ""), changes: text(cells[4] ?? ""), from: text(cells[5] ?? "") };
  });
}

const actionsOn = async (path: string) => {
  const res = await agent.get(path);
  expect(res.status, path).toBe(200);
  return auditRows(res.text).map((r) => r.action);
};

/** Audit rows written directly, for reading tests (inserting is what the log allows). */
async function seed(events: { action: string; at?: Date; actorId?: string; entityType?: string; entityId?: string }[]) {
  const ids: bigint[] = [];
  for (const e of events) ids.push((await t.db.auditEvent.create({ data: e })).id);
  return ids;
}

describe("what is recorded", () => {
  it("a successful sign-in: the user, the account, the IP, the browser and the request id", async () => {
    const user = await makeUser(t.db);
    const id = requestId();
    const { response } = await signIn(t.app, user.email, PASSWORD, { "User-Agent": UA, "X-Request-Id": id });
    expect(response.status).toBe(302);
    expect(response.headers["x-request-id"]).toBe(id);
    const rows = await t.db.auditEvent.findMany({ where: { action: "auth.login", actorId: user.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ entityType: "user", entityId: user.id, actorLabel: user.email, userAgent: UA, requestId: id });
    expect(rows[0]!.ip).toMatch(/127\.0\.0\.1|::1/);
    // Stamped when written, stored in UTC as every time is.
    expect(Math.abs(rows[0]!.at.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it("a failed sign-in, for a known account and for an unknown email, without the password typed", async () => {
    const user = await makeUser(t.db);
    await signIn(t.app, user.email, "wrong password number one", { "User-Agent": UA });
    await signIn(t.app, `nobody-${tag()}@example.test`, "wrong password number two", { "User-Agent": UA });
    const known = await t.db.auditEvent.findFirstOrThrow({ where: { action: "auth.login_failed", entityId: user.id } });
    expect(known).toMatchObject({ actorId: user.id, actorLabel: user.email, entityType: "user", userAgent: UA });
    expect(known.ip).toBeTruthy();
    expect(known.changes).toEqual({ failedLoginCount: { before: 0, after: 1 } });
    const unknown = await t.db.auditEvent.findFirstOrThrow({ where: { action: "auth.login_failed", actorLabel: { startsWith: "nobody-" } } });
    expect(unknown).toMatchObject({ actorId: null, userAgent: UA });
    expect(unknown.ip).toBeTruthy();
    const all = JSON.stringify(await t.db.auditEvent.findMany({ select: { changes: true, actorLabel: true, userAgent: true } }));
    expect(all).not.toContain("wrong password number");
  });

  it("a sign-out", async () => {
    const user = await makeUser(t.db);
    const theirs = await signedIn(t.app, user.email);
    const res = await post(theirs, "/", "/logout", {});
    expect(res.status).toBe(302);
    const row = await t.db.auditEvent.findFirstOrThrow({ where: { action: "auth.logout", actorId: user.id } });
    expect(row).toMatchObject({ entityType: "user", entityId: user.id, userAgent: UA });
    expect(row.ip).toBeTruthy();
  });

  it("every user administration action, with the admin as actor, the account as record, and where it came from", async () => {
    const k = tag();
    const created = await post(agent, "/admin/users/new", "/admin/users", { name: `Audited ${k}`, email: `audited-${k}@example.test`, role: "staff", password: "" });
    expect(created.status).toBe(302);
    const target = await t.db.user.findUniqueOrThrow({ where: { email: `audited-${k}@example.test` } });
    const edit = await agent.get(`/admin/users/${target.id}/edit`);
    const updatedAt = /name="updatedAt" value="([^"]+)"/.exec(edit.text)![1]!;
    const responses = [
      created,
      await post(agent, `/admin/users/${target.id}/edit`, `/admin/users/${target.id}`, { updatedAt, name: `Audited ${k}`, email: target.email, role: "manager" }),
      await post(agent, `/admin/users/${target.id}`, `/admin/users/${target.id}/deactivate`, { reason: "audit test" }),
      await post(agent, `/admin/users/${target.id}`, `/admin/users/${target.id}/reactivate`, {}),
      await post(agent, `/admin/users/${target.id}`, `/admin/users/${target.id}/reset-password`, {}),
    ];
    for (const res of responses) expect(res.status).toBe(302);

    const rows = await t.db.auditEvent.findMany({ where: { entityType: "user", entityId: target.id }, orderBy: { id: "asc" } });
    expect(rows.map((r) => r.action)).toEqual(["user.create", "user.update", "user.deactivate", "user.reactivate", "user.reset_password"]);
    rows.forEach((row, i) => {
      expect(row).toMatchObject({ actorId: admin.id, userAgent: UA, requestId: responses[i]!.headers["x-request-id"] });
      expect(row.ip).toMatch(/127\.0\.0\.1|::1/);
      expect(row.changes).toBeTruthy();
    });
    expect(rows[1]!.changes).toEqual({ role: { before: "staff", after: "manager" } });

    // And the admin reads them on the account's history, newest first, with who and from where.
    const page = await agent.get(`/admin/audit?entityType=user&entityId=${target.id}`);
    const shown = auditRows(page.text);
    expect(shown.map((r) => r.action)).toEqual(["user.reset_password", "user.reactivate", "user.deactivate", "user.update", "user.create"]);
    for (const r of shown) {
      expect(r.who).toBe("Audrey Admin");
      expect(r.from).toContain(UA.slice(0, 40));
    }
    expect(shown[3]!.changes).toContain("role staff → manager");
    expect(shown[2]!.changes).toContain("reason — → audit test");
  });
});

describe("the log cannot be rewritten", () => {
  let row: Awaited<ReturnType<typeof t.db.auditEvent.create>>;
  beforeAll(async () => {
    row = await t.db.auditEvent.create({ data: { action: "test.immutable", actorId: admin.id, entityType: "user", entityId: admin.id, ip: "10.0.0.1" } });
  });

  it.each([
    ["UPDATE", () => `UPDATE audit_events SET action = 'test.rewritten', ip = NULL WHERE id = ${row.id}`],
    ["DELETE", () => `DELETE FROM audit_events WHERE id = ${row.id}`],
    ["TRUNCATE", () => "TRUNCATE audit_events"],
  ])("the database refuses %s on audit_events", async (_op, sql) => {
    const count = await t.db.auditEvent.count();
    await expect(t.db.$executeRawUnsafe(sql())).rejects.toThrow(/append-only/);
    expect(await t.db.auditEvent.findUniqueOrThrow({ where: { id: row.id } })).toEqual(row);
    expect(await t.db.auditEvent.count()).toBe(count);
  });

  it("refuses changes through the ORM as well", async () => {
    await expect(t.db.auditEvent.update({ where: { id: row.id }, data: { action: "test.rewritten" } })).rejects.toThrow();
    await expect(t.db.auditEvent.deleteMany({})).rejects.toThrow();
    expect(await t.db.auditEvent.findUniqueOrThrow({ where: { id: row.id } })).toEqual(row);
  });
});

describe("the audit entry and the change it records stand or fall together", () => {
  it("a create refused for a duplicate email leaves neither a user nor an audit row", async () => {
    const k = tag();
    await makeUser(t.db, { email: `taken-${k}@example.test` });
    const users = await t.db.user.count();
    const audits = await t.db.auditEvent.count();
    const res = await post(agent, "/admin/users/new", "/admin/users", { name: `Second ${k}`, email: `TAKEN-${k}@example.test`, role: "staff", password: "" });
    expect(res.status).toBe(422);
    expect(await t.db.user.count()).toBe(users);
    expect(await t.db.auditEvent.count()).toBe(audits);
  });

  it("two creates of the same email at once make one user and one audit row", async () => {
    const k = tag();
    const email = `race-${k}@example.test`;
    const token = await csrfToken(agent, "/");
    const results = await Promise.all(
      [1, 2, 3].map((n) => agent.post("/admin/users").type("form").send({ _csrf: token, name: `Race ${n} ${k}`, email, role: "staff", password: "" })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([302, 422, 422]);
    const user = await t.db.user.findUniqueOrThrow({ where: { email } });
    expect(await t.db.auditEvent.count({ where: { action: "user.create", entityId: user.id } })).toBe(1);
    expect(await t.db.user.count({ where: { name: { endsWith: ` ${k}` } } })).toBe(1);
  });

  it("a change that fails only at commit leaves no audit row behind", async () => {
    // A database of its own: Prisma 6.19's pg adapter does not give the connection of a transaction whose COMMIT
    // failed back to the pool, which would otherwise leave this file's pool unable to close.
    const own = await createTestApp();
    try {
      // Fault injection: a deferred trigger refuses this edit at COMMIT, after the audit row was written.
      await own.db.$executeRawUnsafe(`CREATE FUNCTION test_refuse_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'commit refused by test'; END; $$`);
      await own.db.$executeRawUnsafe(
        `CREATE CONSTRAINT TRIGGER test_refuse_commit AFTER UPDATE ON users DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.name = 'Cannot Commit') EXECUTE FUNCTION test_refuse_commit()`,
      );
      const ownAdmin = await makeUser(own.db, { role: "admin" });
      const ownAgent = await signedIn(own.app, ownAdmin.email);
      const user = await makeUser(own.db);
      const edit = await ownAgent.get(`/admin/users/${user.id}/edit`);
      const updatedAt = /name="updatedAt" value="([^"]+)"/.exec(edit.text)![1]!;
      const res = await post(ownAgent, `/admin/users/${user.id}/edit`, `/admin/users/${user.id}`, { updatedAt, name: "Cannot Commit", email: user.email, role: "manager" });
      expect(res.status).toBe(500);
      expect(await own.db.user.findUniqueOrThrow({ where: { id: user.id } })).toEqual(user);
      expect(await own.db.auditEvent.count({ where: { entityId: user.id, action: "user.update" } })).toBe(0);
    } finally {
      const pool = own.database.pool as unknown as { _clients: { release?: () => void }[]; _idle: unknown[] };
      for (const client of pool._clients) if (!pool._idle.some((idle) => (idle as { client?: unknown }).client === client)) client.release?.();
      await own.close();
    }
  });

  describe("when the database refuses the audit entry", () => {
    // Fault injection inside this file's own database: the audit insert fails after the change was written.
    beforeAll(async () => {
      await t.db.$executeRawUnsafe(`CREATE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit refused by test'; END; $$`);
      await t.db.$executeRawUnsafe(
        `CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit_events FOR EACH ROW WHEN (NEW.action IN ('user.create', 'user.update', 'user.deactivate', 'user.reset_password')) EXECUTE FUNCTION test_refuse_audit()`,
      );
    });
    afterAll(async () => {
      await t.db.$executeRawUnsafe("DROP TRIGGER test_refuse_audit ON audit_events");
      await t.db.$executeRawUnsafe("DROP FUNCTION test_refuse_audit()");
    });

    it("an edit is rolled back", async () => {
      const user = await makeUser(t.db, { role: "staff" });
      const edit = await agent.get(`/admin/users/${user.id}/edit`);
      const updatedAt = /name="updatedAt" value="([^"]+)"/.exec(edit.text)![1]!;
      const res = await post(agent, `/admin/users/${user.id}/edit`, `/admin/users/${user.id}`, { updatedAt, name: "Should Not Stick", email: user.email, role: "manager" });
      expect(res.status).toBe(500);
      expect(await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).toEqual(user);
    });

    it("a create is rolled back", async () => {
      const email = `rolled-back-${tag()}@example.test`;
      const res = await post(agent, "/admin/users/new", "/admin/users", { name: "Rolled Back", email, role: "staff", password: "" });
      expect(res.status).toBe(500);
      expect(await t.db.user.findUnique({ where: { email } })).toBeNull();
    });

    it("a deactivation is rolled back, sessions included", async () => {
      const user = await makeUser(t.db);
      const theirs = await signedIn(t.app, user.email);
      const res = await post(agent, `/admin/users/${user.id}`, `/admin/users/${user.id}/deactivate`, { reason: "x" });
      expect(res.status).toBe(500);
      expect((await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).active).toBe(true);
      expect((await theirs.get("/")).status).toBe(200);
    });

    it("a password reset is rolled back, and no one-time password is shown", async () => {
      const user = await makeUser(t.db);
      const res = await post(agent, `/admin/users/${user.id}`, `/admin/users/${user.id}/reset-password`, {});
      expect(res.status).toBe(500);
      expect(res.text).not.toContain('class="secret"');
      expect((await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).passwordHash).toBe(user.passwordHash);
      expect((await signIn(t.app, user.email)).response.status).toBe(302);
    });
  });
});

describe("the audit log page", () => {
  it("lists events newest first", async () => {
    const k = tag();
    await seed([{ action: `test.${k}.first` }, { action: `test.${k}.second` }, { action: `test.${k}.third` }]);
    expect(await actionsOn(`/admin/audit?action=test.${k}.*`)).toEqual([`test.${k}.third`, `test.${k}.second`, `test.${k}.first`]);
    const unfiltered = await actionsOn("/admin/audit");
    expect(unfiltered.slice(0, 3)).toEqual([`test.${k}.third`, `test.${k}.second`, `test.${k}.first`]);
  });

  it("filters by action, exactly or by prefix", async () => {
    const k = tag();
    await seed([{ action: `test.${k}.alpha` }, { action: `test.${k}.beta` }, { action: `other.${k}` }]);
    expect(await actionsOn(`/admin/audit?action=test.${k}.alpha`)).toEqual([`test.${k}.alpha`]);
    expect(await actionsOn(`/admin/audit?action=test.${k}.*`)).toEqual([`test.${k}.beta`, `test.${k}.alpha`]);
  });

  it("filters by actor", async () => {
    const k = tag();
    const ann = await makeUser(t.db, { name: `Ann ${k}` });
    const bob = await makeUser(t.db, { name: `Bob ${k}` });
    await seed([
      { action: `test.${k}.a1`, actorId: ann.id },
      { action: `test.${k}.b1`, actorId: bob.id },
      { action: `test.${k}.a2`, actorId: ann.id },
    ]);
    const res = await agent.get(`/admin/audit?actor=${ann.id}`);
    const rows = auditRows(res.text);
    expect(rows.map((r) => r.action)).toEqual([`test.${k}.a2`, `test.${k}.a1`]);
    expect(rows.every((r) => r.who === `Ann ${k}`)).toBe(true);
    expect(res.text).toContain(`<option value="${ann.id}" selected>`);
  });

  it("filters by record type and id together", async () => {
    const k = tag();
    const id = randomUUID();
    await seed([
      { action: `test.${k}.user-x`, entityType: "user", entityId: id },
      { action: `test.${k}.client-x`, entityType: "client", entityId: id },
      { action: `test.${k}.user-y`, entityType: "user", entityId: randomUUID() },
    ]);
    expect(await actionsOn(`/admin/audit?entityType=user&entityId=${id}`)).toEqual([`test.${k}.user-x`]);
    expect(await actionsOn(`/admin/audit?entityId=${id}`)).toEqual([`test.${k}.client-x`, `test.${k}.user-x`]);
    expect(await actionsOn(`/admin/audit?entityType=client&action=test.${k}.*`)).toEqual([`test.${k}.client-x`]);
  });

  it("filters by date range, both ends inclusive of the whole day (UTC)", async () => {
    const k = tag();
    await seed([
      { action: `test.${k}.jan`, at: new Date("2020-01-31T23:59:59Z") },
      { action: `test.${k}.feb-start`, at: new Date("2020-02-01T00:00:00Z") },
      { action: `test.${k}.feb-end`, at: new Date("2020-02-29T23:59:59Z") },
      { action: `test.${k}.mar`, at: new Date("2020-03-01T00:00:00Z") },
    ]);
    const a = `action=test.${k}.*`;
    expect(await actionsOn(`/admin/audit?${a}&from=2020-02-01&to=2020-02-29`)).toEqual([`test.${k}.feb-end`, `test.${k}.feb-start`]);
    expect(await actionsOn(`/admin/audit?${a}&from=2020-02-01`)).toEqual([`test.${k}.mar`, `test.${k}.feb-end`, `test.${k}.feb-start`]);
    expect(await actionsOn(`/admin/audit?${a}&to=2020-01-31`)).toEqual([`test.${k}.jan`]);
    const page = await agent.get(`/admin/audit?${a}&from=2020-02-01&to=2020-02-29`);
    expect(page.text).toContain('name="from" type="date" value="2020-02-01"');
    expect(page.text).toContain('name="to" type="date" value="2020-02-29"');
  });

  it("pages with Older and Newer links (keyset), keeping the filters and saying where the page is", async () => {
    const k = tag();
    const names = Array.from({ length: 12 }, (_, i) => `test.${k}.e${String(i + 1).padStart(2, "0")}`);
    await seed(names.map((action) => ({ action })));
    const newestFirst = [...names].reverse();

    const first = await agent.get(`/admin/audit?action=test.${k}.*&perPage=10`);
    expect(auditRows(first.text).map((r) => r.action)).toEqual(newestFirst.slice(0, 10));
    expect(first.text).not.toContain("Newer");
    expect(first.text).toContain("Showing 1–10 of 12");
    const older = /<a rel="next" href="([^"]+)">Older/.exec(first.text)?.[1];
    expect(older).toBeDefined();
    expect(unescape(older!)).toMatch(new RegExp(`action=test\\.${k}\\.\\*.*perPage=10.*before=\\d+`));

    const second = await agent.get(`/admin/audit${unescape(older!)}`);
    expect(auditRows(second.text).map((r) => r.action)).toEqual(newestFirst.slice(10));
    expect(second.text).not.toContain("Older");
    expect(second.text).toContain("Showing 11–12 of 12");
    const newer = /<a rel="prev" href="([^"]+)">← Newer/.exec(second.text)?.[1];
    expect(newer).toBeDefined();

    const back = await agent.get(`/admin/audit${unescape(newer!)}`);
    expect(auditRows(back.text).map((r) => r.action)).toEqual(newestFirst.slice(0, 10));
    expect(back.text).toContain("Older");
    expect(back.text).not.toContain("Newer");
    expect(back.text).toContain("Showing 1–10 of 12");
  });

  it("ignores filter values it cannot use instead of failing", async () => {
    const k = tag();
    await seed([{ action: `test.${k}.one` }, { action: `test.${k}.two` }]);
    const expected = [`test.${k}.two`, `test.${k}.one`];
    const bad = [
      "from=notadate",
      "to=31/12/2020",
      "from=2020-13-45",
      "to=2021-02-30",
      "to=9999-12-31",
      "from=0000-01-01",
      "actor=xyz",
      "actor=1",
      "before=abc",
      "after=-1",
      "before=99999999999999999999999",
      "perPage=abc",
      "perPage=1",
      `entityId=${"x".repeat(500)}`,
      "entityType[]=user",
    ];
    for (const query of bad) {
      const res = await agent.get(`/admin/audit?action=test.${k}.*&${query}`);
      expect(res.status, query).toBe(200);
      expect(auditRows(res.text).map((r) => r.action), query).toEqual(expected);
    }
    const twoActions = await agent.get(`/admin/audit?action=a&action=b`);
    expect(twoActions.status).toBe(200);
  });

  it("shows an empty state when nothing matches", async () => {
    const res = await agent.get(`/admin/audit?action=nothing.${tag()}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain("No audit events match these filters");
  });

  it("escapes what was typed at sign-in when showing it", async () => {
    const label = `<script>alert(1)</script>${tag()}@example.test`;
    await signIn(t.app, label, "nope nope nope");
    const res = await agent.get("/admin/audit?action=auth.login_failed");
    expect(res.status).toBe(200);
    expect(res.text).not.toContain("<script>alert(1)</script>");
    expect(res.text).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });
});
