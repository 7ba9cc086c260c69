// The HTTP-level safety net: security headers, caching, request ids, health, body limits, error pages, odd input.
import net from "node:net";
import { createHmac } from "node:crypto";
import request from "supertest";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { connectDatabase, type Database } from "../../src/db/client.ts";
import { createApp } from "../../src/app.ts";
import { SESSION_COOKIE } from "../../src/auth/sessions.ts";
import { createTestApp, TEST_SESSION_SECRET, type TestApp } from "../helpers/app.ts";
import { createTestDatabaseUrl } from "../helpers/db.ts";
import { makeUser } from "../helpers/factories.ts";
import { csrfToken, signedIn, type Agent } from "../helpers/http.ts";

let t: TestApp;
let admin: Agent;
let staff: Agent;

beforeAll(async () => {
  t = await createTestApp();
  admin = await signedIn(t.app, (await makeUser(t.db, { role: "admin" })).email);
  staff = await signedIn(t.app, (await makeUser(t.db, { role: "staff" })).email);
});
afterAll(async () => t.close());

/** CSP directives by name: { "script-src": ["'self'"], ... } */
function csp(header: string | undefined): Record<string, string[]> {
  expect(header).toBeTruthy();
  return Object.fromEntries(
    header!
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The app as it would run against a database server that does not answer. */
async function appWithoutDatabase(nodeEnv: "test" | "production" | "development") {
  const database: Database = connectDatabase(`postgresql://clientdesk@127.0.0.1:${await closedPort()}/clientdesk`, { max: 2 });
  const { app, sessionStore } = createApp({ config: loadConfig({ NODE_ENV: nodeEnv, LOG_LEVEL: "silent" }), database, sessionSecret: TEST_SESSION_SECRET, logger: pino({ level: "silent" }) });
  return {
    app,
    async close() {
      (sessionStore as unknown as { close?: () => void }).close?.();
      await database.close();
    },
  };
}

/**
 * The app on a database it reaches but whose session table is gone: every session lookup fails with an error that is
 * not the database being down (a real internal error, 500).
 */
async function appWithBrokenSessionStore(nodeEnv: "test" | "production" | "development") {
  const url = await createTestDatabaseUrl();
  const database: Database = connectDatabase(url, { max: 2 });
  await database.pool.query(`DROP TABLE "session"`);
  const { app } = createApp({ config: loadConfig({ NODE_ENV: nodeEnv, LOG_LEVEL: "silent" }), database, sessionSecret: TEST_SESSION_SECRET, logger: pino({ level: "silent" }) });
  return { app, close: () => database.close() };
}

/** A correctly signed session cookie, so the app must ask the session store about it. */
function signedSessionCookie(sid = "a-session-id-that-needs-a-lookup") {
  const signature = createHmac("sha256", TEST_SESSION_SECRET).update(sid).digest("base64").replace(/=+$/, "");
  return `${SESSION_COOKIE}=${encodeURIComponent(`s:${sid}.${signature}`)}`;
}

describe("Content-Security-Policy", () => {
  it.each([
    ["the sign-in page", () => request(t.app).get("/login")],
    ["the dashboard", () => admin.get("/")],
    ["an admin page", () => admin.get("/admin/users")],
    ["a refusal page", () => staff.get("/admin/users")],
    ["a missing page", () => admin.get("/no-such-page")],
    ["the health check", () => request(t.app).get("/healthz")],
  ])("on %s: scripts only from our origin, no base or plugins, no framing", async (_label, get) => {
    const res = await get();
    const policy = csp(res.headers["content-security-policy"]);
    expect(policy["script-src"]).toEqual(["'self'"]);
    expect(policy["default-src"]).toEqual(["'self'"]);
    expect(policy["base-uri"]).toEqual(["'none'"]);
    expect(policy["object-src"]).toEqual(["'none'"]);
    expect(policy["frame-ancestors"]).toEqual(["'none'"]);
    expect(policy["form-action"]).toEqual(["'self'"]);
    for (const values of Object.values(policy)) {
      expect(values).not.toContain("'unsafe-inline'");
      expect(values).not.toContain("'unsafe-eval'");
    }
  });

  it.each([
    ["/login", () => request(t.app).get("/login")],
    ["/", () => admin.get("/")],
    ["/admin/users", () => admin.get("/admin/users")],
    ["/admin/users/new", () => admin.get("/admin/users/new")],
    ["/admin/audit", () => admin.get("/admin/audit")],
    ["/account/password", () => staff.get("/account/password")],
  ])("%s has no inline script, event handler or style attribute the policy would block", async (_path, get) => {
    const res = await get();
    expect(res.status).toBe(200);
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    expect(res.text).not.toMatch(/\son[a-z]+\s*=/i);
    expect(res.text).not.toMatch(/\sstyle\s*=/i);
    expect(res.text).not.toMatch(/<style/i);
    expect(res.text).not.toMatch(/href\s*=\s*"javascript:/i);
  });

  it("sends the other protective headers and does not announce Express", async () => {
    const res = await request(t.app).get("/login");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["referrer-policy"]).toBe("same-origin");
    expect(res.headers["x-frame-options"]).toBe("SAMEORIGIN");
    expect(res.headers["x-powered-by"]).toBeUndefined();
  });
});

describe("caching", () => {
  it.each([
    ["/login", () => request(t.app).get("/login")],
    ["the dashboard", () => admin.get("/")],
    ["/admin/users", () => admin.get("/admin/users")],
    ["/admin/audit", () => admin.get("/admin/audit")],
    ["a refusal page", () => staff.get("/admin/audit")],
    ["a missing page", () => admin.get("/no-such-page")],
    ["/healthz", () => request(t.app).get("/healthz")],
  ])("%s is never stored (Cache-Control: no-store)", async (_label, get) => {
    const res = await get();
    expect(res.headers["cache-control"]).toBe("no-store");
  });

  it("static files may be cached", async () => {
    const res = await request(t.app).get("/public/css/app.css");
    expect(res.status).toBe(200);
    expect(res.headers["cache-control"]).toMatch(/max-age=3600/);
  });
});

describe("request ids", () => {
  it.each([
    ["/login", () => request(t.app).get("/login")],
    ["/healthz", () => request(t.app).get("/healthz")],
    ["a static file", () => request(t.app).get("/public/js/app.js")],
    ["a missing page", () => admin.get("/no-such-page")],
    ["a redirect", () => request(t.app).get("/admin/users")],
  ])("%s answers with an X-Request-Id", async (_label, get) => {
    const res = await get();
    expect(res.headers["x-request-id"]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it("keeps a well-formed id from the proxy and replaces a malformed one", async () => {
    const kept = await request(t.app).get("/login").set("X-Request-Id", "proxy-req-0123456789");
    expect(kept.headers["x-request-id"]).toBe("proxy-req-0123456789");
    const replaced = await request(t.app).get("/login").set("X-Request-Id", "<script>bad id</script>");
    expect(replaced.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("gives each request its own id", async () => {
    const a = await request(t.app).get("/login");
    const b = await request(t.app).get("/login");
    expect(a.headers["x-request-id"]).not.toBe(b.headers["x-request-id"]);
  });
});

describe("/healthz", () => {
  it('answers 200 {status:"ok"} when the database answers', async () => {
    const res = await request(t.app).get("/healthz");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok" });
  });

  it("answers 503 when the database does not", async () => {
    const down = await appWithoutDatabase("test");
    try {
      const res = await request(down.app).get("/healthz");
      expect(res.status).toBe(503);
      expect(res.body.status).not.toBe("ok");
    } finally {
      await down.close();
    }
  });
});

describe("request bodies", () => {
  it("refuses a form over 100kb with 413 and a page that says why", async () => {
    const res = await request(t.app)
      .post("/login")
      .type("form")
      .send({ email: "a@example.test", password: "x".repeat(150 * 1024) });
    expect(res.status).toBe(413);
    expect(res.text).toContain("What you sent is too large.");
    expect(res.text).toMatch(/^<!doctype html>/i);
  });

  it("refuses a JSON body over 100kb with 413", async () => {
    const res = await request(t.app)
      .post("/login")
      .set("Accept", "application/json")
      .send({ email: "a@example.test", password: "x".repeat(150 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body.error).toBe("What you sent is too large.");
  });

  it("refuses a form with too many fields with 413, not 500", async () => {
    const body = Array.from({ length: 600 }, (_, i) => `f${i}=1`).join("&");
    const res = await request(t.app).post("/login").type("form").send(body);
    expect(res.status).toBe(413);
  });

  it("answers malformed JSON with 400", async () => {
    const res = await request(t.app).post("/login").set("Content-Type", "application/json").send('{"email": ');
    expect(res.status).toBe(400);
    expect(res.text).toContain("The request could not be understood.");
  });

  it("answers an unsupported charset with 415, not 500", async () => {
    const res = await request(t.app).post("/login").set("Content-Type", "application/x-www-form-urlencoded; charset=utf-7").send("email=a");
    expect(res.status).toBe(415);
  });
});

describe("unknown pages", () => {
  it("answer 404 with a page inside the layout", async () => {
    const res = await admin.get("/no-such-page");
    expect(res.status).toBe(404);
    expect(res.text).toMatch(/^<!doctype html>/i);
    expect(res.text).toContain("<title>Page not found · Clientdesk</title>");
    expect(res.text).toContain("<h1>Page not found</h1>");
    expect(res.text).toContain('<header class="topbar">');
    expect(res.text).toContain('href="/admin/users"'); // the signed-in navigation is there
  });

  it("answer 404 to a signed-in POST too", async () => {
    const res = await admin
      .post("/no-such-page")
      .type("form")
      .send({ _csrf: await csrfToken(admin, "/") });
    expect(res.status).toBe(404);
    expect(res.text).toContain("Page not found");
  });

  it("send an anonymous visitor to sign in rather than revealing what exists", async () => {
    const res = await request(t.app).get("/no-such-page");
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe("/login?returnTo=%2Fno-such-page");
  });
});

describe("internal errors", () => {
  // An app whose session table is gone, asked for a page with a session cookie: the session store fails.
  it("in production show a whole page with a reference and no stack trace", async () => {
    const down = await appWithBrokenSessionStore("production");
    try {
      const res = await request(down.app).get("/").set("Cookie", signedSessionCookie());
      expect(res.status).toBe(500);
      expect(res.text).toMatch(/^<!doctype html>/i);
      expect(res.text).toContain("<title>Something went wrong · Clientdesk</title>");
      expect(res.text).toContain("An unexpected error occurred.");
      expect(res.text).toContain(`<code>${res.headers["x-request-id"]}</code>`);
      expect(res.text).not.toContain('class="debug"');
      expect(res.text).not.toMatch(/\bat .+:\d+:\d+/); // a stack frame
      expect(res.text).not.toMatch(/does not exist|node_modules|\/src\//);
      expect(res.headers["cache-control"]).toBe("no-store");
    } finally {
      await down.close();
    }
  });

  it("in development show the stack, so the production check above is meaningful", async () => {
    const down = await appWithBrokenSessionStore("development");
    try {
      const res = await request(down.app).get("/").set("Cookie", signedSessionCookie());
      expect(res.status).toBe(500);
      expect(res.text).toContain('class="debug"');
    } finally {
      await down.close();
    }
  });

  it("answer JSON clients with JSON and no stack", async () => {
    const down = await appWithBrokenSessionStore("production");
    try {
      const res = await request(down.app).get("/").set("Accept", "application/json").set("Cookie", signedSessionCookie());
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ error: "An unexpected error occurred. It has been logged; please try again.", requestId: res.headers["x-request-id"] });
    } finally {
      await down.close();
    }
  });

  // The database unreachable is not an internal error: a 503 that says so, without a stack even in development.
  it.each(["production", "development"] as const)("in %s answer a database that does not answer with a 503 page, no stack trace", async (nodeEnv) => {
    const down = await appWithoutDatabase(nodeEnv);
    try {
      const res = await request(down.app).get("/").set("Cookie", signedSessionCookie());
      expect(res.status).toBe(503);
      expect(res.headers["retry-after"]).toBe("10");
      expect(res.text).toMatch(/^<!doctype html>/i);
      expect(res.text).toContain("<title>Temporarily unavailable · Clientdesk</title>");
      expect(res.text).toContain("Clientdesk cannot reach its database just now");
      expect(res.text).toContain(`<code>${res.headers["x-request-id"]}</code>`);
      expect(res.text).not.toContain('class="debug"');
      expect(res.text).not.toMatch(/\bat .+:\d+:\d+/);
      expect(res.text).not.toMatch(/ECONNREFUSED|node_modules|\/src\//);
      expect(res.headers["cache-control"]).toBe("no-store");
      const json = await request(down.app).get("/").set("Accept", "application/json").set("Cookie", signedSessionCookie());
      expect(json.status).toBe(503);
      expect(json.body.error).toContain("cannot reach its database");
    } finally {
      await down.close();
    }
  });
});

describe("malformed input never causes a 500", () => {
  it("an email sent twice at sign-in is refused as a form error", async () => {
    const agent = request.agent(t.app);
    const token = await csrfToken(agent);
    const res = await agent.post("/login").type("form").send(`_csrf=${token}&email=a%40example.test&email=b%40example.test&password=whatever`);
    expect(res.status).toBe(422);
    expect(res.text).toContain("Email is required.");
  });

  it("a password sent twice, or a CSRF token sent twice, is refused without a 500", async () => {
    const agent = request.agent(t.app);
    const token = await csrfToken(agent);
    const twoPasswords = await agent.post("/login").type("form").send(`_csrf=${token}&email=a%40example.test&password=a&password=b`);
    expect(twoPasswords.status).toBe(422);
    const twoTokens = await agent.post("/login").type("form").send(`_csrf=${token}&_csrf=${token}&email=a%40example.test&password=a`);
    expect(twoTokens.status).toBe(403);
  });

  it("objects where strings belong in a JSON sign-in are refused as form errors", async () => {
    const agent = request.agent(t.app);
    const token = await csrfToken(agent);
    const res = await agent.post("/login").send({ _csrf: token, email: { $gt: "" }, password: ["a"] });
    expect(res.status).toBe(422);
  });

  it("arrays in the user admin forms are refused as form errors and write nothing", async () => {
    const users = await t.db.user.count();
    const token = await csrfToken(admin, "/admin/users/new");
    for (const body of [
      `_csrf=${token}&name=A&email=a1%40example.test&email=a2%40example.test&role=staff`,
      `_csrf=${token}&name=A&name=B&email=a3%40example.test&role=staff`,
      `_csrf=${token}&name=A&email=a4%40example.test&role=staff&role=admin`,
      `_csrf=${token}&name=A&email=a5%40example.test&role=staff&legalTeam=on&legalTeam=on`,
    ]) {
      const res = await admin.post("/admin/users").type("form").send(body);
      expect(res.status, body).toBe(422);
    }
    expect(await t.db.user.count()).toBe(users);
  });

  it("odd query strings and paths on admin pages", async () => {
    for (const path of ["/admin/users?q=a&q=b", "/admin/users?page[]=1", "/admin/audit?actor=a&actor=b", "/admin/users/%E0%A4%A", "/admin/users/..%2f..%2fetc"]) {
      const res = await admin.get(path);
      expect(res.status, path).toBeLessThan(500);
    }
  });
});
