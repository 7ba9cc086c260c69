// The daily digest: once per day (a row per day in follow_up_digests is the claim), each user with overdue
// follow-ups or with notifications not yet e-mailed (cases, stages, follow-ups and action items assigned to them,
// approvals waiting; see src/notifications/events.ts) gets one e-mail listing those they may see, when SMTP is
// configured (through src/notifications/mail.ts); the app shows the same either way. Before sending, the approvals
// waiting for each possible approver are turned into notices (they are derived, not written by an event).
// Triggered by a timer in the app process and by `npm run followups:digest`.
import type { Db } from "../db/client.ts";
import type { CurrentUser } from "../access/roles.ts";
import { formatterFor } from "../web/format.ts";
import { createMailer } from "../notifications/mail.ts";
import { possibleApprovers, unemailedNotices, usersWithUnemailedNotices, type PendingNotice } from "../notifications/queries.ts";
import { NOTICE_KINDS, noticeApprovalsWaiting } from "../notifications/events.ts";
import { approvalsWaitingFor } from "../cases/workflow.ts";

/** The digest e-mail is read outside any request: dates in the app's default locale. */
const { formatDate } = formatterFor("en-GB");
import { lastDigestRead, openFollowUps, openFollowUpsRead, overdueAssignees, type FollowUpLine } from "./queries.ts";
import { jsonRead } from "../db/sql.ts";

/** Notices the digest e-mails (feedback reminders have their own e-mail). */
const DIGEST_KINDS: string[] = Object.values(NOTICE_KINDS);

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

function mailText(user: CurrentUser, rows: FollowUpLine[], notices: PendingNotice[], day: string, baseUrl: string | undefined): string {
  const lines = rows.map((r) => `- due ${formatDate(r.followUpDue)}: ${r.subject} (${r.clientName})${baseUrl ? ` ${baseUrl}/communications/${r.id}` : ""}`);
  const noticeLines = notices.map((n) => `- ${n.title}${n.body ? `: ${n.body}` : ""}${baseUrl && n.link ? ` ${baseUrl}${n.link}` : ""}`);
  return [
    `Hello ${user.name},`,
    "",
    ...(rows.length ? [`These follow-ups of yours were overdue on ${formatDate(`${day}T00:00:00Z`)}:`, "", ...lines, ""] : []),
    ...(notices.length ? ["New for you since the last digest:", "", ...noticeLines, ""] : []),
    "Clientdesk",
  ].join("\n");
}

function subjectOf(overdue: number, notices: number): string {
  const parts = [];
  if (overdue) parts.push(`${overdue} overdue follow-up${overdue === 1 ? "" : "s"}`);
  if (notices) parts.push(`${notices} new notification${notices === 1 ? "" : "s"}`);
  return `Clientdesk: ${parts.join(", ")}`;
}

/** Approvals waiting become notices for each possible approver (once per stage and approver). */
async function deriveApprovalNotices(db: Db): Promise<void> {
  for (const user of await possibleApprovers(db)) {
    const waiting = await approvalsWaitingFor(db, { ...user, context: { userAgent: "daily digest" } }, 50);
    if (waiting.length) await noticeApprovalsWaiting(db, user, waiting);
  }
}

/**
 * Sends the digest for `day` unless it was sent already; the day's row is claimed in a transaction held while the
 * e-mails go out, so a second run at the same moment waits and then finds it done, and a failed send can be retried.
 */
export async function runDailyDigest(db: Db, mail: DigestMail, options: { now?: Date; triggeredById?: string } = {}): Promise<DigestResult> {
  const day = today(options.now);
  const mailer = createMailer({ SMTP_URL: mail.smtpUrl, MAIL_FROM: mail.from });
  try {
    return await db.$transaction(
      async (tx) => {
        const claimed = await tx.$executeRaw`INSERT INTO follow_up_digests (day, overdue, triggered_by_id) VALUES (${day}::date, 0, ${options.triggeredById ?? null}::uuid) ON CONFLICT (day) DO NOTHING`;
        if (!claimed) {
          const done = await tx.followUpDigest.findUniqueOrThrow({ where: { day: new Date(`${day}T00:00:00Z`) } });
          return { day, alreadySent: true, overdue: done.overdue, emailsSent: done.emailsSent };
        }
        await deriveApprovalNotices(db);
        let overdue = 0;
        let emailsSent = 0;
        const recipients = new Map<string, CurrentUser>();
        for (const user of await overdueAssignees(db, day)) recipients.set(user.id, user);
        if (mailer) for (const user of await usersWithUnemailedNotices(db, DIGEST_KINDS)) recipients.set(user.id, user);
        for (const user of [...recipients.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))) {
          const { rows } = await openFollowUps(db, user, { assigneeId: user.id, overdueOn: day }, 200);
          overdue += rows.length;
          if (!mailer) continue;
          const notices = await unemailedNotices(db, user, DIGEST_KINDS);
          if (!rows.length && !notices.length) continue;
          await mailer.send({ to: user.email, subject: subjectOf(rows.length, notices.length), text: mailText(user, rows, notices, day, mail.baseUrl) });
          if (notices.length) await db.notification.updateMany({ where: { id: { in: notices.map((n) => n.id) }, emailedAt: null }, data: { emailedAt: new Date() } });
          emailsSent += 1;
        }
        await tx.followUpDigest.update({ where: { day: new Date(`${day}T00:00:00Z`) }, data: { overdue, emailsSent } });
        return { day, alreadySent: false, overdue, emailsSent };
      },
      { timeout: 120_000 },
    );
  } finally {
    mailer?.close();
  }
}

/**
 * What the app shows, as reads for the page's one statement: a page of the user's overdue follow-ups today (skipped
 * when `page` is null: the caller counts them itself) and the last digest sent.
 */
export function digestReads(user: CurrentUser, page: { limit: number; offset: number } | null) {
  const day = today();
  return {
    day,
    overdue: page ? openFollowUpsRead(user, { assigneeId: user.id, overdueOn: day }, page.limit, page.offset) : jsonRead(null, () => null),
    last: lastDigestRead(),
  };
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
