// The daily digest of overdue follow-ups: once per day (a row per day in follow_up_digests is the claim), each
// assignee with overdue follow-ups gets an e-mail listing those they may see, when SMTP is configured; the app
// shows the same list either way. Triggered by a timer in the app process and by `npm run followups:digest`.
import nodemailer from "nodemailer";
import type { Db } from "../db/client.ts";
import type { CurrentUser } from "../access/roles.ts";
import { formatterFor } from "../web/format.ts";

/** The digest e-mail is read outside any request: dates in the app's default locale. */
const { formatDate } = formatterFor("en-GB");
import { openFollowUps, overdueAssignees, type FollowUpLine } from "./queries.ts";

export interface DigestMail {
  smtpUrl?: string | undefined;
  from: string;
  /** Base URL for links in the e-mail, e.g. https://clientdesk.example.com */
  baseUrl?: string | undefined;
}

export interface DigestResult {
  day: string;
  alreadySent: boolean;
  overdue: number;
  emailsSent: number;
}

const today = (now = new Date()) => now.toISOString().slice(0, 10);

function mailText(user: CurrentUser, rows: FollowUpLine[], day: string, baseUrl: string | undefined): string {
  const lines = rows.map((r) => `- due ${formatDate(r.followUpDue)}: ${r.subject} (${r.clientName})${baseUrl ? ` ${baseUrl}/communications/${r.id}` : ""}`);
  return [`Hello ${user.name},`, "", `These follow-ups of yours were overdue on ${formatDate(`${day}T00:00:00Z`)}:`, "", ...lines, "", "Clientdesk"].join("\n");
}

/**
 * Sends the digest for `day` unless it was sent already; the day's row is claimed in a transaction held while the
 * e-mails go out, so a second run at the same moment waits and then finds it done, and a failed send can be retried.
 */
export async function runDailyDigest(db: Db, mail: DigestMail, options: { now?: Date; triggeredById?: string } = {}): Promise<DigestResult> {
  const day = today(options.now);
  const transport = mail.smtpUrl ? nodemailer.createTransport(mail.smtpUrl) : null;
  try {
    return await db.$transaction(
      async (tx) => {
        const claimed = await tx.$executeRaw`INSERT INTO follow_up_digests (day, overdue, triggered_by_id) VALUES (${day}::date, 0, ${options.triggeredById ?? null}::uuid) ON CONFLICT (day) DO NOTHING`;
        if (!claimed) {
          const done = await tx.followUpDigest.findUniqueOrThrow({ where: { day: new Date(`${day}T00:00:00Z`) } });
          return { day, alreadySent: true, overdue: done.overdue, emailsSent: done.emailsSent };
        }
        let overdue = 0;
        let emailsSent = 0;
        for (const user of await overdueAssignees(db, day)) {
          const { rows } = await openFollowUps(db, user, { assigneeId: user.id, overdueOn: day }, 200);
          if (!rows.length) continue;
          overdue += rows.length;
          if (!transport) continue;
          await transport.sendMail({ from: mail.from, to: user.email, subject: `Clientdesk: ${rows.length} overdue follow-up${rows.length === 1 ? "" : "s"}`, text: mailText(user, rows, day, mail.baseUrl) });
          emailsSent += 1;
        }
        await tx.followUpDigest.update({ where: { day: new Date(`${day}T00:00:00Z`) }, data: { overdue, emailsSent } });
        return { day, alreadySent: false, overdue, emailsSent };
      },
      { timeout: 120_000 },
    );
  } finally {
    transport?.close();
  }
}

/** What the app shows: the user's overdue follow-ups today and the last digest sent. */
export async function digestView(db: Db, user: CurrentUser) {
  const day = today();
  const [overdue, last] = await Promise.all([
    openFollowUps(db, user, { assigneeId: user.id, overdueOn: day }, 200),
    db.followUpDigest.findFirst({ orderBy: { day: "desc" }, select: { day: true, sentAt: true, emailsSent: true } }),
  ]);
  return { day, overdue, last };
}

/** Checks every ten minutes whether today's digest is due (from `hour` UTC) and sends it once; returns a stop function. */
export function startDigestTimer(db: Db, mail: DigestMail, hour: number, onError: (error: unknown) => void): () => void {
  let running = false;
  const tick = async () => {
    if (running || new Date().getUTCHours() < hour) return;
    running = true;
    try {
      await runDailyDigest(db, mail);
    } catch (error) {
      onError(error);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), 10 * 60_000);
  timer.unref();
  void tick();
  return () => clearInterval(timer);
}
