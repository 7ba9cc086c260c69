// The daily digest of overdue follow-ups, delivered to an SMTP server the test starts (smtp-server), once per day,
// by the app's timer, by `npm run followups:digest` and when two runs meet; each e-mail lists only what its reader may see.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSmtp, type ReceivedMail, type TestSmtp } from "../helpers/smtp.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { signedIn } from "../helpers/http.ts";
import { decodeHtml } from "../clients/support.ts";
import { runDailyDigest, startDigestTimer } from "../../src/communications/digest.ts";
import { makeClient } from "./support.ts";

let t: TestApp;
let smtp: TestSmtp;
let smtpUrl: string;
let received: ReceivedMail[] = [];
type User = Awaited<ReturnType<typeof makeUser>>;
let alice: User, bob: User;
const FROM = "Clientdesk <digest@clientdesk.test>";

beforeAll(async () => {
  t = await createTestApp();
  smtp = await startTestSmtp();
  received = smtp.received;
  smtpUrl = smtp.url;

  alice = await makeUser(t.db, { name: "Alice Staff" });
  bob = await makeUser(t.db, { name: "Bob Admin", role: "admin" });
  const open = await makeClient(t.db, bob.id, { name: "Open Digest Client" });
  const restricted = await makeClient(t.db, bob.id, { name: "Restricted Digest Client", isConfidential: true });
  const follow = (clientId: string, subject: string, assignee: string, due: string, done = false) =>
    t.db.communication.create({
      data: {
        clientId, type: "phone", occurredAt: new Date("2024-01-01T10:00:00Z"), subject, loggedById: bob.id, followUpRequired: true,
        followUpDue: new Date(`${due}T00:00:00Z`), followUpAssigneeId: assignee, ...(done ? { followUpCompletedAt: new Date(), followUpCompletedById: assignee } : {}),
      },
    });
  await follow(open.id, "Alice overdue call back", alice.id, "2020-02-01");
  await follow(open.id, "Alice not yet due", alice.id, "2099-01-01");
  await follow(open.id, "Alice already done", alice.id, "2020-01-01", true);
  await follow(open.id, "Bob overdue proposal", bob.id, "2020-03-01");
  await follow(restricted.id, "Bob cannot see this one", bob.id, "2020-01-01");
}, 60_000);
afterAll(async () => {
  await smtp.close();
  await t.close();
});

const mailTo = (user: User) => received.filter((m) => m.to.includes(user.email));

describe("the overdue follow-ups digest", () => {
  it("is sent by the app's timer once today, each assignee getting only their overdue follow-ups they may see", async () => {
    const errors: unknown[] = [];
    const stop = startDigestTimer(t.db, { smtpUrl, from: FROM }, 0, (e) => errors.push(e));
    try {
      for (let i = 0; i < 100 && !(await t.db.followUpDigest.findFirst({ where: { emailsSent: { gt: 0 } } })); i += 1) await new Promise((r) => setTimeout(r, 100));
    } finally {
      stop();
    }
    expect(errors).toEqual([]);
    const today = await t.db.followUpDigest.findFirstOrThrow();
    expect(today).toMatchObject({ overdue: 2, emailsSent: 2 });
    expect(today.day.toISOString().slice(0, 10)).toBe(new Date().toISOString().slice(0, 10));
    expect(received).toHaveLength(2);
    const [toAlice] = mailTo(alice);
    expect(toAlice!.data).toContain("Alice overdue call back");
    expect(toAlice!.data).not.toContain("not yet due");
    expect(toAlice!.data).not.toContain("already done");
    expect(toAlice!.data).toContain("From: Clientdesk <digest@clientdesk.test>");
    const [toBob] = mailTo(bob);
    expect(toBob!.data).toContain("Bob overdue proposal");
    expect(toBob!.data).not.toContain("Bob cannot see this one");
    expect(toBob!.data).not.toContain("Restricted Digest Client");
  });

  it("is not sent twice the same day, whether run again or by npm run followups:digest", async () => {
    const again = await runDailyDigest(t.db, { smtpUrl, from: FROM });
    expect(again).toMatchObject({ alreadySent: true, overdue: 2, emailsSent: 2 });
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/followups-digest.ts"], {
      env: { ...process.env, DATABASE_URL: t.url, SMTP_URL: smtpUrl, NODE_ENV: "test" },
      timeout: 60_000,
    });
    expect(stdout).toContain("was already sent");
    expect(received).toHaveLength(2);
  });

  it("two runs at the same moment on a new day send it once", async () => {
    const tomorrow = new Date(Date.now() + 86_400_000);
    const results = await Promise.all([runDailyDigest(t.db, { smtpUrl, from: FROM }, { now: tomorrow }), runDailyDigest(t.db, { smtpUrl, from: FROM }, { now: tomorrow })]);
    expect(results.map((r) => r.alreadySent).sort()).toEqual([false, true]);
    expect(received).toHaveLength(4);
  });

  it("is shown in the app without SMTP too", async () => {
    const agent = await signedIn(t.app, alice.email);
    const html = decodeHtml((await agent.get("/communications/follow-ups?show=overdue")).text);
    const overdue = html.slice(html.indexOf('id="digest"'));
    expect(overdue).toContain("Alice overdue call back");
    expect(overdue).not.toContain("Alice not yet due");
    expect(html).toContain("Last daily digest");
    // The latest digest's day and e-mails (the second run above, tomorrow's: its two e-mails).
    const latest = await t.db.followUpDigest.findFirstOrThrow({ orderBy: { day: "desc" } });
    const line = /Last daily digest: ([^<]*)/.exec(decodeHtml((await agent.get("/communications/follow-ups")).text))?.[1];
    expect(line).toContain(`(${latest.emailsSent} e-mail${latest.emailsSent === 1 ? "" : "s"})`);
    expect(line).toContain(String(latest.day.getUTCDate()));
    const quiet = await runDailyDigest(t.db, { from: FROM }, { now: new Date(Date.now() + 2 * 86_400_000) });
    expect(quiet).toMatchObject({ alreadySent: false, overdue: 2, emailsSent: 0 });
  });
});
