import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser, PASSWORD } from "../helpers/factories.ts";
import { signIn } from "../helpers/http.ts";
import { LOGIN_FAILED_MESSAGE } from "../../src/auth/accounts.ts";

const LOCKED = "Too many failed attempts for this account";
const IP_THROTTLED = "Too many failed sign-in attempts from your network";
const WRONG = "not the password at all";

/** The message a failed sign-in page shows (the alert above the form). */
function failureOf(html: string): string | undefined {
  return /<div class="flash flash-error" role="alert" data-error-summary><p>([^<]*)<\/p>/.exec(html)?.[1];
}

// Every attempt below comes from the same loopback address: keep the per-IP limit out of the way
// so that only the per-account lock is under test here.
let t: TestApp;
let max: number;
beforeAll(async () => {
  t = await createTestApp({ LOGIN_IP_MAX_ATTEMPTS: "1000" });
  max = t.config.LOGIN_MAX_FAILURES;
});
afterAll(async () => t.close());

describe("locking an account after repeated wrong passwords", () => {
  it("uses five failures by default", () => {
    expect(max).toBe(5);
  });

  it("locks the account after LOGIN_MAX_FAILURES wrong passwords and then refuses the right one", async () => {
    const user = await makeUser(t.db);
    for (let i = 1; i < max; i++) {
      const { response } = await signIn(t.app, user.email, WRONG);
      expect(response.status).toBe(401);
      expect(response.text).toContain(LOGIN_FAILED_MESSAGE);
    }
    expect((await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).failedLoginCount).toBe(max - 1);
    expect((await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).lockedUntil).toBeNull();

    const last = await signIn(t.app, user.email, WRONG);
    expect(last.response.status).toBe(401);
    expect(last.response.text).toContain(LOCKED);

    const right = await signIn(t.app, user.email, PASSWORD);
    expect(right.response.status).toBe(401);
    expect(failureOf(right.response.text)).toMatch(/^Too many failed attempts for this account\. Try again in 1[45] minutes, or ask an administrator to reset your password\.$/);
    expect((await right.agent.get("/")).status).toBe(302);

    const stored = await t.db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(stored.lockedUntil).not.toBeNull();
    const lockMs = stored.lockedUntil!.getTime() - Date.now();
    expect(lockMs).toBeGreaterThan((t.config.LOGIN_LOCK_MINUTES - 1) * 60_000);
    expect(lockMs).toBeLessThanOrEqual(t.config.LOGIN_LOCK_MINUTES * 60_000);
    expect(stored.lastLoginAt).toBeNull();

    const audit = await t.db.auditEvent.findMany({ where: { actorId: user.id }, orderBy: { id: "asc" } });
    expect(audit.map((a) => a.action)).toEqual([...Array<string>(max - 1).fill("auth.login_failed"), "auth.account_locked", "auth.login_locked"]);
    expect(audit.find((a) => a.action === "auth.account_locked")!.changes).toMatchObject({ failedLoginCount: { before: max - 1, after: max } });
  });

  it("counts failures per account, not per address: many IPs still lock it", async () => {
    const proxied = await createTestApp({ TRUST_PROXY: "true", LOGIN_IP_MAX_ATTEMPTS: "1000" });
    try {
      const user = await makeUser(proxied.db);
      const ips = Array.from({ length: max }, (_, i) => `198.51.100.${i + 10}`);
      for (const ip of ips) {
        const { response } = await signIn(proxied.app, user.email, WRONG, { "X-Forwarded-For": ip });
        expect(response.status).toBe(401);
      }
      const right = await signIn(proxied.app, user.email, PASSWORD, { "X-Forwarded-For": "203.0.113.99" });
      expect(right.response.status).toBe(401);
      expect(right.response.text).toContain(LOCKED);

      const stored = await proxied.db.user.findUniqueOrThrow({ where: { id: user.id } });
      expect(stored.lockedUntil!.getTime()).toBeGreaterThan(Date.now());
      const failures = await proxied.db.auditEvent.findMany({ where: { actorId: user.id, action: { in: ["auth.login_failed", "auth.account_locked"] } } });
      expect(failures.map((f) => f.ip).sort()).toEqual([...ips].sort());
      const locked = await proxied.db.auditEvent.findMany({ where: { actorId: user.id, action: "auth.login_locked" } });
      expect(locked.map((l) => l.ip)).toEqual(["203.0.113.99"]);
      expect(await proxied.db.auditEvent.count({ where: { actorId: user.id, action: "auth.account_locked" } })).toBe(1);
    } finally {
      await proxied.close();
    }
  });

  it("locks the account even when the wrong passwords arrive all at once", async () => {
    const user = await makeUser(t.db);
    const burst = await Promise.all(Array.from({ length: max * 2 }, () => signIn(t.app, user.email, WRONG)));
    for (const { response } of burst) expect(response.status).toBe(401);

    const right = await signIn(t.app, user.email, PASSWORD);
    expect(right.response.status).toBe(401);
    expect(right.response.text).toContain(LOCKED);
    const stored = await t.db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(stored.lockedUntil).not.toBeNull();
  });

  it("checks at most LOGIN_MAX_FAILURES passwords however many guesses arrive at once, even the right one among them", async () => {
    const user = await makeUser(t.db);
    const guesses = Array.from({ length: max * 4 }, (_, i) => (i === max * 3 ? PASSWORD : WRONG));
    const burst = await Promise.all(guesses.map((password) => signIn(t.app, user.email, password)));
    const checked = await t.db.auditEvent.count({ where: { entityId: user.id, action: { in: ["auth.login_failed", "auth.account_locked", "auth.login"] } } });
    const refusedUnchecked = await t.db.auditEvent.count({ where: { entityId: user.id, action: "auth.login_locked" } });
    expect(checked).toBeLessThanOrEqual(max);
    expect(checked + refusedUnchecked).toBe(guesses.length);
    expect(burst.filter(({ response }) => response.status === 401 && response.text.includes(LOCKED)).length).toBeGreaterThanOrEqual(guesses.length - max);
  });

  it("lets the right password in once the lock has expired, and starts counting afresh", async () => {
    const user = await makeUser(t.db);
    for (let i = 0; i < max; i++) await signIn(t.app, user.email, WRONG);
    expect((await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).lockedUntil).not.toBeNull();
    await t.db.user.update({ where: { id: user.id }, data: { lockedUntil: new Date(Date.now() - 1000) } });

    const oneMore = await signIn(t.app, user.email, WRONG);
    expect(oneMore.response.status).toBe(401);
    expect(oneMore.response.text).toContain(LOGIN_FAILED_MESSAGE); // a fresh allowance, not locked again at once
    expect((await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).failedLoginCount).toBe(1);

    const { agent, response } = await signIn(t.app, user.email, PASSWORD);
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe("/");
    expect((await agent.get("/")).status).toBe(200);
    const stored = await t.db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(stored.failedLoginCount).toBe(0);
    expect(stored.lockedUntil).toBeNull();
    expect(stored.lastLoginAt).not.toBeNull();
  });

  it("resets the failure count after a successful sign-in", async () => {
    const user = await makeUser(t.db);
    for (let i = 1; i < max; i++) await signIn(t.app, user.email, WRONG);
    expect((await signIn(t.app, user.email, PASSWORD)).response.status).toBe(302);
    expect((await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).failedLoginCount).toBe(0);
    // A single wrong password afterwards is an ordinary failure, not a lock.
    const again = await signIn(t.app, user.email, WRONG);
    expect(again.response.text).toContain(LOGIN_FAILED_MESSAGE);
    expect((await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).lockedUntil).toBeNull();
  });
});

describe("unknown emails", () => {
  it("lock after LOGIN_MAX_FAILURES attempts with the same messages as a real account", async () => {
    const user = await makeUser(t.db);
    const unknown = `nobody-${Date.now()}@example.test`;
    const seen = { known: [] as string[], unknown: [] as string[] };
    for (let i = 0; i <= max; i++) {
      const known = await signIn(t.app, user.email, WRONG);
      const stranger = await signIn(t.app, unknown, WRONG);
      expect(stranger.response.status).toBe(known.response.status);
      seen.known.push(failureOf(known.response.text) ?? "");
      seen.unknown.push(failureOf(stranger.response.text) ?? "");
    }
    expect(seen.unknown).toEqual(seen.known);
    expect(seen.unknown[0]).toBe(LOGIN_FAILED_MESSAGE);
    expect(seen.unknown[max]).toContain(LOCKED);
  });

  it("keeps refusing an unknown email that has locked, even with any password", async () => {
    const unknown = `ghost-${Date.now()}@example.test`;
    for (let i = 0; i < max; i++) await signIn(t.app, unknown, WRONG);
    const again = await signIn(t.app, unknown, PASSWORD);
    expect(again.response.status).toBe(401);
    expect(again.response.text).toContain(LOCKED);
    expect(await t.db.auditEvent.count({ where: { actorLabel: unknown, action: "auth.login_locked" } })).toBeGreaterThanOrEqual(1);
    expect(await t.db.loginThrottle.count({ where: { key: { contains: unknown } } })).toBe(1);
  });
});

describe("throttling sign-in attempts per network address", () => {
  let proxied: TestApp;
  beforeAll(async () => {
    proxied = await createTestApp({ TRUST_PROXY: "true", LOGIN_IP_MAX_ATTEMPTS: "3" });
  });
  afterAll(async () => proxied.close());

  it("blocks even a correct sign-in from an address that guessed too often, while other addresses still sign in", async () => {
    const user = await makeUser(proxied.db);
    const noisy = { "X-Forwarded-For": "192.0.2.50" };
    for (let i = 0; i < 3; i++) {
      const { response } = await signIn(proxied.app, `stranger-${i}@example.test`, WRONG, noisy);
      expect(response.status).toBe(401);
      expect(response.text).toContain(LOGIN_FAILED_MESSAGE);
    }

    const blocked = await signIn(proxied.app, user.email, PASSWORD, noisy);
    expect(blocked.response.status).toBe(401);
    expect(failureOf(blocked.response.text)).toMatch(/^Too many failed sign-in attempts from your network\. Try again in 1[45] minutes\.$/);
    expect((await blocked.agent.get("/")).status).toBe(302);
    let stored = await proxied.db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(stored.lastLoginAt).toBeNull();
    expect(stored.failedLoginCount).toBe(0); // the account itself is not blamed
    const throttled = await proxied.db.auditEvent.findMany({ where: { action: "auth.login_throttled" } });
    expect(throttled).toHaveLength(1);
    expect(throttled[0]).toMatchObject({ actorLabel: user.email, entityType: "ip", entityId: "192.0.2.50", ip: "192.0.2.50" });

    const elsewhere = await signIn(proxied.app, user.email, PASSWORD, { "X-Forwarded-For": "192.0.2.77" });
    expect(elsewhere.response.status).toBe(302);
    expect((await elsewhere.agent.get("/")).status).toBe(200);
    stored = await proxied.db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(stored.lastLoginAt).not.toBeNull();
  });

  it("does not count successful sign-ins against the address", async () => {
    const user = await makeUser(proxied.db);
    const office = { "X-Forwarded-For": "192.0.2.60" };
    for (let i = 0; i < 5; i++) {
      const { response } = await signIn(proxied.app, user.email, PASSWORD, office);
      expect(response.status).toBe(302);
    }
    expect(await proxied.db.auditEvent.count({ where: { action: "auth.login_throttled", entityId: "192.0.2.60" } })).toBe(0);
  });

  it("shows the network message, not the account one, when both limits apply", async () => {
    const user = await makeUser(proxied.db);
    const ip = { "X-Forwarded-For": "192.0.2.70" };
    for (let i = 0; i < 3; i++) await signIn(proxied.app, user.email, WRONG, ip);
    const next = await signIn(proxied.app, user.email, WRONG, ip);
    expect(next.response.text).toContain(IP_THROTTLED);
    expect((await proxied.db.user.findUniqueOrThrow({ where: { id: user.id } })).failedLoginCount).toBe(3);
  });
});
