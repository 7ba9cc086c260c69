// Quarterly feedback reminders: once a quarter has ended, the account manager of each active client without feedback
// for it gets an in-app notification (the bell in the header) and, when SMTP is configured, one email listing their
// clients. Run twice in a quarter, the job notifies and emails once. Email is checked against a real SMTP server
// (the smtp-server package) started here.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SMTPServer } from "smtp-server";
import type { AddressInfo } from "node:net";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { postForm, signedIn } from "../helpers/http.ts";
import { makeClient } from "../clients/support.ts";
import { sendQuarterlyReminders } from "../../src/feedback/reminders.ts";
import { createMailer, type Mailer } from "../../src/notifications/mail.ts";
import { makeFeedback } from "./support.ts";

interface Received {
  to: string[];
  text: string;
}

let t: TestApp;
let smtp: SMTPServer;
let mailer: Mailer;
const received: Received[] = [];
let amy: { id: string; email: string };
let ben: { id: string; email: string };
const clients = {} as Record<"due1" | "due2" | "dueBen" | "quarterly" | "monthly" | "inactive" | "young" | "nobody" | "departed", { id: string }>;
/** 15 January 2026: the quarter just ended is Q4 2025. */
const NOW = new Date("2026-01-15T09:00:00Z");

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        // The body as sent, quoted-printable decoded (soft line breaks joined, =XX bytes restored).
        const raw = Buffer.concat(chunks).toString("utf8").replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), text: raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  mailer = createMailer({ SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: "Clientdesk <noreply@firm.test>" })!;

  t = await createTestApp();
  const admin = await makeUser(t.db, { role: "admin" });
  amy = await makeUser(t.db, { name: "Amy Account", email: "amy@firm.test" });
  ben = await makeUser(t.db, { name: "Ben Account", email: "ben@firm.test" });
  const gone = await makeUser(t.db, { name: "Gone Account", active: false });
  const before = new Date("2025-06-01T00:00:00Z");
  clients.due1 = await makeClient(t.db, admin.id, { name: "Alpha Due", accountManagerId: amy.id, createdAt: before });
  clients.due2 = await makeClient(t.db, admin.id, { name: "Beta Due", accountManagerId: amy.id, createdAt: before });
  clients.dueBen = await makeClient(t.db, admin.id, { name: "Gamma Due", accountManagerId: ben.id, isConfidential: true, createdAt: before });
  clients.quarterly = await makeClient(t.db, admin.id, { name: "Has Quarterly", accountManagerId: amy.id, createdAt: before });
  clients.monthly = await makeClient(t.db, admin.id, { name: "Has Monthly", accountManagerId: amy.id, createdAt: before });
  clients.inactive = await makeClient(t.db, admin.id, { name: "Inactive Co", accountManagerId: amy.id, status: "inactive", createdAt: before });
  clients.young = await makeClient(t.db, admin.id, { name: "Young Co", accountManagerId: amy.id, createdAt: new Date("2026-01-05T00:00:00Z") });
  clients.nobody = await makeClient(t.db, admin.id, { name: "Unmanaged Co", createdAt: before });
  clients.departed = await makeClient(t.db, admin.id, { name: "Departed Managers Co", accountManagerId: gone.id, createdAt: before });
  await makeFeedback(t.db, clients.quarterly.id, admin.id, "2025-Q4");
  await makeFeedback(t.db, clients.monthly.id, admin.id, "2025-11");
  await makeFeedback(t.db, clients.due1.id, admin.id, "2025-Q3");
});
afterAll(async () => {
  mailer?.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await t?.close();
});

describe("quarterly feedback reminders", () => {
  it("notifies the account manager of each active client without feedback for the quarter just ended, and emails them once", async () => {
    const run = await sendQuarterlyReminders(t.db, { now: NOW, mailer, appUrl: "https://desk.firm.test" });
    expect(run).toEqual({ quarter: "2025-Q4", notified: 3, emailed: 2, emailFailures: 0 });
    const notices = await t.db.notification.findMany({ orderBy: { title: "asc" } });
    expect(notices.map((n) => [n.userId, n.clientId, n.title])).toEqual([
      [amy.id, clients.due1.id, "Feedback due for Alpha Due"],
      [amy.id, clients.due2.id, "Feedback due for Beta Due"],
      [ben.id, clients.dueBen.id, "Feedback due for Gamma Due"],
    ]);
    expect(notices[0]!.link).toBe(`/clients/${clients.due1.id}/feedback/new?period=2025-Q4`);
    expect(notices.every((n) => n.emailedAt)).toBe(true);
    expect(received.map((m) => m.to.join()).sort()).toEqual(["amy@firm.test", "ben@firm.test"]);
    const amyMail = received.find((m) => m.to.includes("amy@firm.test"))!.text;
    expect(amyMail).toContain("Subject: Feedback due for 2 clients (Q4 2025)");
    expect(amyMail).toContain(`https://desk.firm.test/clients/${clients.due1.id}/feedback/new?period=2025-Q4`);
    expect(amyMail).not.toContain("Has Quarterly");
  });

  it("notifies and emails nobody twice when run again in the same quarter", async () => {
    const again = await sendQuarterlyReminders(t.db, { now: new Date("2026-02-20T10:00:00Z"), mailer, appUrl: "https://desk.firm.test" });
    expect(again).toEqual({ quarter: "2025-Q4", notified: 0, emailed: 0, emailFailures: 0 });
    expect(await t.db.notification.count()).toBe(3);
    expect(received).toHaveLength(2);
  });

  it("holds once-per-quarter at the database: a second reminder for the same client and quarter is refused", async () => {
    const n = await t.db.notification.findFirstOrThrow();
    await expect(t.db.notification.create({ data: { userId: n.userId, kind: n.kind, title: n.title, dedupeKey: n.dedupeKey } })).rejects.toThrow(/Unique constraint/);
  });

  it("writes the notifications without SMTP, emailing nothing", async () => {
    const run = await sendQuarterlyReminders(t.db, { now: new Date("2026-04-02T08:00:00Z") });
    expect(run.quarter).toBe("2026-Q1");
    expect(run.emailed).toBe(0);
    expect(run.notified).toBeGreaterThan(0);
    expect(await t.db.notification.count({ where: { dedupeKey: { startsWith: "feedback-reminder:2026-Q1:" }, emailedAt: { not: null } } })).toBe(0);
  });

  it("shows the unread count beside the bell, lists the reminders, and marks them read", async () => {
    const agent = await signedIn(t.app, amy.email);
    const home = await agent.get("/");
    const unread = await t.db.notification.count({ where: { userId: amy.id, readAt: null } });
    expect(home.text).toMatch(new RegExp(`data-bell aria-label="Notifications, ${unread} unread"`));
    const page = await agent.get("/notifications");
    expect(page.text).toContain("Feedback due for Alpha Due");
    expect(page.text).not.toContain("Gamma Due");
    const first = await t.db.notification.findFirstOrThrow({ where: { userId: amy.id, clientId: clients.due1.id, dedupeKey: { startsWith: "feedback-reminder:2025-Q4" } } });
    const open = await postForm(agent, "/notifications", `/notifications/${first.id}/open`, {});
    expect(open.headers.location).toBe(`/clients/${clients.due1.id}/feedback/new?period=2025-Q4`);
    const form = await agent.get(open.headers.location!);
    expect(form.text).toContain('value="2025-Q4" selected');
    expect((await t.db.notification.findUniqueOrThrow({ where: { id: first.id } })).readAt).not.toBeNull();
    await postForm(agent, "/notifications", "/notifications/read-all", {});
    expect((await agent.get("/")).text).toContain('data-bell aria-label="Notifications"');
  });

  it("hides a notice about a client its reader may no longer see, and another user's notice is a 404", async () => {
    const agent = await signedIn(t.app, ben.email);
    expect((await agent.get("/")).text).toMatch(/data-bell aria-label="Notifications, \d+ unread"/);
    // Ben leaves the restricted client's team: its reminder disappears from his bell and list.
    await t.db.client.update({ where: { id: clients.dueBen.id }, data: { accountManagerId: amy.id } });
    expect((await agent.get("/")).text).toContain('data-bell aria-label="Notifications"');
    expect((await agent.get("/notifications")).text).not.toContain("Gamma Due");
    const amys = await t.db.notification.findFirstOrThrow({ where: { userId: amy.id } });
    expect((await postForm(agent, "/notifications", `/notifications/${amys.id}/open`, {})).status).toBe(404);
  });
});
