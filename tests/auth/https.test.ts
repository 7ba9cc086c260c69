// Over HTTPS (a proxy the app trusts says X-Forwarded-Proto: https) the session cookie is named __Host-… and HSTS is
// sent; over plain HTTP, or when the proxy is not trusted, neither.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import request from "supertest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser, PASSWORD } from "../helpers/factories.ts";
import { cookieOf, csrfTokenIn } from "../helpers/http.ts";
import { SECURE_SESSION_COOKIE, SESSION_COOKIE } from "../../src/auth/sessions.ts";
import { cookiePair } from "./support.ts";

const HTTPS = { "X-Forwarded-Proto": "https" };
let proxied: TestApp;
let direct: TestApp;
beforeAll(async () => {
  proxied = await createTestApp({ TRUST_PROXY: "true" });
  direct = await createTestApp();
});
afterAll(async () => {
  await proxied.close();
  await direct.close();
});

function setCookies(res: request.Response): string[] {
  return (res.headers["set-cookie"] as unknown as string[] | undefined) ?? [];
}

describe("the session cookie over HTTPS behind a trusted proxy", () => {
  it("is named __Host-clientdesk.sid, Secure, Path=/ and without Domain, and signs in with it", async () => {
    const user = await makeUser(proxied.db, { name: "Secure Cookie" });
    // By hand: supertest's agent keeps Secure cookies away from its plain-HTTP test server.
    const login = await request(proxied.app).get("/login").set(HTTPS);
    const first = cookieOf(login, SECURE_SESSION_COOKIE)!;
    expect(first).toBeDefined();
    expect(cookieOf(login, SESSION_COOKIE)).toBeUndefined();
    expect(first).toMatch(/;\s*Secure/i);
    expect(first).toMatch(/;\s*Path=\/(;|$)/);
    expect(first).not.toMatch(/;\s*Domain=/i);
    expect(first).toMatch(/;\s*HttpOnly/i);

    const response = await request(proxied.app).post("/login").set(HTTPS).set("Cookie", cookiePair(first)).type("form").send({ _csrf: csrfTokenIn(login.text), email: user.email, password: PASSWORD });
    expect(response.status).toBe(302);
    const signedIn = cookiePair(cookieOf(response, SECURE_SESSION_COOKIE));
    const home = await request(proxied.app).get("/").set(HTTPS).set("Cookie", signedIn);
    expect(home.status).toBe(200);
    expect(home.text).toContain("Secure Cookie");
    // The same cookie under the plain name is not read over HTTPS.
    const renamed = signedIn.replace(`${SECURE_SESSION_COOKIE}=`, `${SESSION_COOKIE}=`);
    expect((await request(proxied.app).get("/").set(HTTPS).set("Cookie", renamed)).status).toBe(302);
  });

  it("sends HSTS over HTTPS only", async () => {
    const secure = await request(proxied.app).get("/login").set(HTTPS);
    expect(secure.headers["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
    const plain = await request(proxied.app).get("/login").set("X-Forwarded-Proto", "http");
    expect(plain.headers["strict-transport-security"]).toBeUndefined();
  });
});

describe("over plain HTTP", () => {
  it("keeps the plain cookie name, not Secure, and no HSTS", async () => {
    for (const res of [await request(proxied.app).get("/login").set("X-Forwarded-Proto", "http"), await request(direct.app).get("/login")]) {
      expect(setCookies(res).some((c) => c.startsWith("__Host-"))).toBe(false);
      expect(cookieOf(res, SESSION_COOKIE)).not.toMatch(/;\s*Secure/i);
      expect(res.headers["strict-transport-security"]).toBeUndefined();
    }
  });

  it("ignores X-Forwarded-Proto when the proxy is not trusted", async () => {
    const res = await request(direct.app).get("/login").set(HTTPS);
    expect(cookieOf(res, SESSION_COOKIE)).toBeDefined();
    expect(cookieOf(res, SECURE_SESSION_COOKIE)).toBeUndefined();
    expect(res.headers["strict-transport-security"]).toBeUndefined();
  });
});
