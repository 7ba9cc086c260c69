// "Forgot password?": without SMTP the page says an administrator resets passwords; with SMTP (a server this test
// starts) a single-use link by email, expiring after 30 minutes, its token stored hashed, and the same answer whether
// or not the email has an account.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSmtp, type ReceivedMail, type TestSmtp } from "../helpers/smtp.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser, PASSWORD } from "../helpers/factories.ts";
import { csrfTokenIn, signIn, signedIn } from "../helpers/http.ts";
import { fieldError, sessionCountOf } from "./support.ts";
import { hashResetToken, RESET_LINK_INVALID } from "../../src/auth/password-reset.ts";

const APP_URL = "https://clientdesk.example.test";
const NEW_PASSWORD = "violet harbour lantern 2031 quiet";

let smtp: TestSmtp;
let smtpUrl: string;
let received: ReceivedMail[] = [];
let t: TestApp;
let plain: TestApp;

beforeAll(async () => {
  smtp = await startTestSmtp();
  received = smtp.received;
  smtpUrl = smtp.url;
  t = await createTestApp({ SMTP_URL: smtpUrl, APP_URL, MAIL_FROM: "Clientdesk <noreply@clientdesk.test>" });
  plain = await createTestApp();
}, 60_000);
afterAll(async () => {
  await smtp.close();
  await t.close();
  await plain.close();
});

/** The email sent to `to`, waited for (the app sends it after answering). */
async function mailTo(to: string, timeoutMs = 10_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const mail = received.find((m) => m.to.includes(to));
    if (mail) return mail.data.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
    if (Date.now() > until) throw new Error(`no email to ${to}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function linkIn(mail: string): string {
  const match = /https:\/\/clientdesk\.example\.test(\/login\/reset\/[A-Za-z0-9_-]+)/.exec(mail);
  if (!match) throw new Error("no reset link in the email");
  return match[1]!;
}

async function askForLink(app: TestApp["app"], email: string) {
  const agent = request.agent(app);
  const page = await agent.get("/login/forgot");
  return agent.post("/login/forgot").type("form").send({ _csrf: csrfTokenIn(page.text), email });
}

async function setPassword(path: string, newPassword = NEW_PASSWORD, confirmPassword = newPassword) {
  const agent = request.agent(t.app);
  const page = await agent.get(path);
  if (page.status !== 200) return page;
  return agent.post(path).type("form").send({ _csrf: csrfTokenIn(page.text), newPassword, confirmPassword });
}

describe("without SMTP", () => {
  it("links from the sign-in page to a page that says an administrator resets passwords, with no form", async () => {
    const login = await request(plain.app).get("/login");
    expect(login.text).toContain('href="/login/forgot"');
    const page = await request(plain.app).get("/login/forgot");
    expect(page.status).toBe(200);
    expect(page.text).toContain("Passwords are reset by an administrator of your firm");
    expect(page.text).not.toContain('action="/login/forgot"');
  });

  it("sends nothing and stores nothing when the form is posted anyway", async () => {
    const user = await makeUser(plain.db);
    const agent = request.agent(plain.app);
    const page = await agent.get("/login");
    const res = await agent.post("/login/forgot").type("form").send({ _csrf: csrfTokenIn(page.text), email: user.email });
    expect(res.status).toBe(200);
    expect(res.text).toContain("Passwords are reset by an administrator");
    expect(await plain.db.passwordResetToken.count()).toBe(0);
  });
});

describe("with SMTP", () => {
  it("answers the same for a known and an unknown email, and emails a link only to the account", async () => {
    const user = await makeUser(t.db, { name: "Forgetful Fiona" });
    const known = await askForLink(t.app, user.email.toUpperCase());
    const unknown = await askForLink(t.app, "nobody-here@example.test");
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(known.status);
    const strip = (html: string) => html.replace(/name="_csrf" value="[^"]+"/g, "");
    expect(strip(unknown.text)).toBe(strip(known.text));
    expect(known.text).toContain("If an account uses that email address, we have sent it a link");

    const mail = await mailTo(user.email);
    expect(mail).toContain("Subject: Reset your Clientdesk password");
    expect(mail).toContain("Forgetful Fiona");
    const link = linkIn(mail);
    const token = link.split("/").at(-1)!;
    const stored = await t.db.passwordResetToken.findMany({ where: { userId: user.id } });
    expect(stored).toHaveLength(1);
    expect(stored[0]!.tokenHash).toBe(hashResetToken(token));
    expect(stored[0]!.tokenHash).not.toContain(token);
    const minutes = (stored[0]!.expiresAt.getTime() - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(29);
    expect(minutes).toBeLessThanOrEqual(30);
    await new Promise((r) => setTimeout(r, 300));
    expect(received.filter((m) => m.to.includes("nobody-here@example.test"))).toHaveLength(0);
  });

  it("lets the link set a new password once: old password refused, new one works, other sessions end", async () => {
    const user = await makeUser(t.db);
    const elsewhere = await signedIn(t.app, user.email);
    await askForLink(t.app, user.email);
    const link = linkIn(await mailTo(user.email));

    const weak = await setPassword(link, "password");
    expect(weak.status).toBe(422);
    expect(fieldError(weak.text, "newPassword")).toBeTruthy();
    const mismatch = await setPassword(link, NEW_PASSWORD, NEW_PASSWORD + "x");
    expect(fieldError(mismatch.text, "confirmPassword")).toBe("The two new passwords do not match.");

    const done = await setPassword(link);
    expect(done.status).toBe(302);
    expect(done.headers.location).toBe("/login");
    expect(await sessionCountOf(t.db, user.id)).toBe(0);
    expect((await elsewhere.get("/")).status).toBe(302);
    expect((await signIn(t.app, user.email, PASSWORD)).response.status).toBe(401);
    expect((await signIn(t.app, user.email, NEW_PASSWORD)).response.status).toBe(302);
    const audit = await t.db.auditEvent.findMany({ where: { entityId: user.id, action: "auth.password_reset_by_email" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: user.id, changes: { sessionsEnded: { after: 1 } } });

    const reused = await request(t.app).get(link);
    expect(reused.status).toBe(410);
    expect(reused.text).toContain(RESET_LINK_INVALID);
    const replay = await setPassword(link, "another brand new passphrase 77");
    expect(replay.status).toBe(410);
    expect((await signIn(t.app, user.email, NEW_PASSWORD)).response.status).toBe(302);
  });

  it("refuses a link older than 30 minutes", async () => {
    const user = await makeUser(t.db);
    await askForLink(t.app, user.email);
    const link = linkIn(await mailTo(user.email));
    await t.db.passwordResetToken.updateMany({ where: { userId: user.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const res = await request(t.app).get(link);
    expect(res.status).toBe(410);
    expect(res.text).toContain(RESET_LINK_INVALID);
    expect((await setPassword(link)).status).toBe(410);
    expect((await signIn(t.app, user.email, PASSWORD)).response.status).toBe(302);
  });

  it("refuses a made-up link, and a newer link replaces an older one", async () => {
    expect((await request(t.app).get("/login/reset/not-a-real-token-at-all-1234567890")).status).toBe(410);
    const user = await makeUser(t.db);
    await askForLink(t.app, user.email);
    const first = linkIn(await mailTo(user.email));
    received.splice(0, received.length);
    await askForLink(t.app, user.email);
    const second = linkIn(await mailTo(user.email));
    expect(second).not.toBe(first);
    expect((await request(t.app).get(first)).status).toBe(410);
    expect((await request(t.app).get(second)).status).toBe(200);
  });

  it("shows a clear message next to a bad email and keeps what was typed", async () => {
    const res = await askForLink(t.app, "not an email");
    expect(res.status).toBe(422);
    expect(fieldError(res.text, "email")).toBe("Enter a valid email address.");
    expect(res.text).toContain('value="not an email"');
  });
});
